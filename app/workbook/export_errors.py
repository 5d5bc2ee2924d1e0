"""The error report: the rows that have problems, each problem cell marked and explained, to fix and import.

Each sheet with problem rows is repeated under its own name with its own header (same texts, same order), so
the saved column mapping applies when the user imports the fixed report again. Only rows with issues are
there; problem cells are filled red (error) or amber (warning) and carry the messages as a cell comment. An
`Issues` sheet lists every issue, whole-sheet ones included, with a link to its cell; the reader knows its
header and never takes it for recipients (`app.workbook.own_sheets`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from openpyxl.utils import get_column_letter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.domain.issues import Issue, Severity
from app.domain.outcomes import SheetLayout, values_by_header
from app.domain.records import RawRecord
from app.workbook.export_results import HEADER_STYLE
from app.workbook.output_file import ExportOptions, write_atomically
from app.workbook.own_sheets import ISSUES_HEADER
from app.workbook.safe_cells import FastCellWriter

ISSUES_SHEET = "Issues"
ISSUE_HEADERS = ISSUES_HEADER
ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"
_EXCEL_SHEET_NAME_MAX = 31
_NOT_IN_SHEET_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})
_COMMENT_AUTHOR = "Giftbatch"


def write_error_report(
    target: Path,
    sheets: Sequence[SheetLayout],
    records: Iterable[RawRecord],
    issues: Sequence[Issue],
    options: ExportOptions | None = None,
) -> Path:
    """Write the error report for these issues; `records` are the rows as read, or as edited in the grid.

    Only records that have an issue are written. Secrets never go into an error report.
    """
    options = options or ExportOptions()
    plan = _plan(sheets, records, issues)

    def build(destination: str | BinaryIO) -> None:
        in_memory = not isinstance(destination, str)
        workbook = Workbook(destination, {"constant_memory": not in_memory, "in_memory": in_memory})
        try:
            _ReportWriter(workbook, plan).write()
        finally:
            workbook.close()

    safe = replace(options, with_secrets=False, unprotected_secrets_ok=False)
    return write_atomically(target, build, safe)


@dataclass
class _SheetPlan:
    """One data sheet of the report: which source rows go where, and what is wrong in each cell."""

    layout: SheetLayout
    name: str
    rows: list[RawRecord] = field(default_factory=list)
    report_row: dict[int, int] = field(default_factory=dict)  # source row → report row (1-based, as Excel)
    # source row → zero-based report column → the issues of that cell
    cell_issues: dict[int, dict[int, list[Issue]]] = field(default_factory=dict)

    def report_column(self, issue: Issue) -> int:
        """The zero-based column of the issue in the report; row-level issues sit on the first column."""
        letters = [c.letter for c in self.layout.columns]
        return letters.index(issue.column) if issue.column in letters else 0


@dataclass
class _ReportPlan:
    sheets: list[_SheetPlan]
    issues: list[Issue]
    issues_sheet: str


def _plan(
    sheets: Sequence[SheetLayout], records: Iterable[RawRecord], issues: Sequence[Issue]
) -> _ReportPlan:
    rows_with_issues = {(i.sheet, i.row) for i in issues if i.row is not None}
    used: set[str] = set()
    plans = {layout.name: _SheetPlan(layout, _unique_name(layout.name, used)) for layout in sheets}
    for record in sorted(records, key=lambda r: r.row):
        plan = plans.get(record.sheet)
        if plan is not None and (record.sheet, record.row) in rows_with_issues:
            plan.rows.append(record)
            plan.report_row[record.row] = len(plan.rows) + 1
    for issue in issues:
        plan = plans.get(issue.sheet or "")
        if plan is not None and issue.row in plan.report_row:
            by_column = plan.cell_issues.setdefault(issue.row, {})
            by_column.setdefault(plan.report_column(issue), []).append(issue)
    order = {layout.name: index for index, layout in enumerate(sheets)}
    ordered = sorted(
        issues, key=lambda i: (order.get(i.sheet or "", -1), i.row or 0, i.column or "", not i.is_error)
    )
    return _ReportPlan([p for p in plans.values() if p.rows], ordered, _unique_name(ISSUES_SHEET, used))


def _unique_name(wanted: str, used: set[str]) -> str:
    """A valid sheet name (31 characters, none of []:*?/\\), unlike any already used, ignoring case."""
    base = wanted.translate(_NOT_IN_SHEET_NAMES).strip("'")[:_EXCEL_SHEET_NAME_MAX] or "Sheet"
    name, number = base, 2
    while name.casefold() in used:
        suffix = f" ({number})"
        name = base[: _EXCEL_SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    used.add(name.casefold())
    return name


class _ReportWriter:
    def __init__(self, workbook: Workbook, plan: _ReportPlan) -> None:
        self.workbook = workbook
        self.plan = plan
        self.plain = FastCellWriter(workbook)
        self.marked = {
            Severity.ERROR: FastCellWriter(workbook, {"bg_color": ERROR_FILL}),
            Severity.WARNING: FastCellWriter(workbook, {"bg_color": WARNING_FILL}),
        }
        self.header = workbook.add_format(HEADER_STYLE)
        self.header_cells = FastCellWriter(workbook, HEADER_STYLE)
        self.link = workbook.add_format({"font_color": "blue", "underline": 1})
        self.location: dict[int, tuple[str, int, str]] = {}  # id(issue) → (sheet, row, cell) in this report

    def write(self) -> None:
        for sheet_plan in self.plan.sheets:
            self._write_rows(sheet_plan)
        self._write_issues()

    def _write_rows(self, plan: _SheetPlan) -> None:
        sheet = self.workbook.add_worksheet(plan.name)
        headers = plan.layout.headers
        for col, column in enumerate(plan.layout.columns):
            self.header_cells.write_text(sheet, 0, col, column.text)
            sheet.set_column(col, col, min(max(len(column.text) + 4, 10), 40))
        sheet.freeze_panes(1, 0)
        for row, record in enumerate(plan.rows, start=1):
            values = values_by_header(record, plan.layout)
            marks = plan.cell_issues.get(record.row, {})
            for col, header in enumerate(headers):
                issues = marks.get(col)
                writer = self.marked[_worst(issues)] if issues else self.plain
                writer.write(sheet, row, col, values.get(header))
                if issues:
                    self._annotate(sheet, plan, row, col, issues)

    def _annotate(self, sheet: Worksheet, plan: _SheetPlan, row: int, col: int, issues: list[Issue]) -> None:
        text = "\n".join(f"{i.severity.value.capitalize()}: {i.message}" for i in issues)
        lines = sum(len(line) // 40 + 1 for line in text.splitlines())
        sheet.write_comment(
            row, col, text, {"author": _COMMENT_AUTHOR, "x_scale": 2, "y_scale": 1 + lines / 4}
        )
        where = (plan.name, row + 1, f"{get_column_letter(col + 1)}{row + 1}")
        for issue in issues:
            self.location[id(issue)] = where

    def _write_issues(self) -> None:
        sheet = self.workbook.add_worksheet(self.plan.issues_sheet)
        for col, (header, width) in enumerate(
            zip(ISSUE_HEADERS, (10, 16, 6, 10, 16, 24, 80, 12), strict=True)
        ):
            sheet.write_string(0, col, header, self.header)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        for row, issue in enumerate(self.plan.issues, start=1):
            self._write_issue(sheet, row, issue)
        sheet.autofilter(0, 0, len(self.plan.issues), len(ISSUE_HEADERS) - 1)
        sheet.activate()

    def _write_issue(self, sheet: Worksheet, row: int, issue: Issue) -> None:
        write = self.marked[issue.severity].write
        write(sheet, row, 0, issue.severity.value)
        self.plain.write(sheet, row, 1, issue.sheet)
        location = self.location.get(id(issue))
        if location is not None:
            sheet_name, report_row, cell = location
            sheet.write_number(row, 2, report_row)
            quoted = sheet_name.replace("'", "''")
            sheet.write_url(row, 3, f"internal:'{quoted}'!{cell}", self.link, cell)
        self.plain.write(sheet, row, 4, issue.field.label if issue.field else None)
        self.plain.write(sheet, row, 5, issue.code)
        self.plain.write(sheet, row, 6, issue.message)
        self.plain.write(sheet, row, 7, issue.cell or (f"row {issue.row}" if issue.row else None))


def _worst(issues: list[Issue]) -> Severity:
    return Severity.ERROR if any(i.is_error for i in issues) else Severity.WARNING
