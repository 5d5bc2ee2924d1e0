"""Write-back: the user's own workbook, copied with results beside their rows, everything else as it was."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from copy import copy
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
import xlsxwriter
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from app.domain.outcomes import SheetColumn, SheetLayout
from app.workbook.output_file import ExportOptions, OutputExists
from app.workbook.write_back import (
    WriteBackNotPossible,
    WriteBackToOriginal,
    default_write_back_path,
    write_back,
)
from tests.workbook.export_helpers import (
    HOSTILE,
    assert_stored_as_text,
    cell_xml,
    completed_link_row,
    decrypt,
    failed_row,
    pending_row,
    sample_report,
    skipped_row,
)

# The user's sheet: a merged title, a blank row, the header on row 3, four recipients, a formula column.
LAYOUT = SheetLayout(
    "Staff",
    3,
    (
        SheetColumn("A", "Name"),
        SheetColumn("B", "Email"),
        SheetColumn("C", "Product"),
        SheetColumn("D", "Amount"),
        SheetColumn("E", "Start date"),
        SheetColumn("F", "Team"),
        SheetColumn("G", "Double"),
    ),
)
STYLE_ATTRIBUTES = ("font", "fill", "border", "number_format", "alignment", "protection", "quotePrefix")


def build_user_workbook(path: Path) -> Path:
    """A workbook with the things people put in theirs, built cell by cell."""
    workbook = openpyxl.Workbook()
    staff = workbook.active
    staff.title = "Staff"
    staff["A1"] = "Year-end rewards 2026"
    staff["A1"].font = Font(size=16, bold=True, color="FF1F4E79")
    staff.merge_cells("A1:G1")
    headers = ["Name", "Email", "Product", "Amount", "Start date", "Team", "Double"]
    for col, text in enumerate(headers, start=1):
        cell = staff.cell(3, col, text)
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = PatternFill("solid", start_color="FF4472C4")
        cell.border = Border(bottom=Side(style="thin"))
        cell.alignment = Alignment(horizontal="center")
    people = [
        ("Ana Lima", "ana@example.com", "CVS", 25, "Ops"),
        ("Ben Ode", "ben@example.com", "AMZ", 50, "HR"),
        ("Cy Dee", "cy@example.com", "EUR1", 20, "IT"),
        ("Dee Eff", "not-an-email", "CVS", 25, "IT"),
    ]
    for row, (name, email, product, amount, team) in enumerate(people, start=4):
        staff.cell(row, 1, name)
        staff.cell(row, 2, email)
        staff.cell(row, 3, product)
        staff.cell(row, 4, amount).number_format = '"$"#,##0.00'
        staff.cell(row, 5, f"=DATE(2024,{row},1)").number_format = "dd/mm/yyyy"
        staff.cell(row, 6, team).fill = PatternFill("solid", start_color="FFFFF2CC")
        staff.cell(row, 7, f"=D{row}*2")
    staff["F8"] = "=SUM(1)"  # text the user typed with a leading apostrophe: stays text
    staff["F8"].data_type = "s"
    staff["F8"].quotePrefix = True
    staff["B3"].comment = Comment("Work email only", "HR")
    staff.column_dimensions["A"].width = 24
    staff.column_dimensions["B"].width = 30
    staff.row_dimensions[3].height = 24
    staff.freeze_panes = "A4"
    staff.auto_filter.ref = "A3:G7"
    products = DataValidation(type="list", formula1='"CVS,AMZ,EUR1"', allow_blank=True)
    products.add("C4:C100")
    staff.add_data_validation(products)
    staff.conditional_formatting.add(
        "D4:D100",
        CellIsRule(operator="greaterThan", formula=["30"], fill=PatternFill("solid", bgColor="FFFFC7CE")),
    )
    notes = workbook.create_sheet("Notes")
    notes["A1"] = "Budget owner"
    notes["B1"] = "Finance"
    notes["A2"] = "Total"
    notes["B2"] = "=SUM(Staff!D4:D7)"
    notes["B2"].font = Font(italic=True)
    notes["A3"] = CellRichText(["Paid by ", TextBlock(InlineFont(b=True, color="FFC00000"), "Finance")])
    staff.row_dimensions[6].hidden = True
    staff.column_dimensions["F"].hidden = True
    budget = workbook.create_sheet("Budget")
    budget.append(["Team", "Amount"])
    budget.append(["Ops", 100])
    budget.append(["HR", 200])
    budget.add_table(Table(displayName="BudgetTable", ref="A1:B3"))
    hidden = workbook.create_sheet("Lists")
    hidden["A1"] = "CVS"
    hidden.sheet_state = "hidden"
    workbook.defined_names["Owner"] = DefinedName("Owner", attr_text="Notes!$B$1")
    workbook.save(path)
    return path


def report_for_user_workbook():  # type: ignore[no-untyped-def]
    return sample_report(
        [completed_link_row(4), failed_row(5), pending_row(6), skipped_row(7)], sheets=[LAYOUT]
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_results_go_right_of_the_data_on_the_header_row_and_each_records_row(tmp_path: Path) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    result = write_back(source, report_for_user_workbook())

    assert result.path == tmp_path / "staff - results.xlsx"
    sheet = openpyxl.load_workbook(result.path)["Staff"]
    header = [sheet.cell(3, col).value for col in range(8, 18)]
    assert header == [
        "Status",
        "Order Id",
        "PONumber",
        "Line Item Id",
        "Cost",
        "Currency",
        "Failure Reason",
        "Paid Again",
        "Submitted At",
        "Completed At",
    ]
    assert [sheet.cell(row, 8).value for row in range(4, 8)] == ["Completed", "Failed", "Pending", "Skipped"]
    assert [sheet.cell(row, 9).value for row in range(4, 8)] == ["ORD-1001", "ORD-1002", "ORD-1003", None]
    assert sheet["L4"].value == 50
    assert sheet["L4"].number_format == "#,##0.00"
    assert sheet["N5"].value == "Product out of stock"
    assert sheet["H1"].value is None and sheet["H2"].value is None and sheet["H8"].value is None
    assert sheet["H3"].font.b and sheet["H3"].fill.start_color.rgb == "FF4472C4"  # styled like their header
    assert sheet.auto_filter.ref == "A3:Q7"  # their filter now takes in the results


def test_everything_of_theirs_is_kept_cell_by_cell_and_the_original_is_untouched(tmp_path: Path) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    before_bytes = _sha(source)
    out = write_back(source, report_for_user_workbook()).path

    assert _sha(source) == before_bytes
    before, after = (
        openpyxl.load_workbook(source, rich_text=True),
        openpyxl.load_workbook(out, rich_text=True),
    )
    assert after.sheetnames == before.sheetnames
    for old in before.worksheets:
        new = after[old.title]
        assert new.sheet_state == old.sheet_state
        for row in old.iter_rows():
            for cell in row:
                copied = new[cell.coordinate]
                assert (copied.value, copied.data_type) == (cell.value, cell.data_type), cell.coordinate
                for attribute in STYLE_ATTRIBUTES:
                    assert _style(copied, attribute) == _style(cell, attribute), (cell.coordinate, attribute)
        assert {str(r) for r in new.merged_cells.ranges} == {str(r) for r in old.merged_cells.ranges}
        for letter, dimension in old.column_dimensions.items():
            assert new.column_dimensions[letter].width == dimension.width
            assert new.column_dimensions[letter].hidden == dimension.hidden
        assert [r for r, d in new.row_dimensions.items() if d.hidden] == [
            r for r, d in old.row_dimensions.items() if d.hidden
        ]
        assert new.row_dimensions[3].height == old.row_dimensions[3].height
        assert new.freeze_panes == old.freeze_panes
        assert _validations(new) == _validations(old)
        assert _conditional_formats(new) == _conditional_formats(old)
        assert dict(new.tables.items()) == dict(old.tables.items())
    assert after["Staff"]["B3"].comment.text == "Work email only"
    assert after["Staff"].row_dimensions[6].hidden and after["Staff"].column_dimensions["F"].hidden
    rich = after["Notes"]["A3"].value
    assert isinstance(rich, CellRichText) and rich[1].font.b and rich[1].text == "Finance"
    assert after.defined_names["Owner"].attr_text == "Notes!$B$1"
    assert cell_xml(out, "Staff", "G4").find("{*}f").text == "D4*2"  # their formula is still a formula
    assert cell_xml(out, "Notes", "B2").find("{*}f").text == "SUM(Staff!D4:D7)"


def _style(cell, attribute):  # type: ignore[no-untyped-def]
    """A style part as a plain value: openpyxl's style proxies only compare equal once copied."""
    value = getattr(cell, attribute)
    return value if isinstance(value, str | bool) else copy(value)


