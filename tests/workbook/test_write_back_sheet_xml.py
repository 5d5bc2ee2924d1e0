"""Write-back into sheets as other programs write them: prefixes, gaps, formulas shared between cells, …

Each sheet is written by hand (tests/workbook/handmade_package.py); the copy is checked in its XML, and read
back with openpyxl and python-calamine.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter

from app.domain.outcomes import SheetColumn, SheetLayout
from app.domain.records import CellError
from app.workbook.export_results import result_headers, result_values
from app.workbook.write_back import WriteBackNotPossible, write_back
from app.workbook.xlsx_xml import column_letters
from tests.workbook.export_helpers import HOSTILE, SUBMITTED, completed_link_row, failed_row, sample_report
from tests.workbook.handmade_package import MAIN, STRICT, STYLES, package, sheet_xml, worksheet
from tests.workbook.libreoffice import libreoffice_sheet, needs_libreoffice

LAYOUT = SheetLayout("Staff", 1, (SheetColumn("A", "Name"), SheetColumn("B", "Email")))
STATUS = 3  # column C: the first free one right of Name and Email
HEADERS = result_headers(with_secrets=False)
AT = {header: offset for offset, header in enumerate(HEADERS)}  # a result's column, from Status
LAST = STATUS + len(HEADERS) - 1


def text_cell(ref: str, text: str, prefix: str = "") -> str:
    p = prefix
    return f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{text}</{p}t></{p}is></{p}c>'


def header_row(prefix: str = "") -> str:
    p = prefix
    return f'<{p}row r="1">{text_cell("A1", "Name", p)}{text_cell("B1", "Email", p)}</{p}row>'


def person_row(number: int, prefix: str = "", extra: str = "", attributes: str = "") -> str:
    p = prefix
    cells = text_cell(f"A{number}", f"Person {number}", p) + text_cell(
        f"B{number}", f"p{number}@example.com", p
    )
    return f'<{p}row r="{number}"{attributes}>{cells}{extra}</{p}row>'


def report(*rows: int, layout: SheetLayout = LAYOUT, **changes: object):  # type: ignore[no-untyped-def]
    outcomes = [replace(completed_link_row(row), **changes) for row in rows]  # type: ignore[arg-type]
    return sample_report(outcomes, sheets=[layout])


def values(path: Path) -> list[list[object]]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Staff").to_python()


def prefixed(xml: str, prefix: str) -> str:
    """The same SpreadsheetML with every element under `prefix` ("x:") instead of the default namespace."""
    xml = re.sub(r"<(/?)([A-Za-z])", rf"<\1{prefix}\2", xml)
    return xml.replace(f'xmlns="{MAIN}"', f'xmlns:{prefix[:-1]}="{MAIN}"')


def test_a_sheet_in_prefixed_spreadsheetml_gets_its_results_in_the_same_prefix(tmp_path: Path) -> None:
    rows = header_row("x:") + person_row(2, "x:") + person_row(3, "x:")
    source = package(
        tmp_path / "x.xlsx", worksheet(rows, prefix="x:"), prefix="x:", styles=prefixed(STYLES, "x:")
    )

    out = write_back(source, report(2, 3)).path

    xml = sheet_xml(out)
    assert '<x:c r="C1" t="inlineStr"><x:is><x:t>Status</x:t></x:is></x:c>' in xml
    assert '<x:c r="C2" t="inlineStr"><x:is><x:t>Completed</x:t></x:is></x:c>' in xml
    assert not re.search(r"<(c|row|is|t|v|col|cols)[ >]", xml)
    with zipfile.ZipFile(out) as archive:
        assert b"<x:numFmt " in archive.read("xl/styles.xml")
    sheet = openpyxl.load_workbook(out)["Staff"]
    assert [sheet.cell(r, STATUS).value for r in (1, 2, 3)] == ["Status", "Completed", "Completed"]
    assert sheet.cell(2, STATUS + AT["Submitted At"]).value == SUBMITTED.replace(tzinfo=None)


def test_strict_open_xml_is_refused_with_how_to_save_it(tmp_path: Path) -> None:
    rows = header_row() + person_row(2)
    source = package(tmp_path / "strict.xlsx", worksheet(rows, namespace=STRICT), namespace=STRICT)

    with pytest.raises(WriteBackNotPossible, match="Strict Open XML") as refused:
        write_back(source, report(2))
    assert "Excel Workbook (*.xlsx)" in refused.value.message and "results workbook" in refused.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["strict.xlsx"]


def test_rows_the_sheet_leaves_out_are_added_in_their_place(tmp_path: Path) -> None:
    rows = header_row() + person_row(2) + person_row(5)  # rows 3 and 4 are empty, so the file has none
    source = package(tmp_path / "gaps.xlsx", worksheet(rows))

    out = write_back(source, report(2, 4, 5, 9)).path

    numbers = [int(n) for n in re.findall(r'<row r="(\d+)"', sheet_xml(out))]
    assert numbers == [1, 2, 4, 5, 9]
    grid = values(out)
    assert [grid[r - 1][STATUS - 1] for r in (2, 4, 5, 9)] == ["Completed"] * 4
    assert grid[2][STATUS - 1] == "" and grid[3][0] == ""


def test_results_go_right_of_every_cell_with_a_value_and_cells_stay_in_column_order(tmp_path: Path) -> None:
    note = '<c r="E3" t="inlineStr"><is><t>ask Ben</t></is></c>'  # a value outside the table, far right
    blank = '<c r="F2" s="1"/>'  # a formatted empty cell where a result goes
    beyond = '<c r="Z2" s="1"/>'  # and one well past the results
    rows = header_row() + person_row(2, extra=blank + beyond) + person_row(3, extra=note)
    source = package(tmp_path / "wide.xlsx", worksheet(rows))

    out = write_back(source, report(2, 3)).path

    row_two = re.search(r'<row r="2".*?</row>', sheet_xml(out)).group()  # type: ignore[union-attr]
    columns = re.findall(r'<c r="([A-Z]+)2"', row_two)
    # From F: the results (over the blank), none where a completed row has no value; Z stays last.
    present = [i for i, value in enumerate(result_values(completed_link_row(2), False)) if value is not None]
    assert columns == ["A", "B", *(column_letters(6 + i) for i in present), "Z"]
    assert "F" in columns and column_letters(6 + AT["Failure Reason"]) not in columns
    assert '<c r="Z2" s="1"/>' in row_two and '<c r="F2" s="1"/>' not in row_two
    grid = values(out)
    assert grid[0][5:8] == ["Status", "Order Id", "PONumber"]
    assert grid[2][4] == "ask Ben" and grid[2][5] == "Completed"


def test_rows_and_cells_without_a_reference_are_placed_as_excel_counts_them(tmp_path: Path) -> None:
    cells = (
        '<c t="inlineStr"><is><t>Person {n}</t></is></c><c t="inlineStr"><is><t>p{n}@example.com</t></is></c>'
    )
    rows = header_row() + "".join(f"<row>{cells.format(n=n)}</row >" for n in (2, 3))  # a space is allowed
    source = package(tmp_path / "implicit.xlsx", worksheet(rows))

    out = write_back(source, report(2, 3)).path

    grid = values(out)
    assert [row[:3] for row in grid[:3]] == [
        ["Name", "Email", "Status"],
        ["Person 2", "p2@example.com", "Completed"],
        ["Person 3", "p3@example.com", "Completed"],
    ]


def test_an_edit_over_a_shared_formula_gives_the_other_cells_their_own_and_leaves_the_chain_valid(
    tmp_path: Path,
) -> None:
    def row(n: int, formula: str) -> str:
        cells = text_cell(f"A{n}", f"Person {n}") + f'<c r="B{n}"><v>{n}</v></c>'
        return f'<row r="{n}">{cells}<c r="C{n}">{formula}<v>{n * 2}</v></c></row>'

    header = header_row().replace("</row>", text_cell("C1", "Double") + "</row>")
    rows = (
        header
        + row(2, '<f t="shared" ref="C2:C4" si="0">B2*2</f>')
        + row(3, '<f t="shared" si="0"/>')
        + row(4, '<f t="shared" si="0"/>')
    )
    chain = f'<calcChain xmlns="{MAIN}"><c r="C2" i="1"/><c r="C3"/><c r="C4"/><c r="A9" i="2"/></calcChain>'
    source = package(
        tmp_path / "shared.xlsx",
        worksheet(rows),
        extra_parts={"xl/calcChain.xml": chain},
    )
    layout = SheetLayout("Staff", 1, (*LAYOUT.columns, SheetColumn("C", "Double")))
    edited = report(2, 3, 4, layout=layout)
    edited.outcomes[0].values["Double"] = 7
    edited.outcomes[0].edited = frozenset({"Double"})

    out = write_back(source, edited).path

    sheet = openpyxl.load_workbook(out)["Staff"]
    assert [sheet[f"C{n}"].value for n in (2, 3, 4)] == [7, "=B3*2", "=B4*2"]
    assert sheet["D1"].value == "Status"
    with zipfile.ZipFile(out) as archive:
        assert archive.read("xl/calcChain.xml").decode() == (
            f'<calcChain xmlns="{MAIN}"><c r="C3" i="1"/><c r="C4"/><c r="A9" i="2"/></calcChain>'
        )


EDITS = (
    date(2024, 2, 29),
    True,
    time(9, 30),
    date(1899, 12, 1),  # before Excel's first day: kept as text
    float("inf"),
    CellError("#N/A"),
    12.5,
    None,
)


def test_grid_edits_of_every_kind_go_in_with_the_cells_own_format(tmp_path: Path) -> None:
    def bold_name(n: int) -> str:
        cells = f'<c r="A{n}" s="1" t="inlineStr"><is><t>Person {n}</t></is></c>' + text_cell(f"B{n}", "x")
        return f'<row r="{n}">{cells}</row>'

    numbers = range(2, 2 + len(EDITS))
    source = package(tmp_path / "edits.xlsx", worksheet(header_row() + "".join(map(bold_name, numbers))))
    edited = report(*numbers)
    for outcome, value in zip(edited.outcomes, EDITS, strict=True):
        outcome.values["Name"] = value
        outcome.edited = frozenset({"Name"})

    out = write_back(source, edited).path

    sheet = openpyxl.load_workbook(out)["Staff"]
    cells = [sheet[f"A{n}"] for n in numbers]
    assert [cell.value for cell in cells] == [
        datetime(2024, 2, 29),
        True,
        time(9, 30),
        "1899-12-01",
        "inf",
        "#N/A",
        12.5,
        None,
    ]
    assert [cells[0].number_format, cells[2].number_format] == ["yyyy-mm-dd", "hh:mm:ss"]
    assert all(cell.font.b for cell in cells)  # their bold name cells stay bold
    assert [sheet.cell(n, STATUS).value for n in numbers] == ["Completed"] * len(EDITS)


def test_their_array_formulas_rich_text_and_spaces_are_copied_as_they_were(tmp_path: Path) -> None:
    rich = (
        '<c r="B2" t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">  Bold </t></r>'
        "<r><t>plain</t></r></is></c>"
    )
    array = '<c r="A3"><f t="array" ref="A3:B3">{1,2}</f><v>1</v></c><c r="B3"><v>2</v></c>'
    rows = header_row() + f'<row r="2">{text_cell("A2", "Person 2")}{rich}</row><row r="3">{array}</row>'
    source = package(tmp_path / "kept.xlsx", worksheet(rows))

    out = write_back(source, report(2, 3)).path

    xml = sheet_xml(out)
    assert rich in xml and array in xml
    assert values(out)[1][1] == "  Bold plain"


def test_comments_and_cdata_inside_the_cells_do_not_confuse_the_copy(tmp_path: Path) -> None:
    odd = '<c r="A2" t="inlineStr"><is><t><![CDATA[a </row> <b>]]></t></is></c><!-- </row> -->'
    rows = header_row() + f'<row r="2">{odd}{text_cell("B2", "p2@example.com")}</row>' + person_row(3)
    source = package(tmp_path / "odd.xlsx", worksheet(rows))

    out = write_back(source, report(2, 3)).path

    grid = values(out)
    assert grid[1][:3] == ["a </row> <b>", "p2@example.com", "Completed"]
    assert grid[2][STATUS - 1] == "Completed"


def test_times_follow_the_1904_date_system_when_the_workbook_uses_it(tmp_path: Path) -> None:
    rows = header_row() + person_row(2)
    source = package(tmp_path / "mac.xlsx", worksheet(rows), workbook_extra='<workbookPr date1904="1"/>')

    out = write_back(source, report(2)).path

    column = STATUS + AT["Submitted At"]
    assert openpyxl.load_workbook(out)["Staff"].cell(2, column).value == SUBMITTED.replace(tzinfo=None)
    pattern = rf'<c r="{column_letters(column)}2" s="\d+"><v>([\d.]+)</v>'
    serial = re.search(pattern, sheet_xml(out)).group(1)  # type: ignore[union-attr]
    assert float(serial) == pytest.approx(
        (datetime(2026, 11, 20, 9, 30) - datetime(1904, 1, 1)).total_seconds() / 86400
    )


def test_dimension_widths_and_filter_take_in_the_result_columns(tmp_path: Path) -> None:
    head = (
        '<dimension ref="A1:B3"/><cols><col min="1" max="2" width="30" customWidth="1"/>'
        '<col min="20" max="20" width="5" customWidth="1"/></cols>'
    )
    tail = (
        '<autoFilter ref="A1:B3"/><customSheetViews><customSheetView guid="{00000000-0000-0000-0000-000000000001}">'
        '<autoFilter ref="A1:B3"/></customSheetView></customSheetViews>'
    )
    rows = header_row() + person_row(2, attributes=' spans="1:2"') + person_row(3)
    xml = worksheet(rows, head=head).replace("</sheetData>", "</sheetData>" + tail)
    source = package(tmp_path / "filtered.xlsx", xml)

    out = write_back(source, report(2, 3)).path

    written = sheet_xml(out)
    last = column_letters(LAST)
    assert f'<dimension ref="A1:{last}3"/>' in written
    assert f'<row r="2" spans="1:{LAST}">' in written
    widths = [(int(a), int(b)) for a, b in re.findall(r'<col min="(\d+)" max="(\d+)"', written)]
    assert widths == [(1, 2), *((c, c) for c in range(STATUS, LAST + 1)), (20, 20)]
    filters = (f'<autoFilter ref="A1:{last}3"/>', '<autoFilter ref="A1:B3"/>')
    assert [written.count(tag) for tag in filters] == [1, 1]  # the sheet's widened, the custom view's not
    sheet = openpyxl.load_workbook(out)["Staff"]
    assert sheet.column_dimensions["C"].width == 12
    assert sheet.column_dimensions[column_letters(STATUS + AT["Submitted At"])].width == 19


def test_results_show_where_the_columns_right_of_the_table_are_hidden(tmp_path: Path) -> None:
    head = (
        '<cols><col min="1" max="2" width="30" customWidth="1"/><col min="3" max="16384" hidden="1"/></cols>'
    )
    source = package(tmp_path / "tidy.xlsx", worksheet(header_row() + person_row(2), head=head))

    out = write_back(source, report(2)).path

    cols = re.search(r"<cols>(.*)</cols>", sheet_xml(out)).group(1)  # type: ignore[union-attr]
    assert cols.startswith('<col min="1" max="2" width="30" customWidth="1"/><col min="3" max="3" width="12"')
    assert cols.endswith(f'<col min="{LAST + 1}" max="16384" hidden="1"/>')
    sheet = openpyxl.load_workbook(out)["Staff"]
    assert (
        not sheet.column_dimensions["C"].hidden and sheet.column_dimensions[column_letters(LAST + 1)].hidden
    )


def test_a_table_column_named_like_a_result_gets_a_unique_name(tmp_path: Path) -> None:
    source = tmp_path / "table.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("Staff")
    sheet.add_table(0, 0, 2, 2, {"columns": [{"header": h} for h in ("Name", "Email", "Status")]})
    for row in (1, 2):
        sheet.write_row(row, 0, [f"Person {row + 1}", f"p{row + 1}@example.com", "new"])
    book.close()
    layout = SheetLayout("Staff", 1, (*LAYOUT.columns, SheetColumn("C", "Status")))

    out = write_back(source, report(2, 3, layout=layout)).path

    table = openpyxl.load_workbook(out)["Staff"].tables["Table1"]
    assert table.ref == f"A1:{column_letters(LAST + 1)}3"
    names = [column.name for column in table.tableColumns]
    assert names[2:5] == ["Status", "Status2", "Order Id"]
    assert values(out)[0][:5] == ["Name", "Email", "Status", "Status2", "Order Id"]


def test_a_member_stored_without_compression_stays_so(tmp_path: Path) -> None:
    source = package(
        tmp_path / "stored.xlsx",
        worksheet(header_row() + person_row(2)),
        sheet_compression=zipfile.ZIP_STORED,
    )

    out = write_back(source, report(2)).path

    with zipfile.ZipFile(out) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_STORED
        assert archive.testzip() is None
    assert values(out)[1][STATUS - 1] == "Completed"


def test_without_a_styles_part_times_are_written_as_text(tmp_path: Path) -> None:
    source = package(tmp_path / "bare.xlsx", worksheet(header_row() + person_row(2)), styles=None)

    out = write_back(source, report(2)).path

    with zipfile.ZipFile(out) as archive:
        assert "xl/styles.xml" not in archive.namelist()
    grid = values(out)
    assert grid[1][STATUS - 1 + AT["Cost"]] == 50.0
    assert grid[1][STATUS - 1 + AT["Submitted At"]] == "2026-11-20 09:30:00"


def test_a_row_extension_stays_after_the_cells(tmp_path: Path) -> None:
    extension = '<extLst><ext uri="{00000000-0000-0000-0000-000000000002}"/></extLst>'
    source = package(tmp_path / "ext.xlsx", worksheet(header_row() + person_row(2, extra=extension)))

    out = write_back(source, report(2)).path

    row = re.search(r'<row r="2".*?</row>', sheet_xml(out)).group()  # type: ignore[union-attr]
    assert row.endswith(extension + "</row>") and '<c r="C2"' in row


def test_text_that_looks_like_a_formula_is_stored_as_text_exactly(tmp_path: Path) -> None:
    source = package(
        tmp_path / "hostile.xlsx", worksheet(header_row() + "".join(person_row(n) for n in range(2, 9)))
    )
    texts = [*HOSTILE[:6], "_x0041_ stays literal"]
    outcomes = [
        replace(failed_row(n), failure_reason=text) for n, text in zip(range(2, 9), texts, strict=True)
    ]

    out = write_back(source, sample_report(outcomes, sheets=[LAYOUT])).path

    grid = values(out)
    sheet = openpyxl.load_workbook(out)["Staff"]
    for n, text in zip(range(2, 9), texts, strict=True):
        assert grid[n - 1][STATUS - 1 + AT["Failure Reason"]] == text
        cell = sheet.cell(n, STATUS + AT["Failure Reason"])
        assert cell.data_type == "s" and cell.quotePrefix == text.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "<f>" not in sheet_xml(out)


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_reads_prefixed_and_gapped_sheets(tmp_path: Path) -> None:
    rows = header_row("x:") + person_row(2, "x:") + person_row(5, "x:")
    source = package(
        tmp_path / "x.xlsx", worksheet(rows, prefix="x:"), prefix="x:", styles=prefixed(STYLES, "x:")
    )
    out = write_back(source, report(2, 4, 5)).path

    grid = libreoffice_sheet(out, 1, tmp_path)
    assert grid[0][:4] == ["Name", "Email", "Status", "Order Id"]
    assert [grid[r - 1][STATUS - 1] for r in (2, 4, 5)] == ["Completed"] * 3
    assert grid[1][STATUS - 1 + AT["Submitted At"]] == "2026-11-20 09:30:00"


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_shows_formula_looking_results_as_the_text_they_are(tmp_path: Path) -> None:
    texts = ["=1+1", "+1-2", "@SUM(A1)", "-cmd|' /C calc'!A0"]
    rows = header_row() + "".join(person_row(n) for n in range(2, 2 + len(texts)))
    source = package(tmp_path / "hostile.xlsx", worksheet(rows))
    outcomes = [replace(failed_row(n), failure_reason=text) for n, text in enumerate(texts, start=2)]

    out = write_back(source, sample_report(outcomes, sheets=[LAYOUT])).path

    grid = libreoffice_sheet(out, 1, tmp_path)
    assert [row[STATUS - 1 + AT["Failure Reason"]] for row in grid[1:]] == texts
