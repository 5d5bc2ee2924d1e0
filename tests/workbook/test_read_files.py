"""Every kind of file people hand us: CSV in its encodings, .ods, .xls, password-protected, and files that
are not workbooks at all — one clear message each, never a traceback."""

from __future__ import annotations

import random
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from app.domain.fields import Field
from app.workbook import limits, reader
from app.workbook.errors import (
    HeaderNotFound,
    NotAWorkbook,
    TooManyColumns,
    TooManyRows,
    WorkbookCorrupt,
    WorkbookEmpty,
    WorkbookError,
    WorkbookIsFolder,
    WorkbookMissing,
    WorkbookPasswordRequired,
    WorkbookPasswordWrong,
)
from app.workbook.reader import read_workbook
from app.workbook.sources import WorkbookFormat
from tests.workbook.book_builders import HEADER, ROWS, encrypt, ods, values, xlsx

CSV_TEXT = (
    "First Name,Email,Product,Value,Zip\r\n"
    "Ana,ana@example.com,CVS,25,02134\r\n"
    "José,jose@example.org,COFFEE,10,\r\n"
)


def test_csv_in_utf8_keeps_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(CSV_TEXT.encode("utf-8"))
    result = read_workbook(path)
    assert result.format is WorkbookFormat.CSV
    assert result.sheets[0].name == "people"
    first, second = result.records
    assert values(first) == {
        "first_name": "Ana",
        "email": "ana@example.com",
        "product": "CVS",
        "value": "25",
        "zip": "02134",
    }
    assert values(second)["first_name"] == "José"
    assert values(second)["zip"] is None
    assert second.cells[Field.ZIP].ref == "E3"


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("cp1252", ","), ("utf-8", ";"), ("utf-8", "\t"), ("cp1252", ";"), ("utf-16", "\t")],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(CSV_TEXT.replace(",", delimiter).encode(encoding))
    result = read_workbook(path)
    assert values(result.records[1])["first_name"] == "José"
    assert result.sheets[0].mapping.column_of(Field.ZIP) == "E"


def test_csv_with_quoted_delimiters_and_title_line(tmp_path: Path) -> None:
    text = 'Gift list;;\n\nName;Email;Message\n"Ana; HR";ana@example.com;"Thanks; really"\n'
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    record = read_workbook(path).records[0]
    assert record.row == 4
    assert values(record) == {"name": "Ana; HR", "email": "ana@example.com", "message": "Thanks; really"}


def test_ods_is_read(tmp_path: Path) -> None:
    path = ods(tmp_path / "t.ods", [["Title"], [*HEADER, "Send Date"], [*ROWS[0], date(2030, 5, 1)]])
    result = read_workbook(path)
    assert result.format is WorkbookFormat.ODS
    assert result.sheets[0].header_row == 2
    assert values(result.records[0]) == {
        "first_name": "Ana",
        "email": "ana@example.com",
        "product": "CVS",
        "value": 25,
        "delivery_date": date(2030, 5, 1),
    }


def test_xls_is_read(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Recipients")
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "old.xls"))
    result = read_workbook(tmp_path / "old.xls")
    assert result.format is WorkbookFormat.XLS
    assert [values(r)["value"] for r in result.records] == [25, 10]


def test_password_protected_workbook(tmp_path: Path) -> None:
    locked = encrypt(xlsx(tmp_path / "plain.xlsx", [HEADER, *ROWS]), tmp_path / "locked.xlsx", "s3cret!")
    with pytest.raises(
        WorkbookPasswordRequired, match=r"password-protected.*--password-from-env VAR"
    ) as needed:
        read_workbook(locked)
    assert needed.value.exit_code == 2
    with pytest.raises(WorkbookPasswordWrong, match=r"password for “locked\.xlsx” is wrong"):
        read_workbook(locked, password="secret")
    result = read_workbook(locked, password="s3cret!")
    assert result.encrypted and result.format is WorkbookFormat.XLSX
    assert values(result.records[0])["email"] == "ana@example.com"


def test_the_password_never_appears_in_a_message(tmp_path: Path) -> None:
    locked = encrypt(xlsx(tmp_path / "plain.xlsx", [HEADER]), tmp_path / "locked.xlsx", "right")
    with pytest.raises(WorkbookPasswordWrong) as wrong:
        read_workbook(locked, password="hunter2-wrong")
    assert "hunter2" not in wrong.value.message


