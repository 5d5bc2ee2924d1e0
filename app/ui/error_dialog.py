"""The apology for an error nobody expected: logged in full, shown briefly, and the app carries on.

A full disk is not an error nobody expected: it gets one plain sentence saying what to do, not the apology
pointing at a log file on that same disk.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.config.logging_setup import log_is_failing
from app.domain.errors import disk_full
from app.domain.redaction import redact
from app.ui.widgets import push_button

log = logging.getLogger(__name__)

DIALOG_WIDTH = 480
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def error_details(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> str:
    """The traceback as text for a support ticket, with anything that looks secret taken out."""
    text = "".join(traceback.format_exception(kind, error, tb))
    return redact(f"Giftbatch {__version__} on Python {sys.version.split()[0]}, {sys.platform}\n\n{text}")


class UnexpectedErrorDialog(QDialog):
    """Says sorry in two sentences, points at the log file, and offers the details to copy."""

    def __init__(self, details: str, log_file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.setWindowTitle("Something went wrong")
        self.setMinimumWidth(DIALOG_WIDTH)
        icon = QLabel()
        edge = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(edge, edge)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        message = QLabel(
            "<b>Sorry — Giftbatch ran into a problem it did not expect.</b><br>You can carry on working. "
            "If it happens again, please send the details to whoever supports Giftbatch for you."
        )
        message.setWordWrap(True)
        where = QLabel(
            "The log file could not be written either (is the disk full?):\n" + str(log_file)
            if log_is_failing()
            else f"The details are also in the log file:\n{log_file}"
        )
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setAccessibleName("Log file location")
        self.copy_button = push_button("&Copy details", "Copy the error details", self.copy_details)
        folder_button = QPushButton("Open the log &folder")
        folder_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file.parent)))
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        text = QVBoxLayout()
        text.setSpacing(12)
        text.addWidget(message)
        text.addWidget(where)
        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(icon)
        body.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addLayout(body)
        layout.addWidget(buttons)
        self.resize(DIALOG_WIDTH, layout.totalHeightForWidth(DIALOG_WIDTH))  # wrapped text: fit its height

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")


class UnexpectedErrorHandler:
    """Installed as `sys.excepthook` by the composition root: logs every unexpected error with its traceback
    and shows one apology at a time (a burst of errors must not stack up dialogs)."""

    def __init__(self, log_file: Path, parent: Callable[[], QWidget | None]) -> None:
        self.log_file = log_file
        self.parent = parent
        self.dialog: QDialog | None = None

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        full = disk_full(error, "Giftbatch's journal or log")
        if full is not None:
            log.warning("The disk is full: %s", error)
        else:
            log.error("Unexpected error in the desktop app", exc_info=(kind, error, tb))
        if self.dialog is not None and self.dialog.isVisible():
            return
        if full is not None:
            self.dialog = QMessageBox(
                QMessageBox.Icon.Warning,
                "The disk is full",
                full.message,
                QMessageBox.StandardButton.Close,
                self.parent(),
            )
        else:
            self.dialog = UnexpectedErrorDialog(error_details(kind, error, tb), self.log_file, self.parent())
        self.dialog.open()

    def install(self) -> ExceptHook:
        """Become `sys.excepthook`; returns the previous hook so it can be put back."""
        previous = sys.excepthook
        sys.excepthook = self
        return previous
