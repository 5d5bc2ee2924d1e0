"""What every page of the desktop app shares: settings, profiles, the thread pool and the open connection."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.api.errors import RequestCancelled
from app.api.wire import Balance
from app.config.connection import Connection, open_connection
from app.config.paths import AppPaths
from app.config.profiles import Profile, ProfileStore
from app.config.secrets import SecretStore
from app.config.settings import Settings, SettingsStore
from app.domain.catalog import Catalog
from app.domain.edits import RowEdits
from app.domain.import_result import ImportResult
from app.ui.heap import release_in_pieces
from app.ui.imported import ImportedWorkbook
from app.ui.models.recipient_model import RecipientTableModel
from app.ui.run_state import RunState
from app.ui.send_plan import read_balance
from app.ui.workers import run_in_background

log = logging.getLogger(__name__)


@dataclass
class AccountCheck:
    """What connecting (or checking again) found: the balance, None when this vendor API does not report it,
    and the catalog with a note when it could not be fetched fresh."""

    connection: Connection
    balance: Balance | None
    catalog: Catalog
    catalog_problem: str | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def connect_and_check(
    profile: Profile, paths: AppPaths, secrets: SecretStore, cancel: threading.Event
) -> AccountCheck:
    """Open the profile's connection, sign in, read the balance and load the catalog; runs in a worker."""
    connection = open_connection(profile, paths, secrets)
    try:
        return check_account(connection, cancel)
    except BaseException:
        connection.close()
        raise


def check_account(connection: Connection, cancel: threading.Event) -> AccountCheck:
    """Sign in again and read the balance and catalog over an open connection; runs in a worker."""
    connection.client.authenticate(cancel=cancel)
    balance = connection.client.get_balance(cancel=cancel)
    catalog = connection.catalog()
    if cancel.is_set():
        raise RequestCancelled("Stopped before the check was complete.")
    problem = connection.catalog_cache.last_error
    return AccountCheck(connection, balance, catalog, problem.message if problem else None)


