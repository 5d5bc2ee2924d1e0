"""The dialog that adds or edits a vendor profile: base URL, Email, and the AccessToken for the OS keyring."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.config.profiles import Profile
from app.config.secrets import NO_KEYRING_HELP, TOKEN_ENV
from app.domain.errors import GiftbatchError
from app.ui.session import Session
from app.ui.widgets import MessageLabel
from app.ui.workers import report_unexpected, run_in_background

DIALOG_WIDTH = 520


class ProfileDialog(QDialog):
    """Adds a profile (`existing` None) or changes one; the store does the checking, in a worker.

    With a keyring, the AccessToken goes there (when editing, an empty field keeps the stored one). Without
    one, the token field is replaced by the plain explanation and the environment-variable alternative, and
    only the name, URL and Email are saved: the token is never written anywhere.
    """

    def __init__(
        self,
        session: Session,
        existing: Profile | None = None,
        keyring_available: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.existing = existing
        self.keyring_available = keyring_available
        self.saved: Profile | None = None
        self.setWindowTitle("Edit profile" if existing else "Add a profile")
        self.setMinimumWidth(DIALOG_WIDTH)

        intro = QLabel(
            "The vendor issues an Email and an AccessToken in its portal. Giftbatch signs in with them "
            "to send orders from your account."
        )
        intro.setWordWrap(True)

        self.name_edit = QLineEdit(existing.name if existing else "")
        self.name_edit.setAccessibleName("Profile name")
        self.name_edit.setPlaceholderText("e.g. acme")
        self.name_edit.setReadOnly(existing is not None)
        self.url_edit = QLineEdit(existing.base_url if existing else "")
        self.url_edit.setAccessibleName("Base URL")
        self.url_edit.setPlaceholderText("https://api.vendor.example")
        self.email_edit = QLineEdit(existing.email if existing else "")
        self.email_edit.setAccessibleName("Email")
        self.email_edit.setPlaceholderText("the Email the AccessToken was issued for")
        self.token_edit = QLineEdit()
        self.token_edit.setAccessibleName("AccessToken")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(
            "leave empty to keep the stored one" if existing else "paste it from the vendor's portal"
        )

        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Base URL:", self.url_edit)
        form.addRow("&Email:", self.email_edit)
        self.no_keyring_note = MessageLabel()
        self.no_keyring_note.show_warning(
            f"{NO_KEYRING_HELP}\n\nSaving here keeps the name, address and Email only. Before starting "
            f"Giftbatch, set {TOKEN_ENV} to the AccessToken."
        )
        if keyring_available:
            form.addRow("&AccessToken:", self.token_edit)
        else:
            self.token_edit.hide()

        self.error = MessageLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        if not keyring_available:
            layout.addWidget(self.no_keyring_note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        # Wrapped text makes the default height too tall (measured at a narrower width): fit it to this width.
        self.resize(DIALOG_WIDTH, layout.totalHeightForWidth(DIALOG_WIDTH))

    def save(self) -> None:
        """Store it in a worker (the keyring may be slow, or ask to be unlocked); stay open on errors."""
        self.error.clear()
        self.buttons.setEnabled(False)
        name, url, email = self.name_edit.text().strip(), self.url_edit.text(), self.email_edit.text()
        token = self.token_edit.text() if self.keyring_available else None
        profiles = self.session.profiles
        if self.existing is not None:
            job = partial(profiles.update, name, url, email, token or None)
        elif self.keyring_available:
            job = partial(profiles.add, name, url, email, token or "")
        else:
            job = partial(profiles.add_without_token, name, url, email)
        run_in_background(self.session.pool, job, on_success=self._saved, on_failure=self._failed)

    def _saved(self, profile: Profile) -> None:
        self.token_edit.clear()
        self.saved = profile
        self.session.reload_settings()
        self.buttons.setEnabled(True)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, GiftbatchError):
            self.error.show_error(error.message)
        else:
            report_unexpected(error)