def _validations(sheet):  # type: ignore[no-untyped-def]
    return sorted((str(v.sqref), v.type, v.formula1) for v in sheet.data_validations.dataValidation)


def _conditional_formats(sheet):  # type: ignore[no-untyped-def]
    return sorted(
        (str(cf.sqref), rule.type, rule.operator, tuple(rule.formula), rule.dxf.fill.bgColor.rgb)
        for cf in sheet.conditional_formatting
        for rule in cf.rules
    )


def test_writing_back_a_write_back_reuses_its_result_columns(tmp_path: Path) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    first = write_back(source, report_for_user_workbook()).path
    report = report_for_user_workbook()
    report.outcomes[2] = completed_link_row(6)
    second = write_back(first, report, tmp_path / "again.xlsx").path

    sheet = openpyxl.load_workbook(second)["Staff"]
    assert sheet.max_column == 17
    assert sheet["H6"].value == "Completed"


def test_the_users_grid_edits_go_into_the_copy(tmp_path: Path) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    report = report_for_user_workbook()
    skipped = report.outcomes[3]
    skipped.values["Email"] = "dee@example.com"
    skipped.edited = frozenset({"Email"})
    out = write_back(source, report).path

    sheet = openpyxl.load_workbook(out)["Staff"]
    assert sheet["B7"].value == "dee@example.com"
    assert sheet["B6"].value == "cy@example.com"


