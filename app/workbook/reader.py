"""Reading recipients from a workbook: find the header, map the columns, hand over every data row as read.

`read_workbook` is the one entry point. It reads .xlsx/.xlsm/.xlsb/.xls/.ods with python-calamine and .csv
with the standard library, and repairs and validates nothing: values arrive as the cell holds them (numbers as
int/float, dates as date/datetime, Excel error cells as `CellError`, formulas as their saved results, empty
cells as None). What the reader itself notices (hidden rows and sheets, merged cells, guessed or conflicting
column names, formulas saved without a result) becomes a warning `Issue` at its cell.

For .xlsx/.xlsm only, hidden rows and columns, error cells and uncalculated formulas are found in the sheet's
XML (calamine does not expose them); .xls/.ods/.csv error cells read as empty.
"""

from __future__ import annotations

import csv
import gc
import io
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import python_calamine

from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.records import CellError, CellValue, RawRecord, SourceCell
from app.workbook import limits
from app.workbook.bounds import XlsxBounds, check_ods, check_package
from app.workbook.errors import (
    HeaderNotFound,
    SheetNotFound,
    SheetTooLarge,
    TooManyColumns,
    TooManyRows,
    WorkbookCorrupt,
    WorkbookEmpty,
    WorkbookError,
    WorkbookReadCancelled,
)
from app.workbook.mapping import (
    ColumnMapping,
    ColumnMatch,
    HeaderCell,
    MappingStore,
    MatchConfidence,
    display_header,
    header_key,
    map_headers,
    match_header,
)
from app.workbook.own_sheets import is_app_sheet
from app.workbook.sheet_span import SheetSpan, SheetUnreadable
from app.workbook.sources import Source, WorkbookFormat, decode_text, open_source, sniff_delimiter
from app.workbook.totals_rows import leave_out_totals
from app.workbook.xlsx_scan import SheetExtras, scan_sheet

HEADER_SCAN_ROWS = limits.HEADER_SCAN_ROWS
# A header must name at least one of these: they say the sheet is about sending cards to people.
ANCHOR_FIELDS = frozenset(
    {
        Field.EMAIL,
        Field.SMS,
        Field.PHONE,
        Field.PRODUCT,
        Field.VALUE,
        Field.ADDRESS_LINE1,
        Field.DELIVERY_TYPE,
    }
)
HEADER_EXAMPLES = "Email, Mobile, Product, Value, Quantity, Delivery Method, Address 1, City, Zip"
_PROGRESS_EVERY = 5_000  # rows looked at one by one between two cancel checks
_FEW_CELLS = 3  # rows with at most this many non-empty cells are checked for holding only spaces
_LARGEST_EXACT_FLOAT = 2**53
_AS_IS = frozenset({str, int, bool, date, datetime})

Value = CellValue | CellError
ProgressCallback = Callable[[int], None]


