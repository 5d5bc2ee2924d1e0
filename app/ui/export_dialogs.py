"""Asked before an export holds claim links: a password for the file (recommended), or an explicit no."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets import MessageLabel
from app.workbook.output_file import MIN_PASSWORD_LENGTH

DIALOG_WIDTH = 460
UNPROTECTED_WARNING = (
    "Anyone who gets this file can spend the cards in it: the claim links work like cash. Save it without a "
    "password anyway?"
)


class ProtectDialog(QDialog):
    """Protect a file with claim links: type a password twice, or choose to save it without one (confirmed).

    After `exec()` returns Accepted, `password` holds the password, or is None when the user confirmed saving
    without one (`unprotected` is then True).
    """

    def __init__(self, file_kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Protect the claim links")
        self.setMinimumWidth(DIALOG_WIDTH)
        self.password: str | None = None
        self.unprotected = False
        intro = QLabel(
            f"The {file_kind} will hold claim links and challenge answers, which anyone can spend. Protect it "
            "with a password (Excel asks for it when the file is opened). Share the password separately."
        )
        intro.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Password")
        self.repeat_edit = QLineEdit()
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit.setAccessibleName("Password again")
        form = QFormLayout()
        form.addRow("&Password:", self.password_edit)
        form.addRow("&Again:", self.repeat_edit)
        self.problem = MessageLabel()
        self.buttons = QDialogButtonBox()
        self.protect_button = self.buttons.addButton(
            "Save with this pass&word", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.protect_button.setDefault(True)
        self.unprotected_button: QPushButton = self.buttons.addButton(
            "Save &without a password…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.protect_button.clicked.connect(self._protect)
        self.unprotected_button.clicked.connect(self._without_password)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _protect(self) -> None:
        password = self.password_edit.text()
        if len(password) < MIN_PASSWORD_LENGTH:
            self.problem.show_error(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
            return
        if password != self.repeat_edit.text():
            self.problem.show_error("The two passwords differ; type the same password twice.")
            return
        self.password = password
        self.accept()

    def _without_password(self) -> None:
        answer = QMessageBox.warning(
            self,
            "Save without a password?",
            UNPROTECTED_WARNING,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.password = None
            self.unprotected = True
            self.accept()
