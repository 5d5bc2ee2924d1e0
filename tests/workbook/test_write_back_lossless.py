"""Write-back into a workbook with charts, pictures, a pivot table, macros and more: all of it survives.

Every part of the package except the data sheet, styles.xml and the table over the data is compared byte for
byte, compressed form included; the results are read back with openpyxl, python-calamine and LibreOffice.
"""

from __future__ import annotations

import struct
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

from app.workbook.export_results import result_headers
from app.workbook.output_file import ExportOptions
from app.workbook.write_back import WriteBackNotPossible, default_write_back_path, write_back
from tests.workbook.export_helpers import (
    COMPLETED,
    SUBMITTED,
    completed_link_row,
    failed_row,
    pending_row,
    sample_report,
    skipped_row,
)
from tests.workbook.libreoffice import libreoffice_sheet, needs_libreoffice
from tests.workbook.rich_workbook import (
    DATA_SHEET,
    FIRST_DATA_ROW,
    HEADERS,
    LAST_DATA_ROW,
    LAYOUT,
    build_rich_workbook,
)

RESULT_HEADERS = list(result_headers(with_secrets=False))
AT = {header: offset for offset, header in enumerate(RESULT_HEADERS)}  # a result's column, from the first
CHANGED = {"xl/worksheets/sheet2.xml", "xl/styles.xml", "xl/tables/table1.xml"}
FIRST_RESULT = len(HEADERS) + 1  # H: the first column right of the table
LAST_RESULT = FIRST_RESULT + len(RESULT_HEADERS) - 1


def report():  # type: ignore[no-untyped-def]
    rows = range(FIRST_DATA_ROW, LAST_DATA_ROW + 1)
    makers = (completed_link_row, failed_row, pending_row, skipped_row)
    return sample_report([make(row) for make, row in zip(makers, rows, strict=True)], sheets=[LAYOUT])