def test_formula_looking_results_and_edits_stay_text_while_their_formulas_stay_formulas(
    tmp_path: Path,
) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    report = report_for_user_workbook()
    for outcome, text in zip(report.outcomes, HOSTILE, strict=False):
        outcome.order_id = text
        outcome.failure_reason = text
        outcome.values["Name"] = text
        outcome.edited = frozenset({"Name"})
    out = write_back(source, report).path

    sheet = openpyxl.load_workbook(out)["Staff"]
    for row, text in zip(range(4, 8), HOSTILE, strict=False):
        for column in ("A", "I", "N"):  # the edited name, Order Id, Failure Reason
            assert sheet[f"{column}{row}"].value == text
            assert sheet[f"{column}{row}"].quotePrefix
            assert_stored_as_text(out, "Staff", f"{column}{row}")
    assert_stored_as_text(out, "Staff", "F8")
    assert cell_xml(out, "Staff", "G5").find("{*}f") is not None


def test_claim_columns_only_with_secrets(tmp_path: Path) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    plain = write_back(source, report_for_user_workbook()).path
    assert b"claim.example" not in b"".join(_parts(plain))

    options = ExportOptions(with_secrets=True, unprotected_secrets_ok=True)
    out = write_back(source, report_for_user_workbook(), tmp_path / "secret.xlsx", options).path
    sheet = openpyxl.load_workbook(out)["Staff"]
    assert sheet["N3"].value == "Claim Link(s)" and sheet["O3"].value == "Challenge Answer"
    assert sheet["N4"].value == "https://claim.example/claim/4-0\nhttps://claim.example/claim/4-1"


def _parts(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist()]


def test_the_original_is_never_the_target(tmp_path: Path) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    before = _sha(source)
    with pytest.raises(WriteBackToOriginal):
        write_back(source, report_for_user_workbook(), source, ExportOptions(force=True))
    assert _sha(source) == before


def test_an_existing_copy_is_replaced_only_with_force(tmp_path: Path) -> None:
    source = build_user_workbook(tmp_path / "staff.xlsx")
    default_write_back_path(source).write_text("an older copy")
    with pytest.raises(OutputExists, match="--force"):
        write_back(source, report_for_user_workbook())
    assert default_write_back_path(source).read_text() == "an older copy"

    write_back(source, report_for_user_workbook(), options=ExportOptions(force=True))
    assert openpyxl.load_workbook(default_write_back_path(source))["Staff"]["H4"].value == "Completed"


def _png() -> bytes:
    """A 1×1 PNG, enough for xlsxwriter to embed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
        + chunk(b"IEND", b"")
    )


def _xlsxwriter_workbook(path: Path, extra: str) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Staff")
    for row, values in enumerate([["Name", "Email", "Amount"], ["Ana", "ana@example.com", 25]]):
        sheet.write_row(row, 0, values)
    if extra == "chart":
        chart = workbook.add_chart({"type": "column"})
        chart.add_series({"values": "=Staff!$C$2:$C$2"})
        sheet.insert_chart("E2", chart)
    elif extra == "image":
        sheet.insert_image("E2", "logo.png", {"image_data": io.BytesIO(_png())})
    elif extra == "sparkline":
        sheet.add_sparkline("D2", {"range": "Staff!C2:C2"})
    elif extra == "macro":
        workbook.add_vba_project(io.BytesIO(b"not really VBA"), is_stream=True)
    workbook.close()
    return path


@pytest.mark.parametrize("name", ["staff.ods"])
def test_other_formats_are_refused_with_the_results_workbook_offered(tmp_path: Path, name: str) -> None:
    source = tmp_path / name
    _ods(source)
    with pytest.raises(WriteBackNotPossible, match="results workbook"):
        write_back(source, sample_report())
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


def test_a_password_protected_workbook_gives_an_encrypted_copy(tmp_path: Path) -> None:
    plain = build_user_workbook(tmp_path / "plain.xlsx")
    source = tmp_path / "staff.xlsx"
    with plain.open("rb") as handle, source.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(handle).encrypt("hr-2026", out)
    plain.unlink()

    out = write_back(source, report_for_user_workbook(), source_password="hr-2026").path

    copy = openpyxl.load_workbook(io.BytesIO(decrypt(out, "hr-2026")))
    assert copy["Staff"]["H4"].value == "Completed"
    assert copy["Staff"]["A4"].value == "Ana Lima"
