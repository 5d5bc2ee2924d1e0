"""`giftbatch submit|runs|status|resume|track`: send a workbook's rows; see or finish runs already started.

Exit status: 0 when every row that was sent ended completed, 1 when some failed or were rejected (or the run
stopped on something the user must fix), 2 on bad input, 3 when the run is paused or interrupted.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import FrameType

from app.api.errors import ApiError
from app.cli.catalog_cmd import mention_catalog_notices
from app.cli.context import CliContext
from app.cli.formatting import format_money, table
from app.cli.validate_cmd import add_workbook_options, import_from_args
from app.config.connection import Connection
from app.config.run_options import run_settings
from app.domain.catalog import Catalog, DeliveryType
from app.domain.errors import UserInputError
from app.domain.import_result import ImportResult
from app.domain.issues import Issue
from app.domain.payments import BLOCKING_CODES, PAID_AGAIN, PayAgain, check_reason
from app.engine.confirmation import SendConfirmation
from app.engine.events import (
    EngineEvent,
    OrderProblem,
    OrderRejected,
    Progress,
    RunFinished,
    RunPaused,
)
from app.engine.journal import OrderRecord, RowRecord, SubmissionJournal
from app.engine.plan import (
    BalanceShortError,
    Plan,
    PlanRow,
    SkippedRow,
    check_balance,
    plan_with_settings,
    rows_from_import,
)
from app.engine.report import file_sha256
from app.engine.runner import SubmissionRunner, live_status
from app.engine.states import RowStatus, RunStatus
from app.engine.webhook_listener import WebhookListener

EXIT_OK, EXIT_ROWS_FAILED, EXIT_BAD_INPUT, EXIT_UNFINISHED = 0, 1, 2, 3
_ISSUES_SHOWN = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    submit = subparsers.add_parser(
        "submit",
        help="validate a workbook, show the plan and cost, and send it",
        description="Validate FILE, show the orders, total cost and balance after, ask, then send every row "
        "exactly once. Exit status: 0 all completed, 1 some failed or rejected, 2 bad input, 3 paused "
        "or interrupted (resume it with 'giftbatch resume RUN').",
    )
    submit.add_argument("file", type=Path)
    submit.add_argument("--profile", help="default: the active profile")
    add_workbook_options(submit)
    submit.add_argument(
        "--campaign", metavar="NAME", help="start every PONumber with NAME (letters, digits, -)"
    )
    submit.add_argument("--concurrency", type=int, metavar="N", help="orders in flight at once (default: 4)")
    submit.add_argument(
        "--skip-invalid",
        action="store_true",
        help="send the valid rows; skip rows with errors (rows already paid stay blocked)",
    )
    submit.add_argument(
        "--pay-again",
        metavar="ROWS",
        help="send these rows although an earlier run paid them, or they repeat a row of the file: row "
        "numbers as Excel shows them ('7,9-12', 'Sheet1!7') or 'all'; needs --reason",
    )
    submit.add_argument("--reason", metavar="TEXT", help="why the rows of --pay-again are paid again (kept)")
    _add_common(submit)
    submit.set_defaults(func=run_submit)

    runs = subparsers.add_parser("runs", help="list submission runs")
    runs.add_argument("--json", action="store_true", help="print JSON instead of a table")
    runs.set_defaults(func=run_runs)

    status = subparsers.add_parser("status", help="show a run's status and its rows by status")
    status.add_argument("run")
    status.add_argument("--json", action="store_true", help="print JSON instead of text")
    status.set_defaults(func=run_status)

    resume = subparsers.add_parser("resume", help="send what a paused or interrupted run has left, once")
    resume.add_argument("run")
    resume.add_argument("--concurrency", type=int, metavar="N", help="orders in flight at once")
    _add_common(resume)
    resume.set_defaults(func=run_resume)

    track = subparsers.add_parser("track", help="wait until every order of a run is final")
    track.add_argument("run")
    track.add_argument("--json", action="store_true", help="one JSON object per event per line")
    track.set_defaults(func=run_track)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes", action="store_true", help="for scripts: send without the prompt (every check still applies)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per event per line")


# --- submit -------------------------------------------------------------------------------------------------


def run_submit(args: argparse.Namespace, ctx: CliContext) -> int:
    settings = ctx.settings
    concurrency = _concurrency(args.concurrency, settings.concurrency)
    if not args.file.is_file():
        raise UserInputError(f"There is no file at {args.file}.")
    pay_again = pay_again_from_args(args.pay_again, args.reason)
    connection = ctx.connect(args.profile)
    journal = ctx.journal()
    _mention_unfinished(ctx, journal, args.json)
    catalog = _catalog_for_sending(connection)
    mention_catalog_notices(ctx, catalog)
    rows, skipped, blocked = _validated_rows(args, catalog, ctx, pay_again)
    plan = plan_with_settings(rows, skipped, catalog, settings, args.campaign)
    balance = connection.client.get_balance()
    check = check_balance(plan.costs, balance) if balance is not None else None
    confirmation = SendConfirmation.of(
        plan, catalog, check, datetime.now(UTC), Decimal(str(settings.spending_limit))
    )
    _show_plan(ctx, plan, confirmation, args.json)
    if check is not None and not check.fits:
        raise BalanceShortError(check)
    _confirm(args.yes, confirmation.question)
    journal.create_run(  # checks again, in its transaction, that no other run pays these rows meanwhile
        plan,
        workbook=str(args.file.resolve()),
        workbook_sha256=file_sha256(args.file),
        profile=connection.profile.name,
        settings=run_settings(settings, concurrency),
        campaign=plan.prefix,
    )
    code = _drive(
        ctx, journal, connection, plan.run_id, concurrency=concurrency, as_json=args.json, send=True
    )
    if blocked and code == EXIT_OK:
        code = EXIT_ROWS_FAILED  # the run went well, but rows of the workbook were not paid
    return code


def pay_again_from_args(rows: str | None, reason: str | None) -> PayAgain | None:
    """`--pay-again ROWS --reason TEXT` as validation takes it; both or neither."""
    if rows is None:
        if reason is not None:
            raise UserInputError("--reason goes with --pay-again ROWS: name the rows to pay again.")
        return None
    if reason is None:
        raise UserInputError("--pay-again needs --reason TEXT: say why these rows are paid again.")
    try:
        why = check_reason(reason)
    except ValueError as error:
        raise UserInputError(f"--reason: {error}") from None
    if rows.strip().casefold() == "all":
        return PayAgain(every_row=why)
    return PayAgain(dict.fromkeys(_row_names(rows), why))


def _row_names(text: str) -> list[str]:
    """'7,9-11,May!4' → ['7', '9', '10', '11', 'May!4']: row keys, or bare numbers for any sheet."""
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        sheet, _, numbers = part.rpartition("!")
        first, _, last = numbers.partition("-")
        if not first.strip().isdigit() or (last and not last.strip().isdigit()):
            raise UserInputError(
                f"--pay-again '{part}' is not a row: give row numbers as Excel shows them ('7', '9-12', "
                "'Sheet1!7'), or 'all'."
            )
        start, end = int(first), int(last or first)
        if end < start or end - start > 100_000:
            raise UserInputError(f"--pay-again '{part}': the range runs backwards or is too long.")
        names += [f"{sheet}!{n}" if sheet else str(n) for n in range(start, end + 1)]
    return names


def _catalog_for_sending(connection: Connection) -> Catalog:
    """The catalog to plan against. When the vendor could not be asked for it, the reason is the message
    (an untrusted certificate, a redirect, a timeout), not a product that then seems to be missing; a kept
    catalog still serves when the failure is one that passes (a network outage)."""
    catalog = connection.catalog()
    problem = connection.catalog_cache.last_error
    if problem is not None and (not problem.retryable or not catalog.products):
        raise problem
    return catalog


def _validated_rows(
    args: argparse.Namespace, catalog: Catalog, ctx: CliContext, pay_again: PayAgain | None
) -> tuple[list[PlanRow], list[SkippedRow], list[Issue]]:
    """Import and validate the workbook as `giftbatch validate` does; refuse rows with errors unless told.

    Rows already paid (or repeated in the file) are refused like any error and left out by --skip-invalid,
    never sent without --pay-again. Returns the rows to send, the rows left out, and the blocking issues.
    """
    result = import_from_args(args, ctx, catalog, pay_again)
    if pay_again is not None:
        _check_pay_again(ctx, result, pay_again, args.json)
    errors = [i for i in result.issues if i.is_error]
    blocked = [i for i in errors if i.code in BLOCKING_CODES]
    file_errors = [i for i in result.general_issues if i.is_error]
    rows, skipped = rows_from_import(result)
    if file_errors or (errors and not args.skip_invalid):
        _show_issues(ctx, errors, args.json)
        if file_errors:
            raise UserInputError(f"The workbook cannot be sent: {file_errors[0].message}")
        raise UserInputError(
            f"{len(skipped)} of {result.row_count} rows have errors; nothing was sent. "
            + (_blocked_text(blocked) if blocked else "")
            + "Fix them (giftbatch validate shows each cell), or send only the valid rows with "
            "--skip-invalid."
        )
    if blocked:
        _show_blocked(ctx, blocked, args.json)
    if not rows:
        raise UserInputError("There is no valid row to send in this workbook.")
    return rows, skipped, blocked


def _blocked_text(blocked: list[Issue]) -> str:
    rows = len({(i.sheet, i.row) for i in blocked})
    return (
        f"{_count(rows, 'row')} pay what an earlier run already paid, or repeat a row of this file: they "
        "are never sent without --pay-again ROWS --reason TEXT. "
    )


def _show_blocked(ctx: CliContext, blocked: list[Issue], as_json: bool) -> None:
    """Rows left out because they pay again, said before anything is sent (the exit status says it too)."""
    if as_json:
        for issue in blocked:
            ctx.print(json.dumps({"event": "blocked", **issue.as_dict()}))
        return
    ctx.fail(f"Not sent: {_blocked_text(blocked)}For example:")
    for issue in blocked[:3]:
        ctx.fail(f"  {issue.sheet}!{issue.cell}: {issue.message}")


def _check_pay_again(ctx: CliContext, result: ImportResult, chosen: PayAgain, as_json: bool) -> None:
    """Rows named by --pay-again must be rows of the workbook, named once; a row paying nobody again is
    said (nothing is lifted there)."""
    keys = {row.key for row in result.rows}
    sheets_of: dict[str, list[str]] = {}
    for row in result.rows:
        sheets_of.setdefault(str(row.recipient.row), []).append(row.recipient.sheet)
    for name in chosen.rows:
        if "!" in name and name not in keys:
            raise UserInputError(f"--pay-again: there is no row {name} in {result.file}.")
        if "!" not in name and name not in sheets_of:
            raise UserInputError(f"--pay-again: there is no recipient in row {name} of {result.file}.")
        if "!" not in name and len(sheets_of[name]) > 1:
            raise UserInputError(
                f"--pay-again: several sheets have a row {name}; name it with its sheet, such as "
                f"'{sheets_of[name][0]}!{name}'."
            )
    paid = {(i.sheet, i.row) for i in result.issues if i.code == PAID_AGAIN}
    unused = [r for r in result.rows if chosen.rows and chosen.reason_for(r.key, r.recipient.row)]
    unused = [r for r in unused if (r.recipient.sheet, r.recipient.row) not in paid]
    if unused and not as_json:
        listed = ", ".join(r.key for r in unused[:5])
        ctx.fail(f"note: --pay-again names rows that pay nobody again, so nothing changes for them: {listed}")


def _drive(
    ctx: CliContext,
    journal: SubmissionJournal,
    connection: Connection,
    run_id: str,
    *,
    concurrency: int,
    as_json: bool,
    send: bool,
) -> int:
    """Run (or track) the run to its end, printing events. Ctrl-C once stops sending and lets the answers
    in flight arrive (for a bounded time); twice stops at once. Either way the journal stays consistent."""
    _mention_key_place(ctx, journal, run_id)
    with ExitStack() as stack:
        webhook = _webhook_listener(ctx, stack) if send else None
        runner = SubmissionRunner(journal, connection.client, concurrency=concurrency, webhook=webhook)
        controls = _StopControls()
        stack.enter_context(_stop_on_signals(controls, ctx, runner.grace_s))
        printer = _EventPrinter(ctx, as_json)
        end: RunFinished | None = None
        for event in runner.run(run_id, cancel=controls.cancel, send=send, stop_now=controls.stop_now):
            printer.show(event)
            if isinstance(event, RunFinished):
                end = event
        printer.close()
    if end is None:
        raise RuntimeError("the run ended without saying how")  # the runner always ends with RunFinished
    code = _exit_code(end)
    _summary(ctx, journal, end, code, as_json)
    if send and not as_json:
        _show_balance_now(ctx, connection)
    return code


def _show_balance_now(ctx: CliContext, connection: Connection) -> None:
    """The balance read again after the run, so what is said is never the figure from before it."""
    try:
        balance = connection.client.get_balance()
    except ApiError as error:
        ctx.fail(f"note: the balance could not be read after the run: {error.message}")
        return
    if balance is not None:
        ctx.print(f"Balance now: {format_money(balance.available, balance.currency_code)} available.")


def _mention_key_place(ctx: CliContext, journal: SubmissionJournal, run_id: str) -> None:
    """Where the key of the claim links this run brings is kept, when that is a file (no OS keyring)."""
    note = journal.key_note()
    if note and any(o.delivery_type is DeliveryType.LINKS for o in journal.orders(run_id)):
        ctx.fail(f"note: {note}")


def _webhook_listener(ctx: CliContext, stack: ExitStack) -> WebhookListener | None:
    hook = ctx.settings.webhook
    if not hook.enabled:
        return None
    listener = WebhookListener(hook.host, hook.port, hook.public_url)
    return stack.enter_context(listener)


class _StopControls:
    """The runner's cancel and stop-now flags, and how many stop signals came."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self.stop_now = threading.Event()
        self.signals = 0