@pytest.mark.parametrize(
    ("content", "error", "words"),
    [
        (b"", NotAWorkbook, "is empty .0 bytes.. It may not have finished saving"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", NotAWorkbook, "PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", NotAWorkbook, "PNG picture"),
        (b"<html><body><table><tr><td>Email</td></tr></table></body></html>", NotAWorkbook, "web page"),
        (b"First Name,Email\nAna,a@example.com\n", NotAWorkbook, "give it a .csv name"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage", WorkbookCorrupt, "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, WorkbookCorrupt, "damaged"),
    ],
)
def test_files_that_are_not_workbooks(tmp_path: Path, content: bytes, error: type, words: str) -> None:
    path = tmp_path / "recipients.xlsx"
    path.write_bytes(content)
    with pytest.raises(error, match=words) as raised:
        read_workbook(path)
    assert "recipients.xlsx" in raised.value.message


def test_a_word_document_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(NotAWorkbook, match="Word document"):
        read_workbook(path)


def test_truncated_workbook_is_corrupt(tmp_path: Path) -> None:
    full = xlsx(tmp_path / "full.xlsx", [HEADER, *ROWS * 200]).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(WorkbookCorrupt, match="damaged"):
        read_workbook(path)


def test_workbook_with_a_damaged_sheet_is_corrupt(tmp_path: Path) -> None:
    source = zipfile.ZipFile(xlsx(tmp_path / "ok.xlsx", [HEADER, *ROWS]))
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            out.writestr(item, data)
    with pytest.raises(WorkbookError):
        read_workbook(path)


def test_random_bytes_fail_fast_with_a_message(tmp_path: Path) -> None:
    generator = random.Random(7)
    for i, prefix in enumerate([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]):
        for suffix in (".xlsx", ".csv", ".xls"):
            path = tmp_path / f"noise{i}{suffix}"
            path.write_bytes(prefix + generator.randbytes(4096))
            with pytest.raises(WorkbookError):
                read_workbook(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkbookMissing, match="does not exist"):
        read_workbook(tmp_path / "nope.xlsx")
    with pytest.raises(WorkbookIsFolder, match="is a folder"):
        read_workbook(tmp_path)


def test_empty_workbook_and_workbook_without_header(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "empty.xlsx"))
    book.add_worksheet("Sheet1")
    book.close()
    with pytest.raises(WorkbookEmpty, match="has no data"):
        read_workbook(tmp_path / "empty.xlsx")
    path = xlsx(tmp_path / "no-header.xlsx", [["Department", "Salary"], ["HR", 1000]])
    with pytest.raises(HeaderNotFound, match=r"first 30 rows.*such as Email, Mobile, Product, Value"):
        read_workbook(path)
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_text("\n\n", encoding="utf-8")
    with pytest.raises(WorkbookEmpty):
        read_workbook(empty_csv)


def test_header_beyond_the_first_30_rows_is_not_looked_for(tmp_path: Path) -> None:
    with pytest.raises(HeaderNotFound):
        read_workbook(xlsx(tmp_path / "t.xlsx", [[f"note {i}"] for i in range(31)] + [HEADER, ROWS[0]]))


def test_too_many_columns_says_how_many(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "wide.xlsx", [[*HEADER, *[f"Extra {i}" for i in range(200)]], ROWS[0]])
    with pytest.raises(TooManyColumns, match="uses 204 columns; at most 200"):
        read_workbook(path)
    csv_path = tmp_path / "wide.csv"
    csv_path.write_text(",".join(HEADER + ["x"] * 300) + "\n", encoding="utf-8")
    with pytest.raises(TooManyColumns, match="304 columns"):
        read_workbook(csv_path)


def test_too_many_rows_says_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "ROW_LIMIT", 40)
    monkeypatch.setattr(reader, "_PROGRESS_EVERY", 10)
    assert read_workbook(xlsx(tmp_path / "ok.xlsx", [HEADER, *ROWS * 20])).row_count == 40
    with pytest.raises(TooManyRows, match="more than 40 recipient rows"):
        read_workbook(xlsx(tmp_path / "big.xlsx", [HEADER, *ROWS * 20, ROWS[0]]))
    with pytest.raises(TooManyRows):
        read_workbook(xlsx(tmp_path / "huge.xlsx", [HEADER, *ROWS * 100]))


def test_whole_file_problems_are_one_line_user_errors(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    shutil.copyfile(Path(__file__), path)
    with pytest.raises(WorkbookError) as raised:
        read_workbook(path)
    assert raised.value.exit_code == 2
    assert "\n" not in raised.value.message
