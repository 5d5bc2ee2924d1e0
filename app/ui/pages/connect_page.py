"""Step 1, Connect: choose a profile, sign in, and see the balance and how fresh the catalog is."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.config.profiles import Profile
from app.domain.catalog import Catalog
from app.domain.errors import GiftbatchError
from app.ui.formatting import format_age, format_money, format_time
from app.ui.pages.base import Page
from app.ui.profile_dialog import ProfileDialog
from app.ui.session import AccountCheck, Session, check_account, connect_and_check
from app.ui.widgets import MessageLabel, busy_bar, push_button
from app.ui.workers import Worker, report_unexpected, run_in_background

NOT_KNOWN = "—"


class ConnectPage(Page):
    """Picks the profile, connects in a worker, and keeps the session's connection; done while connected.

    Choosing another profile connects to it at once (the old connection stays until the new one works).
    """

    title = "Connect"
    summary = (
        "Choose the account the cards are paid from. The built-in sandbox needs no account and spends no "
        "real money: try every step there first."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._checking: Worker | None = None
        self._attempt = 0
        self._refreshing: Worker | None = None
        self._build_profile_box()
        self._build_account_boxes()
        self.layout_.addStretch(1)
        self.session.connection_changed.connect(self._show_account)
        self.session.account_changed.connect(self._show_account)
        self.reload_profiles()
        self._show_account()

    # -- layout --------------------------------------------------------------------------------------------

    def _build_profile_box(self) -> None:
        box = QGroupBox("Profile")
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Profile")
        self.profile_combo.setMinimumContentsLength(24)
        self.profile_combo.currentIndexChanged.connect(self._profile_chosen)
        self.add_button = push_button("&Add…", "Add a profile", self.add_profile)
        self.edit_button = push_button("&Edit…", "Edit the profile", self.edit_profile)
        self.remove_button = push_button("&Remove", "Remove the profile", self.remove_profile)
        chooser = QHBoxLayout()
        profile_label = QLabel("&Send from:")
        profile_label.setBuddy(self.profile_combo)
        chooser.addWidget(profile_label)
        chooser.addWidget(self.profile_combo, 1)
        for button in (self.add_button, self.edit_button, self.remove_button):
            chooser.addWidget(button)

        self.connect_button = QPushButton("&Connect")
        self.connect_button.setAccessibleName("Connect and test")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self._connect_clicked)
        self.state_label = QLabel("Not connected.")
        self.state_label.setAccessibleName("Connection state")
        self.busy = busy_bar("Connecting")
        action = QHBoxLayout()
        action.addWidget(self.connect_button)
        action.addWidget(self.state_label, 1)
        action.addWidget(self.busy)
        self.error = MessageLabel()

        layout = QGridLayout(box)
        layout.addLayout(chooser, 0, 0)
        layout.addLayout(action, 1, 0)
        layout.addWidget(self.error, 2, 0)
        self.layout_.addWidget(box)

    def _build_account_boxes(self) -> None:
        balance_box = QGroupBox("Balance")
        self.available_label = _value_label("Available balance")
        self.pending_label = _value_label("Pending balance")
        self.checked_label = _value_label("Balance checked at")
        balance_form = QFormLayout(balance_box)
        balance_form.addRow("Available:", self.available_label)
        balance_form.addRow("Pending:", self.pending_label)
        balance_form.addRow("Checked:", self.checked_label)
        self.balance_note = MessageLabel()
        balance_form.addRow(self.balance_note)

        catalog_box = QGroupBox("Catalog")
        self.products_label = _value_label("Products in the catalog")
        self.fetched_label = _value_label("Catalog fetched at")
        self.refresh_button = push_button("Re&fresh catalog", "Refresh the catalog", self.refresh_catalog)
        self.refresh_busy = busy_bar("Refreshing the catalog")
        refresh_row = QHBoxLayout()
        refresh_row.addWidget(self.refresh_button)
        refresh_row.addWidget(self.refresh_busy)
        refresh_row.addStretch(1)
        catalog_form = QFormLayout(catalog_box)
        catalog_form.addRow("Products:", self.products_label)
        catalog_form.addRow("Fetched:", self.fetched_label)
        self.catalog_note = MessageLabel()
        catalog_form.addRow(self.catalog_note)
        catalog_form.addRow(refresh_row)

        row = QHBoxLayout()
        row.addWidget(balance_box, 1)
        row.addWidget(catalog_box, 1)
        self.layout_.addLayout(row)

    # -- profiles ------------------------------------------------------------------------------------------

    def reload_profiles(self, select: str | None = None) -> None:
        """Fill the list from the store and select `select` (default: the active one), without connecting."""
        wanted = select or self.session.settings.active_profile
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for profile in self.session.profiles.list():
            self.profile_combo.addItem(f"{profile.name} — {profile.describe()}", profile)
        index = max(
            0, next((i for i in range(self.profile_combo.count()) if self._profile_at(i).name == wanted), 0)
        )
        self.profile_combo.setCurrentIndex(index)
        self.profile_combo.blockSignals(False)
        self._update_profile_buttons()

    def selected_profile(self) -> Profile:
        return self._profile_at(self.profile_combo.currentIndex())

    def _profile_at(self, index: int) -> Profile:
        profile = self.profile_combo.itemData(index)
        assert isinstance(profile, Profile)
        return profile

    def _update_profile_buttons(self) -> None:
        is_sandbox = self.selected_profile().is_sandbox
        self.edit_button.setEnabled(not is_sandbox)
        self.remove_button.setEnabled(not is_sandbox)

    def _profile_chosen(self, _index: int) -> None:
        self._update_profile_buttons()
        profile = self.selected_profile()
        settings = self.session.settings
        settings.active_profile = profile.name
        self.session.save_settings(settings)
        if self.session.profile not in (None, profile):
            # Never leave the old account connected under a new name: sending must go where the user chose.
            self.session.drop_connection()
        self.connect_selected()

    def add_profile(self) -> None:
        self._open_profile_dialog(None)

    def edit_profile(self) -> None:
        self._open_profile_dialog(self.selected_profile())

    def _open_profile_dialog(self, existing: Profile | None) -> None:
        dialog = ProfileDialog(self.session, existing, self.session.secrets.keyring_available(), self)
        dialog.accepted.connect(partial(self._profile_saved, dialog))
        dialog.open()

    def _profile_saved(self, dialog: ProfileDialog) -> None:
        saved = dialog.saved
        dialog.deleteLater()
        if saved is None:
            return
        self.reload_profiles(saved.name)
        self._profile_chosen(self.profile_combo.currentIndex())

    def remove_profile(self) -> None:
        profile = self.selected_profile()
        answer = QMessageBox.question(
            self,
            "Remove profile",
            f"Remove the profile '{profile.name}' and its stored AccessToken?\n\n"
            "Runs already sent through it stay in the history.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        run_in_background(
            self.session.pool,
            partial(self.session.profiles.remove, profile.name),
            on_success=lambda _: self._profile_removed(profile),
            on_failure=self._show_failure,
        )

    def _profile_removed(self, profile: Profile) -> None:
        self.session.reload_settings()
        if self.session.profile == profile:
            self.session.drop_connection()
        self.reload_profiles()
        self._profile_chosen(self.profile_combo.currentIndex())
        self.status_posted.emit(f"Removed the profile '{profile.name}'.")

    # -- connecting ----------------------------------------------------------------------------------------

    def _connect_clicked(self) -> None:
        if self._checking is not None:
            self._checking.cancel()
            self._end_check()
            self.state_label.setText("Stopped connecting.")
        else:
            self.connect_selected()

    def connect_selected(self) -> None:
        """Connect to the selected profile (or check the open connection again), in a worker."""
        if self._checking is not None:
            self._checking.cancel()
        profile = self.selected_profile()
        self._attempt += 1
        attempt = self._attempt
        self.error.clear()
        self.busy.show()
        self.connect_button.setText("&Cancel")
        self.state_label.setText(f"Connecting to {profile.describe()}…")
        current = self.session.connection
        if current is not None and current.profile == profile:
            job = partial(check_account, current)
        else:
            job = partial(connect_and_check, profile, self.session.paths, self.session.secrets)
        self._checking = run_in_background(
            self.session.pool,
            job,
            with_cancel=True,
            on_success=partial(self._connected, attempt),
            on_failure=partial(self._connect_failed, attempt),
        )

    def _connected(self, attempt: int, check: AccountCheck) -> None:
        if attempt != self._attempt or self._checking is None:
            self.session.discard(check.connection)  # the user moved on meanwhile: this one is not wanted
            return
        self._end_check()
        self.session.adopt(check)
        self.status_posted.emit(f"Connected to {check.connection.profile.describe()}.")

    def _connect_failed(self, attempt: int, error: BaseException) -> None:
        if attempt != self._attempt or self._checking is None:
            return
        self._end_check()
        self._show_failure(error)

    def _end_check(self) -> None:
        self._checking = None
        self.busy.hide()
        self._show_account()

    def _show_failure(self, error: BaseException) -> None:
        if isinstance(error, GiftbatchError):
            self.error.show_error(error.message)
        else:
            report_unexpected(error)

    def shut_down(self) -> None:
        for worker in (self._checking, self._refreshing):
            if worker is not None:
                worker.cancel()

    # -- catalog -------------------------------------------------------------------------------------------

    def refresh_catalog(self) -> None:
        connection = self.session.connection
        if connection is None or self._refreshing is not None:
            return
        self.catalog_note.clear()
        self.refresh_busy.show()
        self.refresh_button.setEnabled(False)
        self._refreshing = run_in_background(
            self.session.pool,
            partial(connection.catalog, refresh=True),
            on_success=self._catalog_refreshed,
            on_failure=self._catalog_failed,
        )

    def _catalog_refreshed(self, catalog: Catalog) -> None:
        self._end_refresh()
        self.session.update_catalog(catalog)
        self.status_posted.emit(f"Catalog refreshed: {len(catalog.products)} products.")

    def _catalog_failed(self, error: BaseException) -> None:
        self._end_refresh()
        if isinstance(error, GiftbatchError):
            self.catalog_note.show_error(f"The catalog could not be refreshed: {error.message}")
        else:
            report_unexpected(error)

    def _end_refresh(self) -> None:
        self._refreshing = None
        self.refresh_busy.hide()
        self.refresh_button.setEnabled(self.session.connection is not None)

    # -- showing the account -------------------------------------------------------------------------------

    def _show_account(self) -> None:
        account = self.session.account
        self.set_complete(account is not None)
        if self._checking is None:
            same = account is not None and account.connection.profile == self.selected_profile()
            self.connect_button.setText("&Test again" if same else "&Connect")
        self.refresh_button.setEnabled(account is not None and self._refreshing is None)
        if account is None:
            self.state_label.setText("Not connected.")
            for label in (self.available_label, self.pending_label, self.checked_label):
                label.setText(NOT_KNOWN)
            self.products_label.setText(NOT_KNOWN)
            self.fetched_label.setText(NOT_KNOWN)
            self.balance_note.clear()
            self.catalog_note.clear()
            return
        self.state_label.setText(f"Connected to {account.connection.profile.describe()}.")
        self._show_balance(account)
        self._show_catalog(account)

    def _show_balance(self, account: AccountCheck) -> None:
        self.checked_label.setText(format_time(account.checked_at))
        balance = account.balance
        if balance is None:
            self.available_label.setText(NOT_KNOWN)
            self.pending_label.setText(NOT_KNOWN)
            self.balance_note.show_info(
                "This vendor's API does not report the balance. "
                "Check it in the vendor's portal before sending."
            )
            return
        self.balance_note.clear()
        self.available_label.setText(format_money(balance.available, balance.currency_code))
        self.pending_label.setText(format_money(balance.pending, balance.currency_code))

    def _show_catalog(self, account: AccountCheck) -> None:
        catalog = account.catalog
        shipping = len(catalog.shipping_methods)
        self.products_label.setText(
            f"{len(catalog.products)} products, {shipping} shipping method{'' if shipping == 1 else 's'}"
        )
        fetched = catalog.fetched_at
        self.fetched_label.setText(f"{format_time(fetched)} ({format_age(fetched)})" if fetched else "never")
        said: list[str] = []
        if account.catalog_problem:
            said.append(
                f"Showing the catalog kept from before: the vendor could not be asked "
                f"({account.catalog_problem})."
                if fetched
                else f"There is no catalog yet: {account.catalog_problem} Product checks are skipped until "
                "it can be fetched."
            )
        said += catalog_notices_text(catalog)
        if said:
            self.catalog_note.show_warning("\n".join(said))
        else:
            self.catalog_note.clear()


# A page has room for a few notices; a catalog with many unreadable products names the rest in one line.
_NOTICES_SHOWN = 3


def catalog_notices_text(catalog: Catalog) -> list[str]:
    """The catalog's notices as lines for the page: the first few whole, then the other products by id."""
    left_out = catalog.left_out
    shown = [p.describe() for p in left_out[: _NOTICES_SHOWN if len(left_out) > _NOTICES_SHOWN + 1 else None]]
    rest = left_out[len(shown) :]
    if rest:
        ids = [p.product_id or "(no readable id)" for p in rest]
        listed = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        shown.append(f"{len(rest)} more products in the vendor's catalog cannot be used either: {listed}.")
    return shown + list(catalog.offer_notices())


def _value_label(accessible_name: str) -> QLabel:
    label = QLabel(NOT_KNOWN)
    label.setAccessibleName(accessible_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
