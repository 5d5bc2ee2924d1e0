"""A workbook holding what people put in theirs, for the write-back's tests: built in the test's folder.

xlsxwriter writes the sheets, a chart, pictures (one in the page header), a table over the data, data
validation, conditional formatting, a comment, rich text, an array formula, defined names and, for .xlsm, a
VBA project. A pivot table and a link to another workbook (which no Python writer makes) are then added to
the package as Excel stores them.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import xlsxwriter

from app.domain.outcomes import SheetColumn, SheetLayout

FAKE_VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # an OLE-looking blob; never run
HEADERS = ("Name", "Email", "Product", "Amount", "Start date", "Note", "Double")
DATA_SHEET = "Staff"
HEADER_ROW = 3
LAYOUT = SheetLayout(
    DATA_SHEET, HEADER_ROW, tuple(SheetColumn(chr(65 + i), h) for i, h in enumerate(HEADERS))
)
PEOPLE = (
    ("Ana Lima", "ana@example.com", "CVS", 25, "thanks"),
    ("Ben Ode", "ben@example.com", "AMZ", 50, "=not a formula"),
    ("Cy Dee", "cy@example.com", "EUR1", 20, ""),
    ("Dee Eff", "dee@example.com", "CVS", 25, "great year"),
)
FIRST_DATA_ROW = HEADER_ROW + 1
LAST_DATA_ROW = HEADER_ROW + len(PEOPLE)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def png() -> bytes:
    """A 2×2 PNG: a logo for the header and the sheet."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\0\0\0\xff\0" + b"\0\0\0\xff\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def build_rich_workbook(path: Path) -> Path:
    """The workbook at `path` (.xlsx, or .xlsm with macros); the data sheet is the second of three."""
    _write_sheets(path)
    add_pivot_table_and_external_link(path)
    return path


def _write_sheets(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    cover = book.add_worksheet("Cover")
    staff = book.add_worksheet(DATA_SHEET)
    lists = book.add_worksheet("Lists")
    title = book.add_format({"bold": True, "font_size": 16})
    header = book.add_format({"bold": True, "bg_color": "#4472C4", "font_color": "#FFFFFF"})
    money = book.add_format({"num_format": '"$"#,##0.00'})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    bold = book.add_format({"bold": True})

    cover.write("A1", "Year-end rewards", title)
    cover.write("A2", "Budget")
    cover.write_number("B2", 120)
    cover.write_array_formula("B3:B3", "{=SUM(Staff!D4:D7*1)}", None, 120)
    cover.insert_image("D2", "logo.png", {"image_data": io.BytesIO(png())})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "Amount", "values": f"={DATA_SHEET}!$D${FIRST_DATA_ROW}:$D${LAST_DATA_ROW}"})
    cover.insert_chart("D8", chart)

    staff.merge_range("A1:F1", "Year-end rewards 2026", title)
    staff.set_column("A:B", 22)
    staff.set_header("&L&G&CRewards", {"image_left": "logo.png", "image_data_left": io.BytesIO(png())})
    staff.add_table(
        HEADER_ROW - 1,
        0,
        LAST_DATA_ROW - 1,
        len(HEADERS) - 1,
        {"name": "Rewards", "columns": [{"header": h, "header_format": header} for h in HEADERS]},
    )
    for offset, (name, email, product, amount, note) in enumerate(PEOPLE):
        row = FIRST_DATA_ROW - 1 + offset
        staff.write_string(row, 0, name)
        staff.write_string(row, 1, email)
        staff.write_string(row, 2, product)
        staff.write_number(row, 3, amount, money)
        staff.write_datetime(row, 4, date(2024, 1 + offset, 1), day)
        if note.startswith("="):
            staff.write_string(row, 5, note)
        elif note:
            staff.write_rich_string(row, 5, bold, note[:3], note[3:])
        staff.write_formula(row, 6, f"=D{row + 1}*2", None, amount * 2)
    staff.write_comment("B3", "Work email only", {"author": "HR"})
    staff.data_validation(f"C{FIRST_DATA_ROW}:C100", {"validate": "list", "source": ["CVS", "AMZ", "EUR1"]})
    staff.conditional_format(
        f"D{FIRST_DATA_ROW}:D100", {"type": "cell", "criteria": ">", "value": 30, "format": bold}
    )
    staff.insert_image("J2", "logo.png", {"image_data": io.BytesIO(png())})
    staff.freeze_panes(HEADER_ROW, 0)

    lists.write_row(0, 0, ["Team", "Amount"])
    lists.write_row(1, 0, ["Ops", 100])
    lists.write_row(2, 0, ["HR", 200])
    lists.hide()
    book.define_name("Owner", "=Cover!$A$1")
    book.define_name("Staff!Local", f"=Staff!$A${FIRST_DATA_ROW}")
    if path.suffix == ".xlsm":
        book.add_vba_project(io.BytesIO(FAKE_VBA), is_stream=True)
    book.close()


