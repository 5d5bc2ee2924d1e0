"""While a run sends, the objects made before it are kept out of full garbage collections; after it, not."""

from __future__ import annotations

import gc
import threading

from app.api.client import VendorClient
from app.domain.catalog import Catalog
from app.engine.events import OrderAccepted, RunFinished
from app.engine.journal import SubmissionJournal
from app.engine.runner import SubmissionRunner
from app.engine.states import RunStatus
from tests.engine.helpers import digital_row, make_plan, store


def test_a_run_freezes_older_objects_only_while_it_runs(
    client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 5)], catalog, max_line_items=2))
    frozen_while_running = []
    for event in SubmissionRunner(journal, client).run(run_id, cancel=threading.Event()):
        frozen_while_running.append(gc.get_freeze_count())
        if isinstance(event, RunFinished):
            assert event.status is RunStatus.COMPLETED
    assert min(frozen_while_running) > 0
    assert gc.get_freeze_count() == 0


def test_overlapping_runs_unfreeze_when_the_last_one_ends_even_if_abandoned(
    client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    first = store(journal, make_plan([digital_row(i) for i in range(1, 5)], catalog, max_line_items=2))
    second = store(journal, make_plan([digital_row(i) for i in range(5, 9)], catalog, max_line_items=2))
    runner = SubmissionRunner(journal, client)
    one = runner.run(first, cancel=threading.Event())
    two = runner.run(second, cancel=threading.Event())
    next(one)
    next(two)
    one.close()  # a consumer that stops iterating
    assert gc.get_freeze_count() > 0  # the second run still holds them
    events = list(two)
    assert any(isinstance(event, OrderAccepted) for event in events)
    assert gc.get_freeze_count() == 0