def column_letter(index: int) -> str:
    """0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetRead:
    """One sheet's recipients, as read.

    `header_row` is the header's row number as Excel shows it; `headers` every column that has a header or
    data, left to right; `mapping` which field each column holds. `row_numbers[i]` is the Excel row of the
    i-th data row (blank rows skipped). `last_column` is the rightmost used column: a write-back adds its
    result columns after it, on the header row.

    Values are held by column. Records are built on first use of `records` (one `SourceCell` per mapped cell:
    about 2 s per 100,000 rows of 12 columns); `column_values(field)` gives one field's raw values for every
    row at no cost, for checks that work a column at a time.
    """

    name: str
    header_row: int
    headers: tuple[HeaderCell, ...]
    mapping: ColumnMapping
    last_column_index: int
    row_numbers: list[int]
    hidden: bool = False
    _columns: dict[int, list[Value]] = field(default_factory=dict, repr=False)

    @property
    def last_column(self) -> str:
        return column_letter(self.last_column_index)

    @property
    def row_count(self) -> int:
        return len(self.row_numbers)

    @property
    def unmapped_headers(self) -> list[str]:
        """Names of the columns that map to nothing (kept in `RawRecord.unmapped` under these names)."""
        return _unmapped_names(self.mapping)

    def column_values(self, fld: Field) -> list[Value] | None:
        """The raw value of `fld` in every data row (aligned with `row_numbers`); None if no column holds it.

        The list is the sheet's own: read it, do not change it.
        """
        match = self.mapping.by_field.get(fld)
        return None if match is None else self._columns[match.header.index]

    def value_at(self, row_number: int, column_index: int) -> Value:
        """The value read at an Excel row number and 0-based column index (None outside the data)."""
        column = self._columns.get(column_index)
        if column is None or row_number not in self._positions:
            return None
        return column[self._positions[row_number]]

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {number: i for i, number in enumerate(self.row_numbers)}

    @cached_property
    def records(self) -> list[RawRecord]:
        return list(self.iter_records())

    def iter_records(self) -> Iterator[RawRecord]:
        """One `RawRecord` per data row, built as it is asked for."""
        sheet = self.name
        mapped = [(m.field, m.header.column) for m in self.mapping.columns if m.field]
        extra = _unmapped_names(self.mapping)
        mapped_values = [self._columns[m.header.index] for m in self.mapping.columns if m.field]
        extra_values = [self._columns[h.index] for h in self.mapping.unmapped]
        for i, number in enumerate(self.row_numbers):
            cells = {
                fld: SourceCell(sheet, number, letter, column[i])
                for (fld, letter), column in zip(mapped, mapped_values, strict=True)
            }
            unmapped = {name: column[i] for name, column in zip(extra, extra_values, strict=True)}
            yield RawRecord(sheet, number, cells, unmapped)


def _unmapped_names(mapping: ColumnMapping) -> list[str]:
    """Unmapped columns by name; a repeated name gets its column letter so no value is lost."""
    seen: set[str] = set()
    named = []
    for header in mapping.unmapped:
        name = header.name if header.name not in seen else f"{header.name} ({header.column})"
        seen.add(name)
        named.append(name)
    return named


@dataclass
class WorkbookRead:
    """Everything read from one file: its sheets of recipients, warnings found while reading, and notes.

    `issues` are warnings at their cells (`sheet.hidden`, `row.hidden`, `column.hidden`, `cell.merged`,
    `formula.no_result`, `column.guessed`, `column.duplicate`). `notes` are plain remarks that need no action
    (a sheet skipped because it has no recipients header).
    """

    path: Path
    format: WorkbookFormat
    sheets: list[SheetRead]
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encrypted: bool = False

    @property
    def records(self) -> list[RawRecord]:
        return [record for sheet in self.sheets for record in sheet.records]

    @property
    def row_count(self) -> int:
        return sum(sheet.row_count for sheet in self.sheets)

    def mapping_dict(self) -> dict[str, str | None]:
        """{header: field or None} over every sheet read, as `giftbatch validate --json` prints it."""
        merged: dict[str, str | None] = {}
        for sheet in self.sheets:
            for header, value in sheet.mapping.as_dict().items():
                merged.setdefault(header, value)
        return merged


@dataclass
class _Grid:
    """A sheet's cells as the reader delivered them: rows[i][j] is the cell at 0-based (top + i, left + j)."""

    name: str
    hidden: bool
    top: int
    left: int
    rows: list[list[Any]]
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    extras: SheetExtras = field(default_factory=SheetExtras)


