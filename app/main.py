"""The desktop app's composition root: builds the Qt application, the session and the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import keyring
from PySide6.QtCore import QCoreApplication, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication

from app import __version__
from app.config.logging_setup import configure_logging
from app.config.paths import APP_NAME, AppPaths, keep_new_files_private
from app.config.secrets import SecretStore
from app.config.settings import SettingsStore
from app.ui.error_dialog import UnexpectedErrorHandler
from app.ui.main_window import MainWindow
from app.ui.resources import app_icon
from app.ui.session import Session
from app.ui.startup_probe import install_if_asked

log = logging.getLogger(__name__)

# Connecting, reading a workbook and sending are the jobs that overlap; the engine sends its orders on its
# own threads, so a few pool threads are plenty and leave the machine's cores to the work itself.
POOL_THREADS = 4
# At exit, how long to let running jobs finish (each honours cancel within moments).
EXIT_WAIT_MS = 15_000
VIEW_STATE_FILE = "window.ini"


def create_application() -> QApplication:
    """The QApplication with the app's name and icon. Qt 6 is sharp on high-DPI screens by itself (per-monitor
    scaling, fractional factors passed through) and follows the system's light or dark palette, so neither a
    style nor a palette is forced here."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("giftbatch")
    app.setWindowIcon(app_icon())
    return app


def view_state_store(paths: AppPaths) -> QSettings:
    """Window geometry and splitters in an .ini file under the config folder (not the Windows registry)."""
    return QSettings(str(paths.config_dir / VIEW_STATE_FILE), QSettings.Format.IniFormat)


def run_gui(paths: AppPaths, workbook: Path | None = None) -> int:
    """Open the desktop app (with `workbook`, when given) and return its exit status when it closes."""
    keep_new_files_private()
    paths.ensure()
    configure_logging(paths.log_file)
    app = create_application()
    keyring.get_keyring()  # choose the keyring backend now, not on the first click that needs it
    pool = QThreadPool()
    pool.setMaxThreadCount(POOL_THREADS)
    session = Session(paths, SettingsStore(paths.settings_file), SecretStore(), pool)
    window = MainWindow(session, view_state_store(paths))
    handler = UnexpectedErrorHandler(paths.log_file, lambda: window)
    previous_hook = handler.install()
    log.info("Giftbatch %s desktop app started", __version__)
    install_if_asked(window)
    try:
        window.show()
        window.start(workbook)
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        shut_down(session, pool)


def shut_down(session: Session, pool: QThreadPool) -> None:
    """Let background jobs end, then close the connection (stopping the sandbox) before the process exits."""
    for _ in range(2):
        if not pool.waitForDone(EXIT_WAIT_MS):
            log.warning("Background jobs were still running at exit")
        # Results that arrived after the event loop stopped still hold things to close (a late connection):
        # deliver them, and let the jobs they start (closing it) finish too.
        QCoreApplication.sendPostedEvents()
    session.close()
    log.info("Giftbatch desktop app closed")
