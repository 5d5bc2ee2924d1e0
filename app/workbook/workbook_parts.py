"""What an .xlsx holds that openpyxl would not carry into a copy, found by looking at the file's parts.

openpyxl keeps cells, styles, widths, merged cells, formulas, data validation, conditional formatting, tables,
defined names, comments' text and every sheet. It drops drawings (charts, images, shapes), pivot tables,
slicers, macros, form controls, external data connections, threaded comments, dynamic-array metadata and the
extensions newer Excel keeps in a sheet's `extLst` (sparklines, data bars' details, cross-sheet validation).
Anything we do not know is treated as lost too: a write-back refuses rather than drop it silently.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

# Parts openpyxl reads and writes back (or rebuilds, like calcChain.xml), matched on the part's path.
_KEPT = re.compile(
    r"""^(\[Content_Types\]\.xml
    |_rels/\.rels
    |docProps/(app|core|custom)\.xml
    |xl/(workbook|styles|sharedStrings|calcChain)\.xml
    |xl/_rels/workbook\.xml\.rels
    |xl/theme/[^/]+\.xml
    |xl/worksheets/[^/]+\.xml
    |xl/worksheets/_rels/[^/]+\.rels
    |xl/tables/[^/]+\.xml
    |xl/tables/_rels/[^/]+\.rels
    |xl/comments[^/]*\.xml
    |xl/comments/[^/]+\.xml
    |xl/drawings/[^/]+\.vml   # comment boxes; VML's form controls and pictures bring parts refused below
    |xl/drawings/_rels/[^/]+\.vml\.rels
    )$""",
    re.VERBOSE | re.IGNORECASE,
)

# Parts openpyxl drops that hold nothing of the user's content: mentioned, not refused.
_NOTED = (
    (re.compile(r"^xl/printerSettings/", re.I), "printer driver settings (page setup itself is kept)"),
    (re.compile(r"^customXml/", re.I), "document management metadata (customXml, e.g. from SharePoint)"),
    (re.compile(r"^docProps/thumbnail\.", re.I), "the preview picture shown in file browsers"),
)

# Parts that hold content openpyxl would lose, in words a user knows.
_LOST = (
    (re.compile(r"^xl/charts/|^xl/chartsheets/", re.I), "charts"),
    (re.compile(r"^xl/media/", re.I), "images"),
    (
        re.compile(r"^xl/drawings/(?!.*\.vml(\.rels)?$)", re.I),
        "drawings (shapes, text boxes, images)",
    ),
    (re.compile(r"^xl/pivotTables/|^xl/pivotCache/", re.I), "pivot tables"),
    (re.compile(r"^xl/vbaProject|^xl/vbaData", re.I), "macros (VBA)"),
    (re.compile(r"^xl/externalLinks/", re.I), "links to other workbooks"),
    (re.compile(r"^xl/slicers/|^xl/slicerCaches/", re.I), "slicers"),
    (re.compile(r"^xl/timelines/|^xl/timelineCaches/", re.I), "timelines"),
    (re.compile(r"^xl/threadedComments/|^xl/persons/", re.I), "threaded comments (their replies)"),
    (re.compile(r"^xl/activeX/|^xl/ctrlProps/", re.I), "form controls"),
    (re.compile(r"^xl/embeddings/", re.I), "embedded objects"),
    (re.compile(r"^xl/connections\.xml|^xl/queryTables/|^xl/model/", re.I), "data connections and queries"),
    (re.compile(r"^xl/metadata\.xml", re.I), "dynamic array formulas (formulas that spill)"),
    (re.compile(r"^xl/richData/", re.I), "pictures or data types in cells"),
    (re.compile(r"^xl/webextensions/", re.I), "Office add-in data"),
)

# Markers inside a worksheet's XML (after its cell data) of content openpyxl drops.
_SHEET_MARKERS = (
    (b"sparklineGroup", "sparklines"),
    (
        b"x14:conditionalFormatting",
        "conditional formatting only newer Excel understands (data bar or icon details)",
    ),
    (b"x14:dataValidation", "data validation that refers to other sheets (Excel 2010 form)"),
    (b"slicerList", "slicers"),
    (b"timelineRef", "timelines"),
    (b"<controls", "form controls"),
    (b"<oleObjects", "embedded objects"),
    (b"<legacyDrawingHF", "pictures in headers or footers"),
)


@dataclass
class PartsReport:
    """What a copy would lose (`lost`: refuse) and what it would leave out that is not content (`notes`)."""

    lost: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_lost(self, what: str) -> None:
        if what not in self.lost:
            self.lost.append(what)

    def add_note(self, what: str) -> None:
        if what not in self.notes:
            self.notes.append(what)


def inspect_parts(archive: zipfile.ZipFile) -> PartsReport:
    """Look at every part of the package; anything neither known-kept nor known-harmless counts as lost."""
    report = PartsReport()
    for name in archive.namelist():
        if name.endswith("/"):
            continue
        _classify(name, report)
        if re.match(r"^xl/worksheets/[^/]+\.xml$", name, re.I):
            for what in _sheet_extras(archive.read(name)):
                report.add_lost(what)
    if any(name.lower().startswith("xl/comments") for name in archive.namelist()):
        report.add_note("comments keep their text and author, not their box size or formatting")
    return report


def _classify(name: str, report: PartsReport) -> None:
    for pattern, what in _LOST:
        if pattern.match(name):
            report.add_lost(what)
            return
    for pattern, what in _NOTED:
        if pattern.match(name):
            report.add_note(what)
            return
    if not _KEPT.match(name):
        report.add_lost(f"other content openpyxl does not copy ({name})")


def _sheet_extras(xml: bytes) -> list[str]:
    # The markers live after the cell data; searching only the tail keeps a 100,000-row sheet cheap.
    end_of_cells = xml.rfind(b"</sheetData>")
    tail = xml[end_of_cells:] if end_of_cells >= 0 else xml
    return [what for marker, what in _SHEET_MARKERS if marker in tail]