@contextmanager
def _stop_on_signals(controls: _StopControls, ctx: CliContext, grace_s: float) -> Iterator[None]:
    """Ctrl-C (or SIGTERM): the first stops sending and waits up to `grace_s` for the answers in flight; the
    second cuts those requests short now. Orders whose answers did not come stay `sending` in the journal
    and are settled by resume, never paid twice. A third, should anything still hang, ends the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(number: int, frame: FrameType | None) -> None:
        controls.signals += 1
        if controls.signals == 1:
            controls.cancel.set()
            ctx.fail(
                f"Stopping: nothing new is sent; waiting up to {grace_s:g} s for the answers to orders already "
                "sent. Press Ctrl-C again to stop now. Nothing is lost either way; resume the run later."
            )
        elif controls.signals == 2:
            controls.stop_now.set()
            ctx.fail(
                "Stopping now. Orders whose answers did not come are settled when you resume the run "
                "(never paid twice)."
            )
        else:
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_code(end: RunFinished) -> int:
    if end.status in (RunStatus.PAUSED, RunStatus.INTERRUPTED, RunStatus.RUNNING):
        return EXIT_UNFINISHED
    if end.status is RunStatus.FAILED:
        return EXIT_ROWS_FAILED
    bad = end.counts.get(RowStatus.FAILED.value, 0) + end.counts.get(RowStatus.REJECTED.value, 0)
    return EXIT_ROWS_FAILED if bad else EXIT_OK


# --- runs, status, resume, track ----------------------------------------------------------------------------


def run_runs(args: argparse.Namespace, ctx: CliContext) -> int:
    journal = ctx.journal()
    sizes = journal.run_sizes()
    listed = [
        {
            "id": run.id,
            "status": live_status(journal, run.id).value,
            "workbook": run.workbook,
            "created_at": run.created_at,
            "rows": sizes.get(run.id, (0, 0))[0],
            "orders": sizes.get(run.id, (0, 0))[1],
        }
        for run in journal.runs()
    ]
    if args.json:
        ctx.print(json.dumps(listed, indent=2))
    elif not listed:
        ctx.print("No runs yet. Send a workbook with: giftbatch submit FILE")
    else:
        rows = [
            (
                r["id"],
                r["status"],
                str(r["created_at"])[:19].replace("T", " "),
                r["rows"],
                r["orders"],
                Path(str(r["workbook"])).name,
            )
            for r in listed
        ]
        ctx.print(table(["Run", "Status", "Created (UTC)", "Rows", "Orders", "Workbook"], rows))
    return EXIT_OK


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    journal = ctx.journal()
    run = journal.run(args.run)
    status = live_status(journal, run.id)
    rows = {s.value: n for s, n in journal.row_counts(run.id).items()}
    orders = {s.value: n for s, n in journal.order_counts(run.id).items()}
    problems = journal.rows_with_problems(run.id, _PROBLEMS_LISTED if args.json else _PROBLEMS_SHOWN)
    if args.json:
        ctx.print(
            json.dumps(
                {
                    "id": run.id,
                    "status": status.value,
                    "message": run.message,
                    "workbook": run.workbook,
                    "profile": run.profile,
                    "created_at": run.created_at,
                    "rows": rows,
                    "orders": orders,
                    "problems": [
                        {"sheet": r.sheet, "row": r.row, "status": r.status.value, "detail": r.detail}
                        for r in problems
                    ],
                },
                indent=2,
            )
        )
    else:
        ctx.print(f"Run {run.id}: {status.value}")
        if run.message:
            ctx.print(run.message)
        ctx.print(f"Workbook: {run.workbook} (profile {run.profile}, started {run.created_at[:19]} UTC)")
        ctx.print("Rows:   " + _counts_text(rows))
        ctx.print("Orders: " + _counts_text(orders))
        _show_problems(ctx, run.id, problems, rows.get("failed", 0) + rows.get("rejected", 0))
        if status in (RunStatus.PAUSED, RunStatus.INTERRUPTED, RunStatus.FAILED):
            ctx.print(f"Resume it with: giftbatch resume {run.id}")
    return _status_exit(status, rows)


# Rows that failed or were refused: shown with why in `status` (all of them for a script, up to a bound).
_PROBLEMS_SHOWN, _PROBLEMS_LISTED = 20, 10_000


def _show_problems(ctx: CliContext, run_id: str, problems: list[RowRecord], total: int) -> None:
    if not problems:
        return
    ctx.print(f"Rows not paid ({total:,}):")
    for row in problems:
        ctx.print(f"  {row.sheet} row {row.row}, {row.status.value}: {row.detail or 'no reason given'}")
    if total > len(problems):
        ctx.print(
            f"  … and {total - len(problems):,} more: giftbatch export {run_id} --errors --out FILE lists them all."
        )


def _status_exit(status: RunStatus, rows: dict[str, int]) -> int:
    if status is not RunStatus.COMPLETED:
        return EXIT_UNFINISHED if status is not RunStatus.FAILED else EXIT_ROWS_FAILED
    return EXIT_ROWS_FAILED if rows.get("failed") or rows.get("rejected") else EXIT_OK


def run_resume(args: argparse.Namespace, ctx: CliContext) -> int:
    journal = ctx.journal()
    run = journal.run(args.run)
    unsent = [o for o in journal.orders(run.id) if o.state.is_unsent]
    if unsent and not args.json:
        costs = _costs_text(unsent)
        ctx.print(
            f"Run {run.id}: {len(unsent)} orders left to send ({costs}); orders already sent are "
            "never sent again."
        )
    if unsent:
        _confirm(args.yes, f"Send the {len(unsent)} orders left?")
    connection = ctx.connect(run.profile)
    concurrency = _concurrency(
        args.concurrency, int(run.settings.get("concurrency", ctx.settings.concurrency))
    )
    return _drive(ctx, journal, connection, run.id, concurrency=concurrency, as_json=args.json, send=True)


def run_track(args: argparse.Namespace, ctx: CliContext) -> int:
    journal = ctx.journal()
    run = journal.run(args.run)
    connection = ctx.connect(run.profile)
    return _drive(
        ctx, journal, connection, run.id, concurrency=ctx.settings.concurrency, as_json=args.json, send=False
    )


# --- helpers ------------------------------------------------------------------------------------------------


def _concurrency(given: int | None, default: int) -> int:
    value = given if given is not None else default
    if not 1 <= value <= 32:
        raise UserInputError(f"--concurrency must be from 1 to 32, not {value}.")
    return value


def _confirm(yes: bool, question: str) -> None:
    """Ask in a terminal; only the word `yes` sends. `--yes` (for scripts) skips this prompt and nothing else."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UserInputError("Not sending without a yes: run this in a terminal to be asked, or add --yes.")
    answer = input(f"{question} Type yes to send: ").strip().casefold()
    if answer != "yes":
        raise UserInputError("Nothing was sent.")


