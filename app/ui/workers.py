"""Background work for the GUI: runs functions and generators on the app's thread pool, reports by signals."""

from __future__ import annotations

import inspect
import logging
import sys
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

# Progress reports faster than this are merged: the GUI thread needs to repaint only a few times a second.
PROGRESS_INTERVAL_S = 0.05


@dataclass(frozen=True)
class Progress:
    """How far a job has come: `done` of `total` steps (total 0: unknown), with an optional line of text."""

    done: int
    total: int = 0
    text: str = ""

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total > 0 else None


ProgressReporter = Callable[..., None]


class WorkerSignals(QObject):
    """What a Worker tells the GUI thread; every job ends with exactly one of finished, failed or cancelled.

    Signals:
        progressed(Progress): the job reported progress (merged to a few reports a second).
        yielded(object): a generator job yielded a value (an event of the engine, a batch of rows, ...).
        finished(object): the job returned this value.
        failed(object): the job raised this exception.
        cancelled(): the job stopped because cancel() was called.
    """

    progressed = Signal(object)
    yielded = Signal(object)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class Worker(QRunnable):
    """Runs one job on a QThreadPool and turns what it does into WorkerSignals.

    The job is called with no arguments, plus `cancel=<threading.Event>` when `with_cancel` and
    `progress=<reporter>` when `with_progress` (bind other arguments with a lambda or functools.partial).
    The reporter takes `(done, total=0, text="")`. When the job returns a generator, each value it yields
    is sent as `yielded`, and a cancel request is honoured at the next yield by closing the generator
    (so its `finally` blocks run). A job given the cancel event stops by raising (e.g. RequestCancelled);
    that is reported as `cancelled`. Any other exception is sent as `failed`: none escapes the thread.
    """

    def __init__(
        self, job: Callable[..., Any], *, with_cancel: bool = False, with_progress: bool = False
    ) -> None:
        super().__init__()
        self.job = job
        self.with_cancel = with_cancel
        self.with_progress = with_progress
        self.signals = WorkerSignals()
        self.cancel_event = threading.Event()
        self._last_progress_at = 0.0

    def cancel(self) -> None:
        """Ask the job to stop; it stops at its next yield, or when it next looks at the cancel event."""
        self.cancel_event.set()

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_event.is_set()

    def start(self, pool: QThreadPool) -> Worker:
        """Queue the job on `pool`. Connect to the signals before this: a fast job may end at once."""
        # The signals object lives on the GUI thread and must outlive the job's last queued signal. Parented
        # to the pool, it is not destroyed when the pool thread drops its last Python reference; it deletes
        # itself on the GUI thread once the job's final signal has been delivered there.
        self.signals.setParent(pool)
        for ended in (self.signals.finished, self.signals.failed, self.signals.cancelled):
            ended.connect(self.signals.deleteLater)
        pool.start(self)
        return self

    def run(self) -> None:
        try:
            self._run_job()
        except BaseException as error:  # the thread must never die with an exception: report it instead
            if self.cancel_requested:
                # Raising is how a job that watches the cancel event stops (RequestCancelled, for one).
                self.signals.cancelled.emit()
            else:
                log.debug("Background job %r failed", self.job, exc_info=True)
                self.signals.failed.emit(error)

    def _run_job(self) -> None:
        if self.cancel_requested:
            self.signals.cancelled.emit()
            return
        kwargs: dict[str, Any] = {}
        if self.with_cancel:
            kwargs["cancel"] = self.cancel_event
        if self.with_progress:
            kwargs["progress"] = self.report_progress
        result = self.job(**kwargs)
        if inspect.isgenerator(result):
            result = self._drain(result)
            if result is _CANCELLED:
                self.signals.cancelled.emit()
                return
        # A job that returned is finished even when cancel came late: its result may hold something that
        # must be closed (a connection), so it is never dropped.
        self.signals.finished.emit(result)

    def _drain(self, generator: Generator[Any, Any, Any]) -> Any:
        """Send every yielded value on; return what the generator returned, or _CANCELLED."""
        try:
            while True:
                if self.cancel_requested:
                    generator.close()
                    return _CANCELLED
                self.signals.yielded.emit(next(generator))
        except StopIteration as stop:
            return stop.value

    def report_progress(self, done: int, total: int = 0, text: str = "") -> None:
        """Called by the job on its thread; the first, the last and one report per interval get through."""
        now = time.monotonic()
        last = total > 0 and done >= total
        if not last and done > 0 and now - self._last_progress_at < PROGRESS_INTERVAL_S:
            return
        self._last_progress_at = now
        self.signals.progressed.emit(Progress(done, total, text))


class _Cancelled:
    """Marks a generator that was closed on request, as opposed to one that returned None."""


_CANCELLED = _Cancelled()


def run_in_background(
    pool: QThreadPool,
    job: Callable[..., Any],
    *,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_yield: Callable[[Any], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    with_cancel: bool = False,
    with_progress: bool = False,
) -> Worker:
    """Start `job` on `pool` and call back on the GUI thread; returns the Worker (for cancel()).

    With no `on_failure`, an exception goes to `sys.excepthook`, which the GUI turns into its apology dialog:
    call sites handle the errors they expect (GiftbatchError) and leave the unexpected to the hook.
    Use bound methods of long-lived widgets as callbacks, and wait for the pool before those widgets go.
    """
    worker = Worker(job, with_cancel=with_cancel, with_progress=with_progress)
    signals = worker.signals
    if on_success is not None:
        signals.finished.connect(on_success)
    signals.failed.connect(on_failure if on_failure is not None else report_unexpected)
    if on_progress is not None:
        signals.progressed.connect(on_progress)
    if on_yield is not None:
        signals.yielded.connect(on_yield)
    if on_cancelled is not None:
        signals.cancelled.connect(on_cancelled)
    return worker.start(pool)


def report_unexpected(error: BaseException) -> None:
    """Hand an error nobody expected to the app's exception hook (logs it and shows the apology)."""
    sys.excepthook(type(error), error, error.__traceback__)
