"""The main window's flow: steps open in order, going back always works, shortcuts, and remembered layout."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from app.ui.main_window import CONNECT, IMPORT, RESULTS, REVIEW, MainWindow
from app.ui.session import Session
from app.ui.settings_dialog import SettingsDialog
from tests.ui.review_fixtures import SAMPLES


def press(window: MainWindow, qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, key, modifier)


def test_before_connecting_only_the_connect_step_is_open(window: MainWindow) -> None:
    assert [window.step_enabled(i) for i in range(RESULTS + 1)] == [True, False, False, False, False]
    assert not window.step_list.item(IMPORT).flags() & Qt.ItemFlag.ItemIsEnabled
    assert not window.next_button.isEnabled()
    assert not window.go_to_step(IMPORT)
    assert window.current_step() == CONNECT
    assert "Import opens once Connect is done" in window.statusBar().currentMessage()


def test_connecting_opens_the_next_step_and_next_and_back_move_between_them(
    connected_window: MainWindow, qtbot: QtBot
) -> None:
    window = connected_window
    assert window.step_enabled(IMPORT)
    assert window.step_list.item(IMPORT).flags() & Qt.ItemFlag.ItemIsEnabled
    assert not window.step_enabled(REVIEW)  # nothing imported yet
    assert window.next_button.text() == "&Next: Import →"

    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_step() == IMPORT
    assert not window.next_button.isEnabled()

    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    assert window.current_step() == CONNECT


def test_clicking_a_closed_step_in_the_step_bar_stays_where_you_are(connected_window: MainWindow) -> None:
    connected_window.step_list.setCurrentRow(REVIEW)

    assert connected_window.current_step() == CONNECT
    assert connected_window.step_list.currentRow() == CONNECT


def test_when_an_earlier_step_is_undone_the_window_goes_back_to_it(connected_window: MainWindow) -> None:
    window = connected_window
    window.go_to_step(IMPORT)

    window.session.drop_connection()

    assert window.current_step() == CONNECT
    assert not window.step_enabled(IMPORT)
    assert window.connection_label.text() == "Not connected"


def test_keyboard_shortcuts_move_between_open_steps(connected_window: MainWindow, qtbot: QtBot) -> None:
    window = connected_window
    ctrl = Qt.KeyboardModifier.ControlModifier

    press(window, qtbot, Qt.Key.Key_2, ctrl)
    assert window.current_step() == IMPORT
    press(window, qtbot, Qt.Key.Key_3, ctrl)  # Review is not open yet
    assert window.current_step() == IMPORT
    press(window, qtbot, Qt.Key.Key_1, ctrl)
    assert window.current_step() == CONNECT
    press(window, qtbot, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_step() == IMPORT


def test_history_is_always_reachable_and_back_returns_to_the_step(window: MainWindow, qtbot: QtBot) -> None:
    press(window, qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.history_page
    assert window.current_step() is None

    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    assert window.current_step() == CONNECT


def test_ctrl_comma_opens_the_settings(window: MainWindow, qtbot: QtBot) -> None:
    press(window, qtbot, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)

    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_window_size_and_splitter_are_remembered(
    session: Session, view_state: QSettings, qtbot: QtBot
) -> None:
    first = MainWindow(session, view_state)
    qtbot.addWidget(first)
    first.show()
    first.resize(790, 640)  # within the offscreen platform's 800 x 800 screen, or Qt moves it to fit
    first.splitter.setSizes([230, 560])
    sizes = first.splitter.sizes()
    first.close()

    second = MainWindow(session, view_state)
    qtbot.addWidget(second)
    second.show()

    assert (second.width(), second.height()) == (790, 640)
    assert second.splitter.sizes() == sizes


def test_every_control_on_every_page_has_an_accessible_name(window: MainWindow) -> None:
    for page in window.pages:
        assert page.accessibleName() == f"{page.title} page"
        controls = [
            *page.findChildren(QAbstractButton),
            *page.findChildren(QComboBox),
            *page.findChildren(QLineEdit),
        ]
        # Qt's own parts (a line edit's clear button, a table's corner button) are named by Qt.
        ours = [c for c in controls if not isinstance(c.parent(), QAbstractItemView | QLineEdit | QComboBox)]
        unnamed = [control for control in ours if not control.accessibleName()]
        assert unnamed == [], f"controls without an accessible name on {page.title}"


def test_a_workbook_named_at_start_is_read_once_connected_and_shown_in_review(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    workbook = tmp_path / "rewards.xlsx"
    shutil.copy(SAMPLES / "digital-email-sms.xlsx", workbook)

    window.start(workbook)

    qtbot.waitUntil(lambda: window.current_step() == REVIEW, timeout=10_000)
    assert window.session.requested_workbook is None
    imported = window.session.imported
    assert imported is not None and imported.path == workbook
    assert window.session.settings.recent_files == [str(workbook.resolve())]


def test_a_missing_workbook_named_at_start_is_explained_on_the_import_page(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window.start(tmp_path / "rewards.xlsx")

    qtbot.waitUntil(lambda: window.import_page.message.message() != "", timeout=10_000)
    assert window.current_step() == IMPORT
    assert "rewards.xlsx” does not exist" in window.import_page.message.message()
