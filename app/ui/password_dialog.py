"""Asks for the password of a protected workbook, and says plainly when the one given was wrong."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.ui.widgets import MessageLabel


class PasswordDialog(QDialog):
    """The password of one workbook; `wrong` says the last one given did not open it. Read `password()`."""

    def __init__(self, file_name: str, wrong: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Workbook password")
        intro = QLabel(
            f"“{file_name}” is protected with a password. Type it to open the workbook; Giftbatch keeps it "
            "only while the app is open, to read the file again and to protect what it writes from it."
        )
        intro.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Workbook password")
        self.error = MessageLabel()
        if wrong:
            self.error.show_error(
                "That password is wrong. Passwords are case-sensitive: check Caps Lock and try again."
            )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Open")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.password_edit.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.password_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._update_ok()

    def password(self) -> str:
        return self.password_edit.text()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.password_edit.text()))
