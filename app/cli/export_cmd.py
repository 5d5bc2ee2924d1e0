"""`giftbatch export RUN`: a run's results as a results workbook, a write-back copy, or an error report."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from app.cli.context import CliContext, password_from_env
from app.domain.errors import UserInputError
from app.engine.journal import SubmissionJournal
from app.engine.report import SourceRows, WorkbookChanged, build_run_report, read_source_rows, run_issues
from app.workbook.errors import WorkbookError
from app.workbook.export_errors import write_error_report
from app.workbook.export_results import write_results_workbook
from app.workbook.mapping import MappingStore
from app.workbook.output_file import ExportOptions
from app.workbook.write_back import WriteBackNotPossible, write_back

MAPPINGS_FILE = "column-mappings.json"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = subparsers.add_parser(
        "export",
        help="write a run's results: a results workbook, your workbook with results, or an error report",
        description="Write the results of RUN (see 'giftbatch runs'). By default a new results workbook with "
        "every row, a Summary sheet and, with --with-secrets, the claim links. --write-back instead copies "
        "your own workbook (or CSV file) with the results added beside your rows, everything else in it "
        "kept; --errors writes the rows that still need fixing, marked, to fix in Excel and send again. "
        "Claim links go only into files that ask for them, and need a password (--password-from-env) or "
        "--unprotected.",
    )
    export.add_argument("run", metavar="RUN")
    export.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="where to write (write-back default: '<name> - results' beside it, with its own ending: .xlsx, "
        ".xlsm, .csv, …)",
    )
    kind = export.add_mutually_exclusive_group()
    kind.add_argument("--write-back", action="store_true", help="copy your workbook with the results added")
    kind.add_argument("--errors", action="store_true", help="the failed, refused and skipped rows, to fix")
    export.add_argument(
        "--with-secrets", action="store_true", help="include claim links and challenge answers"
    )
    export.add_argument(
        "--password-from-env",
        metavar="VAR",
        help="encrypt the file with the password in environment variable VAR (it also opens a protected "
        "workbook)",
    )
    export.add_argument(
        "--workbook-password-from-env",
        metavar="VAR",
        help="the password that opens the run's workbook, when it is not the one for the file (a password "
        "protecting claim links needs at least 8 characters; the workbook's may be shorter)",
    )
    export.add_argument(
        "--unprotected", action="store_true", help="with --with-secrets: write them without a password"
    )
    export.add_argument("--workbook", type=Path, metavar="FILE", help="the run's workbook, if it has moved")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    export.set_defaults(func=run_export)


@dataclass(frozen=True)
class _Job:
    """The run to export and how: its id, its workbook and the hash the run recorded for it."""

    run_id: str
    workbook: Path
    sha256: str
    options: ExportOptions
    workbook_password: str | None


def run_export(args: argparse.Namespace, ctx: CliContext) -> int:
    password = password_from_env(args.password_from_env)
    workbook_password = password_from_env(args.workbook_password_from_env) or password
    if args.errors and args.with_secrets:
        raise UserInputError("An error report never holds claim links; leave out --with-secrets.")
    options = ExportOptions(
        args.with_secrets, password, args.unprotected, args.force, app_folders=ctx.paths.folders
    )
    options.check()
    if not args.write_back and args.out is None:
        raise UserInputError("Say where to write the export with --out FILE.")
    journal = _journal(ctx)
    run = journal.run(args.run)
    note = journal.key_note() if options.with_secrets else None
    if note:
        ctx.fail(f"note: {note}")
    workbook = (args.workbook or Path(run.workbook)).expanduser()
    options = replace(options, inputs=(workbook, Path(run.workbook)))
    job = _Job(run.id, workbook, run.workbook_sha256, options, workbook_password)
    if args.write_back:
        return _write_back(ctx, journal, job, args.out)
    if args.errors:
        return _errors(ctx, journal, job, args.out)
    source = _source_if_unchanged(ctx, workbook, run.workbook_sha256, workbook_password)
    report = build_run_report(journal, run.id, source, with_secrets=options.with_secrets)
    out = write_results_workbook(report, args.out, options)
    ctx.print(f"Wrote the results of run {run.id} ({len(report.outcomes):,} rows) to {out}.")
    _warn_if_unprotected(ctx, options)
    return 0


def _write_back(ctx: CliContext, journal: SubmissionJournal, job: _Job, out: Path | None) -> int:
    source = _source(ctx, job.workbook, job.sha256, job.workbook_password)
    report = build_run_report(journal, job.run_id, source, with_secrets=job.options.with_secrets)
    try:
        result = write_back(job.workbook, report, out, job.options, source_password=job.workbook_password)
    except WriteBackNotPossible as refused:
        raise WriteBackNotPossible(
            f'{refused.message} For example: giftbatch export {job.run_id} --out "{_suggested(job.workbook)}"'
        ) from refused
    ctx.print(f"Wrote your workbook with the results of run {job.run_id} to {result.path}.")
    for note in result.notes:
        ctx.print(f"Note: {note}")
    _warn_if_unprotected(ctx, job.options)
    return 0


def _errors(ctx: CliContext, journal: SubmissionJournal, job: _Job, out: Path) -> int:
    source = _source(ctx, job.workbook, job.sha256, job.workbook_password)
    issues = run_issues(journal, job.run_id)
    if not issues:
        ctx.print(
            f"Every row of run {job.run_id} was sent without a problem; there is no error report to write."
        )
        return 0
    written = write_error_report(out, source.layouts, source.records, issues, job.options)
    rows = len({(i.sheet, i.row) for i in issues})
    which = "the row that needs" if rows == 1 else f"the {rows:,} rows that need"
    ctx.print(f"Wrote {which} fixing to {written}. Fix them in Excel and send that file.")
    return 0


def _source(ctx: CliContext, workbook: Path, sha256: str, password: str | None) -> SourceRows:
    """The run's workbook, read again; it must be the very file the run read."""
    return read_source_rows(workbook, expected_sha256=sha256, password=password, mapping_store=_store(ctx))


def _source_if_unchanged(
    ctx: CliContext, workbook: Path, sha256: str, password: str | None
) -> SourceRows | None:
    """The workbook's own columns when it is still there as the run read it; else the journal's (said so)."""
    try:
        return _source(ctx, workbook, sha256, password)
    except (WorkbookChanged, WorkbookError) as unusable:
        ctx.fail(
            f"note: {unusable.message} The results workbook shows what each row sent instead of your "
            "columns (give the workbook's new place with --workbook FILE)."
        )
        return None


def _store(ctx: CliContext) -> MappingStore | None:
    path = ctx.paths.config_dir / MAPPINGS_FILE
    return MappingStore(path) if path.exists() else None


def _journal(ctx: CliContext) -> SubmissionJournal:
    if not ctx.paths.journal_file.exists():
        raise UserInputError("There are no runs yet: send a workbook first with 'giftbatch submit FILE'.")
    return ctx.journal()


def _suggested(workbook: Path) -> str:
    return str(workbook.with_name(f"{workbook.stem} - results workbook.xlsx"))


def _warn_if_unprotected(ctx: CliContext, options: ExportOptions) -> None:
    if options.with_secrets and not options.password:
        ctx.fail("warning: the file holds claim links without a password; anyone who gets it can spend them.")
