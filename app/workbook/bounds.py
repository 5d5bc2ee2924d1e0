"""Whether a workbook can be read within the memory its size allows, decided before any reader allocates.

For .xlsx and .xlsm (what calamine reads lazily, sheet by sheet): when the workbook is opened, every part
but the sheets is unpacked and counted (`app.workbook.package`) and the shared strings are measured; each
sheet's span is surveyed (`app.workbook.sheet_span`) just before calamine builds it. The memory the read
needs is estimated from what was found — the box of cells calamine fills, the cells present, the text they
hold — and compared with `limits.memory_budget`, which grows with the file's size.

An .ods is unfolded by calamine, every table at once, when it is opened: its content is surveyed first
(`app.workbook.ods_span`). An .xlsb has its parts unpacked and counted; its binary sheets are not surveyed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.workbook import limits
from app.workbook.errors import SheetTooLarge, WorkbookCorrupt, WorkbookInflated
from app.workbook.ods_span import survey_content
from app.workbook.package import Package
from app.workbook.sheet_span import SheetSpan, SheetUnreadable, survey_sheet, whole_tags
from app.workbook.xlsx_scan import sheet_parts

# What a read holds, in bytes, measured with bench/hostile_files.py --calibrate (peak memory of a read
# against this estimate, about 1.2-1.6x above it): each cell of the box costs calamine's grid (32) and
# the Python rows and columns made from it (2 x 8, not at once); each cell present its Python value and
# calamine's; each byte of text is held by calamine and by Python.
GRID_CELL_BYTES = 48
CELL_BYTES = 80
TEXT_COPIES = 2.5
MARKUP_PER_CELL = 22  # <c r="A1"><v>1</v></c>: the least XML a cell with a value takes
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si\b")
_SHARED_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\b[^<>]*?\bt\s*=\s*[\"']s[\"'][^<>]*>"
    rb"\s*<(?:[A-Za-z_][\w.-]*:)?v\b[^<>]*>\s*([0-9]{1,12})"
)
_SHARED_STRINGS_PART = "xl/sharedStrings.xml"
_NOT_A_SHEET = re.compile(
    r"\[Content_Types\]|docProps/|customXml/|xl/(styles|sharedStrings|workbook|calcChain)\.|xl/theme/", re.I
)
# calamine's .ods reader holds each table twice (values and formulas, 32 + 24 bytes a cell) while it reads,
# and then the box of values, a copy of it for Python and the Python rows.
ODS_AREA_BYTES = 100
ODS_STORED_BYTES = 56
_ODS_CONTENT = "content.xml"


@dataclass(frozen=True)
class SheetCost:
    """A sheet's span and the memory reading it is expected to take."""

    span: SheetSpan
    needed: int