def _mention_unfinished(ctx: CliContext, journal: SubmissionJournal, as_json: bool) -> None:
    unfinished = journal.unfinished_runs()
    if unfinished and not as_json:
        listed = ", ".join(r.id for r in unfinished[:5]) + (" …" if len(unfinished) > 5 else "")
        ctx.fail(
            f"note: unfinished runs: {listed}. 'giftbatch resume RUN' finishes one without paying twice."
        )


def _show_issues(ctx: CliContext, issues: list[Issue], as_json: bool) -> None:
    if as_json:
        for issue in issues:
            ctx.print(json.dumps({"event": "issue", **issue.as_dict()}))
        return
    for issue in issues[:_ISSUES_SHOWN]:
        where = f"{issue.sheet}!{issue.cell}: " if issue.sheet and issue.cell else ""
        ctx.fail(f"{where}{issue.message}")
    if len(issues) > _ISSUES_SHOWN:
        ctx.fail(f"… and {len(issues) - _ISSUES_SHOWN} more (giftbatch validate lists them all).")


def _show_plan(ctx: CliContext, plan: Plan, confirmation: SendConfirmation, as_json: bool) -> None:
    check = confirmation.balance
    if as_json:
        ctx.print(
            json.dumps(
                {
                    "event": "plan",
                    "run_id": plan.run_id,
                    "rows": plan.row_count,
                    "skipped": len(plan.skipped),
                    "orders": len(plan.orders),
                    "cards": plan.card_count,
                    "costs": {c: str(a) for c, a in plan.costs.items()},
                    "breakdown": {
                        c.currency: {
                            "face_value": str(c.face_value),
                            "fees": str(c.fees),
                            "discounts": str(c.discounts),
                            "total": str(c.total),
                        }
                        for c in confirmation.costs
                    },
                    "balance": None
                    if check is None
                    else {
                        "currency": check.currency,
                        "available": str(check.available),
                        "after": str(check.balance_after),
                        "shortfall": str(check.shortfall),
                        "read_at": confirmation.balance_at.isoformat() if confirmation.balance_at else None,
                    },
                }
            )
        )
        return
    ctx.print(
        f"Run {plan.run_id}: {_count(plan.row_count, 'row')} in {_count(len(plan.orders), 'order')}, "
        f"{_count(plan.card_count, 'card')}."
    )
    if plan.skipped:
        ctx.print(f"{_count(len(plan.skipped), 'row')} with errors skipped (kept in the run as 'skipped').")
    for cost in confirmation.costs:
        ctx.print(
            f"  {cost.currency}: face value {format_money(cost.face_value)}, fees {format_money(cost.fees)}, "
            f"discounts {format_money(cost.discounts)}, total {format_money(cost.total, cost.currency)}"
        )
    ctx.print("Total cost: " + ", ".join(format_money(a, c) for c, a in plan.costs.items()))
    if check is None:
        ctx.print("Balance: this vendor API does not report it; check it in the vendor's portal.")
    else:
        read = confirmation.balance_at.astimezone().strftime("%H:%M:%S") if confirmation.balance_at else "now"
        ctx.print(
            f"Balance: {format_money(check.available, check.currency)} available (read at {read}), "
            f"{format_money(check.balance_after, check.currency)} after this run."
        )
        for currency, amount in check.unchecked.items():
            ctx.print(
                f"  ({format_money(amount, currency)} is charged in {check.currency} at the vendor's rate.)"
            )


