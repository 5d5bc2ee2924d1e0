"""Write-back: a copy of the user's own workbook, each row's result in new columns to the right of their data.

The copy is made with openpyxl (load, add cells, save), which keeps formatting, widths, formulas, data
validation, conditional formatting, merged cells, tables and other sheets. What openpyxl cannot keep (charts,
images, pivot tables, macros, …) is found first by looking at the file's parts, and the write-back is refused
with a list of it, so nothing is ever dropped silently; the results workbook holds the same information.

Only .xlsx and .xlsm (without macros) can be written back. A .csv, .xls or .ods file is refused: a copy in
another format would not be "their workbook", and the results workbook already repeats every original column.
"""

from __future__ import annotations

import io
import zipfile
from copy import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from app.domain.errors import UserInputError
from app.domain.outcomes import RunReport, SheetLayout
from app.workbook import limits
from app.workbook.bounds import copy_cost
from app.workbook.errors import size_text
from app.workbook.export_results import result_headers, result_values
from app.workbook.output_file import ExportOptions, OutputIsInput, check_target, same_file, write_atomically
from app.workbook.safe_cells import set_cell
from app.workbook.sources import WorkbookFormat, open_source
from app.workbook.workbook_parts import PartsReport, inspect_parts

_WRITABLE_FORMATS = frozenset({WorkbookFormat.XLSX, WorkbookFormat.XLSM})
_RESULT_WIDTHS = {"Status": 12, "Cost": 12, "Submitted At": 19, "Completed At": 19, "Claim Link(s)": 45}
_DEFAULT_RESULT_WIDTH = 16
_OFFER = "Export the results workbook instead: it holds every original column beside the results."


class WriteBackNotPossible(UserInputError):
    """This workbook cannot be written back; the message says why and offers the results workbook."""


class WriteBackWouldLoseContent(WriteBackNotPossible):
    """The copy would lose parts of the workbook; `lost` names them (for the GUI's list and the CLI)."""

    def __init__(self, path: Path, lost: list[str]) -> None:
        listed = "; ".join(lost)
        super().__init__(
            f"“{path.name}” holds content that cannot be kept in a copy with results added: {listed}. "
            f"Nothing was written. {_OFFER}"
        )
        self.lost = lost


class WriteBackToOriginal(WriteBackNotPossible):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The write-back would replace your own workbook “{path.name}”; it never does. "
            "Choose another name."
        )


@dataclass
class WriteBackResult:
    """Where the copy went, and what it left out that is not content (printer settings, previews, …)."""

    path: Path
    notes: list[str] = field(default_factory=list)


def default_write_back_path(source: Path) -> Path:
    """`<name> - results.xlsx` beside the user's workbook."""
    return source.with_name(f"{source.stem} - results.xlsx")


def write_back(
    source: Path,
    report: RunReport,
    target: Path | None = None,
    options: ExportOptions | None = None,
    source_password: str | None = None,
) -> WriteBackResult:
    """Copy `source` with the results of `report` added; refuse before writing when content would be lost.

    A password-protected workbook is opened with `source_password`; its copy is encrypted too (with
    `options.password`, else the same password), so results never leave a protected file in the clear.
    """
    options = options or ExportOptions()
    options = replace(options, inputs=(*options.inputs, source))
    options.check()
    target = (target or default_write_back_path(source)).expanduser().absolute()
    try:
        check_target(target, options)
    except OutputIsInput:
        if same_file(target, source):
            raise WriteBackToOriginal(source) from None
        raise
    opened = open_source(source, source_password)
    if opened.format not in _WRITABLE_FORMATS:
        raise WriteBackNotPossible(
            f"“{source.name}” is a {opened.format.value} file; results can only be written into a copy of an "
            f".xlsx workbook. {_OFFER}"
        )
    parts = check_keepable(source, opened.data)
    check_copy_size(source, opened.data)
    if opened.encrypted and not options.password:
        options = replace(options, password=source_password)
    workbook = openpyxl.load_workbook(io.BytesIO(opened.data), rich_text=True, keep_links=True)
    add_results(workbook, report, options.with_secrets)

    def build(destination: str | BinaryIO) -> None:
        workbook.save(destination)

    return WriteBackResult(write_atomically(target, build, options), parts.notes)


class WriteBackTooLarge(WriteBackNotPossible):
    def __init__(self, path: Path, needed: int) -> None:
        super().__init__(
            f"“{path.name}” is too large to be copied with the results added: the copy would take about "
            f"{size_text(needed)} of memory. {_OFFER}"
        )


