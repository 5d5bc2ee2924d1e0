"""Measures launch to first painted window: `bench/startup.py` sets GIFTBATCH_STARTUP_PROBE=FILE to use it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

PROBE_ENV = "GIFTBATCH_STARTUP_PROBE"


class FirstPaintProbe(QObject):
    """On the window's first paint, writes the wall-clock time to the probe file and closes the app."""

    def __init__(self, window: QWidget, target: Path) -> None:
        super().__init__(window)
        self._target = target
        self._done = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            self._target.write_text(f"{time.time():.6f}\n", encoding="utf-8")
            QTimer.singleShot(0, QApplication.closeAllWindows)
        return False


def install_if_asked(window: QWidget) -> FirstPaintProbe | None:
    """Only when the benchmark asks; a normal start does nothing here."""
    target = os.environ.get(PROBE_ENV)
    return FirstPaintProbe(window, Path(target)) if target else None
