"""Runs one pass of a submission run on the app's thread pool and reports the engine's events as signals."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Generator
from contextlib import ExitStack

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.config.settings import WebhookSettings
from app.engine.events import EngineEvent, RunFinished
from app.engine.journal import SubmissionJournal
from app.engine.runner import OrderClient, SubmissionRunner
from app.engine.webhook_listener import WebhookListener
from app.ui.workers import Worker

log = logging.getLogger(__name__)


class SubmitWorker(QObject):
    """Sends (or follows) one run: `SubmissionRunner.run` iterated on a pool thread, its events as signals.

    Pause, resume and cancel are the engine's own flags, so they are noticed within a tick: pausing holds new
    orders while the ones in flight finish; cancelling lets the requests in flight finish and be recorded
    (for a bounded time; cancelling again cuts them short at once), then the pass ends (the run reads
    `interrupted`, or `paused` when it was paused first, and can be resumed: nothing is sent twice). The journal
    is given as a function and opened on the pool thread, never on the GUI thread. Exactly one of
    `finished` or `failed` ends every pass; no exception escapes the thread.

    Signals:
        event_emitted(object): an `EngineEvent`, in the order the engine yielded it.
        finished(object): the pass ended; its `RunFinished` (the run's status and rows by status).
        failed(object): the pass could not start or broke off (the run is busy elsewhere, a bug); the error.
    """

    event_emitted = Signal(object)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        journal: Callable[[], SubmissionJournal],
        client: OrderClient,
        run_id: str,
        *,
        concurrency: int = 4,
        webhook: WebhookSettings | None = None,
        send: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.journal = journal
        self.client = client
        self.run_id = run_id
        self.concurrency = concurrency
        self.webhook = webhook
        self.send = send
        self.cancel_event = threading.Event()
        self.stop_now_event = threading.Event()
        self.pause_event = threading.Event()
        self._worker: Worker | None = None
        self._running = False

    @property
    def running(self) -> bool:
        """Between start() and the pass's last signal."""
        return self._running

    @property
    def paused(self) -> bool:
        return self.pause_event.is_set()

    @property
    def cancelling(self) -> bool:
        return self.cancel_event.is_set()

    def start(self, pool: QThreadPool) -> None:
        if self._running:
            raise RuntimeError("This pass is already running; make a new SubmitWorker for the next one.")
        self._running = True
        worker = Worker(self._events)
        worker.signals.yielded.connect(self.event_emitted)
        worker.signals.finished.connect(self._ended)
        worker.signals.failed.connect(self._failed)
        self._worker = worker.start(pool)

    def pause(self) -> None:
        self.pause_event.set()

    def resume(self) -> None:
        self.pause_event.clear()

    def cancel(self) -> None:
        """Stop after the requests in flight are answered and recorded (for a bounded time); called again, stop
        now. The run reads `interrupted`."""
        if self.cancel_event.is_set():
            self.stop_now_event.set()
        self.cancel_event.set()

    def stop_paused(self) -> None:
        """Stop as paused (the app closing): nothing new goes, the requests in flight are answered and
        recorded, and the run reads `paused` everywhere, ready to resume."""
        self.pause_event.set()
        self.cancel_event.set()

    def _events(self) -> Generator[EngineEvent, None, RunFinished | None]:
        """The pass, on the pool thread: its return value (the RunFinished) becomes `finished`."""
        with ExitStack() as stack:
            listener = self._listener(stack)
            runner = SubmissionRunner(
                self.journal(), self.client, concurrency=self.concurrency, webhook=listener
            )
            end: RunFinished | None = None
            for event in runner.run(
                self.run_id,
                cancel=self.cancel_event,
                pause=self.pause_event,
                send=self.send,
                stop_now=self.stop_now_event,
            ):
                if isinstance(event, RunFinished):
                    end = event
                yield event
            # The runner unfreezes the collector's frozen objects as it ends, so that cycles which died during
            # the run can be freed. Here the workbook, the plan and the results live on, and the next full
            # pass over them would hold the GIL (180-200 ms after sending 30,000 rows): freeze them again.
            gc.freeze()
            return end

    def _listener(self, stack: ExitStack) -> WebhookListener | None:
        hook = self.webhook
        if hook is None or not hook.enabled:
            return None
        return stack.enter_context(WebhookListener(hook.host, hook.port, hook.public_url))

    def _ended(self, end: object) -> None:
        self._running = False
        self._worker = None
        if isinstance(end, RunFinished):
            self.finished.emit(end)
        else:  # the engine always ends a pass with RunFinished; anything else is a bug to report
            self.failed.emit(RuntimeError(f"The run {self.run_id} ended without saying how."))

    def _failed(self, error: object) -> None:
        self._running = False
        self._worker = None
        log.info("A pass over run %s failed: %s", self.run_id, error)
        self.failed.emit(error)
