"""Files made to hurt: every one is refused early with a plain message, or read within what it really holds.

Sizes here are small versions of the cases in bench/hostile_files.py, which measures the full-size ones
(time and peak memory) from outside. A case that used to hang or run for minutes has a timeout of a few
seconds: the guard against it coming back.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from app.workbook import bounds, limits, sources
from app.workbook.errors import (
    FileTooLarge,
    NotARegularFile,
    SheetTooLarge,
    TooManyColumns,
    TooManyRows,
    WorkbookChanging,
    WorkbookCorrupt,
    WorkbookInflated,
)
from app.workbook.reader import read_workbook
from tests.workbook import hostile_books as books

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="pipes and devices as files are POSIX")


def _cells(*rows: str) -> str:
    return f'<row r="1">{books.HEADER_CELLS}</row>' + "".join(rows)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("far", ["XFD1048576", "GR1048576", "ZZ400000"])
def test_a_value_far_away_is_refused_before_anything_is_built(tmp_path: Path, far: str) -> None:
    path = books.far_cell(tmp_path / "far.xlsx", far)
    assert path.stat().st_size < 4096
    with pytest.raises(SheetTooLarge) as refused:
        read_workbook(path)
    message = refused.value.message
    assert f"A1:{far}" in message and "Sheet1" in message and "far.xlsx" in message
    assert "Delete the stray values" in message and "\n" not in message


def test_a_sheet_past_the_row_cap_is_refused_before_it_is_built(tmp_path: Path) -> None:
    path = books.far_cell(tmp_path / "long.xlsx", f"B{limits.row_cap() + 1}")
    with pytest.raises(TooManyRows, match="more than 200,000 recipient rows"):
        read_workbook(path)


def test_a_dimension_that_claims_the_whole_sheet_is_not_believed(tmp_path: Path) -> None:
    """Memory follows the cells present: a wrong <dimension> neither refuses nor enlarges the read."""
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ana@example.com</t></is></c><c r="B2"><v>25</v></c></row>'
    )
    path = books.write_xlsx(tmp_path / "claims.xlsx", [books.sheet_xml(_cells(rows), "A1:XFD1048576")])
    read = read_workbook(path)
    assert read.row_count == 1
    assert read.records[0].cells


@pytest.mark.parametrize(
    "cell",
    [
        '<c t="n" r="XFD1048576"><v>1</v></c>',  # the reference not first
        "<c r='XFD1048576'><v>1</v></c>",  # single quotes
        '<c\nr="XFD1048576"><v>1</v></c>',  # a line break instead of a space
        '<c r="xfd1048576"><v>1</v></c>',  # lower case, which calamine reads too
        '<x:c r="XFD1048576"><x:v>1</x:v></x:c>',  # a namespace prefix
    ],
)
def test_a_far_cell_written_unusually_is_found_all_the_same(tmp_path: Path, cell: str) -> None:
    row = f'<row r="1048576">{cell}</row>'
    path = books.write_xlsx(tmp_path / "odd.xlsx", [books.sheet_xml(_cells(row), "A1:B2")])
    with pytest.raises((SheetTooLarge, TooManyColumns)):
        read_workbook(path)


def test_cells_without_a_reference_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    """No `r`: each cell goes after the one before it in its row. 300 of them make 300 columns."""
    row = '<row r="2">' + "<c><v>1</v></c>" * 300 + "</row>"
    path = books.write_xlsx(tmp_path / "no-refs.xlsx", [books.sheet_xml(_cells(row), "A1:B2")])
    with pytest.raises(TooManyColumns, match="uses 300 columns"):
        read_workbook(path)


@pytest.mark.timeout(30)
def test_shared_strings_that_unpack_a_thousandfold_are_refused(tmp_path: Path) -> None:
    path = books.shared_strings_bomb(tmp_path / "bomb.xlsx", 64 << 20)
    with pytest.raises(WorkbookInflated, match=r"xl/sharedStrings\.xml.*unpacks from") as refused:
        read_workbook(path)
    assert "bomb.xlsx" in refused.value.message


def test_a_part_whose_sizes_lie_is_still_counted(tmp_path: Path) -> None:
    """The zip's directory says 1 KB; the part really unpacks to 32 MB. What comes out is what counts."""
    strings = f'<sst xmlns="{books.MAIN}"><si><t>{"a" * (32 << 20)}</t></si></sst>'
    cells = _cells('<row r="2"><c r="A2" t="s"><v>0</v></c></row>')
    path = books.write_xlsx(tmp_path / "liar.xlsx", [books.sheet_xml(cells)], strings, level=9)
    _claim_size(path, "xl/sharedStrings.xml", 1024)
    with pytest.raises(WorkbookInflated):
        read_workbook(path)


