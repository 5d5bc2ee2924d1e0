"""Whatever people type into cells, reading never crashes: it returns rows or says plainly what is wrong."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.records import CellError
from app.workbook.errors import WorkbookError
from app.workbook.reader import read_workbook

HANDED_OVER = (str, int, float, bool, date, datetime, CellError, type(None))

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
known_headers = st.sampled_from(["Email", "Mobile", "Product", "Value", "Qty", "Zip", "Name", "Delivery", ""])
cells = st.one_of(
    st.none(),
    texts,
    known_headers,
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
    st.sampled_from(["=NA()", "=1/0", "=A1"]),
)
grids = st.lists(st.lists(cells, max_size=8), max_size=12)


def _write(path: Path, grid: list[list[Any]], title_rows: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(grid, start=title_rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date | datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(r, c, value, None, "#N/A" if "NA" in value else 0)
            else:
                sheet.write(r, c, value)
    book.close()


def _check(path: Path) -> None:
    try:
        result = read_workbook(path)
    except WorkbookError:
        return
    for record in result.records:
        assert all(isinstance(cell.value, HANDED_OVER) for cell in record.cells.values())
        assert all(isinstance(value, HANDED_OVER) for value in record.unmapped.values())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=grids, title_rows=st.integers(0, 3))
def test_any_cells_in_an_xlsx(grid: list[list[Any]], title_rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.xlsx"
        _write(path, grid, title_rows)
        _check(path)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_any_text_in_a_csv(text: str, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.csv"
        path.write_bytes(text.encode(encoding, errors="replace"))
        _check(path)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".csv"]))
def test_any_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"any{suffix}"
        path.write_bytes(data)
        _check(path)
