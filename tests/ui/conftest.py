"""Qt test fixtures: the app's pool, session and window, and the check that no worker outlives its test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThreadPool
from pytestqt.qtbot import QtBot

from app.config.paths import AppPaths
from app.config.secrets import SecretStore
from app.config.settings import SettingsStore
from app.ui.main_window import MainWindow
from app.ui.session import Session

# A job ends within moments of its last signal; one still running after this long was left behind.
WORKER_DRAIN_MS = 10_000


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    """The thread pool a test hands to the code under test, as the app hands its own."""
    threads = QThreadPool()
    threads.setMaxThreadCount(4)
    yield threads
    assert threads.waitForDone(WORKER_DRAIN_MS), "a background job was still running after the test"
    assert threads.activeThreadCount() == 0


@pytest.fixture(autouse=True)
def no_worker_left_running() -> Iterator[None]:
    """Every test leaves Qt's global pool idle: nothing the app starts may be forgotten on it."""
    yield
    global_pool = QThreadPool.globalInstance()
    assert global_pool.waitForDone(WORKER_DRAIN_MS), "a job on the global pool outlived the test"
    assert global_pool.activeThreadCount() == 0


@pytest.fixture
def session(app_paths: AppPaths, pool: QThreadPool, qtbot: QtBot) -> Iterator[Session]:
    """The app's shared state over a fresh home folder, as `app.main` builds it."""
    shared = Session(app_paths, SettingsStore(app_paths.settings_file), SecretStore(), pool)
    yield shared
    assert pool.waitForDone(WORKER_DRAIN_MS)
    QCoreApplication.sendPostedEvents()  # late results may still start a job that closes a connection
    assert pool.waitForDone(WORKER_DRAIN_MS)
    shared.close()


@pytest.fixture
def view_state(app_paths: AppPaths) -> QSettings:
    return QSettings(str(app_paths.config_dir / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(session: Session, view_state: QSettings, qtbot: QtBot) -> MainWindow:
    """The main window, shown (offscreen) and not yet connected."""
    main = MainWindow(session, view_state)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


@pytest.fixture
def connected_window(window: MainWindow, qtbot: QtBot) -> MainWindow:
    """The main window after pressing Connect with the built-in sandbox selected."""
    qtbot.mouseClick(window.connect_page.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session.account is not None, timeout=WORKER_DRAIN_MS)
    return window
