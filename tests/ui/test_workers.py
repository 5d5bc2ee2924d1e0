"""Background jobs report results, errors, progress and cancelling on the GUI thread, and leak no threads."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool

from app.ui.workers import Progress, run_in_background


class Calls:
    """What the callbacks of one job were given."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self.errors: list[BaseException] = []
        self.yielded: list[Any] = []
        self.progress: list[Progress] = []
        self.cancelled = 0

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_success": self.results.append,
            "on_failure": self.errors.append,
            "on_yield": self.yielded.append,
            "on_progress": self.progress.append,
            "on_cancelled": self.cancel_seen,
        }

    def cancel_seen(self) -> None:
        self.cancelled += 1

    @property
    def ended(self) -> int:
        return len(self.results) + len(self.errors) + self.cancelled


def test_a_function_result_arrives_on_the_gui_thread(qtbot: Any, pool: QThreadPool) -> None:
    calls = Calls()
    seen_on: list[threading.Thread] = []

    def record(value: int) -> None:
        seen_on.append(threading.current_thread())
        calls.results.append(value)

    run_in_background(pool, lambda: 6 * 7, on_success=record)

    qtbot.waitUntil(lambda: calls.results == [42])
    assert seen_on == [threading.main_thread()]


def test_an_exception_is_reported_not_raised(qtbot: Any, pool: QThreadPool) -> None:
    calls = Calls()

    def broken() -> None:
        raise ValueError("bad input")

    run_in_background(pool, broken, **calls.callbacks())

    qtbot.waitUntil(lambda: calls.ended == 1)
    assert [str(e) for e in calls.errors] == ["bad input"]
    assert calls.results == []


def test_an_unhandled_failure_goes_to_the_exception_hook(
    qtbot: Any, pool: QThreadPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooked: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, tb: hooked.append(error))

    run_in_background(pool, lambda: 1 / 0)

    qtbot.waitUntil(lambda: len(hooked) == 1)
    assert isinstance(hooked[0], ZeroDivisionError)


def test_a_generator_yields_in_order_then_returns(qtbot: Any, pool: QThreadPool) -> None:
    calls = Calls()

    def events() -> Iterator[str]:
        yield "planned"
        yield "sent"
        return "done"  # type: ignore[misc]

    run_in_background(pool, events, **calls.callbacks())

    qtbot.waitUntil(lambda: calls.ended == 1)
    assert calls.yielded == ["planned", "sent"]
    assert calls.results == ["done"]


def test_cancel_stops_a_generator_at_its_next_yield_and_runs_its_cleanup(
    qtbot: Any, pool: QThreadPool
) -> None:
    calls = Calls()
    gate = threading.Event()
    cleaned_up = threading.Event()
    steps_taken: list[int] = []

    def endless() -> Iterator[int]:
        try:
            for step in range(1_000_000):
                steps_taken.append(step)
                yield step
                gate.wait(5)
        finally:
            cleaned_up.set()

    worker = run_in_background(pool, endless, **calls.callbacks())
    qtbot.waitUntil(lambda: calls.yielded == [0])
    worker.cancel()
    gate.set()

    qtbot.waitUntil(lambda: calls.ended == 1)
    assert calls.cancelled == 1
    assert calls.results == []
    assert cleaned_up.is_set()
    assert steps_taken == [0, 1]


def test_a_function_given_the_cancel_event_stops_by_raising(qtbot: Any, pool: QThreadPool) -> None:
    calls = Calls()
    started = threading.Event()

    def wait_for_cancel(cancel: threading.Event) -> str:
        started.set()
        if cancel.wait(10):
            raise InterruptedError("stopped on request")
        return "timed out"

    worker = run_in_background(pool, wait_for_cancel, with_cancel=True, **calls.callbacks())
    assert started.wait(10)
    worker.cancel()

    qtbot.waitUntil(lambda: calls.ended == 1)
    assert calls.cancelled == 1
    assert calls.results == calls.errors == []


def test_a_result_is_delivered_even_when_cancel_came_too_late(qtbot: Any, pool: QThreadPool) -> None:
    calls = Calls()
    started, cancelled = threading.Event(), threading.Event()

    def finish_anyway() -> str:
        started.set()
        cancelled.wait(10)
        return "a connection to close"

    worker = run_in_background(pool, finish_anyway, **calls.callbacks())
    assert started.wait(10)
    worker.cancel()
    cancelled.set()

    qtbot.waitUntil(lambda: calls.ended == 1)
    assert calls.results == ["a connection to close"]


def test_a_job_cancelled_before_it_starts_never_runs(qtbot: Any, pool: QThreadPool) -> None:
    pool.setMaxThreadCount(1)
    release = threading.Event()
    ran: list[str] = []
    first, second = Calls(), Calls()

    run_in_background(pool, lambda: release.wait(10), **first.callbacks())
    queued = run_in_background(pool, lambda: ran.append("second"), **second.callbacks())
    queued.cancel()
    release.set()

    qtbot.waitUntil(lambda: first.ended == 1 and second.ended == 1)
    assert second.cancelled == 1
    assert ran == []


def test_progress_arrives_merged_with_the_first_and_last_reports_kept(qtbot: Any, pool: QThreadPool) -> None:
    calls = Calls()

    def count(progress: Any) -> int:
        for done in range(1001):
            progress(done, 1000, "Reading rows")
        return 1000

    run_in_background(pool, count, with_progress=True, **calls.callbacks())

    qtbot.waitUntil(lambda: calls.ended == 1)
    assert calls.progress[0] == Progress(0, 1000, "Reading rows")
    assert calls.progress[-1] == Progress(1000, 1000, "Reading rows")
    assert calls.progress[-1].fraction == 1.0
    assert len(calls.progress) < 1001


def test_many_jobs_all_end_and_leave_no_thread_running(qtbot: Any, pool: QThreadPool) -> None:
    calls = Calls()

    for n in range(50):
        run_in_background(pool, lambda n=n: n, **calls.callbacks())

    qtbot.waitUntil(lambda: calls.ended == 50)
    assert sorted(calls.results) == list(range(50))
    assert pool.waitForDone(10_000)
    assert pool.activeThreadCount() == 0