def read_workbook(
    path: Path | str,
    *,
    sheet: str | int | None = None,
    password: str | None = None,
    mapping_overrides: Mapping[str, Field | None] | None = None,
    mapping_store: MappingStore | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> WorkbookRead:
    """Read the recipients in `path`.

    `sheet`: a sheet name (exact, else ignoring case) or a 1-based position as on the tabs; None reads every
    sheet with a recognisable header. `password` opens a password-protected workbook.
    `mapping_overrides`: {header text: Field, or None to ignore the column}, the user's choices; with a
    `mapping_store` they are saved against the header row and reused when the same header comes again.
    `progress` is called with a percentage (0–100) as rows are read; setting `cancel` stops the read with
    `WorkbookReadCancelled`. Whole-file problems raise a `WorkbookError` with a message for the user.
    """
    path = Path(path)
    source = open_source(path, password)
    reader = _Reader(source, mapping_overrides, mapping_store, progress, cancel)
    with _no_cyclic_collection():
        return reader.read(sheet)


@contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """The cyclic garbage collector off while a sheet is read: a read makes a few objects per cell (1.2 million
    for 100,000 rows of 12 columns), frees next to none and makes no cycles, so the collector would only walk
    the growing heap again and again (0.15-0.2 s at 100,000 rows). It is back on after, as it was."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class _Reader:
    """One read of one file; holds what the steps share."""

    def __init__(
        self,
        source: Source,
        overrides: Mapping[str, Field | None] | None,
        store: MappingStore | None,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> None:
        self.source = source
        self.path = source.path
        self.overrides = dict(overrides) if overrides else {}
        self.store = store
        self.progress = progress
        self.cancel = cancel
        self.result = WorkbookRead(source.path, source.format, [], encrypted=source.encrypted)

    def read(self, wanted: str | int | None) -> WorkbookRead:
        self._report(0)
        books = (
            _CsvBook(self.source) if self.source.format is WorkbookFormat.CSV else _CalamineBook(self.source)
        )
        try:
            return self._read_books(books, wanted)
        finally:
            books.close()

    def _read_books(self, books: _CalamineBook | _CsvBook, wanted: str | int | None) -> WorkbookRead:
        names = books.sheet_names()
        indexes = (
            [_resolve_sheet(self.path, names, wanted)] if wanted is not None else books.worksheet_indexes()
        )
        found_data = False
        too_large: WorkbookError | None = None
        for index in indexes:
            self._check_cancel()
            try:
                head = books.head(index)
            except (SheetTooLarge, TooManyRows, TooManyColumns) as error:
                if wanted is not None:
                    raise
                # Another sheet may hold the recipients: say why this one was left, and go on.
                too_large = too_large or error
                self.result.notes.append(f"Sheet “{names[index]}” was not read. {error.message}")
                continue
            found_data = found_data or bool(head.rows)
            if wanted is None and head.rows and is_app_sheet(head.rows[0]):  # issues, a summary, claim links
                note = f"Sheet “{head.name}” was skipped: it is a list Giftbatch wrote, not recipients."
                self.result.notes.append(note)
                continue
            header = self._find_header(head)
            if wanted is None and books.very_hidden(index):
                # Only a macro can show such a sheet: it holds internals (dropdown lists), not people.
                if header is not None:
                    self.result.notes.append(
                        f"Sheet “{head.name}” is very hidden (only a macro can show it) and was not read; "
                        "choose it by name to read it."
                    )
                continue
            if header is None:
                if wanted is not None:
                    self._no_sheet_found(head, wanted_name=head.name)
                if head.rows:
                    self.result.notes.append(f"Sheet “{head.name}” was skipped: it has no recipients header.")
                continue
            self.result.sheets.append(self._read_sheet(books.full(index), header))
        if not self.result.sheets:
            if too_large is not None:
                raise too_large
            if not found_data:
                raise WorkbookEmpty(self.path)
            raise HeaderNotFound(self.path, "any sheet", HEADER_EXAMPLES)
        self._report(100)
        return self.result

    def _no_sheet_found(self, head: _Grid, wanted_name: str) -> None:
        if not head.rows:
            raise WorkbookEmpty(self.path, wanted_name)
        raise HeaderNotFound(self.path, f"sheet “{wanted_name}”", HEADER_EXAMPLES)

    # -- header --------------------------------------------------------------------------------------------

    def _find_header(self, grid: _Grid) -> int | None:
        """The index in grid.rows of the first rows' row naming the most fields; None if none does."""
        best: tuple[int, int] | None = None
        for i, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
            texts = [display_header(_plain(v)) for v in row if v != "" and v is not None]
            score = self._header_score(texts)
            if score and (best is None or score > best[0]):
                best = (score, i)
        return best[1] if best else None

    def _header_score(self, texts: list[str]) -> int:
        if not texts:
            return 0
        if self.store is not None and self.store.load(texts) is not None:
            return 1_000
        chosen = {header_key(t): f for t, f in self.overrides.items()}
        fields: dict[Field, MatchConfidence] = {}
        for text in texts:
            key = header_key(text)
            if key in chosen:
                target = chosen[key]
                if target is not None:
                    fields[target] = MatchConfidence.USER
                continue
            fld, confidence = _cached_match(text)
            if fld is not None and confidence is not None and fields.get(fld) is not MatchConfidence.EXACT:
                fields[fld] = confidence
        anchored = any(f in ANCHOR_FIELDS for f in fields)
        sure = any(f in ANCHOR_FIELDS and c is not MatchConfidence.GUESSED for f, c in fields.items())
        if not anchored or (len(fields) < 2 and not sure):
            return 0
        return sum(1 if c is MatchConfidence.GUESSED else 2 for c in fields.values())

    # -- one sheet -----------------------------------------------------------------------------------------

    def _read_sheet(self, grid: _Grid, header_index: int) -> SheetRead:
        header_row = grid.top + header_index + 1
        header_raw = grid.rows[header_index]
        numbers, columns = self._data_columns(grid, header_index)
        headers = _header_cells(grid.left, header_raw, columns)
        mapping = map_headers(headers, self._choices_for(headers))
        sheet = SheetRead(
            name=grid.name,
            header_row=header_row,
            headers=headers,
            mapping=mapping,
            last_column_index=max((h.index for h in headers), default=grid.left),
            row_numbers=numbers,
            hidden=grid.hidden,
            _columns={h.index: columns[h.index - grid.left] for h in headers},
        )
        totals = leave_out_totals(sheet, grid.extras.aggregate_rows)  # before anything reads its positions
        if totals is not None:
            self.result.notes.append(totals)
        self._apply_errors(grid, sheet)
        self._apply_merges(grid, sheet)
        self._report_sheet(grid, sheet)
        return sheet

    def _data_columns(self, grid: _Grid, header_index: int) -> tuple[list[int], list[list[Value]]]:
        """The Excel row number of each non-blank row below the header, and the values by column.

        Work is done a column at a time: the rows are turned into columns once; blank rows are looked for
        only among the rows that are empty in one of the sparsest columns (see `_blank_rows`); a column of
        text with no empty cell is taken as it is, and only columns holding numbers, empty cells or odd
        types are converted cell by cell.
        """
        rows = grid.rows[header_index + 1 :]
        width = len(grid.rows[header_index])
        first_number = grid.top + header_index + 2
        grid.rows = []  # the columns below replace the reader's rows; let them go
        self._check_cancel()
        cells = list(zip(*rows, strict=True))
        blank = _blank_rows(rows, cells, width, self._check_cancel)
        if len(rows) - len(blank) > limits.ROW_LIMIT:
            raise TooManyRows(self.path, grid.name, limits.ROW_LIMIT)
        if blank:
            numbers = [first_number + i for i in range(len(rows)) if i not in blank]
            cells = list(zip(*(row for i, row in enumerate(rows) if i not in blank), strict=True))
        else:
            numbers = list(range(first_number, first_number + len(rows)))
        del rows
        self._report(50)
        columns = [_convert_column(column) for column in cells]
        del cells
        return numbers, columns or [[] for _ in range(width)]

    def _choices_for(self, headers: tuple[HeaderCell, ...]) -> dict[str, Field | None] | None:
        texts = [h.text for h in headers]
        stored = self.store.load(texts) if self.store is not None else None
        keys = {header_key(h.text) for h in headers if h.text}
        given = {text: fld for text, fld in self.overrides.items() if header_key(text) in keys}
        if not given:
            return stored
        choices = {**(stored or {}), **given}
        if self.store is not None:
            self.store.save(texts, choices)
        return choices

    def _apply_errors(self, grid: _Grid, sheet: SheetRead) -> None:
        """Error cells read as empty by calamine get their Excel error back (`#N/A` → CellError('#N/A'))."""
        for (number, column), code in grid.extras.errors.items():
            values = sheet._columns.get(column)
            i = sheet._positions.get(number)
            if values is not None and i is not None:
                values[i] = CellError(code)

    def _apply_merges(self, grid: _Grid, sheet: SheetRead) -> None:
        """A merged range's value belongs to its top-left cell; rows below it in a mapped column get it.

        Only the data rows are walked, and each row of a column at most once however the ranges overlap
        (Excel never writes overlapping ones; a crafted file could, a million rows tall each).
        """
        mapped = {m.header.index: m.field for m in sheet.mapping.mapped}
        last_row = sheet.row_numbers[-1] if sheet.row_numbers else 0
        done: dict[int, int] = {}  # column → the last row a range has filled in it
        for (top, left), (bottom, right) in sorted(grid.merges):
            fld = mapped.get(left)
            first = sheet._positions.get(top + 1)
            if fld is None or first is None or bottom == top:
                continue
            values = sheet._columns[left]
            value = values[first]
            letter = column_letter(left)
            span = f"{letter}{top + 1}:{column_letter(right)}{bottom + 1}"
            start, end = max(top + 2, done.get(left, 0) + 1), min(bottom + 1, last_row)
            done[left] = max(done.get(left, 0), end)
            for number in range(start, end + 1):
                i = sheet._positions.get(number)
                if i is None:
                    continue
                values[i] = value
                message = (
                    f"{letter}{number} is part of the merged cells {span}, so it was given the value of "
                    f"{letter}{top + 1} ({_shown(value)}). If each row needs its own value, unmerge the "
                    "cells and fill each one in."
                )
                self._warn("cell.merged", message, sheet.name, row=number, column=letter, fld=fld)

    def _report_sheet(self, grid: _Grid, sheet: SheetRead) -> None:
        name = sheet.name
        if grid.hidden:
            message = (
                f"Sheet “{name}” is hidden in the workbook; its rows are read like any other. Unhide it "
                "(right-click a sheet tab › Unhide) to check them, or delete the sheet if its rows should "
                "not be sent."
            )
            self._warn("sheet.hidden", message, name)
        for match in sheet.mapping.columns:
            self._report_column(grid, sheet, match)
        for number in sorted(grid.extras.hidden_rows.intersection(sheet.row_numbers)):
            message = (
                f"Row {number} is hidden in Excel; it is read like any other row. Unhide it to check it, "
                "or delete it if it should not be sent."
            )
            self._warn("row.hidden", message, name, row=number)
        mapped = {m.header.index: m.field for m in sheet.mapping.mapped}
        data_rows = set(sheet.row_numbers)
        for number, column in sorted(grid.extras.uncalculated):
            if column in mapped and number in data_rows:
                letter = column_letter(column)
                message = (
                    f"{letter}{number} holds a formula whose result was never saved in the file (the program "
                    "that wrote it does not calculate), so it reads as empty. Open the file in Excel, save "
                    "it, and choose it again."
                )
                self._warn("formula.no_result", message, name, row=number, column=letter, fld=mapped[column])

    def _report_column(self, grid: _Grid, sheet: SheetRead, match: ColumnMatch) -> None:
        header, fld, wanted = match.header, match.field, match.wanted
        row, letter, name = sheet.header_row, header.column, sheet.name
        if fld is not None and match.confidence is MatchConfidence.GUESSED:
            message = (
                f"Column {letter} “{header.name}” was taken to be {fld.label} from its name. If it holds "
                "something else, change the column mapping or rename the header."
            )
            self._warn("column.guessed", message, name, row=row, column=letter, fld=fld)
        if wanted is not None:
            winner = sheet.mapping.by_field[wanted].header
            message = (
                f"Columns {winner.column} “{winner.name}” and {letter} “{header.name}” both look like "
                f"{wanted.label}; {winner.column} is used and {letter} is kept as an extra column. Change "
                "the column mapping if it should be the other way round."
            )
            self._warn("column.duplicate", message, name, row=row, column=letter, fld=wanted)
        if fld is not None and header.index in grid.extras.hidden_columns:
            message = (
                f"Column {letter} “{header.name}” ({fld.label}) is hidden in Excel; it is read like any "
                "other. Unhide it to check its cells."
            )
            self._warn("column.hidden", message, name, row=row, column=letter, fld=fld)

    # -- helpers -------------------------------------------------------------------------------------------

    def _warn(
        self,
        code: str,
        message: str,
        sheet: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fld: Field | None = None,
    ) -> None:
        self.result.issues.append(Issue(Severity.WARNING, code, message, sheet, row, column, fld))

    def _report(self, percent: int) -> None:
        if self.progress is not None:
            self.progress(percent)

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise WorkbookReadCancelled(self.path)


@lru_cache(maxsize=4096)
def _cached_match(text: str) -> tuple[Field | None, MatchConfidence | None]:
    return match_header(text)


def _header_cells(left: int, header_raw: list[Any], columns: list[list[Value]]) -> tuple[HeaderCell, ...]:
    """Every column with a header or with data; a column with data and no header is named by its letter."""
    cells = []
    for j, raw in enumerate(header_raw):
        text = display_header(_plain(raw)) if raw != "" else ""
        if text or columns[j].count(None) != len(columns[j]):
            cells.append(HeaderCell(left + j, column_letter(left + j), text))
    return tuple(cells)


def _whole_numbers(column: tuple[float, ...]) -> list[int] | None:
    """The column as ints when every number in it is whole and exact, else None; the loops run in C."""
    try:
        as_int = list(map(int, column))
    except (ValueError, OverflowError):  # NaN, infinity
        return None
    if as_int != list(column) or max(map(abs, as_int)) >= _LARGEST_EXACT_FLOAT:
        return None
    return as_int


def _convert_column(column: tuple[Any, ...]) -> list[Value]:
    """One column's cells as handed over: '' → None, whole floats → int (calamine reads numbers as floats)."""
    types = set(map(type, column))
    if types == {str}:
        return [v or None for v in column] if "" in column else list(column)
    if types == {float}:
        whole = _whole_numbers(column)
        if whole is not None:
            return whole  # type: ignore[return-value]
    if types <= {str, float}:
        exact = _LARGEST_EXACT_FLOAT
        return [
            (int(v) if v.is_integer() and -exact < v < exact else v) if type(v) is float else (v or None)
            for v in column
        ]
    return [None if v == "" else v if type(v) in _AS_IS else _convert(v) for v in column]


def _blank_rows(
    rows: list[list[Any]], columns: list[tuple[Any, ...]], width: int, check_cancel: Callable[[], None]
) -> set[int]:
    """Positions in `rows` of the rows to skip: every cell empty, or at most `_FEW_CELLS` cells holding only
    spaces. Such a row is empty in at least one of any `_FEW_CELLS + 1` columns, so only the rows empty in
    one of the sparsest few are looked at: none at all when those columns are full, as in most sheets."""
    if width <= _FEW_CELLS:
        candidates: Iterable[int] = range(len(rows))
    elif len(list(islice((c for c in columns if "" not in c), _FEW_CELLS + 1))) > _FEW_CELLS:
        return set()  # enough columns without an empty cell: no row can be blank
    else:
        sparsest = sorted(columns, key=lambda column: column.count(""))[: _FEW_CELLS + 1]
        candidates = sorted(
            {i for column in sparsest if "" in column for i, v in enumerate(column) if v == ""}
        )
    blank = set()
    for n, i in enumerate(candidates, 1):
        if n % _PROGRESS_EVERY == 0:
            check_cancel()
        raw = rows[i]
        empty = raw.count("")
        if empty == width or (empty + _FEW_CELLS >= width and _is_blank(raw)):
            blank.add(i)
    return blank


def _is_blank(row: list[Any]) -> bool:
    """A row of nothing but empty cells and spaces; stops at the first real value, usually the first cell."""
    return all(type(v) is str and (not v or v.isspace()) for v in row)


def _convert(value: Any) -> Value:
    """Whole floats become int (calamine reads numbers as floats); times become text (CellValue has none)."""
    if type(value) is float:
        if value.is_integer() and abs(value) < _LARGEST_EXACT_FLOAT:
            return int(value)
        return value
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, str | int | bool | date):
        return value
    return str(value)


