"""Exports land whole or not at all, never over a file unasked, and secrets only by choice or encrypted."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import BinaryIO

import openpyxl
import pytest
import xlsxwriter

from app.workbook import export_results
from app.workbook.export_results import write_results_workbook
from app.workbook.output_file import (
    MIN_PASSWORD_LENGTH,
    ExportOptions,
    OutputExists,
    OutputNotWritable,
    PasswordTooShort,
    SecretsNeedProtection,
    write_atomically,
)
from app.workbook.safe_cells import FastCellWriter, clean_text, looks_like_formula
from tests.workbook.export_helpers import HOSTILE, sample_report


def test_a_crash_mid_write_leaves_no_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: object) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(export_results._ResultsWriter, "_write_summary", crash)
    with pytest.raises(RuntimeError):
        write_results_workbook(sample_report(), tmp_path / "results.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_crash_mid_write_keeps_the_old_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "results.xlsx"
    target.write_bytes(b"yesterday's export")

    def half_then_crash(destination: str | BinaryIO) -> None:
        Path(str(destination)).write_bytes(b"PK half a zip")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputNotWritable, match="No space left on device"):
        write_atomically(target, half_then_crash, ExportOptions(force=True))
    assert target.read_bytes() == b"yesterday's export"
    assert [p.name for p in tmp_path.iterdir()] == ["results.xlsx"]


def test_an_existing_file_needs_force_and_the_message_names_it(tmp_path: Path) -> None:
    target = tmp_path / "results.xlsx"
    target.write_bytes(b"keep")
    with pytest.raises(OutputExists) as refused:
        write_results_workbook(sample_report(), target)
    assert str(target) in refused.value.message
    assert "--force" in refused.value.message
    assert target.read_bytes() == b"keep"

    write_results_workbook(sample_report(), target, ExportOptions(force=True))
    assert target.read_bytes().startswith(b"PK")


def test_a_missing_folder_is_said_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(OutputNotWritable, match="does not exist"):
        write_results_workbook(sample_report(), tmp_path / "nowhere" / "results.xlsx")


def test_a_file_with_secrets_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    options = ExportOptions(with_secrets=True, unprotected_secrets_ok=True)
    out = write_results_workbook(sample_report(), tmp_path / "results.xlsx", options)

    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_secrets_without_a_password_need_the_users_explicit_yes() -> None:
    with pytest.raises(SecretsNeedProtection):
        ExportOptions(with_secrets=True).check()
    ExportOptions(with_secrets=True, password="long enough").check()
    ExportOptions(with_secrets=True, unprotected_secrets_ok=True).check()


def test_a_password_for_claim_links_is_as_long_as_the_app_asks() -> None:
    with pytest.raises(PasswordTooShort, match=f"at least {MIN_PASSWORD_LENGTH} characters"):
        ExportOptions(with_secrets=True, password="x" * (MIN_PASSWORD_LENGTH - 1)).check()
    ExportOptions(password="short").check()  # a file without secrets keeps its workbook's own password


@pytest.mark.parametrize("text", HOSTILE)
def test_every_formula_trigger_is_recognised(text: str) -> None:
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", ["Ana", "ana@example.com", "25", " =not at start", "O'Brien", ""])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert not looks_like_formula(text)
    assert clean_text(text) == text


def test_text_a_cell_cannot_hold_is_made_fit() -> None:
    assert clean_text("a\x00b\x1fc") == "a\ufffdb\ufffdc"
    assert len(clean_text("x" * 40_000)) == 32_767


def test_direction_controls_never_reach_an_export(tmp_path: Path) -> None:
    """Whatever a row held, an export shows it in the order it is stored; an emoji keeps its joiner."""
    disguised = "\u202eanA \u2066x\u2069 👩\u200d💻"
    assert clean_text(disguised) == "anA x 👩\u200d💻"
    path = tmp_path / "export.xlsx"
    book = xlsxwriter.Workbook(str(path))
    FastCellWriter(book).write(book.add_worksheet(), 0, 0, disguised)
    book.close()
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and sheet["A1"].value == "anA x 👩\u200d💻"