def _costs_text(orders: list[OrderRecord]) -> str:
    total: dict[str, Decimal] = {}
    for order in orders:
        for currency, amount in order.costs.items():
            total[currency] = total.get(currency, Decimal(0)) + amount
    return ", ".join(format_money(a, c) for c, a in sorted(total.items())) or "nothing to pay"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "none"


class _EventPrinter:
    """Events as JSON lines, or as a progress line on a terminal plus the lines a person needs to read."""

    def __init__(self, ctx: CliContext, as_json: bool) -> None:
        self.ctx = ctx
        self.as_json = as_json
        self.tty = not as_json and ctx.out.isatty()
        self.bar_shown = False

    def show(self, event: EngineEvent) -> None:
        if self.as_json:
            self.ctx.print(event.to_json())
            return
        if isinstance(event, Progress):
            self._bar(event)
            return
        line = self._line(event)
        if line:
            self._clear_bar()
            self.ctx.print(line)

    def _line(self, event: EngineEvent) -> str | None:
        if isinstance(event, OrderRejected):
            shown = "; ".join(e.describe() for e in event.errors[:5]) or event.message
            then = (
                f"The other rows go in {event.retry_po_number}."
                if event.retry_po_number
                else "None of its rows is sent again."
            )
            return f"Order {event.po_number} refused: {shown.rstrip('.')}. {then}"
        if isinstance(event, OrderProblem):
            return f"Order {event.po_number}: {event.message}"
        if isinstance(event, RunPaused):
            return event.reason
        return None

    def _bar(self, progress: Progress) -> None:
        if not self.tty:
            return
        width = 30
        filled = width * progress.rows_done // max(progress.rows_total, 1)
        text = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.orders_done}/{progress.orders_total} "
            f"orders, {progress.rows_done:,}/{progress.rows_total:,} rows"
        )
        self.ctx.out.write(text)
        self.ctx.out.flush()
        self.bar_shown = True

    def _clear_bar(self) -> None:
        if self.bar_shown:
            self.ctx.out.write("\n")
            self.bar_shown = False

    def close(self) -> None:
        self._clear_bar()


def _summary(ctx: CliContext, journal: SubmissionJournal, end: RunFinished, code: int, as_json: bool) -> None:
    if as_json:
        ctx.print(
            json.dumps(
                {
                    "event": "summary",
                    "run_id": end.run_id,
                    "status": end.status.value,
                    "message": end.message,
                    "counts": end.counts,
                    "exit_code": code,
                }
            )
        )
        return
    ctx.print(f"Run {end.run_id}: {end.status.value}. {end.message}")
    ctx.print("Rows: " + _counts_text(end.counts))
    if code == EXIT_UNFINISHED:
        ctx.print(f"Nothing is lost. Finish it with: giftbatch resume {end.run_id}")
