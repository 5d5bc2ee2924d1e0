"""The first look at a data sheet before results are written into it: where the user's content ends.

One streaming pass finds the rightmost column holding a value from the header row down (merged ranges
included), so the results start in the first free column of every row; it also keeps the header row's cell
formats and the cells the user's grid edits will replace (their format, and whether a formula goes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from app.workbook.sheet_stream import Cell, Row, SheetStream, cells
from app.workbook.xlsx_xml import ATTRS, PREFIX, attribute, cell_position, range_bounds

_MERGE_CELL = re.compile(rb"<" + PREFIX + rb"mergeCell\b(" + ATTRS + rb")/?>")
_CELL_START = re.compile(rb"<" + PREFIX + rb"c\b(" + ATTRS + rb")(/?)>")
_OVERLAP = 4096  # longer than any one mergeCell tag


@dataclass
class SheetSurvey:
    """What the first pass found; columns are 1-based as Excel numbers them."""

    last_used: int = 0
    header_cells: dict[int, Cell] = field(default_factory=dict)
    replaced: dict[tuple[int, int], Cell] = field(
        default_factory=dict
    )  # (row, column) → the cell an edit replaces


def survey_sheet(stream: SheetStream, header_row: int, edited: dict[int, set[int]]) -> SheetSurvey:
    """Read the whole sheet once; `edited` names the columns the user's edits change, by row."""
    found = SheetSurvey()
    stream.head()
    last_used = 0
    for row in stream.rows():
        if row.number < header_row:
            continue
        columns = edited.get(row.number)
        if row.number == header_row or columns:
            row_cells = cells(row.content)
            last_used = max(last_used, max((c.column for c in row_cells if c.has_value), default=0))
            if row.number == header_row:
                found.header_cells = {c.column: c for c in row_cells}
            for cell in row_cells:
                if columns and cell.column in columns:
                    found.replaced[(row.number, cell.column)] = cell
        else:
            last_used = max(last_used, _last_valued_column(row))
    for merged in _merged_ranges(stream.tail()):
        _, _, bottom, right = merged
        if bottom >= header_row:
            last_used = max(last_used, right)
    found.last_used = last_used
    return found


def _last_valued_column(row: Row) -> int:
    """The row's rightmost column with a value. Cells are in column order, so the search goes from the last
    cell leftwards past the formatted empty ones; a cell without a reference means counting from the start."""
    content = row.content
    marker = b"<" + row.prefix + b"c "
    end = len(content)
    while (at := content.rfind(marker, 0, end)) >= 0:
        tag = _CELL_START.match(content, at)
        ref = attribute(tag.group(1), b"r") if tag else None
        position = cell_position(ref) if tag and ref else None
        if tag is None or position is None:
            break
        # `<c r="H5"><v>…` holds a value; `<c r="H5" s="3"/>` or `<c …></c>` only a format.
        if not tag.group(2) and content[content.find(b"<", tag.end()) + 1] != ord("/"):
            return position[1]
        end = at
    return max((c.column for c in cells(content) if c.has_value), default=0)


def _merged_ranges(chunks: Iterable[bytes]) -> Iterator[tuple[int, int, int, int]]:
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk
        limit = max(0, len(buffer) - _OVERLAP)
        for match in _MERGE_CELL.finditer(buffer):
            if match.start() >= limit:
                break
            bounds = range_bounds(attribute(match.group(1), b"ref") or b"")
            if bounds:
                yield bounds
        carry = buffer[limit:]
    for match in _MERGE_CELL.finditer(carry):
        bounds = range_bounds(attribute(match.group(1), b"ref") or b"")
        if bounds:
            yield bounds