class XlsxBounds:
    """An .xlsx or .xlsm package checked for opening; `check_sheet` before each sheet is built."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.package = Package(path, data)
        self.parts = sheet_parts(self.package.read, self.package.names())
        worksheets = frozenset(part for part in self.parts if part is not None)
        self.package.check_unpacking(skip=worksheets)
        self.budget = limits.memory_budget(len(data))
        self.string_sizes = self._shared_string_sizes()
        self.longest_string = max(self.string_sizes, default=0)
        self.strings_held = int(TEXT_COPIES * sum(self.string_sizes))
        if self.strings_held > self.budget:
            packed = self.package.parts[_SHARED_STRINGS_PART].packed
            raise WorkbookInflated(path, _SHARED_STRINGS_PART, packed, int(self.budget / TEXT_COPIES))

    def _shared_string_sizes(self) -> list[int]:
        """The size of each shared string's XML (its text and a little markup), in order."""
        if _SHARED_STRINGS_PART not in self.package.parts:
            return []
        sizes: list[int] = []
        try:
            pieces = whole_tags(self.package.chunks(_SHARED_STRINGS_PART))
            for number, piece in enumerate(pieces):
                parts = _SHARED_STRING.split(piece)
                if number and sizes:  # the piece continues the string the last piece ended in
                    sizes[-1] += len(parts[0])
                sizes.extend(len(part) for part in parts[1:])
        except SheetUnreadable:
            raise WorkbookCorrupt(self.path) from None
        return sizes

    def check_sheet(self, index: int, name: str) -> SheetCost | None:
        """Survey the sheet at `index` (as calamine numbers them); SheetTooLarge when reading it would take
        more memory than the file's size allows. None when the package holds no XML it could be."""
        part = self.parts[index] if index < len(self.parts) else None
        candidates = [part] if part is not None and part in self.package.parts else self._could_be_sheets()
        costs = [self._cost(candidate) for candidate in candidates]
        if not costs:
            return None
        worst = max(costs, key=lambda cost: cost.needed)
        if worst.needed > self.budget:
            span = worst.span
            spread = span.area * GRID_CELL_BYTES > worst.needed // 2
            raise SheetTooLarge(self.path, name, span.span_text(), span.cells, worst.needed, spread=spread)
        return worst

    def _could_be_sheets(self) -> list[str]:
        """Where a sheet's XML is could not be told from the workbook's relationships (calamine may still
        find it): every part that could hold it is surveyed, and the worst one counts."""
        return [
            name
            for name in self.package.names()
            if name.lower().endswith(".xml") and not _NOT_A_SHEET.match(name)
        ]

    def _cost(self, part: str) -> SheetCost:
        largest_claim = self.budget // GRID_CELL_BYTES
        try:
            span = survey_sheet(lambda: self.package.chunks(part), largest_claim)
            text = self._shared_text(part, span)
        except SheetUnreadable:
            raise WorkbookCorrupt(self.path) from None
        markup = MARKUP_PER_CELL * span.cells
        needed = (
            span.area * GRID_CELL_BYTES
            + span.cells * CELL_BYTES
            + int(TEXT_COPIES * (max(0, span.xml_bytes - markup) + text))
            + self.strings_held
        )
        return SheetCost(span, needed)

    def _shared_text(self, part: str, span: SheetSpan) -> int:
        """The shared strings' text the sheet's cells repeat, each cell holding its own copy once read: an
        upper bound when that is small, else counted cell by cell."""
        upper = span.cells * self.longest_string
        if TEXT_COPIES * upper <= self.budget // 4:
            return upper
        sizes, count, total = self.string_sizes, len(self.string_sizes), 0
        for piece in whole_tags(self.package.chunks(part), after=b"</c>"):
            for index in map(int, _SHARED_CELL.findall(piece)):
                total += sizes[index] if index < count else 0
        return total


def check_ods(path: Path, data: bytes) -> None:
    """WorkbookInflated or SheetTooLarge when the .ods unpacks or unfolds to more than its size allows."""
    package = Package(path, data)
    package.check_unpacking(skip=frozenset({_ODS_CONTENT}))
    if _ODS_CONTENT not in package.parts:
        return  # calamine says what is wrong
    try:
        tables = survey_content(package.chunks(_ODS_CONTENT))
    except SheetUnreadable:
        raise WorkbookCorrupt(path) from None
    costs = [
        (t.area * ODS_AREA_BYTES + t.stored * ODS_STORED_BYTES + int(TEXT_COPIES * t.text), t) for t in tables
    ]
    needed = sum(cost for cost, _ in costs)
    if needed > limits.memory_budget(len(data)):
        cost, worst = max(costs, key=lambda pair: pair[0])
        spread = worst.area * ODS_AREA_BYTES > cost // 2
        raise SheetTooLarge(path, worst.name, worst.span_text(), worst.stored, needed, spread=spread)


def check_package(path: Path, data: bytes) -> None:
    """Unpack and count every part of a package no survey reads (an .xlsb's)."""
    Package(path, data).check_unpacking()
