"""Totals and subtotals under the data: left out with one note, never read as recipients with errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from app.domain.totals import aggregates_rows_above, is_total_label
from app.workbook.importer import import_workbook
from app.workbook.reader import read_workbook
from tests.domain.helpers import sandbox_like_catalog

HEADER = ["Name", "Email", "Product", "Value", "Line cost"]


def book_with_formulas(path: Path, rows: list[list[object]]) -> Path:
    """A sheet where text starting with '=' is written as a formula whose saved result is 0 (as Excel keeps
    one); rows start at Excel row 2."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Bonus")
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.startswith("="):
                sheet.write_formula(r, c, value, None, 0)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


PEOPLE = [
    ["Ana", "ana@example.com", "CVS", 25, "=D2*1"],
    ["Bo", "bo@example.com", "CVS", 10, "=D3*1"],
    ["Cy", "cy@example.com", "CVS", 50, "=D4*1"],
]


def test_a_total_row_with_a_sum_is_left_out_with_one_note_and_no_error(tmp_path: Path) -> None:
    path = book_with_formulas(
        tmp_path / "b.xlsx", [*PEOPLE, ["TOTAL", None, None, "=SUM(D2:D4)", "=SUM(E2:E4)"]]
    )
    result = import_workbook(path, catalog=sandbox_like_catalog())
    assert [r.recipient.row for r in result.rows] == [2, 3, 4]
    assert result.error_count == 0
    assert [i.code for i in result.issues if i.row] == []
    assert result.notes == [
        "Row 5 of “Bonus” is a total (it adds up the rows above, or says Total), not a recipient: it was left out."
    ]


def test_subtotals_between_groups_are_left_out_even_without_a_label(tmp_path: Path) -> None:
    rows = [
        PEOPLE[0],
        PEOPLE[1],
        [None, None, None, "=SUBTOTAL(9,D2:D3)", None],
        ["Cy", "cy@example.com", "CVS", 50, "=D5*1"],
        [None, None, None, "=SUBTOTAL(9,D5:D5)", None],
        ["Grand total", None, None, "=SUBTOTAL(9,D2:D6)", None],
    ]
    read = read_workbook(book_with_formulas(tmp_path / "b.xlsx", rows))
    assert read.sheets[0].row_numbers == [2, 3, 5]
    assert read.notes == [
        "Rows 4, 6 and 7 of “Bonus” are totals or subtotals (they add up the rows above, or say Total), not "
        "recipients: they were left out."
    ]


def test_formulas_along_the_row_and_running_totals_are_not_totals(tmp_path: Path) -> None:
    rows = [
        ["Ana", "ana@example.com", "CVS", 25, "=SUM($D$2:D2)"],
        ["Bo", "bo@example.com", "CVS", 10, "=SUM($D$2:D3)"],
        [None, None, "CVS", 10, "=D4*2"],  # a links row of nobody: its cost, worked out along the row
    ]
    read = read_workbook(book_with_formulas(tmp_path / "b.xlsx", rows))
    assert read.sheets[0].row_numbers == [2, 3, 4]
    assert read.notes == []


def test_a_row_that_names_a_recipient_is_never_a_total(tmp_path: Path) -> None:
    rows = [*PEOPLE, ["Total Wines shop", "orders@totalwine.example", "CVS", 25, "=SUM(D2:D4)"]]
    read = read_workbook(book_with_formulas(tmp_path / "b.xlsx", rows))
    assert read.sheets[0].row_numbers == [2, 3, 4, 5]


def test_a_csv_total_row_is_found_by_its_label(tmp_path: Path) -> None:
    path = tmp_path / "bonus.csv"
    path.write_text(
        "Name,Email,Product,Value\nAna,ana@example.com,CVS,25\nBo,bo@example.com,CVS,10\n,,Summe:,35\n",
        encoding="utf-8",
    )
    result = import_workbook(path, catalog=sandbox_like_catalog())
    assert [r.recipient.row for r in result.rows] == [2, 3]
    assert result.error_count == 0 and len(result.notes) == 1


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("TOTAL", True),
        (" Grand total: ", True),
        ("Subtotal (USD)", True),
        ("Sum", True),
        ("Gesamtsumme", True),
        ("Total général", True),
        ("Totally Awesome Ltd", False),
        ("Ana Total", False),
        ("x" * 50, False),
        (25, False),
    ],
)
def test_total_labels(text: object, total: bool) -> None:
    assert is_total_label(text) is total


@pytest.mark.parametrize(
    ("formula", "row", "total"),
    [
        ("SUM(D2:D41)", 42, True),
        ("sum($D$2:$D$41)*1.1", 42, True),
        ("SUBTOTAL(109,Table1[Amount])", 42, True),
        ("AVERAGE(D2:D9)", 10, True),
        ("SUM(D2:D42)", 42, False),  # a running total includes its own row
        ("SUM(B42:D42)", 42, False),  # along the row
        ("B42*C42", 42, False),
        ("VLOOKUP(A42,Rates!A1:B9,2)", 42, False),
    ],
)
def test_formulas_adding_up_rows_above(formula: str, row: int, total: bool) -> None:
    assert aggregates_rows_above(formula, row) is total
