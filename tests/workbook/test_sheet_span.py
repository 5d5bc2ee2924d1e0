"""The survey of a sheet's span agrees with calamine on where the cells are, however the XML is written."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import python_calamine
from hypothesis import given, settings
from hypothesis import strategies as st

from app.workbook.ods_span import survey_content
from app.workbook.package import Package
from app.workbook.sheet_span import (
    cell_name,
    column_letters,
    column_number,
    columns_pattern,
    numbers_pattern,
    survey_sheet,
)
from tests.workbook import hostile_books as books


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2_000_000), st.integers(0, 2_000_000), st.integers(1, 2_000_000))
def test_the_numbers_pattern_matches_exactly_the_numbers_in_range(low: int, extent: int, probe: int) -> None:
    high = low + extent
    pattern = re.compile(numbers_pattern(low, high))
    for number in (probe, low, high, low - 1, high + 1, 10 ** len(str(high))):
        if number >= 1:
            assert bool(pattern.fullmatch(str(number))) == (low <= number <= high), number


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 16383), st.integers(0, 200), st.integers(0, 16383))
def test_the_columns_pattern_matches_exactly_the_columns_in_range(left: int, extent: int, probe: int) -> None:
    right = min(left + extent, 16383)
    pattern = re.compile(columns_pattern(left, right))
    for column in (probe, left, right, left - 1, right + 1):
        if 0 <= column <= 16383:
            assert bool(pattern.fullmatch(column_letters(column))) == (left <= column <= right), column


def test_column_names_both_ways() -> None:
    assert [column_letters(i) for i in (0, 25, 26, 701, 702, 16383)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]
    assert column_number(b"xfd") == 16383
    assert cell_name(7, 1) == "B7"


refs = st.tuples(st.integers(1, 3000), st.integers(0, 300))
styles = st.sampled_from(["standard", "reordered", "quotes", "newline", "prefixed", "no-ref"])


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A sheet of a few rows, its cells written in one of the ways spreadsheet programs (and attackers)
    write them, with a dimension that may be wrong; and the cells' places as calamine gives them."""
    style = draw(styles)
    places = sorted(set(draw(st.lists(refs, min_size=1, max_size=30))))
    rows: dict[int, list[int]] = {}
    for row, column in places:
        rows.setdefault(row, []).append(column)
    prefix = "x:" if style == "prefixed" else ""
    xml, where = [], []
    for row, columns in rows.items():
        cells = []
        for position, column in enumerate(columns):
            if style == "no-ref":
                column = position  # noqa: PLW2901 — without a reference a cell follows the one before it
            ref = cell_name(row, column)
            attributes = {
                "standard": f'r="{ref}"',
                "reordered": f's="0" r="{ref}"',
                "quotes": f"r='{ref}'",
                "newline": f'\nr="{ref}"',
                "prefixed": f'r="{ref}"',
                "no-ref": "",
            }[style]
            space = "" if attributes.startswith("\n") or not attributes else " "
            cells.append(f"<{prefix}c{space}{attributes}><{prefix}v>1</{prefix}v></{prefix}c>")
            where.append((row, column))
        xml.append(f'<{prefix}row r="{row}">{"".join(cells)}</{prefix}row>')
    dimension = draw(st.sampled_from([None, "A1", "A1:C3", "A1:XFD1048576", "B2:K40"]))
    dim = f'<{prefix}dimension ref="{dimension}"/>' if dimension else ""
    ns = f' xmlns:x="{books.MAIN}"' if prefix else f' xmlns="{books.MAIN}"'
    sheet = (
        f"<?xml version='1.0'?><{prefix}worksheet{ns}>{dim}<{prefix}sheetData>{''.join(xml)}"
        f"</{prefix}sheetData></{prefix}worksheet>"
    )
    return sheet, where


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


@settings(max_examples=80, deadline=None)
@given(sheets(), st.sampled_from([7, 64, 1 << 20]))
def test_the_span_is_the_box_calamine_fills(sheet: tuple[str, list[tuple[int, int]]], chunk: int) -> None:
    xml, where = sheet
    data = xml.encode()
    span = survey_sheet(lambda: _chunks(data, chunk), largest_claim=10_000_000)
    top, bottom = min(r for r, _ in where), max(r for r, _ in where)
    left, right = min(c for _, c in where), max(c for _, c in where)
    # The survey may count a trusted dimension into the box (never less than the cells), nothing smaller.
    assert span.top <= top and span.left <= left and span.bottom >= bottom and span.right >= right
    assert span.cells >= len(where)
    assert 0 < span.xml_bytes <= len(data)  # a survey tag by tag stops at </sheetData>


def test_the_box_agrees_with_calamine(tmp_path: Path) -> None:
    """The same cells as calamine: its grid starts and ends where the survey says."""
    rows = (
        '<row r="3"><c r="C3"><v>1</v></c></row><row r="9"><c r="F9"><v>2</v></c><c r="B9"><v>3</v></c></row>'
    )
    path = books.write_xlsx(tmp_path / "box.xlsx", [books.sheet_xml(rows)])
    span = survey_sheet(lambda: iter([books.sheet_xml(rows).encode()]), largest_claim=1000)
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    assert sheet.start == (span.top - 1, span.left)
    assert sheet.end == (span.bottom - 1, span.right)


ods_rows = st.lists(
    st.tuples(st.integers(1, 3), st.lists(st.tuples(st.integers(1, 4), st.booleans()), max_size=5)),
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(ods_rows)
def test_an_ods_unfolds_no_further_than_the_survey_says(
    rows: list[tuple[int, list[tuple[int, bool]]]],
) -> None:
    """Repeated rows and cells, empty or holding a value: calamine's grid fits in the surveyed box."""
    xml = ""
    for row_repeat, cells in rows:
        body = "".join(
            f'<table:table-cell table:number-columns-repeated="{repeat}"'
            + (
                ' office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
                if valued
                else "/>"
            )
            for repeat, valued in cells
        )
        xml += f'<table:table-row table:number-rows-repeated="{row_repeat}">{body}</table:table-row>'
    with tempfile.TemporaryDirectory() as folder:
        path = books.write_ods(Path(folder) / "t.ods", xml)
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        [table] = survey_content(Package(path, path.read_bytes()).chunks("content.xml"))
    assert sheet.start is not None and sheet.end is not None  # the header row holds values
    assert table.first_row is not None and table.first_row <= sheet.start[0]
    assert table.end_row >= sheet.end[0] + 1 and table.width >= sheet.end[1] + 1
