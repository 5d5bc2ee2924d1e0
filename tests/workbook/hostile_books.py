"""Workbooks built by hand, part by part, to hold what no spreadsheet program writes: the hostile cases.

Each .xlsx is the smallest package calamine and openpyxl accept: content types, relationships, a workbook,
its sheets and, when given, shared strings. The bench (`bench/hostile_files.py`) and the tests use the same
builders, at different sizes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from tests.workbook.book_builders import ods_package

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER_CELLS = (
    '<c r="A1" t="inlineStr"><is><t>Email</t></is></c><c r="B1" t="inlineStr"><is><t>Value</t></is></c>'
)


def content_types(sheets: int, shared_strings: bool) -> str:
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    if shared_strings:
        parts += (
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{parts}</Types>"
    )


def workbook_parts(sheets: int = 1, shared_strings: bool = False) -> dict[str, str]:
    """Every part but the sheets' and the shared strings' XML."""
    tabs = "".join(f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    if shared_strings:
        rels += f'<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    return {
        "[Content_Types].xml": content_types(sheets, shared_strings),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            f"<sheets>{tabs}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>"
        ),
    }


def sheet_xml(cells: str, dimension: str | None = None, after: str = "") -> str:
    """A worksheet whose <sheetData> holds `cells` (rows and cells as XML); `after` follows the data."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{RELS}">{dim}'
        f"<sheetData>{cells}</sheetData>{after}</worksheet>"
    )


def write_xlsx(
    path: Path,
    sheets: list[str | bytes | Iterable[bytes]],
    shared_strings: str | bytes | Iterable[bytes] | None = None,
    level: int = 6,
) -> Path:
    """A package with these sheets' XML (text, bytes, or an iterable of byte chunks for large parts)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in workbook_parts(len(sheets), shared_strings is not None).items():
            archive.writestr(name, text)
        for i, sheet in enumerate(sheets, start=1):
            _write_part(archive, f"xl/worksheets/sheet{i}.xml", sheet)
        if shared_strings is not None:
            _write_part(archive, "xl/sharedStrings.xml", shared_strings)
    return path


def _write_part(archive: zipfile.ZipFile, name: str, content: str | bytes | Iterable[bytes]) -> None:
    if isinstance(content, str | bytes):
        archive.writestr(name, content)
        return
    with archive.open(name, "w", force_zip64=True) as out:
        for chunk in content:
            out.write(chunk)


def far_cell(path: Path, ref: str) -> Path:
    """A header in row 1 and one value at `ref` (XFD1048576: the last cell of a sheet): tiny on disk."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    cells = f'<row r="1">{HEADER_CELLS}</row><row r="{row}"><c r="{ref}"><v>1</v></c></row>'
    return write_xlsx(path, [sheet_xml(cells, f"A1:{ref}")])


def shared_strings_bomb(path: Path, expanded: int, pieces: int = 64) -> Path:
    """A workbook whose shared strings expand to about `expanded` bytes (a few strings of one letter)."""
    size = expanded // pieces

    def chunks() -> Iterator[bytes]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{pieces}">'.encode()
        block = b"a" * (1 << 20)
        for _ in range(pieces):
            yield b"<si><t>"
            left = size
            while left > 0:
                yield block[: min(left, len(block))]
                left -= len(block)
            yield b"</t></si>"
        yield b"</sst>"

    cells = f'<row r="1">{HEADER_CELLS}</row><row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_xlsx(path, [sheet_xml(cells)], chunks(), level=9)


def repeated_string(path: Path, length: int, cells: int) -> Path:
    """One shared string of `length` letters used by `cells` cells: small on disk, huge once each cell
    holds its own copy."""
    strings = f'<sst xmlns="{MAIN}" count="1"><si><t>{"a" * length}</t></si></sst>'

    def rows() -> Iterator[bytes]:
        yield sheet_xml(f'<row r="1">{HEADER_CELLS}</row>').split("</sheetData>")[0].encode()
        for r in range(2, cells + 2):
            yield f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>'.encode()
        yield b"</sheetData></worksheet>"

    return write_xlsx(path, [rows()], strings, level=9)


def unclosed_errors(path: Path, count: int) -> Path:
    """Error cells whose </c> never comes (all at A2): the construct a backtracking pattern scans to the end
    of its buffer for, again for each one."""
    cells = '<c r="A2" t="e">' * count
    return write_xlsx(
        path,
        [f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{HEADER_CELLS}</row><row r="2">{cells}'],
        level=9,
    )


def recipients(path: Path, rows: int, *, formulas: bool, missing_results: Iterable[int] = ()) -> Path:
    """`rows` recipients in five columns; with `formulas`, column E is =C*D with its result saved, except
    in the rows listed in `missing_results` (a formula saved without a result, as some programs write)."""
    missing = set(missing_results)
    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for letter, name in zip("ABCDE", ("Email", "Product", "Value", "Quantity", "Total"), strict=True)
    )

    def chunks() -> Iterator[bytes]:
        yield sheet_xml(f'<row r="1">{header}</row>').split("</sheetData>")[0].encode()
        for r in range(2, rows + 2):
            total = f"<f>C{r}*D{r}</f>" + ("" if r in missing else "<v>25</v>") if formulas else "<v>25</v>"
            yield (
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>p{r}@example.com</t></is></c>'
                f'<c r="B{r}" t="inlineStr"><is><t>CVS</t></is></c><c r="C{r}"><v>25</v></c>'
                f'<c r="D{r}"><v>1</v></c><c r="E{r}">{total}</c></row>'
            ).encode()
        yield b"</sheetData></worksheet>"

    return write_xlsx(path, [chunks()])


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
ODS_HEADER_ROW = (
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Email</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>Value</text:p></table:table-cell></table:table-row>'
)


def write_ods(path: Path, rows: str, table: str = "Recipients") -> Path:
    """An .ods whose one table holds `rows` (table-row elements as XML) after a header row."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{table}">{ODS_HEADER_ROW}{rows}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    return ods_package(path, content)
