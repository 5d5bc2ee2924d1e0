"""Workbooks for the reader tests, built in the test's own folder: .xlsx by xlsxwriter, .ods by hand."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile
from xlsxwriter.worksheet import Worksheet

Rows = Sequence[Sequence[Any]]
HEADER = ["First Name", "Email", "Product", "Value"]
ROWS = [
    ["Ana", "ana@example.com", "CVS", 25],
    ["Bo", "bo@example.org", "COFFEE", 10],
]


def write_rows(sheet: Worksheet, rows: Rows, first_row: int = 0, date_format: Any = None) -> None:
    """Write rows from `first_row` (0-based); None leaves a cell empty; dates get a date format."""
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date | datetime):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write(r, c, value)


def xlsx(
    path: Path,
    rows: Rows,
    *,
    sheet: str = "Recipients",
    first_row: int = 0,
    setup: Callable[[xlsxwriter.Workbook, Worksheet], None] | None = None,
) -> Path:
    """One sheet holding `rows` from 0-based row `first_row`; `setup` adds the rest (merges, hidden rows)."""
    book = xlsxwriter.Workbook(str(path))
    worksheet = book.add_worksheet(sheet)
    write_rows(worksheet, rows, first_row, book.add_format({"num_format": "yyyy-mm-dd"}))
    if setup is not None:
        setup(book, worksheet)
    book.close()
    return path


def encrypt(plain: Path, target: Path, password: str) -> Path:
    """Encrypt a workbook as Excel's File › Protect › Encrypt with Password does."""
    with plain.open("rb") as source, target.open("wb") as out:
        OOXMLFile(source).encrypt(password, out)
    return target


def ods(path: Path, rows: Rows, *, sheet: str = "Recipients") -> Path:
    """A minimal OpenDocument spreadsheet written by hand (odfpy is not installed): text, numbers, dates."""
    body = "".join(_ods_row(row) for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    return ods_package(path, content)


def ods_package(path: Path, content: str) -> Path:
    """An .ods package around this content.xml."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())
    return path


def _ods_row(row: Sequence[Any]) -> str:
    cells = []
    for value in row:
        if value is None:
            cells.append("<table:table-cell/>")
        elif isinstance(value, bool):
            raise TypeError("no booleans in these fixtures")
        elif isinstance(value, int | float):
            cells.append(
                f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
                "</table:table-cell>"
            )
        elif isinstance(value, date):
            cells.append(
                f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>"
            )
        else:
            cells.append(
                f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
                "</table:table-cell>"
            )
    return "<table:table-row>" + "".join(cells) + "</table:table-row>"


def values(record: Any) -> dict[str, Any]:
    """A record's mapped values by field name, for short asserts."""
    return {fld.value: cell.value for fld, cell in record.cells.items()}