def check_copy_size(source: Path, data: bytes) -> None:
    """WriteBackTooLarge when loading the workbook to copy it would take more memory than its size allows
    (twice what a read may take: a copy holds every cell as an object)."""
    needed = copy_cost(source, data)
    if needed > 2 * limits.memory_budget(len(data)):
        raise WriteBackTooLarge(source, needed)


def check_keepable(source: Path, data: bytes) -> PartsReport:
    """Raise WriteBackWouldLoseContent when the workbook holds what openpyxl cannot carry into a copy."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = inspect_parts(archive)
    if parts.lost:
        raise WriteBackWouldLoseContent(source, parts.lost)
    return parts


def add_results(workbook: Workbook, report: RunReport, with_secrets: bool) -> None:
    """Add the result columns to each sheet the run read, and the user's grid edits to their cells."""
    headers = result_headers(with_secrets)
    by_sheet: dict[str, list[int]] = {}
    for index, outcome in enumerate(report.outcomes):
        by_sheet.setdefault(outcome.sheet, []).append(index)
    for layout in report.sheets:
        if layout.name not in workbook.sheetnames or layout.name not in by_sheet:
            continue
        sheet = workbook[layout.name]
        first = _results_column(sheet, layout, headers)
        _write_headers(sheet, layout, first, headers)
        for index in by_sheet[layout.name]:
            outcome = report.outcomes[index]
            for offset, value in enumerate(result_values(outcome, with_secrets)):
                if value is not None:
                    set_cell(sheet.cell(outcome.row, first + offset), value)
            for header in outcome.edited:
                letter = layout.letter_of(header)
                if letter is not None:
                    set_cell(sheet[f"{letter}{outcome.row}"], outcome.values.get(header))
        _widen_filter(sheet, layout, first + len(headers) - 1)


def _results_column(sheet: Worksheet, layout: SheetLayout, headers: tuple[str, ...]) -> int:
    """Where the result columns start: over an earlier write-back's columns, else after everything used."""
    header_cells = {
        cell.value: cell.column
        for cell in sheet[layout.header_row]
        if isinstance(cell.value, str) and cell.value in headers
    }
    if headers[0] in header_cells:
        start = header_cells[headers[0]]
        found = [sheet.cell(layout.header_row, start + i).value for i in range(len(headers))]
        if tuple(found) == headers:
            return int(start)
    return _last_used_column(sheet, layout.header_row) + 1


def _last_used_column(sheet: Worksheet, header_row: int) -> int:
    """The rightmost column holding a value, or covered by a merged range, from the header row down."""
    # `_cells` holds only the cells the file has; `iter_rows` would create every empty cell of the grid.
    last = max((column for (row, column), cell in sheet._cells.items() if cell.value is not None), default=0)
    for merged in sheet.merged_cells.ranges:
        if merged.max_row >= header_row:
            last = max(last, merged.max_col)
    return last


def _write_headers(sheet: Worksheet, layout: SheetLayout, first: int, headers: tuple[str, ...]) -> None:
    """Our headers, styled like the user's last header cell so they read as part of the table."""
    model = sheet.cell(layout.header_row, max(first - 1, 1))
    for offset, header in enumerate(headers):
        cell = sheet.cell(layout.header_row, first + offset)
        set_cell(cell, header)
        if model.has_style:
            cell.font, cell.fill, cell.border = copy(model.font), copy(model.fill), copy(model.border)
            cell.alignment = copy(model.alignment)
        if not _has_own_width(sheet, first + offset):
            width = _RESULT_WIDTHS.get(header, _DEFAULT_RESULT_WIDTH)
            sheet.column_dimensions[get_column_letter(first + offset)].width = width


def _has_own_width(sheet: Worksheet, column: int) -> bool:
    """True when a column setting covers this column (a second, overlapping one would corrupt the file)."""
    return any(
        (dimension.min or 0) <= column <= (dimension.max or dimension.min or 0)
        for dimension in sheet.column_dimensions.values()
    )


def _widen_filter(sheet: Worksheet, layout: SheetLayout, last: int) -> None:
    """A filter over the user's table grows to take in the result columns, so they can filter by status."""
    ref = sheet.auto_filter.ref
    if not ref or ":" not in ref:
        return
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if min_row == layout.header_row and max_col is not None and max_col < last:
        sheet.auto_filter.ref = (
            f"{get_column_letter(min_col or 1)}{min_row}:{get_column_letter(last)}{max_row}"
        )
