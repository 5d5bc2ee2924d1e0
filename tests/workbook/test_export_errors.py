"""The error report: problem rows with their cells marked and explained, and it imports again as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.workbook.export_errors import ERROR_FILL, WARNING_FILL, write_error_report
from app.workbook.layouts import layouts_of
from app.workbook.output_file import ExportOptions, OutputExists
from app.workbook.reader import WorkbookRead, read_workbook
from app.workbook.safe_cells import looks_like_formula
from tests.workbook.export_helpers import HOSTILE, assert_stored_as_text

HEADER = ["Name", "Email", "Product", "Amount", "Start", "Notes", "Notes"]


def _user_workbook(path: Path, rows: list[list[object]], sheet: str = "Staff") -> Path:
    workbook = openpyxl.Workbook()
    staff = workbook.active
    staff.title = sheet
    staff.append(["Rewards for December"])
    staff.append([])
    staff.append(HEADER)
    for row in rows:
        staff.append(row)
    for line in staff.iter_rows(min_row=4):
        for cell in line:
            if cell.data_type == "f":  # hostile text typed as text, not a formula of theirs
                cell.data_type = "s"
    workbook.save(path)
    return path


PEOPLE: list[list[object]] = [
    ["Ana Lima", "ana@example.com", "CVS", 25, date(2024, 1, 5), "first", "a"],
    ["Ben Ode", "ben(at)example.com", "CVS", 25, date(2024, 2, 5), "second", "b"],
    ["Cy Dee", "cy@example.com", "NOPE", 7, date(2024, 3, 5), "third", "c"],
    ["Dee Eff", "dee@example.com", "CVS", 25, None, None, "d"],
]


def _issues() -> list[Issue]:
    return [
        Issue(
            Severity.ERROR,
            "email.invalid",
            "“ben(at)example.com” is not an email address.",
            "Staff",
            5,
            "B",
            Field.EMAIL,
        ),
        Issue(
            Severity.ERROR, "product.unknown", "There is no product “NOPE”.", "Staff", 6, "C", Field.PRODUCT
        ),
        Issue(Severity.WARNING, "value.repaired", "7 was read as 7.00.", "Staff", 6, "D", Field.VALUE),
        Issue(Severity.WARNING, "value.odd", "7 is an unusual amount.", "Staff", 6, "D", Field.VALUE),
        Issue(Severity.WARNING, "row.duplicate", "Row 6 repeats row 5.", "Staff", 6),
        Issue(Severity.WARNING, "sheet.hidden", "Sheet “Old” is hidden and was not read.", "Old"),
    ]


def _report(tmp_path: Path, rows: list[list[object]] | None = None, issues: list[Issue] | None = None):  # type: ignore[no-untyped-def]
    source = _user_workbook(tmp_path / "staff.xlsx", PEOPLE if rows is None else rows)
    read = read_workbook(source)
    out = write_error_report(tmp_path / "errors.xlsx", layouts_of(read), read.records, issues or _issues())
    return read, out


def test_only_rows_with_issues_with_all_their_columns(tmp_path: Path) -> None:
    _, out = _report(tmp_path)
    staff = openpyxl.load_workbook(out)["Staff"]

    rows = list(staff.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER  # the repeated header name is the user's own, twice
    assert [r[0] for r in rows[1:]] == ["Ben Ode", "Cy Dee"]
    assert list(rows[2]) == ["Cy Dee", "cy@example.com", "NOPE", 7, rows[2][4], "third", "c"]
    assert rows[2][4].date() == date(2024, 3, 5)
    assert staff.freeze_panes == "A2"


def test_problem_cells_are_filled_by_severity_and_explained_in_a_comment(tmp_path: Path) -> None:
    _, out = _report(tmp_path)
    staff = openpyxl.load_workbook(out)["Staff"]

    assert _fill(staff["B2"]) == ERROR_FILL
    assert staff["B2"].comment.text == "Error: “ben(at)example.com” is not an email address."
    assert _fill(staff["C3"]) == ERROR_FILL
    assert _fill(staff["D3"]) == WARNING_FILL
    assert staff["D3"].comment.text == "Warning: 7 was read as 7.00.\nWarning: 7 is an unusual amount."
    assert staff["A3"].comment.text == "Warning: Row 6 repeats row 5."  # a row's issue sits on its first cell
    assert _fill(staff["A2"]) is None and staff["A2"].comment is None
    assert _fill(staff["E3"]) is None


def _fill(cell) -> str | None:  # type: ignore[no-untyped-def]
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return "#" + cell.fill.fgColor.rgb[-6:]


def test_the_issues_sheet_lists_every_issue_with_its_place(tmp_path: Path) -> None:
    _, out = _report(tmp_path)
    sheet = openpyxl.load_workbook(out)["Issues"]

    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == ["Severity", "Sheet", "Row", "Location", "Field", "Code", "Problem", "In Original"]
    assert [(r[0], r[1], r[2], r[3], r[5], r[7]) for r in rows] == [
        ("warning", "Old", None, None, "sheet.hidden", None),
        ("error", "Staff", 2, "B2", "email.invalid", "B5"),
        ("warning", "Staff", 3, "A3", "row.duplicate", "row 6"),
        ("error", "Staff", 3, "C3", "product.unknown", "C6"),
        ("warning", "Staff", 3, "D3", "value.repaired", "D6"),
        ("warning", "Staff", 3, "D3", "value.odd", "D6"),
    ]
    assert rows[1][4] == "Email"
    assert rows[1][6] == "“ben(at)example.com” is not an email address."
    assert sheet["D3"].hyperlink.location == "'Staff'!B2"
    assert sheet.auto_filter.ref == "A1:H7"


def test_the_fixed_report_imports_again_as_the_rows_it_holds(tmp_path: Path) -> None:
    first, out = _report(tmp_path)
    again: WorkbookRead = read_workbook(out)

    assert [s.name for s in again.sheets] == ["Staff"]  # the Issues sheet is not mistaken for recipients
    assert again.mapping_dict() == first.mapping_dict()
    before = {r.row: r for r in first.records}
    for record in again.records:
        original = before[{2: 5, 3: 6}[record.row]]
        assert {f: c.value for f, c in record.cells.items()} == {
            f: c.value for f, c in original.cells.items()
        }
        assert record.unmapped == original.unmapped


def test_formula_looking_text_stays_text_and_imports_as_the_same_text(tmp_path: Path) -> None:
    rows: list[list[object]] = [[text, "x@example.com", "CVS", 25, None, text, text] for text in HOSTILE]
    issues = [
        Issue(Severity.ERROR, "name.bad", text, "Staff", n, "A") for n, text in enumerate(HOSTILE, start=4)
    ]
    _, out = _report(tmp_path, rows, issues)

    staff = openpyxl.load_workbook(out)["Staff"]
    for row in range(2, 2 + len(HOSTILE)):
        for column in "AFG":
            assert_stored_as_text(out, "Staff", f"{column}{row}")
            cell = staff[f"{column}{row}"]
            assert cell.quotePrefix or not looks_like_formula(cell.value)  # "\r" is read back as "\n"
    for row in range(2, 2 + len(HOSTILE)):
        assert_stored_as_text(out, "Issues", f"G{row}")
    again = read_workbook(out)
    before = [r.cells[Field.FULL_NAME].value for r in read_workbook(tmp_path / "staff.xlsx").records]
    assert [r.cells[Field.FULL_NAME].value for r in again.records] == before


def test_a_sheet_named_issues_keeps_its_name_and_the_list_moves_aside(tmp_path: Path) -> None:
    source = _user_workbook(tmp_path / "staff.xlsx", PEOPLE, sheet="Issues")
    read = read_workbook(source)
    issue = Issue(Severity.ERROR, "email.invalid", "Not an email.", "Issues", 5, "B", Field.EMAIL)
    out = write_error_report(tmp_path / "errors.xlsx", layouts_of(read), read.records, [issue])

    assert openpyxl.load_workbook(out).sheetnames == ["Issues", "Issues (2)"]


def test_an_existing_report_is_not_replaced_without_force(tmp_path: Path) -> None:
    (tmp_path / "errors.xlsx").write_text("keep me")
    source = _user_workbook(tmp_path / "staff.xlsx", PEOPLE)
    read = read_workbook(source)
    with pytest.raises(OutputExists):
        write_error_report(tmp_path / "errors.xlsx", layouts_of(read), read.records, _issues())
    assert (tmp_path / "errors.xlsx").read_text() == "keep me"

    write_error_report(
        tmp_path / "errors.xlsx", layouts_of(read), read.records, _issues(), ExportOptions(force=True)
    )
    assert "Issues" in openpyxl.load_workbook(tmp_path / "errors.xlsx").sheetnames
