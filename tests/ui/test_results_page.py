"""The Results step: counts, the rows not paid (copyable), and the three exports with their questions."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
import xlsxwriter
import xlwt
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.ui.export_dialogs import ProtectDialog
from app.ui.main_window import RESULTS, MainWindow
from app.ui.pages.results_page import ResultsPage
from tests.ui.flow_helpers import (
    RUN_MS,
    answer_message_box,
    click,
    open_send_step,
    open_workbook,
    sample_copy,
    save_dialog_answers,
    send_and_confirm,
    send_workbook,
    wait_run_end,
    when_modal,
)

PASSWORD = "correct horse battery"


def open_results(window: MainWindow, qtbot: QtBot) -> ResultsPage:
    click(qtbot, window.next_button)
    assert window.current_step() == RESULTS
    page = window.results_page
    qtbot.waitUntil(lambda: page.results is not None, timeout=RUN_MS)
    return page


def wait_saved(page: ResultsPage, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: page.where_label.text() != "" or page.message.message() != "", timeout=RUN_MS)


def sheet_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def with_bad_email(tmp_path: Path) -> Path:
    """The email/SMS sample with row 5's address broken: one row Review stops, sent with the others skipped."""
    path = sample_copy(tmp_path, as_name="Bonus.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    column = next(cell.column for cell in sheet[1] if cell.value == "Email")
    sheet.cell(row=5, column=column, value="ben.carter@@example")
    book.save(path)
    return path


def test_the_write_back_goes_beside_the_workbook_with_a_status_column(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = sample_copy(tmp_path, as_name="Anniversaries.xlsx")
    send_workbook(connected_window, qtbot, workbook)
    page = open_results(connected_window, qtbot)
    beside = workbook.with_name("Anniversaries - results.xlsx")
    suggested = save_dialog_answers(monkeypatch, beside)

    click(qtbot, page.write_back_button)
    wait_saved(page, qtbot)

    assert suggested == [str(beside)]
    rows = sheet_rows(beside, "Anniversaries")
    original = sheet_rows(workbook, "Anniversaries")
    status = rows[0].index("Status")
    assert status >= len([h for h in original[0] if h is not None])
    assert [row[status] for row in rows[1:]] == ["Completed"] * (len(original) - 1)
    assert page.where_label.text().startswith("Saved the copy of your workbook with results as")


def test_skipped_rows_are_listed_with_their_reason_copied_and_saved_in_an_error_report(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = with_bad_email(tmp_path)
    send_workbook(connected_window, qtbot, workbook, skip_invalid=True)
    page = open_results(connected_window, qtbot)

    assert page.failures_model.rowCount() == 1
    line = page.failures_model.line_at(0)
    assert line is not None and (line.row, line.status.value) == (5, "Skipped")
    assert "D5" in line.reason
    click(qtbot, page.copy_button)
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0].split("\t")[:4] == ["Sheet", "Row", "Recipient", "Status"]
    assert copied[1].split("\t")[1:4:2] == ["5", "Skipped"]

    report = tmp_path / "to fix.xlsx"
    suggested = save_dialog_answers(monkeypatch, report)
    click(qtbot, page.errors_button)
    wait_saved(page, qtbot)

    assert suggested == [str(workbook.with_name("Bonus - to fix.xlsx"))]
    marked = sheet_rows(report, "Anniversaries")
    assert len(marked) == 2 and "ben.carter@@example" in marked[1]


def test_claim_links_go_into_a_file_only_with_a_password(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    send_workbook(connected_window, qtbot, sample_copy(tmp_path, "links.xlsx"))
    page = open_results(connected_window, qtbot)
    target = tmp_path / "links with claims.xlsx"
    save_dialog_answers(monkeypatch, target)
    page.include_links.setChecked(True)

    def protect(dialog: QWidget) -> None:
        assert isinstance(dialog, ProtectDialog)
        dialog.password_edit.setText(PASSWORD)
        dialog.repeat_edit.setText(PASSWORD)
        dialog.protect_button.click()

    when_modal(protect)
    click(qtbot, page.results_button)
    wait_saved(page, qtbot)

    with target.open("rb") as handle:
        assert msoffcrypto.OfficeFile(handle).is_encrypted()
    assert "without a password" not in page.where_label.text()


def test_claim_links_without_a_password_need_an_explicit_yes(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    send_workbook(connected_window, qtbot, sample_copy(tmp_path, "links.xlsx"))
    page = open_results(connected_window, qtbot)
    target = tmp_path / "plain claims.xlsx"
    save_dialog_answers(monkeypatch, target)
    page.include_links.setChecked(True)
    warned: list[list[str]] = []

    def without_password(dialog: QWidget) -> None:
        assert isinstance(dialog, ProtectDialog)
        warned.append(answer_message_box("Yes"))
        dialog.unprotected_button.click()

    when_modal(without_password)
    click(qtbot, page.results_button)
    wait_saved(page, qtbot)

    assert warned[0][0].startswith("Anyone who gets this file can spend the cards in it")
    links = sheet_rows(target, "Claim Links")
    assert len(links) > 1 and any(str(cell).startswith("http") for cell in links[1] if cell)
    assert "without a password" in page.where_label.text()


def test_an_existing_file_is_replaced_only_after_a_yes(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    send_workbook(connected_window, qtbot, sample_copy(tmp_path))
    page = open_results(connected_window, qtbot)
    target = tmp_path / "results.xlsx"
    target.write_bytes(b"keep me")
    save_dialog_answers(monkeypatch, target, target)

    asked = answer_message_box("No")
    click(qtbot, page.results_button)
    qtbot.waitUntil(lambda: bool(asked), timeout=RUN_MS)
    assert asked[0].startswith("“results.xlsx” already exists")
    assert target.read_bytes() == b"keep me"

    answer_message_box("Yes")
    click(qtbot, page.results_button)
    wait_saved(page, qtbot)
    assert sheet_rows(target, "Results")[0][0] is not None


def test_no_export_is_saved_over_the_workbook_the_run_read(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chosen in the save dialog (by its name, or through a link), the workbook is refused at once: no
    "Replace?" question, no password asked, the file as it was."""
    workbook = sample_copy(tmp_path, as_name="Bonus.xlsx")
    send_workbook(connected_window, qtbot, workbook)
    page = open_results(connected_window, qtbot)
    before = workbook.read_bytes()
    link = tmp_path / "shortcut.xlsx"
    link.symlink_to(workbook)
    page.include_links.setChecked(True)
    asked: list[str] = []  # nothing may be asked: record it instead of showing it
    monkeypatch.setattr(
        QMessageBox, "question", lambda *_args: asked.append("Replace?") or QMessageBox.StandardButton.No
    )
    monkeypatch.setattr(
        ProtectDialog, "exec", lambda _self: asked.append("password") or QDialog.DialogCode.Rejected
    )
    for button, target in ((page.results_button, workbook), (page.write_back_button, link)):
        save_dialog_answers(monkeypatch, target)
        click(qtbot, button)
        assert "never writes over it" in page.message.message()
    assert asked == []
    assert workbook.read_bytes() == before and link.is_symlink()


def test_a_workbook_with_a_chart_is_written_back_with_the_chart_kept(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = with_chart(sample_copy(tmp_path), tmp_path / "workbooks" / "Charted.xlsx")
    send_workbook(connected_window, qtbot, workbook)
    page = open_results(connected_window, qtbot)
    copy = workbook.with_name("Charted - results.xlsx")
    save_dialog_answers(monkeypatch, copy)

    click(qtbot, page.write_back_button)
    qtbot.waitUntil(copy.exists, timeout=RUN_MS)
    wait_saved(page, qtbot)

    rows = sheet_rows(copy, "Anniversaries")
    assert [row[rows[0].index("Status")] for row in rows[1:]] == ["Completed"] * (len(rows) - 1)
    with zipfile.ZipFile(workbook) as before, zipfile.ZipFile(copy) as after:
        assert after.read("xl/charts/chart1.xml") == before.read("xl/charts/chart1.xml")
        assert after.read("xl/drawings/drawing1.xml") == before.read("xl/drawings/drawing1.xml")
    assert page.where_label.text().startswith("Saved the copy of your workbook with results as")


def test_an_xls_workbook_offers_the_results_workbook_instead_of_a_copy(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = as_xls(sample_copy(tmp_path), tmp_path / "workbooks" / "Old.xls")
    send_workbook(connected_window, qtbot, workbook)
    page = open_results(connected_window, qtbot)
    instead = tmp_path / "instead.xlsx"
    suggested = save_dialog_answers(monkeypatch, workbook.with_name("Old - results.xlsx"), instead)
    said: list[str] = []

    def refuse(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        next(b for b in box.buttons() if b.text().startswith("Save the &results workbook")).click()

    when_modal(refuse)
    click(qtbot, page.write_back_button)
    qtbot.waitUntil(instead.exists, timeout=RUN_MS)
    wait_saved(page, qtbot)

    assert suggested[0] == str(workbook.with_name("Old - results.xlsx"))
    assert said and "(.xls)" in said[0] and "results workbook" in said[0]
    assert not workbook.with_name("Old - results.xlsx").exists()
    assert page.where_label.text().startswith("Saved the results workbook as “instead.xlsx”")


def test_a_csv_file_is_written_back_as_csv(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook = as_csv(sample_copy(tmp_path), tmp_path / "workbooks" / "Bonus.csv")
    send_workbook(connected_window, qtbot, workbook)
    page = open_results(connected_window, qtbot)
    copy = workbook.with_name("Bonus - results.csv")
    suggested = save_dialog_answers(monkeypatch, copy.with_suffix(""))  # the user typed no ending

    click(qtbot, page.write_back_button)
    qtbot.waitUntil(copy.exists, timeout=RUN_MS)
    wait_saved(page, qtbot)

    assert suggested == [str(copy)]
    lines = copy.read_text(encoding="utf-8").splitlines()
    original = workbook.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(original[0] + ",Status,Order Id")
    assert all(
        line.startswith(before + ",Completed,") for line, before in zip(lines[1:], original[1:], strict=True)
    )


def with_chart(source: Path, target: Path) -> Path:
    """The sample's rows in a new workbook that also holds a chart."""
    values = sheet_rows(source, "Anniversaries")
    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet("Anniversaries")
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": f"=Anniversaries!$H$2:$H${len(values)}"})
    sheet.insert_chart("M2", chart)
    book.close()
    return target


def as_xls(source: Path, target: Path) -> Path:
    """The sample's rows in the old binary .xls format, which no copy can be written into."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Anniversaries")
    for r, row in enumerate(sheet_rows(source, "Anniversaries")):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.save(str(target))
    return target


def as_csv(source: Path, target: Path) -> Path:
    with target.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(
            ["" if v is None else v for v in row] for row in sheet_rows(source, "Anniversaries")
        )
    return target


def test_a_cell_fixed_in_the_grid_is_sent_and_goes_into_every_export(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = connected_window
    workbook = with_bad_email(tmp_path)
    open_workbook(window, qtbot, workbook, reviewed=False)
    review = window.review_page
    imported = window.session.imported
    assert imported is not None and not review.is_complete()
    model = window.session.recipient_model
    row, column = model.row_for_key("Anniversaries!5"), imported.headers.index("Email")
    assert row is not None
    index = review.proxy.mapFromSource(model.index(row, column))
    review.table.setCurrentIndex(index)
    review.table.edit(index)
    editor = review.table.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "ben.carter@example.com")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(review.is_complete, timeout=RUN_MS)

    open_send_step(window, qtbot)
    assert window.send_page.rows_label.text() == "20 rows"
    send_and_confirm(window, qtbot)
    wait_run_end(window, qtbot)
    page = open_results(window, qtbot)
    copy, results = workbook.with_name("Bonus - results.xlsx"), tmp_path / "results.xlsx"
    save_dialog_answers(monkeypatch, copy, results)
    click(qtbot, page.write_back_button)
    qtbot.waitUntil(copy.exists, timeout=RUN_MS)
    wait_saved(page, qtbot)
    click(qtbot, page.results_button)
    qtbot.waitUntil(results.exists, timeout=RUN_MS)

    written = sheet_rows(copy, "Anniversaries")
    assert written[4][written[0].index("Email")] == "ben.carter@example.com"
    assert written[4][written[0].index("Status")] == "Completed"
    finance = sheet_rows(results, "Results")
    emails = [row[finance[0].index("Email")] for row in finance[1:]]
    assert "ben.carter@example.com" in emails and "ben.carter@@example" not in emails
