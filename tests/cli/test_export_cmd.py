"""`giftbatch export RUN` as a user runs it: each kind of export, the secrets rules, and clear refusals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from openpyxl.chart import BarChart, Reference

from app.cli import main
from app.config.paths import AppPaths
from app.engine.journal import SubmissionJournal
from app.workbook.output_file import MIN_PASSWORD_LENGTH
from app.workbook.reader import read_workbook
from tests.engine.report_helpers import HOSTILE_TEAM, build_run_workbook, finished_run
from tests.workbook.export_helpers import assert_stored_as_text, decrypt


@pytest.fixture
def run(app_paths: AppPaths, tmp_path: Path) -> tuple[str, Path]:
    """A finished run in the app's own journal, and the workbook it read."""
    workbook = build_run_workbook(tmp_path / "staff.xlsx")
    journal = SubmissionJournal(app_paths.journal_file)
    try:
        return finished_run(journal, workbook), workbook
    finally:
        journal.close()


def _results(path: Path | bytes, sheet: str = "Results") -> list[dict[str, object]]:
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    header, *rows = openpyxl.load_workbook(source)[sheet].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_results_workbook_has_every_row_with_its_status(
    run: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id, _ = run
    out = tmp_path / "results.xlsx"

    assert main(["export", run_id, "--out", str(out)]) == 0

    rows = _results(out)
    assert [(r["Source Sheet"], r["Source Row"], r["Status"]) for r in rows] == [
        ("Staff", 2, "Completed"),
        ("Staff", 3, "Completed"),
        ("Staff", 4, "Failed"),
        ("Staff", 5, "Completed"),
        ("Links", 2, "Completed"),
        ("Links", 3, "Completed"),
    ]
    assert rows[0]["Team"] == "Team 1" and rows[4]["Note"] == "for the fair"
    assert rows[2]["Failure Reason"] == "The mailbox does not exist"
    assert "Claim Link(s)" not in rows[0]
    assert_stored_as_text(out, "Results", "F3")  # the hostile Team value of row 3
    assert f"run {run_id} (6 rows)" in capsys.readouterr().out


def test_claim_links_need_a_password_or_unprotected(
    run: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id, _ = run
    out = tmp_path / "links.xlsx"

    assert main(["export", run_id, "--out", str(out), "--with-secrets"]) == 2
    assert "--unprotected" in capsys.readouterr().err
    assert not out.exists()

    assert main(["export", run_id, "--out", str(out), "--with-secrets", "--unprotected"]) == 0
    assert "without a password" in capsys.readouterr().err
    cards = _results(out, "Claim Links")
    assert [c["Claim Link"] for c in cards] == [
        "https://claim.example/claim/Links!2-0",
        "https://claim.example/claim/Links!2-1",
        "https://claim.example/claim/Links!3-0",
    ]


def test_a_password_from_the_environment_encrypts_the_export(
    run: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = run
    out = tmp_path / "links.xlsx"
    monkeypatch.setenv("EXPORT_PASSWORD", "correct horse")

    assert (
        main(
            ["export", run_id, "--out", str(out), "--with-secrets", "--password-from-env", "EXPORT_PASSWORD"]
        )
        == 0
    )

    with pytest.raises(Exception):  # noqa: B017 — openpyxl sees no zip at all
        openpyxl.load_workbook(out)
    assert len(_results(decrypt(out, "correct horse"), "Claim Links")) == 3


def test_write_back_puts_results_beside_the_rows_of_a_copy(
    run: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run_id, workbook = run
    before = workbook.read_bytes()

    assert main(["export", run_id, "--write-back"]) == 0

    copy = workbook.with_name("staff - results.xlsx")
    assert str(copy) in capsys.readouterr().out
    staff = openpyxl.load_workbook(copy)["Staff"]
    assert [staff.cell(1, c).value for c in (7, 8)] == ["Status", "Order Id"]
    assert [staff.cell(r, 7).value for r in range(2, 6)] == ["Completed", "Completed", "Failed", "Completed"]
    assert staff["A1"].font.b
    assert staff["F3"].value == HOSTILE_TEAM
    assert_stored_as_text(copy, "Staff", "F3")
    assert openpyxl.load_workbook(copy)["Links"]["E2"].value == "Completed"
    assert workbook.read_bytes() == before


def test_write_back_keeps_a_chart_and_every_other_part_byte_for_byte(
    app_paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workbook = build_run_workbook(tmp_path / "staff.xlsx")
    book = openpyxl.load_workbook(workbook)
    chart = BarChart()
    chart.add_data(Reference(book["Staff"], min_col=4, min_row=1, max_row=5), titles_from_data=True)
    book["Staff"].add_chart(chart, "H2")
    book.save(workbook)
    journal = SubmissionJournal(app_paths.journal_file)
    run_id = finished_run(journal, workbook)
    journal.close()

    assert main(["export", run_id, "--write-back"]) == 0

    copy = workbook.with_name("staff - results.xlsx")
    assert str(copy) in capsys.readouterr().out
    with zipfile.ZipFile(workbook) as before, zipfile.ZipFile(copy) as after:
        assert after.namelist() == before.namelist()
        changed = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml"}
        for name in set(before.namelist()) - changed:
            assert after.read(name) == before.read(name), name
        assert "xl/charts/chart1.xml" in before.namelist()
    assert openpyxl.load_workbook(copy)["Staff"]["G1"].value == "Status"


def test_write_back_of_an_xls_workbook_offers_the_results_workbook(
    app_paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = openpyxl.load_workbook(build_run_workbook(tmp_path / "staff.xlsx"))
    book = xlwt.Workbook()
    for sheet in rows.worksheets:
        old = book.add_sheet(sheet.title)
        for r, row in enumerate(sheet.iter_rows(values_only=True)):
            for c, value in enumerate(row):
                old.write(r, c, value)
    workbook = tmp_path / "staff.xls"
    book.save(str(workbook))
    journal = SubmissionJournal(app_paths.journal_file)
    run_id = finished_run(journal, workbook)
    journal.close()

    assert main(["export", run_id, "--write-back"]) == 2

    err = capsys.readouterr().err
    assert "(.xls)" in err and "results workbook" in err and f"giftbatch export {run_id} --out" in err
    assert not workbook.with_name("staff - results.xlsx").exists()


def test_the_error_report_holds_the_rows_to_fix_and_imports_again(
    run: tuple[str, Path], tmp_path: Path
) -> None:
    run_id, _ = run
    out = tmp_path / "to fix.xlsx"

    assert main(["export", run_id, "--errors", "--out", str(out)]) == 0

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Staff", "Issues"]
    staff = list(book["Staff"].iter_rows(values_only=True))
    assert staff == [
        ("Name", "Email", "Product", "Value", "Quantity", "Team"),
        ("Person 3", "person3@example.com", "CVS", 10, 1, "Team 3"),
    ]
    assert book["Staff"]["A2"].comment.text == "Error: The mailbox does not exist"
    again = read_workbook(out)
    assert [r.key for r in again.records] == ["Staff!2"]


def test_an_existing_file_is_kept_without_force(
    run: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id, _ = run
    out = tmp_path / "results.xlsx"
    out.write_bytes(b"last week's")

    assert main(["export", run_id, "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_bytes() == b"last week's"
    assert main(["export", run_id, "--out", str(out), "--force"]) == 0
    assert len(_results(out)) == 6


def test_a_moved_workbook_still_gives_results_and_can_be_pointed_at(
    run: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id, workbook = run
    moved = workbook.rename(tmp_path / "archive.xlsx")

    assert main(["export", run_id, "--out", str(tmp_path / "a.xlsx")]) == 0
    assert "--workbook" in capsys.readouterr().err
    sent = {(r["Source Sheet"], r["Source Row"]): r for r in _results(tmp_path / "a.xlsx")}
    assert sent["Staff", 2]["Email"] == "person1@example.com"  # what the row sent

    assert main(["export", run_id, "--out", str(tmp_path / "b.xlsx"), "--workbook", str(moved)]) == 0
    assert _results(tmp_path / "b.xlsx")[0]["Team"] == "Team 1"


def test_an_unknown_run_is_named(
    run: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "261126-NOSUCH", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "261126-NOSUCH" in capsys.readouterr().err


@pytest.mark.parametrize("kind", [[], ["--errors"], ["--write-back"]])
def test_no_export_replaces_the_runs_workbook(
    run: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: list[str]
) -> None:
    run_id, workbook = run
    before = workbook.read_bytes()
    link = tmp_path / "link.xlsx"
    link.symlink_to(workbook)
    for target in (workbook, tmp_path / "." / workbook.name, link):
        assert main(["export", run_id, *kind, "--out", str(target), "--force"]) == 2
        assert "never writes over it" in capsys.readouterr().err or kind == ["--write-back"]
    assert workbook.read_bytes() == before


def test_the_template_is_not_written_over_the_journal(
    run: tuple[str, Path], app_paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = app_paths.journal_file
    before = journal.read_bytes()
    assert main(["template", "--out", str(journal.with_suffix(".xlsx")), "--force"]) == 2
    assert main(["export", run[0], "--out", str(app_paths.data_dir / "results.xlsx")]) == 2
    assert "Giftbatch's own folder" in capsys.readouterr().err
    assert journal.read_bytes() == before


def test_a_password_protecting_claim_links_has_eight_characters_as_in_the_app(
    run: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, _ = run
    out = tmp_path / "links.xlsx"
    monkeypatch.setenv("SHORT", "x" * (MIN_PASSWORD_LENGTH - 1))
    monkeypatch.setenv("LONG", "x" * MIN_PASSWORD_LENGTH)
    secrets = ["export", run_id, "--out", str(out), "--with-secrets", "--password-from-env"]

    assert main([*secrets, "SHORT"]) == 2
    assert f"at least {MIN_PASSWORD_LENGTH} characters" in capsys.readouterr().err
    assert not out.exists()
    assert main([*secrets, "LONG"]) == 0
    assert decrypt(out, "x" * MIN_PASSWORD_LENGTH).startswith(b"PK")
