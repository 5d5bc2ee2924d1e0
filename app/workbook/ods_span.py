"""How far an OpenDocument spreadsheet (.ods) unfolds, found in its content.xml before calamine opens it.

An .ods can say "this cell, 16,384 times across" (table:number-columns-repeated), "this row, a million times
down" (table:number-rows-repeated) and "a billion spaces here" (text:s text:c). calamine unfolds every
repeat of a cell or row that holds a value, for every table, as soon as the file is opened: a 2 KB file
can ask for billions of cells. This survey follows the tables tag by tag, streaming, and adds up what
calamine would hold: each table's box of values, the cells it stores row by row, and the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.workbook.sheet_span import attribute, cell_name, whole_tags

_TAG = re.compile(
    rb"<(/?)(table:table-row|table:table-cell|table:covered-table-cell|table:table|text:s)(?=[\s/>])([^<>]*)>"
)
_VALUE = re.compile(rb"\b(?:office:value-type|office:value|office:string-value|office:date-value|"
                    rb"office:time-value|office:boolean-value|table:formula)\s*=")  # fmt: skip
_ROWS_REPEATED = b"table:number-rows-repeated"
_COLUMNS_REPEATED = b"table:number-columns-repeated"
# What only the tag-by-tag survey handles: repeats, spaces by count, a table starting or ending.
_NOT_PLAIN = (b"repeated", b"text:s", b"<table:table ", b"<table:table>", b"</table:table>")


@dataclass
class TableSpan:
    """One table as calamine unfolds it: rows and columns 0-based, `stored` cells kept row by row,
    `text` bytes of text once every repeat holds its copy."""

    name: str
    first_row: int | None = None
    end_row: int = 0
    width: int = 0
    stored: int = 0
    text: int = 0

    @property
    def area(self) -> int:
        return 0 if self.first_row is None else (self.end_row - self.first_row) * self.width

    def span_text(self) -> str:
        if self.first_row is None:
            return "no cells"
        return f"{cell_name(self.first_row + 1, 0)}:{cell_name(self.end_row, max(self.width - 1, 0))}"


@dataclass
class _Row:
    repeat: int = 1
    position: int = 0  # columns so far, repeats unfolded
    end: int = 0  # the column after the last cell with a value
    text: int = 0


@dataclass
class _Cell:
    repeat: int
    valued: bool
    start: int  # where its content starts in the piece
    spaces: int = 0


def survey_content(chunks: Iterable[bytes]) -> list[TableSpan]:
    """Follow content.xml's tables and unfold their repeats by counting, never by allocating."""
    unfolding = _Unfolding()
    for piece in whole_tags(chunks, after=b"</table:table-row>"):
        if unfolding.plain(piece):
            continue
        for match in _TAG.finditer(piece):
            unfolding.tag(match)
    return unfolding.tables


class _Unfolding:
    """The table, row and cell being read; a cell's content ends where the next tag starts."""

    def __init__(self) -> None:
        self.tables: list[TableSpan] = []
        self.table: TableSpan | None = None
        self.rows_before = 0
        self.row: _Row | None = None
        self.cell: _Cell | None = None

    def plain(self, piece: bytes) -> bool:
        """Count a piece of whole rows with nothing repeated in one go (True), as most of a table is; False
        when it needs following tag by tag (repeats, spaces, a table's start or end, a row cut)."""
        table = self.table
        if table is None or self.row is not None or self.cell is not None:
            return False
        if any(marker in piece for marker in _NOT_PLAIN):
            return False
        rows = piece.split(b"<table:table-row")[1:]
        if not rows:
            return False
        widths = [row.count(b"<table:table-cell") + row.count(b"<table:covered-table-cell") for row in rows]
        if table.first_row is None:
            table.first_row = self.rows_before
        self.rows_before += len(rows)
        table.end_row = self.rows_before
        table.width = max(table.width, *widths)
        table.stored += sum(widths)
        table.text += len(piece)  # at most: its markup is counted as text too
        return True

    def tag(self, match: re.Match[bytes]) -> None:
        closing, name, rest = match.groups()
        if name == b"text:s":  # spaces written as a count: a billion of them take a gigabyte
            if self.cell is not None:
                count = attribute(rest, b"text:c")
                self.cell.spaces += int(count) if count is not None and count.isdigit() else 1
            return
        if self.cell is not None and self.row is not None:
            _end_cell(self.row, self.cell, match.start())
            self.cell = None
        if name == b"table:table":
            self._table(closing == b"/" or rest.endswith(b"/"), rest)
        elif self.table is None:
            return
        elif name == b"table:table-row":
            self._row(closing == b"/", rest)
        elif self.row is not None and not closing:
            self.cell = _Cell(_repeat(rest, _COLUMNS_REPEATED), _VALUE.search(rest) is not None, match.end())
            if rest.endswith(b"/"):
                _end_cell(self.row, self.cell, match.end())
                self.cell = None

    def _table(self, ends: bool, rest: bytes) -> None:
        self.table, self.row, self.rows_before = None, None, 0
        if not ends:
            self.table = TableSpan((attribute(rest, b"table:name") or b"").decode("utf-8", "replace"))
            self.tables.append(self.table)

    def _row(self, closing: bool, rest: bytes) -> None:
        assert self.table is not None
        if not closing:
            self.row = _Row(repeat=_repeat(rest, _ROWS_REPEATED))
        if self.row is not None and (closing or rest.endswith(b"/")):
            self.rows_before = _end_row(self.table, self.row, self.rows_before)
            self.row = None


def _repeat(rest: bytes, name: bytes) -> int:
    if b"repeated" not in rest:
        return 1
    value = attribute(rest, name)
    return int(value) if value is not None and value.isdigit() else 1


def _end_cell(row: _Row, cell: _Cell, end: int) -> None:
    row.position += cell.repeat
    if cell.valued:
        row.end = row.position
        row.text += cell.repeat * (max(0, end - cell.start) + cell.spaces)


def _end_row(table: TableSpan, row: _Row, rows_before: int) -> int:
    """Add a finished row to its table; return the rows before the next one."""
    if row.end:
        if table.first_row is None:
            table.first_row = rows_before
        table.end_row = rows_before + row.repeat
        table.width = max(table.width, row.end)
        table.stored += row.end
        table.text += row.text * row.repeat
    return rows_before + row.repeat
