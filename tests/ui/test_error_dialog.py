"""An unexpected error: logged in full, one short apology with copyable details, and the app keeps running."""

from __future__ import annotations

import sqlite3
import sys
from types import TracebackType

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.config.paths import AppPaths
from app.ui.error_dialog import UnexpectedErrorHandler
from app.ui.main_window import MainWindow


def raised(message: str) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    try:
        raise ValueError(message)
    except ValueError as error:
        return type(error), error, error.__traceback__


@pytest.fixture
def handler(
    window: MainWindow, app_paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> UnexpectedErrorHandler:
    hook = UnexpectedErrorHandler(app_paths.log_file, lambda: window)
    monkeypatch.setattr(sys, "excepthook", hook)
    return hook


def test_an_unexpected_error_is_logged_and_apologised_for_once(
    handler: UnexpectedErrorHandler, window: MainWindow, app_paths: AppPaths, caplog: pytest.LogCaptureFixture
) -> None:
    sys.excepthook(*raised("the grid lost its model"))
    sys.excepthook(*raised("and again"))

    dialog = handler.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.parent() is window
    assert [d for d in window.findChildren(type(dialog)) if d.isVisible()] == [dialog]
    where = next(
        label for label in dialog.findChildren(QLabel) if label.accessibleName() == "Log file location"
    )
    assert str(app_paths.log_file) in where.text()
    logged = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert [str(error) for error in logged] == ["the grid lost its model", "and again"]
    assert window.isVisible()
    dialog.reject()


def test_copy_details_puts_the_traceback_without_secrets_on_the_clipboard(
    handler: UnexpectedErrorHandler, qtbot: QtBot
) -> None:
    sys.excepthook(*raised("refused with Authorization: Bearer eyJhbGciOi.secret.part"))
    dialog = handler.dialog
    assert dialog is not None

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)

    copied = QGuiApplication.clipboard().text()
    assert "ValueError: refused with Authorization" in copied
    assert "Traceback" in copied
    assert "eyJhbGciOi" not in copied
    assert dialog.copy_button.text() == "Copied"
    dialog.reject()


def test_a_full_disk_gets_one_plain_sentence_not_the_apology(handler: UnexpectedErrorHandler) -> None:
    try:
        raise sqlite3.OperationalError("database or disk is full")
    except sqlite3.OperationalError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    dialog = handler.dialog
    assert isinstance(dialog, QMessageBox) and dialog.isVisible()
    assert dialog.windowTitle() == "The disk is full"
    assert "Free some space" in dialog.text() and "log" not in dialog.text().split(":")[0]
    dialog.reject()