def test_parts_sharing_their_packed_bytes_are_refused(tmp_path: Path) -> None:
    path = books.far_cell(tmp_path / "overlap.xlsx", "B2")
    data = bytearray(path.read_bytes())
    # Point the second part's directory entry at the first part's bytes, as overlapping zip bombs do.
    entries = [i for i in range(len(data)) if data[i : i + 4] == b"PK\x01\x02"]
    first_offset = data[entries[0] + 42 : entries[0] + 46]
    data[entries[1] + 42 : entries[1] + 46] = first_offset
    path.write_bytes(bytes(data))
    with pytest.raises(WorkbookCorrupt):
        read_workbook(path)


def test_one_long_text_in_many_cells_is_refused(tmp_path: Path) -> None:
    """3,000 letters in 60,000 cells: 250 KB on disk, 180 MB once every cell holds its copy, twice."""
    path = books.repeated_string(tmp_path / "copies.xlsx", 3_000, 60_000)
    budget = limits.memory_budget(path.stat().st_size)
    assert budget == limits.MEMORY_FLOOR
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "MEMORY_FLOOR", 256 << 20)
        with pytest.raises(SheetTooLarge, match="hold far more text than the file itself"):
            read_workbook(path)


def test_a_sheet_too_large_beside_the_recipients_is_left_with_a_note(tmp_path: Path) -> None:
    recipients = _cells(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ana@example.com</t></is></c><c r="B2"><v>25</v></c></row>'
    )
    junk = _cells('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    path = books.write_xlsx(tmp_path / "two.xlsx", [books.sheet_xml(junk), books.sheet_xml(recipients)])
    read = read_workbook(path)
    assert read.row_count == 1
    assert any("Sheet1" in note and "cannot be read safely" in note for note in read.notes)
    with pytest.raises(SheetTooLarge):
        read_workbook(path, sheet="Sheet1")


@pytest.mark.timeout(20)
def test_unclosed_error_cells_are_scanned_in_one_pass(tmp_path: Path) -> None:
    """60,000 error cells without </c> (1 MB of XML in 3 KB): minutes with a backtracking pattern."""
    path = books.unclosed_errors(tmp_path / "unclosed.xlsx", 60_000)
    with pytest.raises(WorkbookCorrupt):  # calamine finds the XML broken; the scan beside it keeps up
        read_workbook(path)


@POSIX
@pytest.mark.timeout(10)
def test_a_named_pipe_is_not_waited_on(tmp_path: Path) -> None:
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    with pytest.raises(NotARegularFile, match="is a named pipe, not a file"):
        read_workbook(path)


@POSIX
@pytest.mark.timeout(10)
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_a_device_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "zero.xlsx"
    path.symlink_to("/dev/zero")
    with pytest.raises(NotARegularFile, match="is a device"):
        read_workbook(path)


def test_a_link_to_a_workbook_is_read(tmp_path: Path) -> None:
    target = books.write_xlsx(
        tmp_path / "real.xlsx",
        [
            books.sheet_xml(
                _cells('<row r="2"><c r="A2" t="inlineStr"><is><t>a@example.com</t></is></c></row>')
            )
        ],
    )
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    assert read_workbook(link).row_count == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.csv"
    path.write_text("Email,Value\n" + "a@example.com,1\n" * 1000)
    monkeypatch.setattr(limits, "FILE_SIZE_LIMIT", 4096)
    with pytest.raises(FileTooLarge, match=r"big\.csv” is 15\.[0-9] KB; at most 4\.0 KB"):
        read_workbook(path)


@pytest.mark.timeout(20)
def test_a_csv_still_being_written_is_not_read_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "SETTLE_SECONDS", 0.4)
    path = tmp_path / "growing.csv"
    path.write_text("Email,Product,Value\n")
    done = threading.Event()

    def writer() -> None:
        with path.open("a") as out:
            for i in range(40):
                out.write(f"p{i}@example.com,CVS,25\n")
                out.flush()
                time.sleep(0.05)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        with pytest.raises(WorkbookChanging, match="still writing it"):
            read_workbook(path)
    finally:
        thread.join()
    assert done.is_set()
    time.sleep(0.45)  # once it has been still long enough, it is read whole
    assert read_workbook(path).row_count == 40


