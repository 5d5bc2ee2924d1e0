"""What calamine does not tell about an .xlsx sheet: hidden rows and columns, error cells, formulas unsaved,
and the rows whose formulas add up the rows above (totals).

One streaming pass over the sheet's XML with byte-level regular expressions, in time proportional to the
file: the XML comes in pieces that end after a cell (no cell is ever split, nothing is looked at twice),
each piece is searched only for the constructs it can contain (a plain substring test first), and every
pattern stays inside one tag or one cell — none can run on to the end of a piece looking for a closing tag
that never comes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath

from app.domain.totals import aggregates_rows_above
from app.workbook.sheet_span import attribute, column_number, place, whole_tags

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix: <x:row>, as some writers emit
_Q = rb"[\"']"  # either quote
_HIDDEN = rb"\bhidden\s*=\s*" + _Q + rb"(?:1|true)" + _Q
_HIDDEN_ROW = re.compile(rb"<" + _P + rb"row\b([^<>]*?" + _HIDDEN + rb"[^<>]*)>")
_HIDDEN_COL = re.compile(rb"<" + _P + rb"col\b([^<>]*?" + _HIDDEN + rb"[^<>]*)>")
_ERROR_CELL = re.compile(
    rb"<" + _P + rb"c\b([^<>]*?\bt\s*=\s*" + _Q + rb"e" + _Q + rb"[^<>]*?)(?<!/)>"
    rb"\s*(?:<" + _P + rb"f\b[^<>]*?(?:/>|>[^<]*</" + _P + rb"f\s*>))?"
    rb"\s*(?:<" + _P + rb"v\s*>([^<]*)<)?"
)
# A formula not followed by a value: only these few are looked at further.
_FORMULA = re.compile(rb"<f\b[^<>]*?(?:/>|>[^<]*</f\s*>)(?!\s*<v\s*>\s*[^<\s])")
_PREFIXED_FORMULA = re.compile(rb"<[A-Za-z_][\w.-]*:f\b[^<>]*?(?:/>|>[^<]*</[A-Za-z_][\w.-]*:f\s*>)")
_NO_RESULT = re.compile(
    rb"\s*(?:<" + _P + rb"v\s*/>|<" + _P + rb"v\s*>\s*</" + _P + rb"v\s*>)?\s*</" + _P + rb"c\s*>"
)
_CELL_START = re.compile(rb"<" + _P + rb"c\b([^<>]*)>")
# A formula's text; looked for only in pieces where an aggregating function appears at all.
_FORMULA_TEXT = re.compile(rb"<f\b[^<>]*>([^<]{1,4000})</f\s*>")
_PREFIXED_FORMULA_TEXT = re.compile(rb"<[A-Za-z_][\w.-]*:f\b[^<>]*>([^<]{1,4000})</[A-Za-z_][\w.-]*:f\s*>")
_AGGREGATE_HINT = re.compile(rb"(?:SUM|SUBTOTAL|AGGREGATE|AVERAGE|COUNT|MIN|MAX)[A-Z]*\(")
_MIN_MAX = re.compile(rb"\bmin\s*=\s*[\"']([0-9]+)[\"'][^<>]*?\bmax\s*=\s*[\"']([0-9]+)[\"']")
_SHEET_TAG = re.compile(rb"<" + _P + rb"sheet\b([^<>]*)>")
_RELATIONSHIP = re.compile(rb"<" + _P + rb"Relationship\b([^<>]*)>")
_REL_ID = re.compile(rb"\b[\w]+:id=\"([^\"]*)\"")
_ID = re.compile(rb"\bId=\"([^\"]*)\"")
_TARGET = re.compile(rb"\bTarget=\"([^\"]*)\"")
_LAST_COLUMN = 16384  # XFD


@dataclass
class SheetExtras:
    """Facts about one sheet: 1-based row numbers, 0-based column indexes, as Excel shows them."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column index) → "#N/A"
    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # formulas saved without a result
    aggregate_rows: set[int] = field(default_factory=set)  # rows with a formula adding up rows above


def column_index(letters: str) -> int:
    """'A' → 0, 'AA' → 26."""
    return column_number(letters.encode("ascii"))


