"""The Import step through its widgets, with real workers and the in-process sandbox's catalog: sample
workbooks, the column-mapping dialog and its memory, passwords, damaged files, cancel, drops, recent files."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.catalog import Catalog, DeliveryType
from app.domain.fields import Field
from app.ui.imported import MAPPINGS_FILE
from app.ui.main_window import IMPORT, REVIEW, MainWindow
from app.ui.mapping_dialog import MappingDialog
from app.ui.pages.import_page import MAX_RECENT, MISSING_NOTE, remember_recent
from app.ui.password_dialog import PasswordDialog
from app.workbook.mapping import MatchConfidence
from tests.ui.conftest import WORKER_DRAIN_MS
from tests.ui.review_fixtures import COMMON_MISTAKES, SAMPLES
from tests.workbook import hostile_books as books
from tests.workbook.book_builders import encrypt, xlsx

CLEAN_SAMPLES = ["digital-email-sms.xlsx", "links.xlsx", "physical.xlsx", "mixed-all-three.xlsx"]


def wait_for_dialog(window: MainWindow, qtbot: QtBot, kind: type[QDialog]) -> QDialog:
    found: list[QDialog] = []

    def shown() -> bool:
        found[:] = [d for d in window.import_page.findChildren(kind) if d.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=WORKER_DRAIN_MS)
    return found[0]


def open_and_wait(window: MainWindow, qtbot: QtBot, path: Path) -> None:
    window.go_to_step(IMPORT)
    window.import_page.open_path(path)
    qtbot.waitUntil(lambda: not window.import_page.busy, timeout=WORKER_DRAIN_MS)


def test_the_common_mistakes_sample_is_read_in_the_background_and_shown_in_review(
    connected_window: MainWindow, qtbot: QtBot
) -> None:
    page = connected_window.import_page
    connected_window.go_to_step(IMPORT)

    page.open_path(COMMON_MISTAKES)
    assert page.progress.isVisible() and page.cancel_button.isVisible()

    qtbot.waitUntil(lambda: connected_window.current_step() == REVIEW, timeout=WORKER_DRAIN_MS)
    imported = connected_window.session.imported
    assert imported is not None
    assert imported.facts.row_count == 16
    assert imported.facts.error_rows == 5  # row 14 repeats row 13 cell for cell
    assert not page.progress.isVisible()
    assert page.is_complete()
    assert "16 rows from sheet “Gifts Q4”" in page.result_label.text()
    assert connected_window.session.settings.recent_files == [str(COMMON_MISTAKES.resolve())]
    assert connected_window.session.recipient_model.rowCount() == 16


@pytest.mark.parametrize("name", CLEAN_SAMPLES)
def test_each_clean_sample_reads_without_errors(
    connected_window: MainWindow, qtbot: QtBot, name: str
) -> None:
    open_and_wait(connected_window, qtbot, SAMPLES / name)

    imported = connected_window.session.imported
    assert imported is not None
    assert imported.facts.row_count > 0
    assert imported.facts.error_rows == 0, [i.message for g in imported.facts.groups for i in g.issues]
    assert connected_window.current_step() == REVIEW
    assert connected_window.review_page.is_complete()


def guessed_workbook(path: Path) -> Path:
    rows = [
        ["Full Name", "Work e-mail addr", "Product", "Value", "Notes"],
        ["Ana Ortiz", "ana@example.com", "CVS", 25, "Thanks for everything"],
        ["Bo Lee", "bo@example.com", "COFFEE", 10, "Great year"],
    ]
    return xlsx(path, rows)


def test_a_guessed_column_opens_the_mapping_dialog_and_the_choice_is_remembered(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    page = connected_window.import_page
    connected_window.go_to_step(IMPORT)
    page.open_path(guessed_workbook(tmp_path / "first.xlsx"))

    dialog = wait_for_dialog(connected_window, qtbot, MappingDialog)
    assert isinstance(dialog, MappingDialog)
    assert dialog.table.item(1, 1).text() == "Guessed — check it"
    assert dialog.field_of("Work e-mail addr") is Field.EMAIL
    assert dialog.field_of("Notes") is None
    dialog.choose("Notes", Field.MESSAGE)
    assert dialog.table.item(1, 4).text() == "Your choice"
    dialog.accept()

    qtbot.waitUntil(lambda: connected_window.current_step() == REVIEW, timeout=WORKER_DRAIN_MS)
    imported = connected_window.session.imported
    assert imported is not None
    mapping = imported.sheets[0].mapping
    assert mapping.by_field[Field.MESSAGE].header.text == "Notes"
    assert mapping.by_field[Field.EMAIL].confidence is MatchConfidence.USER
    assert (connected_window.session.paths.config_dir / MAPPINGS_FILE).is_file()

    # Another workbook with the same header: mapped the same way at once, no dialog.
    open_and_wait(connected_window, qtbot, guessed_workbook(tmp_path / "second.xlsx"))
    second = connected_window.session.imported
    assert second is not None and second.path.name == "second.xlsx"
    assert second.sheets[0].mapping.by_field[Field.MESSAGE].header.text == "Notes"
    assert not [d for d in page.findChildren(MappingDialog) if d.isVisible()]
    assert connected_window.current_step() == REVIEW


def test_a_missing_column_is_named_in_the_mapping_dialog(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    rows = [["Email", "Product", "Amount owed"], ["ana@example.com", "CVS", 25]]
    connected_window.go_to_step(IMPORT)
    connected_window.import_page.open_path(xlsx(tmp_path / "no-value.xlsx", rows))

    dialog = wait_for_dialog(connected_window, qtbot, MappingDialog)
    assert isinstance(dialog, MappingDialog)
    assert "Missing: Value" not in dialog.missing.message()  # "Amount owed" was guessed as the value
    dialog.choose("Amount owed", None)
    assert "Missing: Value." in dialog.missing.message()
    dialog.reject()
    qtbot.waitUntil(lambda: connected_window.session.imported is not None, timeout=WORKER_DRAIN_MS)
    assert connected_window.current_step() == IMPORT  # cancelled: the rows are there, the user stays


def test_a_protected_workbook_asks_for_its_password_again_when_wrong(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    protected = encrypt(SAMPLES / "digital-email-sms.xlsx", tmp_path / "protected.xlsx", "Secret-42")
    connected_window.go_to_step(IMPORT)
    connected_window.import_page.open_path(protected)

    first = wait_for_dialog(connected_window, qtbot, PasswordDialog)
    assert isinstance(first, PasswordDialog)
    assert first.error.message() == ""
    qtbot.keyClicks(first.password_edit, "secret-42")
    first.accept()

    second = wait_for_dialog(connected_window, qtbot, PasswordDialog)
    assert isinstance(second, PasswordDialog) and second is not first
    assert "That password is wrong" in second.error.message()
    qtbot.keyClicks(second.password_edit, "Secret-42")
    second.accept()

    qtbot.waitUntil(lambda: connected_window.current_step() == REVIEW, timeout=WORKER_DRAIN_MS)
    imported = connected_window.session.imported
    assert imported is not None and imported.read.encrypted
    assert imported.choices.password == "Secret-42"


def test_a_damaged_file_is_explained_on_the_page_without_a_dialog(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook" * 20)

    open_and_wait(connected_window, qtbot, broken)

    page = connected_window.import_page
    assert "broken.xlsx" in page.message.message()
    assert "damaged" in page.message.message() or "not a workbook" in page.message.message()
    assert connected_window.current_step() == IMPORT
    assert not page.is_complete()
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog | QMessageBox) and w.isVisible()
    ]


@pytest.mark.parametrize("hostile", ["far cell", "pipe"])
def test_a_hostile_file_is_refused_on_the_page_in_plain_words(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, hostile: str
) -> None:
    if hostile == "pipe":
        path = tmp_path / "pipe.xlsx"
        os.mkfifo(path)
        expected = "is a named pipe, not a file"
    else:
        path = books.far_cell(tmp_path / "far.xlsx", "XFD1048576")
        expected = "cannot be read safely"

    open_and_wait(connected_window, qtbot, path)

    page = connected_window.import_page
    assert expected in page.message.message() and path.name in page.message.message()
    assert connected_window.current_step() == IMPORT


def test_cancel_stops_the_read_and_says_so(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    big = tmp_path / "big.csv"
    big.write_text("Email,Product,Value\n" + "".join(f"p{i}@example.com,CVS,25\n" for i in range(60_000)))
    page = connected_window.import_page
    connected_window.go_to_step(IMPORT)
    page.open_path(big)

    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: not page.busy, timeout=WORKER_DRAIN_MS)
    assert "cancelled" in page.message.message()
    assert connected_window.session.imported is None
    assert connected_window.current_step() == IMPORT


def test_a_workbook_dropped_on_the_window_is_opened(connected_window: MainWindow, qtbot: QtBot) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAMPLES / "links.xlsx"))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )

    connected_window.dropEvent(event)

    qtbot.waitUntil(lambda: connected_window.session.imported is not None, timeout=WORKER_DRAIN_MS)
    imported = connected_window.session.imported
    assert imported is not None and imported.path.name == "links.xlsx"


def test_recent_workbooks_come_most_recent_first_and_missing_ones_are_greyed(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    session = connected_window.session
    settings = session.settings
    settings.recent_files = [str(tmp_path / "gone.xlsx"), str(SAMPLES / "physical.xlsx")]
    session.save_settings(settings)
    page = connected_window.import_page

    gone = page.recent_list.item(0)
    assert gone.text().endswith(MISSING_NOTE)
    page.recent_list.itemActivated.emit(gone)
    assert "no longer there" in page.message.message()

    connected_window.go_to_step(IMPORT)
    page.recent_list.itemActivated.emit(page.recent_list.item(1))
    qtbot.waitUntil(lambda: session.imported is not None, timeout=WORKER_DRAIN_MS)
    assert session.settings.recent_files[0] == str((SAMPLES / "physical.xlsx").resolve())
    first = page.recent_list.item(0)
    assert first.data(Qt.ItemDataRole.UserRole) == str((SAMPLES / "physical.xlsx").resolve())
    assert first.text().startswith("physical.xlsx  —  ")


def test_the_recent_list_keeps_ten_without_repeats() -> None:
    recent = [f"/w/{i}.xlsx" for i in range(MAX_RECENT)]
    assert remember_recent(recent, Path("/w/3.xlsx"))[:2] == ["/w/3.xlsx", "/w/0.xlsx"]
    assert len(remember_recent(recent, Path("/w/new.xlsx"))) == MAX_RECENT


def test_with_several_sheets_one_can_be_chosen(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    def second_sheet(book: object, _sheet: object) -> None:
        extra = book.add_worksheet("Later")  # type: ignore[attr-defined]
        for r, row in enumerate([["Email", "Product", "Value"], ["cy@example.com", "CVS", 50]]):
            extra.write_row(r, 0, row)

    rows = [["Email", "Product", "Value"], ["ana@example.com", "CVS", 25], ["bo@example.com", "CVS", 10]]
    path = xlsx(tmp_path / "two.xlsx", rows, setup=second_sheet)
    open_and_wait(connected_window, qtbot, path)
    page = connected_window.import_page
    session = connected_window.session
    assert session.imported is not None and session.imported.facts.row_count == 3
    assert page.sheet_combo.isEnabled()
    assert page.sheet_combo.itemText(0) == "All sheets (2)"

    page.sheet_combo.setCurrentIndex(page.sheet_combo.findData("Later"))
    page.sheet_combo.activated.emit(page.sheet_combo.currentIndex())

    qtbot.waitUntil(lambda: session.imported is not None and session.imported.facts.row_count == 1)
    assert [s.name for s in session.imported.sheets] == ["Later"]


def test_the_default_delivery_type_applies_to_rows_that_do_not_say(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    rows = [["Name", "Product", "Value"], ["Raffle prize", "CVS", 25]]
    open_and_wait(connected_window, qtbot, xlsx(tmp_path / "prizes.xlsx", rows))
    session = connected_window.session
    page = connected_window.import_page
    for dialog in page.findChildren(MappingDialog):
        dialog.accept()
    qtbot.waitUntil(lambda: session.imported is not None and not page.busy, timeout=WORKER_DRAIN_MS)

    page.delivery_combo.setCurrentIndex(page.delivery_combo.findData(DeliveryType.LINKS.value))
    page.delivery_combo.activated.emit(page.delivery_combo.currentIndex())

    qtbot.waitUntil(lambda: not page.busy and session.import_result is not None)
    result = session.import_result
    assert result is not None
    assert result.rows[0].recipient.delivery_type is DeliveryType.LINKS
    assert result.rows[0].is_valid


def test_rows_are_checked_again_when_the_catalog_offers_something_else(
    connected_window: MainWindow, qtbot: QtBot
) -> None:
    session = connected_window.session
    open_and_wait(connected_window, qtbot, SAMPLES / "links.xlsx")
    first = session.imported
    catalog = session.catalog
    assert first is not None and catalog is not None

    session.update_catalog(dataclasses.replace(catalog))  # fetched again, same offer: nothing to redo
    assert not connected_window.import_page.busy and session.imported is first

    session.update_catalog(Catalog())  # nothing on offer any more
    qtbot.waitUntil(lambda: session.imported is not first, timeout=WORKER_DRAIN_MS)
    imported = session.imported
    assert imported is not None
    assert "catalog.missing" in [group.code for group in imported.facts.groups]
