"""Reading real-looking sheets: header finding, raw values, hidden rows and sheets, merges, formulas."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from app.domain.fields import Field
from app.domain.records import CellError
from app.workbook.errors import HeaderNotFound, SheetNotFound, WorkbookEmpty, WorkbookReadCancelled
from app.workbook.mapping import MappingStore, MatchConfidence
from app.workbook.reader import read_workbook
from tests.workbook.book_builders import HEADER, ROWS, values, write_rows, xlsx


def codes(result: object) -> list[tuple[str, str | None]]:
    return [(issue.code, issue.cell or str(issue.row)) for issue in result.issues]  # type: ignore[attr-defined]


def test_header_below_title_and_blank_rows_is_found(tmp_path: Path) -> None:
    rows = [["Holiday gift cards 2025"], ["Prepared by HR", None, None, "Budget: $5,000"], [], HEADER, *ROWS]
    result = read_workbook(xlsx(tmp_path / "t.xlsx", rows, first_row=1))
    sheet = result.sheets[0]
    assert sheet.header_row == 5
    assert sheet.row_numbers == [6, 7]
    assert values(sheet.records[0]) == {
        "first_name": "Ana",
        "email": "ana@example.com",
        "product": "CVS",
        "value": 25,
    }
    assert sheet.records[0].cells[Field.EMAIL].ref == "B6"


def test_blank_rows_between_and_after_recipients_are_skipped_with_row_numbers_kept(tmp_path: Path) -> None:
    rows = [HEADER, ROWS[0], [], [None, "  ", "\u00a0"], ROWS[1], [], []]
    sheet = read_workbook(xlsx(tmp_path / "t.xlsx", rows)).sheets[0]
    assert sheet.row_numbers == [2, 5]
    assert [r.row for r in sheet.records] == [2, 5]


def test_header_that_starts_in_a_later_column(tmp_path: Path) -> None:
    sheet = read_workbook(xlsx(tmp_path / "t.xlsx", [[None, None, *HEADER], [None, None, *ROWS[0]]])).sheets[
        0
    ]
    assert sheet.mapping.column_of(Field.EMAIL) == "D"
    assert sheet.records[0].cells[Field.VALUE].ref == "F2"
    assert sheet.last_column == "F"


def test_numbers_stay_numbers_and_dates_stay_dates(tmp_path: Path) -> None:
    header = ["Email", "Mobile", "Zip", "Value", "Send Date", "Send Time", "Employee ID"]
    row = ["a@example.com", 15555550100, 2134, 12.5, date(2030, 1, 2), datetime(2030, 1, 2, 9, 30), 45000]

    def formats(book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        sheet.write_datetime("F2", row[5], book.add_format({"num_format": "yyyy-mm-dd hh:mm"}))

    record = read_workbook(xlsx(tmp_path / "t.xlsx", [header, row], setup=formats)).records[0]
    got = values(record)
    assert got["sms"] == 15555550100 and type(got["sms"]) is int
    assert got["zip"] == 2134 and type(got["zip"]) is int
    assert got["value"] == 12.5
    assert got["delivery_date"] == date(2030, 1, 2) and type(got["delivery_date"]) is date
    assert got["reference"] == 45000, "a serial-looking number is handed over as the number it is"
    assert record.unmapped == {"Send Time": datetime(2030, 1, 2, 9, 30)}


def test_text_is_handed_over_untouched(tmp_path: Path) -> None:
    row = ["  ana@example.com\u00a0", "$25.00", "02134", "+1 555 555 0100"]
    record = read_workbook(xlsx(tmp_path / "t.xlsx", [["Email", "Amount", "Zip", "Mobile"], row])).records[0]
    assert values(record) == {"email": row[0], "value": "$25.00", "zip": "02134", "sms": "+1 555 555 0100"}


def test_empty_mapped_cells_are_none_with_their_place(tmp_path: Path) -> None:
    record = read_workbook(xlsx(tmp_path / "t.xlsx", [HEADER, ["Ana", None, "CVS", 25]])).records[0]
    assert record.cells[Field.EMAIL].value is None
    assert record.cells[Field.EMAIL].ref == "B2"


def test_formulas_give_their_saved_results(tmp_path: Path) -> None:
    def formulas(book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        sheet.write_formula("B2", '=LOWER("ANA@EXAMPLE.COM")', None, "ana@example.com")
        sheet.write_formula("D2", "=20+5", None, 25)
        sheet.write_formula("B3", "=NA()", None, "#N/A")
        sheet.write_formula("D3", "=1/0", None, "#DIV/0!")

    result = read_workbook(
        xlsx(tmp_path / "t.xlsx", [HEADER, ["Ana", None, "CVS"], ["Bo", None, "CVS"]], setup=formulas)
    )
    first, second = result.records
    assert values(first)["email"] == "ana@example.com" and values(first)["value"] == 25
    assert first.cells[Field.EMAIL].value == "ana@example.com"
    assert second.cells[Field.EMAIL].value == CellError("#N/A")
    assert second.cells[Field.VALUE].value == CellError("#DIV/0!")


def test_formula_saved_without_a_result_reads_empty_with_a_warning(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Email", "Value", "Product"])
    sheet.append(["ana@example.com", "=10+15", "CVS"])
    book.save(tmp_path / "o.xlsx")
    result = read_workbook(tmp_path / "o.xlsx")
    assert result.records[0].cells[Field.VALUE].value is None
    assert codes(result) == [("formula.no_result", "B2")]
    assert "Open the file in Excel, save it" in result.issues[0].message


def test_error_cells_keep_their_error_in_unmapped_columns_too(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Email", "Lookup"])
    sheet.append(["ana@example.com", "#REF!"])
    book.save(tmp_path / "o.xlsx")
    assert read_workbook(tmp_path / "o.xlsx").records[0].unmapped == {"Lookup": CellError("#REF!")}


def test_hidden_rows_are_read_and_reported(tmp_path: Path) -> None:
    def hide(book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        sheet.set_row(2, None, None, {"hidden": True})  # Excel row 3
        sheet.set_row(10, None, None, {"hidden": True})  # a hidden blank row: nothing to say

    result = read_workbook(xlsx(tmp_path / "t.xlsx", [HEADER, *ROWS, ROWS[0]], setup=hide))
    assert result.sheets[0].row_numbers == [2, 3, 4]
    assert codes(result) == [("row.hidden", "3")]
    assert result.issues[0].sheet == "Recipients" and result.issues[0].row == 3


def test_hidden_mapped_column_is_reported(tmp_path: Path) -> None:
    def hide(book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        sheet.set_column("D:D", None, None, {"hidden": True})

    result = read_workbook(xlsx(tmp_path / "t.xlsx", [HEADER, *ROWS], setup=hide))
    assert codes(result) == [("column.hidden", "D1")]
    assert result.records[0].cells[Field.VALUE].value == 25


def test_hidden_sheet_with_recipients_is_read_with_a_warning(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    write_rows(book.add_worksheet("Visible"), [HEADER, ROWS[0]])
    hidden = book.add_worksheet("Old list")
    write_rows(hidden, [HEADER, ROWS[1]])
    hidden.hide()
    book.close()
    result = read_workbook(tmp_path / "t.xlsx")
    assert [s.name for s in result.sheets] == ["Visible", "Old list"]
    assert result.sheets[1].hidden
    assert [(i.code, i.sheet) for i in result.issues] == [("sheet.hidden", "Old list")]


def test_sheets_without_a_header_are_skipped_with_a_note(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    write_rows(
        book.add_worksheet("Instructions"), [["Fill in one row per person."], ["Email — their address"]]
    )
    write_rows(book.add_worksheet("Data"), [HEADER, *ROWS])
    book.add_worksheet("Empty")
    book.close()
    result = read_workbook(tmp_path / "t.xlsx")
    assert [s.name for s in result.sheets] == ["Data"]
    assert result.notes == ["Sheet “Instructions” was skipped: it has no recipients header."]


def test_a_sheet_is_chosen_by_name_case_or_position(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    write_rows(book.add_worksheet("January"), [HEADER, ROWS[0]])
    write_rows(book.add_worksheet("February"), [HEADER, *ROWS])
    book.close()
    path = tmp_path / "t.xlsx"
    assert [s.name for s in read_workbook(path).sheets] == ["January", "February"]
    assert read_workbook(path, sheet="February").row_count == 2
    assert read_workbook(path, sheet="february").sheets[0].name == "February"
    assert read_workbook(path, sheet=2).sheets[0].name == "February"
    assert read_workbook(path, sheet="1").sheets[0].name == "January"
    with pytest.raises(SheetNotFound, match=r"“March”.*“January”, “February”"):
        read_workbook(path, sheet="March")


def test_a_chosen_sheet_without_header_or_data_says_so(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    write_rows(book.add_worksheet("Notes"), [["Just some notes"], ["Nothing to send"]])
    book.add_worksheet("Blank")
    write_rows(book.add_worksheet("Data"), [HEADER, ROWS[0]])
    book.close()
    with pytest.raises(HeaderNotFound, match=r"sheet “Notes”.*Email, Mobile, Product"):
        read_workbook(tmp_path / "t.xlsx", sheet="Notes")
    with pytest.raises(WorkbookEmpty, match="sheet “Blank”"):
        read_workbook(tmp_path / "t.xlsx", sheet="Blank")


def test_merged_cells_fill_down_with_a_warning_per_filled_cell(tmp_path: Path) -> None:
    def merge(book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        sheet.merge_range("C2:C4", "COFFEE")  # one product for three people
        sheet.merge_range("A6:B6", "Sales team")  # a section title spanning unmapped-looking cells

    rows = [
        HEADER,
        ["Ana", "a@example.com", None, 10],
        ["Bo", "b@example.com", None, 10],
        ["Cy", "c@example.com", None, 10],
        ["Di", "d@example.com", "CVS", 25],
    ]
    result = read_workbook(xlsx(tmp_path / "t.xlsx", rows, setup=merge))
    products = [values(r)["product"] for r in result.records]
    assert products[:4] == ["COFFEE", "COFFEE", "COFFEE", "CVS"]
    merged = [(i.code, i.cell, i.field) for i in result.issues if i.code == "cell.merged"]
    assert merged == [("cell.merged", "C3", Field.PRODUCT), ("cell.merged", "C4", Field.PRODUCT)]
    assert "C2:C4" in result.issues[0].message


def test_columns_without_a_known_name_are_listed_and_kept(tmp_path: Path) -> None:
    rows = [
        ["Email", "Department", "Notes", "Value", None, "Notes"],
        ["a@example.com", "HR", "x", 25, "y", "z"],
    ]
    result = read_workbook(xlsx(tmp_path / "t.xlsx", rows))
    sheet = result.sheets[0]
    assert sheet.unmapped_headers == ["Department", "Notes", "Column E", "Notes (F)"]
    assert result.records[0].unmapped == {"Department": "HR", "Notes": "x", "Column E": "y", "Notes (F)": "z"}
    assert result.issues == []


def test_guessed_columns_are_warned_at_their_header(tmp_path: Path) -> None:
    result = read_workbook(
        xlsx(tmp_path / "t.xlsx", [["Work e-mail addr", "Product", "Gift amount"], ["a", "b", 1]])
    )
    guessed = [(i.cell, i.field) for i in result.issues if i.code == "column.guessed"]
    assert guessed == [("A1", Field.EMAIL)]
    assert result.sheets[0].mapping.by_field[Field.VALUE].confidence is MatchConfidence.EXACT


def test_overrides_apply_and_are_saved_for_next_time(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "t.xlsx", [["Who", "Where to send", "Item"], ["Ana", "a@example.com", "CVS"]])
    store = MappingStore(tmp_path / "config" / "mappings.json")
    with pytest.raises(HeaderNotFound):
        read_workbook(path)
    overrides = {"Who": Field.FULL_NAME, "Where to send": Field.EMAIL}
    first = read_workbook(path, mapping_overrides=overrides, mapping_store=store)
    assert values(first.records[0]) == {"name": "Ana", "email": "a@example.com"}
    assert first.records[0].unmapped == {"Item": "CVS"}
    again = read_workbook(path, mapping_store=MappingStore(store.path))
    assert values(again.records[0]) == values(first.records[0])
    assert again.sheets[0].mapping.by_field[Field.EMAIL].confidence is MatchConfidence.USER


def test_an_override_can_ignore_a_column(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "t.xlsx", [HEADER, ROWS[0]])
    record = read_workbook(path, mapping_overrides={"First Name": None}).records[0]
    assert Field.FIRST_NAME not in record.cells
    assert record.unmapped == {"First Name": "Ana"}


def test_column_values_give_one_field_for_every_row(tmp_path: Path) -> None:
    sheet = read_workbook(xlsx(tmp_path / "t.xlsx", [HEADER, *ROWS])).sheets[0]
    assert sheet.column_values(Field.VALUE) == [25, 10]
    assert sheet.column_values(Field.SMS) is None
    assert sheet.value_at(3, 2) == "COFFEE"


def test_mapping_dict_names_every_column(tmp_path: Path) -> None:
    result = read_workbook(xlsx(tmp_path / "t.xlsx", [[*HEADER, "Department"], [*ROWS[0], "HR"]]))
    assert result.mapping_dict() == {
        "First Name": "first_name",
        "Email": "email",
        "Product": "product",
        "Value": "value",
        "Department": None,
    }


def test_progress_reaches_100_and_cancel_stops(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "t.xlsx", [HEADER, *ROWS * 6000])
    seen: list[int] = []
    read_workbook(path, progress=seen.append)
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(WorkbookReadCancelled):
        read_workbook(path, cancel=cancel)
