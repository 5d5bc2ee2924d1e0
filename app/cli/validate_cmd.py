"""`giftbatch validate FILE`: check a workbook and list every problem at its cell, as a table or as JSON.

Exit status: 0 when no row has an error, 1 when some do, 2 when the file cannot be read (with --json the
reason is printed as {"file", "error"} as well as on stderr).
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import replace
from pathlib import Path

from app.api.catalog_cache import CatalogCache
from app.cli.catalog_cmd import mention_catalog_notices
from app.cli.context import CliContext, password_from_env
from app.cli.formatting import format_money, table
from app.config.run_options import validation_options
from app.domain.catalog import Catalog, DeliveryType
from app.domain.errors import GiftbatchError, UserInputError
from app.domain.fields import Field
from app.domain.import_result import ImportResult
from app.domain.issues import Issue
from app.domain.payments import EarlierPayments, PayAgain
from app.domain.validation import delivery_type_from_word
from app.engine.journal_guard import JournalError
from app.workbook.export_errors import write_error_report
from app.workbook.importer import import_workbook
from app.workbook.layouts import layouts_of
from app.workbook.mapping import MappingStore
from app.workbook.output_file import ExportOptions, refuse_inputs
from app.workbook.reader import read_workbook

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a workbook: every problem at its cell, with the fix (nothing is sent)"
    )
    parser.add_argument("file", help="the workbook (.xlsx, .xlsm, .xls, .ods or .csv)")
    add_workbook_options(parser)
    parser.add_argument("--profile", help="whose catalog to check products against; default: the active one")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    add_report_options(parser)
    parser.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        if args.report:  # before any work: the report never replaces the workbook it is about
            refuse_inputs(args.report, report_options(args, ctx))
        result = _import(args, ctx)
    except UserInputError as error:
        if args.json:
            ctx.print(json.dumps({"file": args.file, "error": error.message}))
        raise
    if args.json:
        ctx.print(json.dumps(result_json(result), ensure_ascii=False, indent=2))
    else:
        ctx.print(summary_text(result))
    if args.report:
        write_report(args, ctx, result)
    return 1 if result.error_count else 0


def _import(args: argparse.Namespace, ctx: CliContext) -> ImportResult:
    return import_from_args(args, ctx, load_catalog(ctx, args.profile))


def add_workbook_options(parser: argparse.ArgumentParser) -> None:
    """How to read the workbook: the same options for `validate` and `submit`."""
    parser.add_argument(
        "--sheet", help="read only this sheet (name or 1-based position); default: every sheet"
    )
    parser.add_argument(
        "--password-from-env",
        metavar="VAR",
        help="the workbook's password is in the environment variable VAR",
    )
    parser.add_argument(
        "--delivery-type",
        metavar="TYPE",
        help="delivery type for rows that do not say: email, sms, link or mail (or the API's names)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="read column HEADER as FIELD (e.g. 'Work mail=email'; FIELD 'ignore' skips it); remembered "
        "for workbooks with the same header; repeat for more columns",
    )


def import_from_args(
    args: argparse.Namespace, ctx: CliContext, catalog: Catalog, pay_again: PayAgain | None = None
) -> ImportResult:
    """Read and validate the workbook named on the command line, as `validate` and `submit` both do."""
    return import_workbook(
        Path(args.file),
        catalog=catalog,
        options=validation_options(ctx.settings, _delivery_type(args.delivery_type)),
        sheet=args.sheet,
        password=password_from_env(args.password_from_env),
        mapping_overrides=mapping_overrides(args.map),
        mapping_store=MappingStore(ctx.paths.config_dir / "column-mappings.json"),
        earlier=_earlier_runs(ctx),
        pay_again=pay_again,
    )


def mapping_overrides(choices: list[str]) -> dict[str, Field | None] | None:
    """'Header=field' pairs as the reader's overrides; a field is named as in `validate --json`'s mapping."""
    overrides: dict[str, Field | None] = {}
    for choice in choices:
        header, _, name = choice.partition("=")
        wanted = name.strip().casefold()
        if not header.strip() or not wanted:
            raise UserInputError(f"--map '{choice}' should read HEADER=FIELD, such as 'Work mail=email'.")
        if wanted in ("ignore", "none", "-"):
            overrides[header.strip()] = None
            continue
        field = next((f for f in Field if wanted in (f.value, f.label.casefold())), None)
        if field is None:
            known = ", ".join(f.value for f in Field)
            raise UserInputError(f"--map '{choice}': '{name}' is not a field. Fields: {known}, or ignore.")
        overrides[header.strip()] = field
    return overrides or None


def _earlier_runs(ctx: CliContext) -> EarlierPayments | None:
    """Who got which card in earlier runs, so a row that would pay someone again is blocked.

    Validation does not need the journal: when it cannot be read, the check is skipped and that is said.
    """
    if not ctx.paths.journal_file.exists():
        return None
    try:
        return ctx.journal().earlier_payments()
    except JournalError as unreadable:
        ctx.fail(f"note: rows were not checked against earlier runs: {unreadable.message}")
        return None


def _delivery_type(word: str | None) -> DeliveryType | None:
    """The delivery type typed on the command line, for rows that do not say."""
    if not word:
        return None
    found = delivery_type_from_word(word)
    if found is None:
        raise UserInputError(
            f"'{word}' is not a delivery type. Use email, sms, link or mail "
            "(or DigitalDelivery, Links, PhysicalShipment)."
        )
    return found[0]


def load_catalog(ctx: CliContext, profile_name: str | None) -> Catalog:
    """The profile's catalog: the cached one while it is fresh (no network), else fetched again.

    When it cannot be fetched (vendor unreachable, no token stored), the stale copy is used, or an empty
    catalog, and validation then says that product checks were skipped.
    """
    profile = ctx.profiles.get(profile_name)
    cache = CatalogCache(
        ctx.paths.catalog_cache_file(profile.name), lambda: ctx.connect(profile.name).catalog(refresh=True)
    )
    try:
        catalog = cache.load()
    except GiftbatchError as error:  # the profile cannot connect at all (no AccessToken stored, say)
        problem: str | None = error.message
        catalog = cache.cached() or Catalog()
    else:
        problem = cache.last_error.message if cache.last_error else None
    if problem:
        log.warning("Validating without a fresh catalog: %s", problem)
        ctx.fail(f"note: the catalog could not be fetched ({problem})")
    mention_catalog_notices(ctx, catalog)
    return catalog


def result_json(result: ImportResult) -> dict[str, object]:
    """The object `giftbatch validate --json` prints."""
    return {
        "file": result.file,
        "sheets": result.sheets,
        "rows": result.row_count,
        "valid_rows": result.valid_count,
        "errors": result.error_count,
        "warnings": result.warning_count,
        "mapping": result.combined_mapping(),
        "cost": {currency: float(amount) for currency, amount in result.cost().items()},
        "issues": [issue.as_dict() for issue in result.issues],
    }


def summary_text(result: ImportResult) -> str:
    """A summary, then every issue in an aligned table (severity, cell, code, message)."""
    lines = [
        f"File:      {result.file}",
        f"Sheets:    {', '.join(result.sheets)}",
        f"Rows:      {result.row_count:,} ({result.valid_count:,} valid)",
        f"Errors:    {result.error_count:,}",
        f"Warnings:  {result.warning_count:,}",
        f"Mapping:   {_mapping_text(result)}",
        f"Cost:      {_cost_text(result)}",
    ]
    lines += [f"Note:      {note}" for note in result.notes]
    issues = result.issues
    if issues:
        several = len(result.sheets) > 1
        rows = [(i.severity.value, _where(i, several), i.code, i.message) for i in issues]
        lines += ["", table(["Severity", "Cell", "Code", "Message"], rows, max_width=10_000)]
    else:
        lines += ["", "No problems found."]
    return "\n".join(lines)


def _mapping_text(result: ImportResult) -> str:
    parts = [f"{header} → {name or '(not used)'}" for header, name in result.combined_mapping().items()]
    return ", ".join(parts) or "(no columns)"


def _cost_text(result: ImportResult) -> str:
    cost = result.cost()
    if not cost:
        return "not known (no catalog, or no valid rows)"
    return "; ".join(format_money(amount, currency) for currency, amount in cost.items())


def _where(issue: Issue, several_sheets: bool) -> str:
    if issue.cell is None:
        return (issue.sheet or "-") if issue.row is None else f"row {issue.row}"
    return f"{issue.sheet}!{issue.cell}" if several_sheets else issue.cell


# --- --report OUT: the error report, to fix in Excel and import again (app/workbook/export_errors.py) ---


def add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report", type=Path, metavar="OUT", help="also write the rows with issues, marked, to fix in Excel"
    )
    parser.add_argument("--force", action="store_true", help="with --report: replace OUT if it exists")


def write_report(args: argparse.Namespace, ctx: CliContext, result: ImportResult) -> None:
    """Write the error report for this validation. The workbook is read again for every column of the rows
    (the import keeps only the mapped ones); a password-protected workbook gives an encrypted report."""
    if not result.issues:
        _report_note(ctx, args.json, "No problems found: no error report was written.")
        return
    password = password_from_env(args.password_from_env)
    read = read_workbook(
        args.file,
        sheet=args.sheet,
        password=password,
        mapping_store=MappingStore(ctx.paths.config_dir / "column-mappings.json"),
    )
    options = replace(report_options(args, ctx), password=password if read.encrypted else None)
    out = write_error_report(args.report, layouts_of(read), read.records, result.issues, options)
    rows = len({(i.sheet, i.row) for i in result.issues if i.row is not None})
    _report_note(
        ctx, args.json, f"Wrote the error report ({rows:,} {_rows_word(rows)} with issues) to {out}."
    )


def report_options(args: argparse.Namespace, ctx: CliContext) -> ExportOptions:
    """How `--report` is written: replacing OUT only with --force, never the workbook or the app's files."""
    return ExportOptions(force=args.force, inputs=(Path(args.file),), app_folders=ctx.paths.folders)


def _report_note(ctx: CliContext, as_json: bool, text: str) -> None:
    if as_json:
        ctx.fail(f"note: {text}")  # stdout holds only the JSON object
    else:
        ctx.print(text)


def _rows_word(count: int) -> str:
    return "row" if count == 1 else "rows"
