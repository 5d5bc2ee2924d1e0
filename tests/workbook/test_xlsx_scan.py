"""The sheet scan finds hidden rows and columns, error cells and formulas saved without a result — at the
right cell, in one pass, however the XML is cut into pieces."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.workbook.reader import read_workbook
from app.workbook.xlsx_scan import SheetExtras, scan_sheet
from tests.workbook import hostile_books as books


def _scan(xml: str, chunk: int = 1 << 20) -> SheetExtras:
    data = xml.encode()

    def pieces() -> Iterator[bytes]:
        for at in range(0, len(data), chunk):
            yield data[at : at + chunk]

    return scan_sheet(pieces())


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
def test_a_formula_without_result_is_flagged_at_its_own_cell(chunk: int) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="D{r}"><v>1</v></c><c r="E{r}"><f>C{r}*D{r}</f>{"" if r == 4 else "<v>25</v>"}</c></row>'
        for r in range(2, 7)
    )
    assert _scan(books.sheet_xml(rows), chunk).uncalculated == {(4, 4)}


def test_shared_formulas_empty_values_and_empty_strings() -> None:
    rows = (
        '<row r="2"><c r="A2"><f t="shared" ref="A2:A5" si="0">B2</f><v>1</v></c></row>'
        '<row r="3"><c r="A3"><f t="shared" si="0"/></c></row>'  # no result
        '<row r="4"><c r="A4"><f t="shared" si="0"/><v>3</v></c></row>'
        '<row r="5"><c r="A5"><f>B5</f><v></v></c></row>'  # an empty value is no result either
        '<row r="6"><c r="A6" t="str"><f>""</f><v></v></c></row>'  # the empty string, as Excel saves it
        '<row r="7"><x:c r="A7" xmlns:x="m"><x:f>B7</x:f></x:c></row>'  # prefixed
    )
    assert _scan(books.sheet_xml(rows)).uncalculated == {(3, 0), (5, 0), (7, 0)}


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_error_cells_with_and_without_formulas(chunk: int) -> None:
    rows = (
        '<row r="2"><c r="B2" t="e"><v>#N/A</v></c></row>'
        '<row r="3"><c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="4"><c t=\'e\' r="C4"></c></row>'
    )
    assert _scan(books.sheet_xml(rows), chunk).errors == {
        (2, 1): "#N/A",
        (3, 1): "#DIV/0!",
        (4, 2): "#VALUE!",
    }


def test_hidden_rows_and_overlapping_hidden_columns() -> None:
    cols = '<cols><col min="2" max="3" hidden="1"/><col min="3" max="5" hidden="true"/><col min="9" max="9"/></cols>'
    xml = books.sheet_xml('<row r="4" hidden="1"><c r="A4"><v>1</v></c></row><row r="5"/>').replace(
        "<sheetData>", cols + "<sheetData>"
    )
    extras = _scan(xml)
    assert extras.hidden_rows == {4}
    assert extras.hidden_columns == {1, 2, 3, 4}


@pytest.mark.timeout(30)
def test_many_hidden_column_spans_cost_one_pass() -> None:
    cols = '<col min="1" max="16384" hidden="1"/>' * 50_000
    xml = books.sheet_xml("").replace("<sheetData>", f"<cols>{cols}</cols><sheetData>")
    assert len(_scan(xml).hidden_columns) == 16384


@pytest.mark.timeout(30)
def test_a_formula_column_of_20000_rows_is_scanned_in_one_pass(tmp_path: Path) -> None:
    """107 s with the old patterns (each formula with a result searched on to the end of its megabyte)."""
    path = books.recipients(tmp_path / "formulas.xlsx", 20_000, formulas=True, missing_results=[9_999])
    xml = _part(path, "xl/worksheets/sheet1.xml")
    assert _scan(xml).uncalculated == {(9_999, 4)}


@pytest.mark.timeout(30)
def test_unclosed_error_cells_are_scanned_in_one_pass() -> None:
    """238 s with the old patterns: each unclosed cell searched on for a </c> that never comes."""
    xml = '<worksheet><sheetData><row r="2">' + '<c r="A2" t="e">' * 60_000
    assert _scan(xml).errors == {(2, 0): "#VALUE!"}


def test_the_reader_warns_at_the_cell_whose_result_is_missing(tmp_path: Path) -> None:
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Value</t></is></c></row>'
    )
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>p{r}@example.com</t></is></c>'
        f'<c r="B{r}"><f>20+5</f>{"" if r == 4 else "<v>25</v>"}</c></row>'
        for r in range(2, 6)
    )
    path = books.write_xlsx(tmp_path / "book.xlsx", [books.sheet_xml(header + rows)])
    warnings = [(i.code, i.cell) for i in read_workbook(path).issues]
    assert warnings == [("formula.no_result", "B4")]


def _part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode()
