"""PySide6 6.12.0 drops a reference to True on every Signal.emit() and aborts CPython 3.11; keep it out."""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(bool)
    counted = Signal(int)


def test_emitting_signals_keeps_the_reference_count_of_true(qtbot: object) -> None:
    emitter = _Emitter()
    received: list[bool] = []
    emitter.changed.connect(received.append)
    emitter.counted.connect(lambda n: None)
    before = sys.getrefcount(True)

    for n in range(500):
        emitter.changed.emit(n % 2 == 0)
        emitter.counted.emit(n)

    received.clear()
    assert sys.getrefcount(True) >= before - 5, "Signal.emit() leaks references to True: PySide6 6.12.0?"


def test_installed_pyside6_is_not_the_crashing_release() -> None:
    major, minor, *_ = (int(part) for part in PySide6.__version__.split(".")[:3])
    assert (major, minor) < (6, 12), f"PySide6 {PySide6.__version__} crashes CPython 3.11 (environment.md)"
