"""Small widgets the pages share: an inline message with an icon, and a busy indicator."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QStyle, QWidget


class MessageLabel(QWidget):
    """A message shown where the problem is (error, warning or information), hidden while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        self.hide()

    def show_error(self, message: str) -> None:
        self._show(QStyle.StandardPixmap.SP_MessageBoxCritical, message, "Error")

    def show_warning(self, message: str) -> None:
        self._show(QStyle.StandardPixmap.SP_MessageBoxWarning, message, "Warning")

    def show_info(self, message: str) -> None:
        self._show(QStyle.StandardPixmap.SP_MessageBoxInformation, message, "Note")

    def clear(self) -> None:
        self.text.clear()
        self.hide()

    def message(self) -> str:
        return "" if self.isHidden() else self.text.text()

    def _show(self, kind: QStyle.StandardPixmap, message: str, role: str) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(kind).pixmap(size, size))
        self.text.setText(message)
        self.setAccessibleName(f"{role}: {message}")
        self.show()


def busy_bar(accessible_name: str) -> QProgressBar:
    """A progress bar for work of unknown length (connecting, refreshing), hidden until used."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    bar.setMaximumWidth(160)
    bar.setMaximumHeight(12)
    bar.setAccessibleName(accessible_name)
    bar.hide()
    return bar


def push_button(text: str, accessible_name: str, on_click: Callable[[], object]) -> QPushButton:
    """A button with its mnemonic text, the name screen readers say, and what a click does."""
    button = QPushButton(text)
    button.setAccessibleName(accessible_name)
    button.clicked.connect(on_click)
    return button