def _claim_size(path: Path, name: str, size: int) -> None:
    """Rewrite the unpacked size the zip records for one part (local header and directory) to `size`."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        length = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + length]) == name.encode():
            data[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


@pytest.mark.timeout(20)
def test_many_merged_ranges_a_million_rows_tall_cost_the_rows_present(tmp_path: Path) -> None:
    """20,000 overlapping ranges A2:A1048576 (a crafted file): each data row is given its value once."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>p{r}@example.com</t></is></c><c r="B{r}"><v>5</v></c></row>'
        for r in range(2, 5)
    )
    merges = '<mergeCells count="20000">' + '<mergeCell ref="A2:A1048576"/>' * 20_000 + "</mergeCells>"
    xml = books.sheet_xml(_cells(rows)).replace("</sheetData>", "</sheetData>" + merges)
    read = read_workbook(books.write_xlsx(tmp_path / "merges.xlsx", [xml]))
    assert [r.cells[next(iter(r.cells))].value for r in read.records] == ["p2@example.com"] * 3
    assert [i.cell for i in read.issues if i.code == "cell.merged"] == ["A3", "A4"]


_ODS_VALUE = (
    '<table:table-cell office:value-type="float" office:value="1"{repeat}>'
    "<text:p>1</text:p></table:table-cell>"
)


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "rows",
    [
        # one value repeated across 16,384 columns, the row repeated a million times: 17 billion cells
        f'<table:table-row table:number-rows-repeated="1048575">'
        f"{_ODS_VALUE.format(repeat=chr(32) + 'table:number-columns-repeated=' + chr(34) + '16384' + chr(34))}"
        "</table:table-row>",
        # a billion spaces written as one element
        '<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="1000000000"/>'
        "</text:p></table:table-cell></table:table-row>",
        # empty cells, then one value far to the right, a million rows down
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="16000"/>'
        f"{_ODS_VALUE.format(repeat='')}</table:table-row>",
    ],
    ids=["repeated", "spaces", "far"],
)
def test_an_ods_that_unfolds_to_billions_is_refused_before_it_is_opened(tmp_path: Path, rows: str) -> None:
    path = books.write_ods(tmp_path / "unfolds.ods", rows)
    assert path.stat().st_size < 4096
    with pytest.raises(SheetTooLarge, match="Recipients"):
        read_workbook(path)


def test_an_ods_with_libreoffices_trailing_empty_repeats_is_read(tmp_path: Path) -> None:
    """LibreOffice ends every table with empty rows and columns repeated to the sheet's edge: no values,
    nothing unfolded."""
    rows = (
        '<table:table-row><table:table-cell office:value-type="string"><text:p>a@example.com</text:p>'
        '</table:table-cell><table:table-cell office:value-type="float" office:value="5"><text:p>5</text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048573">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    read = read_workbook(books.write_ods(tmp_path / "libre.ods", rows))
    assert read.row_count == 1


def test_a_sheet_whose_place_the_relationships_do_not_tell_is_still_surveyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a relationship be written in a way the survey does not resolve (calamine might), every part
    that could be the sheet is surveyed: calamine never builds a sheet unchecked."""
    path = books.far_cell(tmp_path / "odd.xlsx", "XFD1048576")
    monkeypatch.setattr(bounds, "sheet_parts", lambda read, names: [None])
    with pytest.raises(SheetTooLarge):
        read_workbook(path)
