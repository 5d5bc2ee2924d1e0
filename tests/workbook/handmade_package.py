"""A minimal .xlsx written part by part, for the shapes of sheet XML that no Python writer produces.

Excel, LibreOffice and other generators write things openpyxl and xlsxwriter never do: prefixed
SpreadsheetML (`<x:row>`), omitted `r` attributes, shared formulas with a calculation chain, the 1904 date
system, comments inside the cell data. `package()` puts such a sheet into a valid workbook.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/></font><font><b/><sz val="11"/></font>'
    '</fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
    'patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" '
    'fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" '
    'xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
    'builtinId="0"/></cellStyles></styleSheet>'
)


def worksheet(body: str, prefix: str = "", namespace: str = MAIN, head: str = "") -> str:
    """A worksheet part: `head` before the cells, `body` the rows (or the whole sheetData when it starts
    with '<'), with SpreadsheetML under `prefix` ("x:") or as the default namespace."""
    p = prefix
    declaration = f'xmlns:{p[:-1]}="{namespace}"' if p else f'xmlns="{namespace}"'
    data = body if body.startswith(f"<{p}sheetData") else f"<{p}sheetData>{body}</{p}sheetData>"
    root = f'<{p}worksheet {declaration} xmlns:r="{REL}">'
    return f'<?xml version="1.0" encoding="UTF-8"?>{root}{head}{data}</{p}worksheet>'


def package(
    path: Path,
    sheet: str,
    *,
    styles: str | None = STYLES,
    workbook_extra: str = "",
    prefix: str = "",
    namespace: str = MAIN,
    extra_parts: dict[str, str] | None = None,
    sheet_compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Write a one-sheet workbook ("Staff") holding the worksheet XML `sheet`."""
    p = prefix
    declaration = f'xmlns:{p[:-1]}="{namespace}"' if p else f'xmlns="{namespace}"'
    parts: dict[str, str] = {
        "[Content_Types].xml": (
            f'<Types xmlns="{_TYPES}"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
            + (
                f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET_TYPE}.styles+xml"/>'
                if styles
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<{p}workbook {declaration} xmlns:r="{REL}">{workbook_extra}<{p}sheets><{p}sheet name="Staff" '
            f'sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" Type="{REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            + (f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>' if styles else "")
            + "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if styles:
        parts["xl/styles.xml"] = styles
    parts.update(extra_parts or {})
    if "xl/calcChain.xml" in parts:  # Excel finds the calculation chain through the workbook's relationships
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            "</Relationships>",
            f'<Relationship Id="rId9" Type="{REL}/calcChain" Target="calcChain.xml"/></Relationships>',
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            "</Types>",
            f'<Override PartName="/xl/calcChain.xml" ContentType="{_SHEET_TYPE}.calcChain+xml"/></Types>',
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            method = sheet_compression if name == "xl/worksheets/sheet1.xml" else zipfile.ZIP_DEFLATED
            archive.writestr(name, text.encode("utf-8"), compress_type=method)
    return path


def sheet_xml(path: Path, part: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(part).decode("utf-8")
