"""The composition root: starts on the sandbox, holds its exception hook while it runs, and closes cleanly."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.config.paths import AppPaths
from app.main import run_gui
from app.ui.error_dialog import UnexpectedErrorHandler
from app.ui.main_window import MainWindow
from app.ui.resources import ICON_SIZES, app_icon, resources_dir


@pytest.fixture
def app_logging_restored() -> Iterator[None]:
    """run_gui points the app's log at the test's home folder; take that handler away afterwards."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
        handler.close()


def test_the_app_connects_to_the_sandbox_at_start_and_closes_cleanly(
    qapp: QApplication, app_paths: AppPaths, app_logging_restored: None
) -> None:
    seen: dict[str, object] = {}
    hook_before = sys.excepthook

    def close_once_connected() -> None:
        window = next(
            (w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None
        )
        if window is None or window.session.account is None:
            return
        seen["balance"] = window.connect_page.available_label.text()
        seen["hook"] = sys.excepthook
        poll.stop()
        window.close()  # the last window: the app quits

    poll = QTimer()
    poll.timeout.connect(close_once_connected)
    poll.start(50)

    assert run_gui(app_paths) == 0

    assert seen["balance"] == "100,000.00 USD"
    assert isinstance(seen["hook"], UnexpectedErrorHandler)
    assert sys.excepthook is hook_before
    assert (app_paths.config_dir / "window.ini").exists()
    assert [t for t in threading.enumerate() if t.name == "giftbatch-sandbox"] == []


def test_the_icon_is_found_at_every_size_in_the_source_tree() -> None:
    assert all((resources_dir() / "icons" / f"giftbatch-{size}.png").exists() for size in ICON_SIZES)
    assert (resources_dir() / "icons" / "giftbatch.ico").exists()
    assert sorted(size.width() for size in app_icon().availableSizes()) == sorted(ICON_SIZES)


def test_a_pyinstaller_bundle_is_looked_in_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)

    assert resources_dir() == tmp_path / "app" / "resources"