class Session(QObject):
    """The app's shared state, built once by the composition root (`app.main`) and handed to every page.

    Holds the settings (cached; saved through `save_settings`), the profile and secret stores, the app's own
    thread pool, and the current connection with its balance and catalog. A replaced connection is closed
    on the pool (stopping the sandbox takes a moment); `close()` closes the last one when the app ends.

    The imported workbook (`imported`: the read, its `ImportResult` and the user's `edits`) is set by the
    Import step; `recipient_model` is the Review grid's model over it, which the Send step also feeds with
    row statuses (`RecipientTableModel.set_row_statuses`). The submission plans from `import_result`, whose
    edited rows were validated again in place; exports take `edits` (`app.domain.edits.apply_edits`).

    Signals:
        connection_changed(): connected to a profile, or disconnected; read `connection`, `account`.
        account_changed(): the balance or catalog of the same connection was refreshed.
        settings_changed(): the settings were saved; read `settings`.
        import_changed(): a workbook was read, read again or validated again, or put away; read `imported`.
        review_changed(): edited rows were checked again: issues, counts and costs changed
            (`imported.facts`).
        reload_requested(): the Review step asks the Import step to read the workbook again from disk.
        revalidation_requested(): the rows should be checked again as they are (another run paid some).
    """

    connection_changed = Signal()
    account_changed = Signal()
    settings_changed = Signal()
    import_changed = Signal()
    review_changed = Signal()
    reload_requested = Signal()
    revalidation_requested = Signal()

    def __init__(
        self,
        paths: AppPaths,
        settings_store: SettingsStore,
        secrets: SecretStore,
        pool: QThreadPool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.settings_store = settings_store
        self.secrets = secrets
        self.profiles = ProfileStore(settings_store, secrets)
        self.pool = pool
        self._settings = settings_store.load()
        self._account: AccountCheck | None = None
        # A workbook asked for at start (`giftbatch gui FILE`); the Import page opens it, then clears it.
        self.requested_workbook: Path | None = None
        self.imported: ImportedWorkbook | None = None
        self.recipient_model = RecipientTableModel(self)
        # The submission journal and the run the Send and Results pages show.
        self.runs = RunState(paths.journal_file, self)

    @property
    def settings(self) -> Settings:
        """A copy of the current settings: change it and pass it to save_settings."""
        return self._settings.model_copy(deep=True)

    def save_settings(self, settings: Settings) -> None:
        self.settings_store.save(settings)
        self._settings = settings.model_copy(deep=True)
        self.settings_changed.emit()

    def reload_settings(self) -> None:
        """Read the settings file again (after a store such as ProfileStore wrote it)."""
        self._settings = self.settings_store.load()
        self.settings_changed.emit()

    @property
    def connection(self) -> Connection | None:
        return self._account.connection if self._account else None

    @property
    def profile(self) -> Profile | None:
        return self._account.connection.profile if self._account else None

    @property
    def account(self) -> AccountCheck | None:
        return self._account

    @property
    def balance(self) -> Balance | None:
        return self._account.balance if self._account else None

    @property
    def catalog(self) -> Catalog | None:
        return self._account.catalog if self._account else None

    @property
    def import_result(self) -> ImportResult | None:
        """The current import's rows and issues, edited rows validated again; None before a workbook is read."""
        return self.imported.result if self.imported else None

    @property
    def edits(self) -> RowEdits:
        """The cells the user changed in the grid: {row key: {header: new value}} (empty when none)."""
        return self.imported.edits if self.imported else {}

    def set_import(self, imported: ImportedWorkbook | None) -> None:
        """Make `imported` the current workbook (the Import step calls this) and show it in the grid.

        The workbook it replaces is freed by a worker, piece by piece (at once, on this thread, freeing
        100,000 rows stood the GUI still for 76 ms).
        """
        replaced = [self.imported]  # held only here from now on, never in a variable of this thread
        self.imported = imported
        self.recipient_model.set_workbook(imported)
        self.import_changed.emit()
        if replaced[0] is not None and replaced[0] is not imported:
            run_in_background(self.pool, partial(release_in_pieces, replaced, ImportedWorkbook.bulk))

    def request_reload(self) -> None:
        self.reload_requested.emit()

    def request_revalidation(self) -> None:
        self.revalidation_requested.emit()

    def adopt(self, check: AccountCheck) -> None:
        """Make `check` the current account: a new connection replaces (and closes) the old one."""
        previous = self.connection
        self._account = check
        if previous is check.connection:
            self.account_changed.emit()
            return
        if previous is not None:
            self._close_in_background(previous)
        self.connection_changed.emit()

    def refresh_balance(self) -> None:
        """Read the balance again in a worker (after a run, when Review opens): every page that shows it
        (Connect, Review, the status bar) shows the new figure and its time through `account_changed`."""
        account = self._account
        if account is None:
            return
        run_in_background(
            self.pool,
            partial(read_balance, account.connection.client),
            on_success=partial(self._balance_read, account),
            on_failure=_log_balance_failure,
        )

    def _balance_read(self, account: AccountCheck, read: tuple[Balance | None, datetime]) -> None:
        self.set_balance(account, *read)

    def set_balance(self, account: AccountCheck, balance: Balance | None, at: datetime) -> None:
        """A balance read at `at` for `account` (dropped when another account is current by now)."""
        if account is not self._account:
            return
        account.balance = balance
        account.checked_at = at
        self.account_changed.emit()

    def update_catalog(self, catalog: Catalog) -> None:
        if self._account is None:
            return
        self._account.catalog = catalog
        self._account.catalog_problem = None
        self.account_changed.emit()

    def drop_connection(self) -> None:
        previous = self.connection
        if previous is None:
            return
        self._account = None
        self._close_in_background(previous)
        self.connection_changed.emit()

    def discard(self, connection: Connection) -> None:
        """Close a connection that arrived too late to be used (the user had moved on)."""
        if connection is not self.connection:
            self._close_in_background(connection)

    def close(self) -> None:
        """When the app ends: close the connection here and now (the window is gone, nothing waits on us)."""
        if self._account is not None:
            self._account.connection.close()
            self._account = None

    def _close_in_background(self, connection: Connection) -> None:
        run_in_background(self.pool, connection.close, on_failure=_log_close_failure)


def _log_balance_failure(error: BaseException) -> None:
    # The figure shown stays with its time, so it is never taken for a fresh one; the next read may work.
    log.info("Reading the balance again failed: %s", error)


def _log_close_failure(error: BaseException) -> None:
    log.warning("Closing a connection failed: %s", error)
