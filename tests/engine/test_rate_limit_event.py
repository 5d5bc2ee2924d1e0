"""A 429 that outlasts the client's own waits is told as an event (the GUI's log shows it), and costs nothing."""

from __future__ import annotations

import threading

from app.api import wire
from app.api.client import CreatedOrder, VendorClient
from app.api.errors import RateLimitedError
from app.domain.catalog import Catalog
from app.engine.events import OrderProblem, RunFinished
from app.engine.journal import SubmissionJournal
from app.engine.runner import SubmissionRunner
from app.engine.states import RunStatus
from tests.engine.helpers import assert_exactly_once, digital_row, make_plan, store


class LimitedOnce:
    """The sandbox's client, except that the first order is answered 429 (retry after 0.1 s)."""

    def __init__(self, client: VendorClient) -> None:
        self.client = client
        self.limited = False

    def create_order(
        self, request: wire.OrderRequest, *, cancel: threading.Event | None = None
    ) -> CreatedOrder:
        if not self.limited:
            self.limited = True
            raise RateLimitedError("Too many requests (HTTP 429).", status=429, retry_after=0.1)
        return self.client.create_order(request, cancel=cancel)

    def get_order(self, order_id: str, *, cancel: threading.Event | None = None) -> wire.Order:
        return self.client.get_order(order_id, cancel=cancel)

    def get_balance(self, *, cancel: threading.Event | None = None) -> wire.Balance | None:
        return self.client.get_balance(cancel=cancel)

    def abort_requests(self) -> None:
        self.client.abort_requests()


def test_a_rate_limited_order_is_reported_then_sent_again_once(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 5)], catalog, max_line_items=2))

    events = list(
        SubmissionRunner(journal, LimitedOnce(client), concurrency=1).run(run_id, cancel=threading.Event())
    )

    problems = [e for e in events if isinstance(e, OrderProblem)]
    assert [p.message for p in problems] == [
        "The vendor is limiting our requests; slowing down and sending it again in 1 s."
    ]
    assert next(e for e in events if isinstance(e, RunFinished)).status is RunStatus.COMPLETED
    assert_exactly_once(sandbox, journal, run_id)
