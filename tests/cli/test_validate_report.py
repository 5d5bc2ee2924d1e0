"""`giftbatch validate FILE --report OUT`: the error report straight from a validation, and its round trip."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from app.cli import main
from app.workbook.export_errors import ERROR_FILL

HEADER = ["First name", "Email", "Product", "Value", "Department"]
ROWS = [
    ["Ana", "ana@example.com", "CVS", 25, "Ops"],
    ["Ben", "ben(at)example.com", "CVS", 25, "HR"],  # bad email
    ["Cy", "cy@example.com", "CVS", 7, "IT"],  # a value CVS does not allow
    ["Dee", "dee@example.com", "CVS", 50, "IT"],
]


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Recipients"
    sheet.append(["December rewards"])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(path)
    return path


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    main(["validate", str(path), "--json"])
    return dict(json.loads(capsys.readouterr().out))


def test_the_report_marks_the_problem_rows_and_validates_again_to_the_same_issues(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _workbook(tmp_path / "staff.xlsx")
    report = tmp_path / "staff - errors.xlsx"

    assert main(["validate", str(source), "--report", str(report)]) == 1
    assert "Wrote the error report (2 rows with issues)" in capsys.readouterr().out

    sheet = openpyxl.load_workbook(report)["Recipients"]
    assert [c.value for c in sheet[1]] == HEADER
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Ben", "Cy"]
    assert sheet["B2"].fill.fgColor.rgb.endswith(ERROR_FILL[1:])
    assert "not a valid email address" in sheet["B2"].comment.text
    first, again = _validate(source, capsys), _validate(report, capsys)
    assert again["mapping"] == first["mapping"]
    report_row = {4: 2, 5: 3}  # the original's rows 4 and 5 are the report's rows 2 and 3
    first_issues: list[dict[str, object]] = first["issues"]  # type: ignore[assignment]
    again_issues: list[dict[str, object]] = again["issues"]  # type: ignore[assignment]
    expected = [(i["code"], i["column"], report_row[i["row"]]) for i in first_issues if i["row"]]  # type: ignore[index]
    got = [(i["code"], i["column"], i["row"]) for i in again_issues if i["row"]]
    assert got == expected


def test_no_issues_no_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROWS[0])
    book.active.append(["Ed", "ed@example.com", "CVS", 25, "Ops"])
    book.active.append(["Flo", "flo@example.com", "CVS", 10, "Ops"])
    book.save(tmp_path / "clean.xlsx")

    main(
        [
            "validate",
            str(tmp_path / "clean.xlsx"),
            "--delivery-type",
            "email",
            "--report",
            str(tmp_path / "r.xlsx"),
        ]
    )

    assert "no error report was written" in capsys.readouterr().out
    assert not (tmp_path / "r.xlsx").exists()


def test_an_existing_report_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _workbook(tmp_path / "staff.xlsx")
    report = tmp_path / "errors.xlsx"
    report.write_bytes(b"old")

    assert main(["validate", str(source), "--report", str(report)]) == 2
    assert "--force" in capsys.readouterr().err
    assert report.read_bytes() == b"old"
    assert main(["validate", str(source), "--report", str(report), "--force"]) == 1
    assert openpyxl.load_workbook(report).sheetnames == ["Recipients", "Issues"]


@pytest.mark.parametrize("spelling", ["same", "dotted", "link", "hard link"])
def test_the_report_never_replaces_the_workbook_it_is_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    """`validate X --report X --force`: refused before any work, however X is written, and X stays."""
    source = _workbook(tmp_path / "staff.xlsx")
    before = source.read_bytes()
    target = {"same": source, "dotted": tmp_path / "." / "staff.xlsx"}.get(spelling, tmp_path / "other.xlsx")
    if spelling == "link":
        target.symlink_to(source)
    elif spelling == "hard link":
        target.hardlink_to(source)

    assert main(["validate", str(source), "--report", str(target), "--force"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "never writes over it" in captured.err
    assert "staff.xlsx" in captured.err and captured.out == ""
    assert source.read_bytes() == before
    assert target.is_symlink() == (spelling == "link")


def test_the_report_is_not_written_into_the_apps_own_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], giftbatch_home: Path
) -> None:
    source = _workbook(tmp_path / "staff.xlsx")
    journal = giftbatch_home / "data" / "journal.sqlite3"

    assert main(["validate", str(source), "--report", str(journal), "--force"]) == 2
    assert "Giftbatch's own folder" in capsys.readouterr().err
    assert not journal.exists()
