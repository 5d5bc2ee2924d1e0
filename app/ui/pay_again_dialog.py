"""Asks why rows already paid (or repeated in the file) should be paid again; the reason is kept with the run."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.payments import MAX_REASON_LENGTH, check_reason
from app.engine.claims import os_user


class PayAgainDialog(QDialog):
    """One reason for the chosen rows; OK only once the reason says something. `reason` holds it after."""

    def __init__(self, what: str, rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pay again?")
        self.reason: str | None = None
        layout = QVBoxLayout(self)
        said = QLabel(what)
        said.setWordWrap(True)
        layout.addWidget(said)
        ask = QLabel(
            f"Say why {'this row is' if rows == 1 else f'these {rows:,} rows are'} paid again. The reason is "
            f"kept with the run, in its exports and in History, with your user name ({os_user()})."
        )
        ask.setWordWrap(True)
        layout.addWidget(ask)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Why it is paid again")
        self.reason_edit.setPlaceholderText("For example: the first card went to an old address")
        self.reason_edit.setMaxLength(MAX_REASON_LENGTH)
        layout.addWidget(self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Pay again")
        self.ok_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._typed)
        self.reason_edit.setFocus()

    def _typed(self, text: str) -> None:
        try:
            self.reason = check_reason(text)
        except ValueError:
            self.reason = None
        self.ok_button.setEnabled(self.reason is not None)