@pytest.fixture(params=["rewards.xlsx", "rewards.xlsm"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return build_rich_workbook(tmp_path / request.param)


def stored(path: Path, name: str) -> bytes:
    """A member's bytes exactly as the zip stores them (compressed), read from the local header."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    return data[start : start + info.compress_size]


def test_every_other_part_is_copied_byte_for_byte_in_its_place(source: Path) -> None:
    out = write_back(source, report()).path

    with zipfile.ZipFile(source) as before, zipfile.ZipFile(out) as after:
        assert after.namelist() == before.namelist()  # same parts, same order
        assert after.testzip() is None
        for old in before.infolist():
            new = after.getinfo(old.filename)
            assert new.compress_type == old.compress_type, old.filename
            assert new.date_time == old.date_time, old.filename
            if old.filename not in CHANGED:
                assert stored(out, old.filename) == stored(source, old.filename), old.filename
                assert (new.CRC, new.file_size) == (old.CRC, old.file_size), old.filename
        for part in ("xl/vbaProject.bin",) if source.suffix == ".xlsm" else ():
            assert after.read(part) == before.read(part)
        kept = {name for name in before.namelist() if name not in CHANGED}
        assert {"xl/charts/chart1.xml", "xl/media/image1.png", "xl/pivotTables/pivotTable1.xml"} <= kept
        assert {
            "xl/externalLinks/externalLink1.xml",
            "xl/comments1.xml",
            "xl/drawings/vmlDrawing2.vml",
        } <= kept


def test_the_results_sit_right_of_the_table_as_openpyxl_and_calamine_read_them(source: Path) -> None:
    out = write_back(source, report()).path

    sheet = openpyxl.load_workbook(out, keep_vba=True)[DATA_SHEET]
    header_row = FIRST_DATA_ROW - 1
    assert [sheet.cell(header_row, c).value for c in range(1, FIRST_RESULT)] == list(HEADERS)
    assert [sheet.cell(header_row, c).value for c in range(FIRST_RESULT, LAST_RESULT + 1)] == RESULT_HEADERS
    statuses = [sheet.cell(row, FIRST_RESULT).value for row in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1)]
    assert statuses == ["Completed", "Failed", "Pending", "Skipped"]
    cost = sheet.cell(FIRST_DATA_ROW, FIRST_RESULT + AT["Cost"])
    assert (cost.value, cost.number_format) == (50, "#,##0.00")
    submitted = sheet.cell(FIRST_DATA_ROW, FIRST_RESULT + AT["Submitted At"])
    assert submitted.value == SUBMITTED.replace(tzinfo=None)
    assert submitted.number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.cell(FIRST_DATA_ROW + 1, FIRST_RESULT + AT["Failure Reason"]).value == "Product out of stock"
    assert sheet.cell(header_row, FIRST_RESULT).font.b  # styled like the header cell beside it
    table = sheet.tables["Rewards"]
    assert table.ref == f"A{header_row}:{get_column_letter(LAST_RESULT)}{LAST_DATA_ROW}"
    assert [column.name for column in table.tableColumns] == [*HEADERS, *RESULT_HEADERS]
    assert table.autoFilter.ref == table.ref
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"

    grid = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_name(DATA_SHEET).to_python()
    assert grid[header_row - 1][FIRST_RESULT - 1 :] == RESULT_HEADERS
    assert grid[FIRST_DATA_ROW - 1][:2] == ["Ana Lima", "ana@example.com"]
    assert grid[FIRST_DATA_ROW - 1][FIRST_RESULT - 1] == "Completed"
    assert grid[FIRST_DATA_ROW - 1][FIRST_RESULT - 1 + AT["Completed At"]] == COMPLETED.replace(tzinfo=None)


def test_their_cells_read_the_same_before_and_after(source: Path) -> None:
    out = write_back(source, report()).path

    before = openpyxl.load_workbook(source, rich_text=True)
    after = openpyxl.load_workbook(out, rich_text=True)
    for old in before.worksheets:
        new = after[old.title]
        for row in old.iter_rows():
            for cell in row:
                assert _comparable(new[cell.coordinate].value) == _comparable(cell.value), cell.coordinate
                assert new[cell.coordinate].number_format == cell.number_format, cell.coordinate
        assert {str(r) for r in new.merged_cells.ranges} == {str(r) for r in old.merged_cells.ranges}
        assert new.sheet_state == old.sheet_state
    assert after.defined_names["Owner"].attr_text == "Cover!$A$1"
    assert after[DATA_SHEET].defined_names["Local"].attr_text == f"Staff!$A${FIRST_DATA_ROW}"
    assert after[DATA_SHEET]["B3"].comment.text.startswith("Work email only")


def _comparable(value: object) -> object:
    """openpyxl's array formulas compare by identity; their text and range say what they are."""
    if isinstance(value, ArrayFormula):
        return ("array", value.ref, value.text)
    return value


def test_a_macro_workbook_stays_a_macro_workbook(tmp_path: Path) -> None:
    source = build_rich_workbook(tmp_path / "rewards.xlsm")

    assert default_write_back_path(source) == tmp_path / "rewards - results.xlsm"
    with pytest.raises(WriteBackNotPossible, match=r"must end in “\.xlsm”"):
        write_back(source, report(), tmp_path / "rewards - results.xlsx")
    assert not (tmp_path / "rewards - results.xlsx").exists()

    out = write_back(source, report()).path
    assert out.suffix == ".xlsm"
    with zipfile.ZipFile(out) as archive:
        types = archive.read("[Content_Types].xml")
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    book = openpyxl.load_workbook(out, keep_vba=True)
    assert book.vba_archive is not None


def test_the_copy_takes_the_ending_its_content_needs_when_the_name_says_otherwise(tmp_path: Path) -> None:
    source = build_rich_workbook(tmp_path / "rewards.xlsm").rename(tmp_path / "renamed.xlsx")

    assert write_back(source, report()).path == tmp_path / "renamed - results.xlsm"


def test_a_second_write_back_writes_over_the_first_ones_columns(tmp_path: Path) -> None:
    source = build_rich_workbook(tmp_path / "rewards.xlsx")
    first = write_back(source, report()).path
    again = report()
    again.outcomes[2] = completed_link_row(FIRST_DATA_ROW + 2)

    second = write_back(first, again, tmp_path / "again.xlsx").path

    sheet = openpyxl.load_workbook(second)[DATA_SHEET]
    assert sheet.max_column == LAST_RESULT
    assert sheet.cell(FIRST_DATA_ROW + 2, FIRST_RESULT).value == "Completed"
    assert sheet.cell(FIRST_DATA_ROW + 2, FIRST_RESULT + AT["Submitted At"]).value == datetime(
        2026, 11, 20, 9, 30
    )
    assert (
        sheet.tables["Rewards"].ref
        == f"A{FIRST_DATA_ROW - 1}:{get_column_letter(LAST_RESULT)}{LAST_DATA_ROW}"
    )


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_opens_the_copy_and_shows_their_cells_and_the_results(
    source: Path, tmp_path: Path
) -> None:
    out = write_back(source, report()).path

    original = libreoffice_sheet(source, 2, tmp_path / "before")
    copy = libreoffice_sheet(out, 2, tmp_path / "after")
    assert [row[: len(HEADERS)] for row in copy] == [row[: len(HEADERS)] for row in original]
    header = copy[FIRST_DATA_ROW - 2]
    assert header[FIRST_RESULT - 1 : LAST_RESULT] == RESULT_HEADERS
    statuses = [row[FIRST_RESULT - 1] for row in copy[FIRST_DATA_ROW - 1 : LAST_DATA_ROW]]
    assert statuses == ["Completed", "Failed", "Pending", "Skipped"]
    assert copy[FIRST_DATA_ROW - 1][FIRST_RESULT - 1 + AT["Cost"]] == "50.00"
    assert copy[FIRST_DATA_ROW - 1][FIRST_RESULT - 1 + AT["Submitted At"]] == "2026-11-20 09:30:00"
    assert libreoffice_sheet(out, 1, tmp_path / "cover")[1][:2] == ["Budget", "120"]


def test_the_copy_is_written_in_one_step_and_never_over_theirs(tmp_path: Path) -> None:
    source = build_rich_workbook(tmp_path / "rewards.xlsx")
    before = source.read_bytes()
    with pytest.raises(WriteBackNotPossible):
        write_back(source, report(), source, ExportOptions(force=True))
    out = write_back(source, report()).path
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rewards - results.xlsx", "rewards.xlsx"]
    assert out.name == "rewards - results.xlsx"
