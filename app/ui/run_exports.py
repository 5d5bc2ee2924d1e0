"""A run's three exports as the Results page asks for them: results workbook, write-back, error report.

Plain Python run in a worker, the same steps as `giftbatch export`: the run's rows come from the journal,
the user's own columns from their workbook read again (only when it is still the very file the run read),
and the cells the user edited in the grid go into every export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from app.domain.edits import RowEdits, apply_edits
from app.domain.errors import UserInputError
from app.domain.outcomes import RowValue, RunReport, SheetLayout
from app.domain.records import RawRecord
from app.engine.journal import SubmissionJournal
from app.engine.report import SourceRows, WorkbookChanged, build_run_report, read_source_rows, run_issues
from app.workbook.errors import WorkbookError, WorkbookPasswordRequired, WorkbookPasswordWrong
from app.workbook.export_errors import write_error_report
from app.workbook.export_results import write_results_workbook
from app.workbook.mapping import MappingStore
from app.workbook.output_file import ExportOptions
from app.workbook.write_back import default_write_back_path, write_back


class ExportKind(Enum):
    """The three files; the value is how the page names it ("Save the … as")."""

    RESULTS = "results workbook"
    WRITE_BACK = "copy of your workbook with results"
    ERRORS = "error report"

    @property
    def can_hold_secrets(self) -> bool:
        return self is not ExportKind.ERRORS


class NothingToReport(UserInputError):
    """Every row of the run was sent without a problem: there is no error report to write."""


@dataclass(frozen=True)
class ExportRequest:
    """One export: which, of which run, where, how (secrets, password, replace), with the grid's edits."""

    kind: ExportKind
    run_id: str
    target: Path
    options: ExportOptions = field(default_factory=ExportOptions)
    workbook_password: str | None = None
    edits: RowEdits = field(default_factory=dict)


@dataclass(frozen=True)
class ExportDone:
    """Where the file went, and what the user should know about it."""

    path: Path
    notes: tuple[str, ...] = ()


def default_name(kind: ExportKind, workbook: Path) -> str:
    """'Bonus.xlsx' → 'Bonus - results workbook.xlsx', 'Bonus - results.xlsx' (write-back), 'Bonus - to fix.xlsx'."""
    if kind is ExportKind.WRITE_BACK:
        return default_write_back_path(workbook).name
    suffix = "results workbook" if kind is ExportKind.RESULTS else "to fix"
    return f"{workbook.stem} - {suffix}.xlsx"


def default_folder(export_dir: str, workbook: Path) -> Path:
    """The folder set in Settings, else the workbook's own folder, else the home folder."""
    for candidate in (Path(export_dir).expanduser() if export_dir else None, workbook.parent):
        if candidate is not None and candidate.is_dir():
            return candidate
    return Path.home()


def export_run(journal: SubmissionJournal, request: ExportRequest, store: MappingStore | None) -> ExportDone:
    """Write the export `request` asks for; raises the user's errors (WriteBackNotPossible, OutputExists,
    WorkbookPasswordRequired, NothingToReport, …) for the page to explain."""
    run = journal.run(request.run_id)
    workbook = Path(run.workbook)
    request = replace(request, options=with_inputs(request.options, workbook))
    request.options.check()
    password = request.workbook_password

    def source() -> SourceRows:
        return read_source_rows(
            workbook, expected_sha256=run.workbook_sha256, password=password, mapping_store=store
        )

    if request.kind is ExportKind.ERRORS:
        return _error_report(journal, request, source())
    if request.kind is ExportKind.WRITE_BACK:
        report = _report(journal, request, source())
        written = write_back(workbook, report, request.target, request.options, source_password=password)
        return ExportDone(written.path, tuple(written.notes))
    notes: tuple[str, ...] = ()
    try:
        rows: SourceRows | None = source()
    except (WorkbookPasswordRequired, WorkbookPasswordWrong):
        raise  # the page asks for the password and tries again
    except (WorkbookChanged, WorkbookError) as unusable:
        rows = None
        notes = (f"{unusable.message} The results show what each row sent instead of your own columns.",)
    report = _report(journal, request, rows)
    return ExportDone(write_results_workbook(report, request.target, request.options), notes)


def with_inputs(options: ExportOptions, workbook: Path) -> ExportOptions:
    """The options with the run's workbook among the files the export must never replace."""
    return replace(options, inputs=(*options.inputs, workbook))


def _report(journal: SubmissionJournal, request: ExportRequest, source: SourceRows | None) -> RunReport:
    report = build_run_report(journal, request.run_id, source, with_secrets=request.options.with_secrets)
    if source is not None and request.edits:
        # Edits are keyed by the workbook's headers: they fit its columns, not the line items' fields.
        apply_edits(report.outcomes, request.edits)
    return report


def _error_report(journal: SubmissionJournal, request: ExportRequest, source: SourceRows) -> ExportDone:
    issues = run_issues(journal, request.run_id)
    if not issues:
        raise NothingToReport(
            f"Every row of run {request.run_id} was sent without a problem; there is no error report to write."
        )
    layouts = {layout.name: layout for layout in source.layouts}
    records = [
        _edited(record, layouts.get(record.sheet), request.edits.get(record.key)) for record in source.records
    ]
    return ExportDone(write_error_report(request.target, source.layouts, records, issues, request.options))


def _edited(
    record: RawRecord, layout: SheetLayout | None, changes: Mapping[str, RowValue] | None
) -> RawRecord:
    """The record with the user's edits (keyed by header) in place of what was read."""
    if not changes or layout is None:
        return record
    by_letter = {layout.letter_of(header): value for header, value in changes.items()}
    cells = {
        fld: replace(cell, value=by_letter[cell.column]) if cell.column in by_letter else cell
        for fld, cell in record.cells.items()
    }
    unmapped = {header: changes.get(header, value) for header, value in record.unmapped.items()}
    return RawRecord(record.sheet, record.row, cells, unmapped)