def add_pivot_table_and_external_link(path: Path) -> None:
    """A pivot table on "Lists" over its own cells, and a defined name that reads another workbook."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/pivotCache/pivotCacheDefinition1.xml"] = _PIVOT_CACHE.encode()
    parts["xl/pivotCache/pivotCacheRecords1.xml"] = _PIVOT_RECORDS.encode()
    parts["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = _rels(
        ("rId1", "pivotCacheRecords", "pivotCacheRecords1.xml", False)
    )
    parts["xl/pivotTables/pivotTable1.xml"] = _PIVOT_TABLE.encode()
    parts["xl/pivotTables/_rels/pivotTable1.xml.rels"] = _rels(
        ("rId1", "pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml", False)
    )
    parts["xl/worksheets/_rels/sheet3.xml.rels"] = _rels(
        ("rId1", "pivotTable", "../pivotTables/pivotTable1.xml", False)
    )
    parts["xl/externalLinks/externalLink1.xml"] = _EXTERNAL_LINK.encode()
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = _rels(
        ("rId1", "externalLinkPath", "Budget%202026.xlsx", True)
    )
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdP1" Type="{_REL}/pivotCacheDefinition" '
        'Target="pivotCache/pivotCacheDefinition1.xml"/>'
        f'<Relationship Id="rIdE1" Type="{_REL}/externalLink" Target="externalLinks/externalLink1.xml"/>'
        "</Relationships>",
    )
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    workbook = parts["xl/workbook.xml"].decode()
    workbook = workbook.replace(
        "</sheets>", '</sheets><externalReferences><externalReference r:id="rIdE1"/></externalReferences>'
    )
    workbook = re.sub(
        r"(<definedNames>)", r'\1<definedName name="Rate">[1]Rates!$A$1</definedName>', workbook, count=1
    )
    workbook = workbook.replace(
        "</workbook>", '<pivotCaches><pivotCache cacheId="1" r:id="rIdP1"/></pivotCaches></workbook>'
    )
    parts["xl/workbook.xml"] = workbook.encode()
    types = parts["[Content_Types].xml"].decode()
    overrides = {
        "/xl/pivotCache/pivotCacheDefinition1.xml": "pivotCacheDefinition",
        "/xl/pivotCache/pivotCacheRecords1.xml": "pivotCacheRecords",
        "/xl/pivotTables/pivotTable1.xml": "pivotTable",
        "/xl/externalLinks/externalLink1.xml": "externalLink",
    }
    added = "".join(
        f'<Override PartName="{name}" ContentType="{_TYPE}.{kind}+xml"/>' for name, kind in overrides.items()
    )
    parts["[Content_Types].xml"] = types.replace("</Types>", added + "</Types>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            # Pictures stay stored uncompressed, as Excel does: the copy must keep each member's method.
            method = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)


def _rels(*relationships: tuple[str, str, str, bool]) -> bytes:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{_REL}/{kind}" Target="{target}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for rid, kind, target, external in relationships
    )
    root = f'<Relationships xmlns="{_PACKAGE_REL}">'
    return f'<?xml version="1.0" encoding="UTF-8"?>{root}{body}</Relationships>'.encode()


_PIVOT_CACHE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheDefinition xmlns="{_MAIN}" xmlns:r="{_REL}" r:id="rId1" refreshOnLoad="1" recordCount="2">\
<cacheSource type="worksheet"><worksheetSource ref="A1:B3" sheet="Lists"/></cacheSource>\
<cacheFields count="2"><cacheField name="Team" numFmtId="0"><sharedItems count="2"><s v="Ops"/><s v="HR"/>\
</sharedItems></cacheField><cacheField name="Amount" numFmtId="0"><sharedItems containsSemiMixedTypes="0" \
containsString="0" containsNumber="1" containsInteger="1" minValue="100" maxValue="200"/></cacheField>\
</cacheFields></pivotCacheDefinition>"""

_PIVOT_RECORDS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotCacheRecords xmlns="{_MAIN}" count="2"><r><x v="0"/><n v="100"/></r><r><x v="1"/><n v="200"/></r>\
</pivotCacheRecords>"""

_PIVOT_TABLE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<pivotTableDefinition xmlns="{_MAIN}" name="TeamTotals" cacheId="1" dataCaption="Values" \
updatedVersion="6" minRefreshableVersion="3" createdVersion="6" useAutoFormatting="1" itemPrintTitles="1" \
indent="0" outline="1" outlineData="1"><location ref="D1:E4" firstHeaderRow="1" firstDataRow="1" \
firstDataCol="1"/><pivotFields count="2"><pivotField axis="axisRow" showAll="0"><items count="3">\
<item x="0"/><item x="1"/><item t="default"/></items></pivotField><pivotField dataField="1" showAll="0"/>\
</pivotFields><rowFields count="1"><field x="0"/></rowFields><rowItems count="3"><i><x/></i><i><x v="1"/>\
</i><i t="grand"><x/></i></rowItems><colItems count="1"><i/></colItems><dataFields count="1">\
<dataField name="Sum of Amount" fld="1" baseField="0" baseItem="0"/></dataFields></pivotTableDefinition>"""

_EXTERNAL_LINK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<externalLink xmlns="{_MAIN}" xmlns:r="{_REL}"><externalBook r:id="rId1"><sheetNames><sheetName val="Rates"/>\
</sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>1.5</v></cell></row></sheetData>\
</sheetDataSet></externalBook></externalLink>"""