def _plain(value: Any) -> Any:
    return _convert(value) if type(value) not in _AS_IS else value


def _shown(value: Value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, CellError):
        return value.code
    return f"“{value}”"


def _resolve_sheet(path: Path, names: list[str], wanted: str | int) -> int:
    """A sheet by exact name, by name ignoring case, or by its 1-based position among the tabs."""
    text = str(wanted).strip()
    if text in names:
        return names.index(text)
    folded = [n.casefold() for n in names]
    if text.casefold() in folded:
        return folded.index(text.casefold())
    if text.isdigit() and 1 <= int(text) <= len(names):
        return int(text) - 1
    raise SheetNotFound(path, text, names)


class _CalamineBook:
    """A workbook read by calamine, plus the sheet XML facts calamine leaves out (.xlsx/.xlsm only).

    An .xlsx/.xlsm is checked before calamine opens it, and each sheet before calamine builds it
    (`app.workbook.bounds`): nothing is allocated for what the file only claims. The XML scan of a sheet
    runs on a worker thread while calamine parses the same sheet (calamine releases the GIL while it
    parses), so it adds next to nothing to the read time.
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.bounds: XlsxBounds | None = None
        if source.format in {WorkbookFormat.XLSX, WorkbookFormat.XLSM}:
            self.bounds = XlsxBounds(source.path, source.data)
        elif source.format is WorkbookFormat.ODS:
            check_ods(source.path, source.data)
        elif source.format is WorkbookFormat.XLSB:
            check_package(source.path, source.data)
        try:
            self.book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source.data))
            self.metadata = list(self.book.sheets_metadata)
        except BaseException as error:  # calamine raises its own errors, or a Rust panic, on damaged files
            _reraise_if_fatal(error)
            raise WorkbookCorrupt(source.path) from None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-scan")
        self._sheets: dict[int, tuple[python_calamine.CalamineSheet, Future[SheetExtras] | None]] = {}

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def sheet_names(self) -> list[str]:
        return [m.name for m in self.metadata]

    def worksheet_indexes(self) -> list[int]:
        worksheet = python_calamine.SheetTypeEnum.WorkSheet
        return [i for i, m in enumerate(self.metadata) if m.typ == worksheet]

    def very_hidden(self, index: int) -> bool:
        return self.metadata[index].visible == python_calamine.SheetVisibleEnum.VeryHidden

    def head(self, index: int) -> _Grid:
        return self._grid(index, HEADER_SCAN_ROWS, with_extras=False)

    def full(self, index: int) -> _Grid:
        try:
            return self._grid(index, None, with_extras=True)
        finally:
            self._sheets.pop(index, None)  # its rows are handed over: calamine's copy can go

    def _sheet(self, index: int) -> tuple[python_calamine.CalamineSheet, Future[SheetExtras] | None]:
        if index not in self._sheets:
            scan = None
            if self.bounds is not None:
                cost = self.bounds.check_sheet(index, self.metadata[index].name)
                if cost is not None:
                    self._check_span(self.metadata[index].name, cost.span)
                part = self.bounds.parts[index] if index < len(self.bounds.parts) else None
                if part is not None and part in self.bounds.package.parts:
                    scan = self._pool.submit(scan_sheet, self.bounds.package.chunks(part))
            self._sheets[index] = (self.book.get_sheet_by_index(index), scan)
        return self._sheets[index]

    def _check_span(self, name: str, span: SheetSpan) -> None:
        """The caps on rows and columns, before the sheet is built (the same checks run on the grid)."""
        if span.width > limits.COLUMN_LIMIT:
            raise TooManyColumns(self.source.path, name, span.width, limits.COLUMN_LIMIT, span.span_text())
        if span.height > limits.row_cap():
            raise TooManyRows(self.source.path, name, limits.ROW_LIMIT)

    def _grid(self, index: int, nrows: int | None, with_extras: bool) -> _Grid:
        meta = self.metadata[index]
        hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
        try:
            sheet, scan = self._sheet(index)
            start = sheet.start
            if start is None:
                return _Grid(meta.name, hidden, 0, 0, [])
            if nrows is None:
                self._check_size(sheet)
            rows = sheet.to_python(skip_empty_area=True, nrows=nrows or limits.row_cap())
            merges = list(sheet.merged_cell_ranges or []) if with_extras else []
        except WorkbookError:
            raise
        except BaseException as error:
            _reraise_if_fatal(error)
            raise WorkbookCorrupt(self.source.path) from None
        extras = SheetExtras()
        if with_extras and scan is not None:
            try:
                extras = scan.result()
            except SheetUnreadable:
                raise WorkbookCorrupt(self.source.path) from None
        return _Grid(meta.name, hidden, start[0], start[1], rows, merges, extras)

    def _check_size(self, sheet: python_calamine.CalamineSheet) -> None:
        if sheet.width > limits.COLUMN_LIMIT:
            raise TooManyColumns(self.source.path, sheet.name, sheet.width, limits.COLUMN_LIMIT)
        if sheet.height > limits.row_cap():
            raise TooManyRows(self.source.path, sheet.name, limits.ROW_LIMIT)


def _reraise_if_fatal(error: BaseException) -> None:
    if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
        raise error


class _CsvBook:
    """A CSV file as a one-sheet workbook named after the file, as Excel shows it."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.name = source.path.stem or "CSV"
        self._rows: list[list[Any]] | None = None

    def close(self) -> None:
        """Nothing to release: the text was read whole."""

    def sheet_names(self) -> list[str]:
        return [self.name]

    def worksheet_indexes(self) -> list[int]:
        return [0]

    def very_hidden(self, index: int) -> bool:
        return False

    def head(self, index: int) -> _Grid:
        return self.full(index)

    def full(self, index: int) -> _Grid:
        if self._rows is None:
            self._rows = self._parse()
        return _Grid(self.name, False, 0, 0, self._rows)

    def _parse(self) -> list[list[Any]]:
        text = decode_text(self.source)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        rows: list[list[Any]] = []
        try:
            for row in reader:
                rows.append(row)
                if len(row) > limits.COLUMN_LIMIT:
                    raise TooManyColumns(self.source.path, self.name, len(row), limits.COLUMN_LIMIT)
                if len(rows) > limits.row_cap():
                    raise TooManyRows(self.source.path, self.name, limits.ROW_LIMIT)
        except csv.Error:
            raise WorkbookCorrupt(self.source.path) from None
        width = max((len(r) for r in rows), default=0)
        for row in rows:
            row.extend([""] * (width - len(row)))
        while rows and not any(rows[-1]):
            rows.pop()
        return rows