def sheet_parts(read: Callable[[str], bytes], names: Iterable[str]) -> list[str | None]:
    """The XML part of each sheet in the workbook's order (as calamine lists them); None where unknown.
    `read` returns a part of the package, `names` lists them."""
    present = set(names)
    if "xl/workbook.xml" not in present or "xl/_rels/workbook.xml.rels" not in present:
        return []
    workbook, rels = read("xl/workbook.xml"), read("xl/_rels/workbook.xml.rels")
    targets: dict[bytes, str] = {}
    for match in _RELATIONSHIP.finditer(rels):
        rel_id, target = _ID.search(match.group(1)), _TARGET.search(match.group(1))
        if rel_id and target:
            targets[rel_id.group(1)] = html.unescape(target.group(1).decode("utf-8", "replace"))
    parts: list[str | None] = []
    for match in _SHEET_TAG.finditer(workbook):
        rel = _REL_ID.search(match.group(1))
        part = targets.get(rel.group(1)) if rel else None
        parts.append(_part_name(part) if part else None)
    return parts


def _part_name(target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return normpath(join(dirname("xl/workbook.xml"), target))


def scan_sheet(chunks: Iterable[bytes]) -> SheetExtras:
    """Stream the sheet's XML once and collect what calamine leaves out."""
    extras = SheetExtras()
    hidden_spans: list[tuple[int, int]] = []
    for piece in whole_tags(chunks, after=b"</c>"):
        if b"hidden" in piece:
            _hidden(piece, extras, hidden_spans)
        if b'"e"' in piece or b"'e'" in piece:
            for match in _ERROR_CELL.finditer(piece):
                _error_cell(match, extras)
        if b"<f" in piece:
            for match in _FORMULA.finditer(piece):
                _uncalculated_cell(piece, match.start(), match.end(), extras)
        if b":f" in piece:
            for match in _PREFIXED_FORMULA.finditer(piece):
                _uncalculated_cell(piece, match.start(), match.end(), extras)
        if (b"<f" in piece or b":f" in piece) and _AGGREGATE_HINT.search(piece):
            for pattern in (_FORMULA_TEXT, _PREFIXED_FORMULA_TEXT):
                for match in pattern.finditer(piece):
                    _aggregate_cell(piece, match, extras)
    extras.hidden_columns = _columns_in(hidden_spans)
    return extras


def _hidden(piece: bytes, extras: SheetExtras, hidden_spans: list[tuple[int, int]]) -> None:
    for match in _HIDDEN_ROW.finditer(piece):
        row = attribute(match.group(1), b"r")
        if row is not None and row.isdigit():
            extras.hidden_rows.add(int(row))
    for match in _HIDDEN_COL.finditer(piece):
        bounds = _MIN_MAX.search(match.group(1))
        if bounds:
            first, last = int(bounds.group(1)), min(int(bounds.group(2)), _LAST_COLUMN)
            if 1 <= first <= last:
                hidden_spans.append((first - 1, last))


def _columns_in(spans: list[tuple[int, int]]) -> set[int]:
    """The 0-based columns covered by [first, end) spans, however many spans overlap: one pass each."""
    if not spans:
        return set()
    marks = [0] * (_LAST_COLUMN + 1)
    for first, end in spans:
        marks[first] += 1
        marks[end] -= 1
    covered, depth = set(), 0
    for column in range(_LAST_COLUMN):
        depth += marks[column]
        if depth:
            covered.add(column)
    return covered


def _error_cell(match: re.Match[bytes], extras: SheetExtras) -> None:
    ref = attribute(match.group(1), b"r")
    if ref is None:
        return
    row, column = place(ref)
    value = match.group(2)
    code = value.decode("ascii", "replace").strip() if value else ""
    extras.errors[(row, column)] = code or "#VALUE!"


def _cell_attributes(piece: bytes, start: int) -> bytes | None:
    """The attributes of the cell whose child starts at `start` (None when no cell tag comes before it)."""
    at = piece.rfind(b"<", 0, start)
    cell = _CELL_START.match(piece, at) if at >= 0 else None
    if cell is None or cell.group(1).endswith(b"/"):
        return None
    return cell.group(1)


def _aggregate_cell(piece: bytes, match: re.Match[bytes], extras: SheetExtras) -> None:
    attributes = _cell_attributes(piece, match.start())
    ref = attribute(attributes, b"r") if attributes is not None else None
    if ref is None:
        return
    row, _ = place(ref)
    formula = html.unescape(match.group(1).decode("utf-8", "replace"))
    if aggregates_rows_above(formula, row):
        extras.aggregate_rows.add(row)


def _uncalculated_cell(piece: bytes, start: int, end: int, extras: SheetExtras) -> None:
    """A formula with no value after it: flag its cell when nothing but an empty value follows to </c>."""
    if not _NO_RESULT.match(piece, end):
        return
    attributes = _cell_attributes(piece, start)
    if attributes is None:
        return
    if attribute(attributes, b"t") == b"str":  # a formula whose result is the empty string, as Excel saves it
        return
    ref = attribute(attributes, b"r")
    if ref is not None:
        extras.uncalculated.add(place(ref))
