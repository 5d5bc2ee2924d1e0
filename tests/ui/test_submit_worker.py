"""SubmitWorker against a real sandbox: events as signals, pause, cancel then a new pass, errors as `failed`."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.api.client import VendorClient
from app.domain.catalog import Catalog
from app.engine.events import EngineEvent, OrderAccepted, OrderSent, RunFinished, RunPaused, RunResumed
from app.engine.journal import JournalError, SubmissionJournal
from app.engine.ownership import RunBusyError, RunLock
from app.engine.runner import default_lock_dir
from app.engine.states import RowStatus, RunStatus
from app.ui.submit_worker import SubmitWorker
from tests.engine.helpers import (
    assert_exactly_once,
    digital_row,
    external_id_counts,
    make_plan,
    sandbox_post,
    store,
)

PASS_MS = 30_000


class Recorder:
    """What one SubmitWorker signalled."""

    def __init__(self, worker: SubmitWorker) -> None:
        self.events: list[EngineEvent] = []
        self.ends: list[RunFinished] = []
        self.errors: list[BaseException] = []
        worker.event_emitted.connect(self.events.append)
        worker.finished.connect(self.ends.append)
        worker.failed.connect(self.errors.append)

    @property
    def ended(self) -> bool:
        return bool(self.ends or self.errors)


def run_pass(qtbot: QtBot, pool: QThreadPool, worker: SubmitWorker) -> Recorder:
    recorder = Recorder(worker)
    worker.start(pool)
    qtbot.waitUntil(lambda: recorder.ended, timeout=PASS_MS)
    assert not worker.running
    return recorder


def test_a_pass_reports_every_event_and_ends_with_the_runs_status(
    qtbot: QtBot,
    pool: QThreadPool,
    sandbox: str,
    client: VendorClient,
    catalog: Catalog,
    journal: SubmissionJournal,
) -> None:
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 13)], catalog, max_line_items=5))

    recorder = run_pass(qtbot, pool, SubmitWorker(lambda: journal, client, run_id, concurrency=2))

    assert recorder.errors == []
    assert [e.status for e in recorder.ends] == [RunStatus.COMPLETED]
    assert recorder.ends[0].counts == {"completed": 12}
    assert sum(isinstance(e, OrderSent) for e in recorder.events) == 3
    assert isinstance(recorder.events[-1], RunFinished)
    assert_exactly_once(sandbox, journal, run_id)


def test_pause_holds_new_orders_and_resume_carries_on(
    qtbot: QtBot,
    pool: QThreadPool,
    sandbox: str,
    client: VendorClient,
    catalog: Catalog,
    journal: SubmissionJournal,
) -> None:
    sandbox_post(sandbox, "faults", {"latency_ms": 40})
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 21)], catalog, max_line_items=2))
    worker = SubmitWorker(lambda: journal, client, run_id, concurrency=1)
    recorder = Recorder(worker)

    def pause_after_first_answer(event: EngineEvent) -> None:
        if (
            isinstance(event, OrderAccepted)
            and not worker.paused
            and not any(isinstance(e, RunPaused) for e in recorder.events)
        ):
            worker.pause()

    worker.event_emitted.connect(pause_after_first_answer)
    worker.start(pool)
    qtbot.waitUntil(lambda: any(isinstance(e, RunPaused) for e in recorder.events), timeout=PASS_MS)
    sent_while_paused = sum(isinstance(e, OrderSent) for e in recorder.events)
    qtbot.wait(300)
    assert sum(isinstance(e, OrderSent) for e in recorder.events) == sent_while_paused
    assert worker.running and journal.row_counts(run_id).get(RowStatus.QUEUED, 0) > 0

    worker.resume()
    qtbot.waitUntil(lambda: recorder.ended, timeout=PASS_MS)

    assert any(isinstance(e, RunResumed) for e in recorder.events)
    assert [e.status for e in recorder.ends] == [RunStatus.COMPLETED]
    assert_exactly_once(sandbox, journal, run_id)


def test_cancel_lets_the_requests_in_flight_finish_and_a_new_pass_sends_the_rest_once(
    qtbot: QtBot,
    pool: QThreadPool,
    sandbox: str,
    client: VendorClient,
    catalog: Catalog,
    journal: SubmissionJournal,
) -> None:
    sandbox_post(sandbox, "faults", {"latency_ms": 40})
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 31)], catalog, max_line_items=2))
    worker = SubmitWorker(lambda: journal, client, run_id, concurrency=2)
    worker.event_emitted.connect(lambda e: worker.cancel() if isinstance(e, OrderAccepted) else None)

    first = run_pass(qtbot, pool, worker)

    assert [e.status for e in first.ends] == [RunStatus.INTERRUPTED]
    assert journal.row_counts(run_id).get(RowStatus.QUEUED, 0) > 0
    assert max(external_id_counts(sandbox).values()) == 1

    second = run_pass(qtbot, pool, SubmitWorker(lambda: journal, client, run_id, concurrency=2))

    assert [e.status for e in second.ends] == [RunStatus.COMPLETED]
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 30}
    assert_exactly_once(sandbox, journal, run_id)


def test_a_run_another_process_is_sending_fails_plainly(
    qtbot: QtBot, pool: QThreadPool, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([digital_row(1)], catalog))

    with RunLock(default_lock_dir(journal), run_id):
        recorder = run_pass(qtbot, pool, SubmitWorker(lambda: journal, client, run_id))

    assert recorder.ends == []
    assert [type(e) for e in recorder.errors] == [RunBusyError]
    assert journal.row_counts(run_id) == {RowStatus.QUEUED: 1}


def test_an_unknown_run_fails_without_an_exception_escaping(
    qtbot: QtBot, pool: QThreadPool, client: VendorClient, journal: SubmissionJournal
) -> None:
    recorder = run_pass(qtbot, pool, SubmitWorker(lambda: journal, client, "000000-NOPE00"))

    assert [type(e) for e in recorder.errors] == [JournalError]


def test_a_worker_runs_one_pass_only(
    qtbot: QtBot, pool: QThreadPool, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([digital_row(1)], catalog))
    worker = SubmitWorker(lambda: journal, client, run_id)
    recorder = Recorder(worker)
    worker.start(pool)
    with pytest.raises(RuntimeError, match="already running"):
        worker.start(pool)
    qtbot.waitUntil(lambda: recorder.ended, timeout=PASS_MS)
