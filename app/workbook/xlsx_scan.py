"""What calamine does not tell about an .xlsx sheet: hidden rows and columns, error cells, formulas unsaved,
and the rows whose formulas add up the rows above (totals).

One streaming pass over the sheet's XML with byte-level regular expressions: each 1 MB chunk is searched
only for the constructs it can contain (a plain substring test first), so a sheet with none of them costs
little more than unzipping it.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath

from app.domain.totals import aggregates_rows_above

_CHUNK = 1 << 20
# Constructs are small; a match that starts in the last OVERLAP bytes of a chunk is looked for again with the
# next chunk, so nothing is missed or counted twice.
_OVERLAP = 1 << 16

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix: <x:row>, as some writers emit
_HIDDEN_ROW = re.compile(rb"<" + _P + rb"row\b([^>]*?\bhidden=\"(?:1|true)\"[^>]*)>")
_HIDDEN_COL = re.compile(rb"<" + _P + rb"col\b([^>]*?\bhidden=\"(?:1|true)\"[^>]*)>")
_ERROR_CELL = re.compile(rb"<" + _P + rb"c\b([^>]*?\bt=\"e\"[^>]*)(?<!/)>(.*?)</" + _P + rb"c>", re.DOTALL)
_FORMULA_CELL = re.compile(
    rb"<" + _P + rb"c\b([^>]*)(?<!/)>(<" + _P + rb"f\b(?:[^>]*/>|[^>]*>.*?</" + _P + rb"f>))"
    rb"(?:<" + _P + rb"v\s*/>|<" + _P + rb"v>\s*</" + _P + rb"v>)?</" + _P + rb"c>",
    re.DOTALL,
)
# A cell's formula text; looked for only in chunks where an aggregating function appears at all.
_FORMULA_TEXT = re.compile(
    rb"<" + _P + rb"c\b([^>]*)(?<!/)>\s*<" + _P + rb"f\b[^>]*>([^<]{1,4000})</" + _P + rb"f>"
)
_AGGREGATE_HINT = re.compile(rb"(?:SUM|SUBTOTAL|AGGREGATE|AVERAGE|COUNT|MIN|MAX)[A-Z]*\(")
_CELL_REF = re.compile(rb"\br=\"([A-Z]{1,3})([0-9]+)\"")
_ROW_REF = re.compile(rb"\br=\"([0-9]+)\"")
_CELL_TYPE = re.compile(rb"\bt=\"(\w+)\"")
_VALUE = re.compile(rb"<" + _P + rb"v>([^<]*)<")
_MIN_MAX = re.compile(rb"\bmin=\"([0-9]+)\"[^>]*?\bmax=\"([0-9]+)\"")
_SHEET_TAG = re.compile(rb"<" + _P + rb"sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<" + _P + rb"Relationship\b([^>]*)>")
_REL_ID = re.compile(rb"\b[\w]+:id=\"([^\"]*)\"")
_ID = re.compile(rb"\bId=\"([^\"]*)\"")
_TARGET = re.compile(rb"\bTarget=\"([^\"]*)\"")


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
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def sheet_parts(archive: zipfile.ZipFile) -> list[str | None]:
    """The XML part of each sheet in the workbook's order (as calamine lists them); None where unknown."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return []
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


def scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetExtras:
    """Stream the sheet's XML once and collect what calamine leaves out."""
    extras = SheetExtras()
    try:
        stream = archive.open(part)
    except KeyError:
        return extras
    with stream:
        carry = b""
        while True:
            chunk = stream.read(_CHUNK)
            buffer = carry + chunk
            limit = len(buffer) if not chunk else max(0, len(buffer) - _OVERLAP)
            _scan(buffer, limit, extras)
            if not chunk:
                return extras
            carry = buffer[limit:]


def _scan(buffer: bytes, limit: int, extras: SheetExtras) -> None:
    if b"hidden" in buffer:
        _hidden(buffer, limit, extras)
    if b't="e"' in buffer:
        for match in _ERROR_CELL.finditer(buffer):
            if match.start() < limit:
                _error_cell(match, extras)
    if b"<f" in buffer or b":f" in buffer:
        for match in _FORMULA_CELL.finditer(buffer):
            if match.start() < limit:
                _uncalculated_cell(match, extras)
        if _AGGREGATE_HINT.search(buffer):
            for match in _FORMULA_TEXT.finditer(buffer):
                if match.start() < limit:
                    _aggregate_cell(match, extras)


def _hidden(buffer: bytes, limit: int, extras: SheetExtras) -> None:
    for match in _HIDDEN_ROW.finditer(buffer):
        row = _ROW_REF.search(match.group(1))
        if match.start() < limit and row:
            extras.hidden_rows.add(int(row.group(1)))
    for match in _HIDDEN_COL.finditer(buffer):
        bounds = _MIN_MAX.search(match.group(1))
        if match.start() < limit and bounds:
            extras.hidden_columns.update(range(int(bounds.group(1)) - 1, min(int(bounds.group(2)), 16384)))


def _error_cell(match: re.Match[bytes], extras: SheetExtras) -> None:
    ref, value = _CELL_REF.search(match.group(1)), _VALUE.search(match.group(2))
    if ref:
        code = value.group(1).decode("ascii", "replace").strip() if value else "#VALUE!"
        extras.errors[(int(ref.group(2)), column_index(ref.group(1).decode("ascii")))] = code or "#VALUE!"


def _aggregate_cell(match: re.Match[bytes], extras: SheetExtras) -> None:
    ref = _CELL_REF.search(match.group(1))
    if ref is None:
        return
    row = int(ref.group(2))
    formula = html.unescape(match.group(2).decode("utf-8", "replace"))
    if aggregates_rows_above(formula, row):
        extras.aggregate_rows.add(row)


def _uncalculated_cell(match: re.Match[bytes], extras: SheetExtras) -> None:
    attributes = match.group(1)
    kind = _CELL_TYPE.search(attributes)
    if kind and kind.group(1) == b"str":  # a formula whose result is the empty string, as Excel saves it
        return
    ref = _CELL_REF.search(attributes)
    if ref:
        extras.uncalculated.add((int(ref.group(2)), column_index(ref.group(1).decode("ascii"))))
