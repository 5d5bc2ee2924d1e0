"""Write-back into a CSV file: results added in the file's own encoding, delimiter, quoting and line endings."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.outcomes import SheetColumn, SheetLayout
from app.workbook.export_results import result_headers
from app.workbook.output_file import ExportOptions
from app.workbook.reader import read_workbook
from app.workbook.write_back import WriteBackNotPossible, default_write_back_path, write_back
from tests.workbook.export_helpers import completed_link_row, failed_row, sample_report

RESULTS = list(result_headers(with_secrets=False))
AT = {header: 2 + offset for offset, header in enumerate(RESULTS)}  # a result's field, right of Name, Email
NAMES = ("José Müller", "Zoë Ødegaard", "Ana Lima")


def layout(name: str, header_row: int = 2) -> SheetLayout:
    return SheetLayout(name, header_row, (SheetColumn("A", "Name"), SheetColumn("B", "Email")))


def report(name: str, rows: tuple[int, ...] = (3, 4, 5), header_row: int = 2):  # type: ignore[no-untyped-def]
    outcomes = [replace(completed_link_row(row), sheet=name) for row in rows]
    outcomes[1] = replace(failed_row(rows[1], reason='Bounced; "mailbox full"'), sheet=name)
    return sample_report(outcomes, sheets=[layout(name, header_row)])


def write_csv(path: Path, lines: list[str], encoding: str, ending: str, bom: bytes = b"") -> Path:
    text = ending.join(lines)
    path.write_bytes(bom + text.encode(encoding))
    return path


def records(data: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "ending"),
    [
        ("utf-8", b"", ",", "\r\n"),
        ("utf-8", codecs.BOM_UTF8, ";", "\n"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t", "\r\n"),
        ("utf-16-be", codecs.BOM_UTF16_BE, ",", "\n"),
        ("cp1252", b"", ";", "\r\n"),
    ],
)
def test_results_are_added_in_the_files_own_encoding_delimiter_and_line_endings(
    tmp_path: Path, encoding: str, bom: bytes, delimiter: str, ending: str
) -> None:
    d = delimiter
    lines = [
        f"Bonus list 2026{d}",
        f"Name{d}Email",
        *(f"{name}{d}p{n}@example.com" for n, name in enumerate(NAMES, start=3)),
        f"TOTAL{d}3",
    ]
    source = write_csv(tmp_path / "bonus.csv", lines, encoding, ending, bom)

    out = write_back(source, report("bonus")).path

    assert out == tmp_path / "bonus - results.csv"
    data = out.read_bytes()
    assert data.startswith(bom) and not (bom and data[len(bom) :].startswith(bom))
    body = data[len(bom) :]
    assert body.decode(encoding).split(ending)[0] == lines[0]  # a record without results: as it was
    assert body.endswith(lines[-1].encode(encoding))  # the last record, without a line ending, likewise
    assert body.decode(encoding).count(ending) == len(lines) - 1  # every line ending as the file had it
    rows = records(body, encoding, delimiter)
    assert rows[1] == ["Name", "Email", *RESULTS]
    assert [row[:2] for row in rows[2:5]] == [
        [name, f"p{n}@example.com"] for n, name in enumerate(NAMES, start=3)
    ]
    assert [row[AT["Status"]] for row in rows[2:5]] == ["Completed", "Failed", "Completed"]
    assert [rows[2][AT[h]] for h in ("Cost", "Currency", "Failure Reason")] == ["50.00", "USD", ""]
    assert rows[3][AT["Failure Reason"]] == 'Bounced; "mailbox full"'
    assert rows[2][AT["Submitted At"]] == "2026-11-20 09:30:00"


def test_a_file_that_quotes_every_field_gets_quoted_results(tmp_path: Path) -> None:
    lines = [
        '"Title",""',
        '"Name","Email"',
        '"Ana","a@example.com"',
        '"Ben","b@example.com"',
        '"Cy","c@example.com"',
    ]
    source = write_csv(tmp_path / "quoted.csv", lines, "utf-8", "\n")

    out = write_back(source, report("quoted")).path

    written = out.read_text(encoding="utf-8").split("\n")
    assert written[0] == lines[0]
    assert written[1] == lines[1] + "".join(f',"{header}"' for header in RESULTS)
    assert written[2].startswith(lines[2] + ',"Completed","ORD-1001"')


def test_results_line_up_under_their_headers_past_short_rows_and_multi_line_fields(tmp_path: Path) -> None:
    lines = [
        "Title",
        "Name,Email,Note",
        'Ana,a@example.com,"two\nlines"',
        "Ben",  # a short row: padded
        "Cy,c@example.com,,,extra",  # a long row: its extra value is kept, results go after it
    ]
    source = write_csv(tmp_path / "ragged.csv", lines, "utf-8", "\n")

    out = write_back(source, report("ragged")).path

    rows = records(out.read_bytes(), "utf-8", ",")
    status = 5
    assert rows[1][status] == "Status" and rows[1][:3] == ["Name", "Email", "Note"]
    assert rows[2][:3] == ["Ana", "a@example.com", "two\nlines"] and rows[2][status] == "Completed"
    assert rows[3][:status] == ["Ben", "", "", "", ""] and rows[3][status] == "Failed"
    assert rows[4][:status] == ["Cy", "c@example.com", "", "", "extra"] and rows[4][status] == "Completed"
    sheet = read_workbook(out).sheets[0]
    assert [h.text for h in sheet.headers if h.text in RESULTS] == RESULTS


def test_a_result_that_looks_like_a_formula_starts_with_an_apostrophe(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "hostile.csv", ["T", "Name,Email", "Ana,a@example.com", "B,b", "C,c"], "utf-8", "\n"
    )
    hostile = report("hostile")
    hostile.outcomes[1].failure_reason = '=HYPERLINK("http://evil.example","x")'

    out = write_back(source, hostile).path

    assert (
        records(out.read_bytes(), "utf-8", ",")[3][AT["Failure Reason"]]
        == '\'=HYPERLINK("http://evil.example","x")'
    )


def test_characters_the_encoding_lacks_are_replaced_and_said(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "latin.csv", ["T", "Name,Email", "José,j@example.com", "B,b", "C,c"], "cp1252", "\r\n"
    )
    odd = report("latin")
    odd.outcomes[1].failure_reason = "Адрес не найден"

    result = write_back(source, odd)

    rows = records(result.path.read_bytes(), "cp1252", ",")
    assert rows[2][0] == "José" and rows[3][AT["Failure Reason"]] == "????? ?? ??????"
    assert result.notes == [
        "13 character(s) of the results cannot be written in the file's encoding (Windows-1252) and were "
        "written as “?”."
    ]


def test_grid_edits_go_into_their_fields(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "edit.csv", ["T", "Name,Email", "Ana,bad@@x", "Ben,b@example.com", "C,c"], "utf-8", "\n"
    )
    edited = report("edit")
    edited.outcomes[0].values["Email"] = "ana@example.com"
    edited.outcomes[0].edited = frozenset({"Email"})

    out = write_back(source, edited).path

    rows = records(out.read_bytes(), "utf-8", ",")
    assert rows[2][:3] == ["Ana", "ana@example.com", "Completed"]
    assert out.read_text(encoding="utf-8").split("\n")[3].startswith("Ben,b@example.com,Failed,")


def test_a_second_write_back_writes_over_the_first_ones_columns(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "again.csv", ["T", "Name,Email", "A,a", "B,b", "C,c"], "utf-8", "\n")
    first = write_back(source, report("again")).path
    second_report = report("again - results")
    second_report.sheets = [
        SheetLayout(
            "again - results",
            2,
            tuple(
                SheetColumn(chr(65 + i), h)
                for i, h in enumerate(records(first.read_bytes(), "utf-8", ",")[1])
            ),
        )
    ]
    second_report.outcomes[1] = replace(completed_link_row(4), sheet="again - results")

    second = write_back(first, second_report, tmp_path / "twice.csv").path

    rows = records(second.read_bytes(), "utf-8", ",")
    assert len(rows[1]) == 2 + len(RESULTS)
    assert [row[2] for row in rows[2:]] == ["Completed"] * 3


def test_a_csv_copy_cannot_have_a_password_or_another_ending(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "plain.csv", ["T", "Name,Email", "A,a", "B,b", "C,c"], "utf-8", "\n")

    with pytest.raises(WriteBackNotPossible, match="cannot be protected with a password"):
        write_back(source, report("plain"), options=ExportOptions(password="secret"))
    with pytest.raises(WriteBackNotPossible, match=r"ending in “\.csv”"):
        write_back(source, report("plain"), tmp_path / "plain - results.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.csv"]
    assert default_write_back_path(tmp_path / "list.TSV").name == "list - results.tsv"
