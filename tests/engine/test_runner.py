"""The runner against a real sandbox on loopback: every row ordered once, whatever the vendor answers."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

import pytest

from app.api import wire
from app.api.client import CreatedOrder, VendorClient
from app.api.errors import ForbiddenError
from app.domain.catalog import Catalog
from app.engine.events import (
    BalanceShort,
    EngineEvent,
    OrderAccepted,
    OrderRejected,
    OrderSent,
    RunFinished,
    RunPaused,
    RunResumed,
)
from app.engine.journal import SubmissionJournal
from app.engine.ownership import RunBusyError
from app.engine.runner import SubmissionRunner, live_status
from app.engine.states import OrderState, RowStatus, RunStatus
from app.engine.tracking import PollPolicy
from app.engine.webhook_listener import WebhookListener
from tests.engine.helpers import (
    assert_exactly_once,
    client_for,
    digital_row,
    lines_of_run,
    links_row,
    make_plan,
    sandbox_post,
    store,
)

QUICK_POLLS = PollPolicy(first_s=0.2, per_card_s=0.0, cap_s=0.5, deadline_s=30.0)


def run_all(
    runner: SubmissionRunner, run_id: str, *, cancel: threading.Event | None = None, **options: object
) -> list[EngineEvent]:
    return list(runner.run(run_id, cancel=cancel or threading.Event(), **options))  # type: ignore[arg-type]


def finished(events: Iterable[EngineEvent]) -> RunFinished:
    return next(e for e in events if isinstance(e, RunFinished))


# The error styles a vendor of this engine may answer in (docs/api-contract.md), with how the rest of its
# answers look in each: the observed engine answers camelCase and echoes no ExternalId.
STYLES = {
    "pascal": {"error_style": "pascal"},
    "webapi": {"error_style": "webapi", "camel_case": True, "echo_external_id": False},
    "problem": {"error_style": "problem", "camel_case": True},
    "message-only": {"error_style": "message-only", "echo_external_id": False},
}


@pytest.mark.parametrize("echo", [True, False])
def test_a_mixed_run_completes_with_every_row_once(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal, echo: bool
) -> None:
    sandbox_post(sandbox, "faults", {"echo_external_id": echo})
    rows = [digital_row(i) for i in range(1, 121)] + [links_row(i, quantity=2) for i in range(1, 11)]
    rows.append(digital_row(500, email="nobody@bounce.example.com"))  # the sandbox fails this line item
    run_id = store(journal, make_plan(rows, catalog, max_line_items=40))

    events = run_all(SubmissionRunner(journal, client, concurrency=3, poll_policy=QUICK_POLLS), run_id)

    assert finished(events).status is RunStatus.COMPLETED
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 130, RowStatus.FAILED: 1}
    assert_exactly_once(sandbox, journal, run_id)
    claims = [r for r in journal.line_results(run_id) if r.external_id.startswith("Links!")]
    assert len(claims) == 10 and all(len(r.claim_data) == 2 for r in claims)
    assert "claim" not in str([e.to_json() for e in events]).casefold()  # links never travel in events
    assert journal.unfinished_runs() == []


@pytest.mark.parametrize("style", STYLES)
def test_a_thousand_rows_with_faults_are_each_ordered_once(
    sandbox: str, catalog: Catalog, journal: SubmissionJournal, style: str
) -> None:
    sandbox_post(
        sandbox,
        "faults",
        {
            **STYLES[style],
            "error_rate": 0.1,
            "lost_response_rate": 0.05,
            "rate_limit_per_s": 25,
            "token_ttl_s": 2,
            "seed": 1234,
            "pending_delay_s": 0.3,
        },
    )
    rows = [digital_row(i, quantity=1 + i % 3) for i in range(1, 1001)]
    run_id = store(journal, make_plan(rows, catalog, max_line_items=20))
    seen: Counter[str] = Counter()

    with client_for(sandbox, seen=seen) as client:
        events = run_all(SubmissionRunner(journal, client, concurrency=4, poll_policy=QUICK_POLLS), run_id)

    assert finished(events).status is RunStatus.COMPLETED, finished(events).message
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 1000}
    assert len(lines_of_run(sandbox, run_id)) == 1000
    assert_exactly_once(sandbox, journal, run_id)
    assert {"409", "429", "500", "503", "504"} <= set(seen), f"every fault struck at least once: {seen}"
    assert seen["tokens"] > 1, "the 2-second token was renewed during the run"
    assert any(isinstance(e, OrderAccepted) and e.was_duplicate for e in events)


def test_pending_orders_are_followed_to_completion(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([links_row(i) for i in range(1, 61)], catalog, max_line_items=60))

    events = run_all(SubmissionRunner(journal, client, poll_policy=QUICK_POLLS), run_id)

    accepted = next(e for e in events if isinstance(e, OrderAccepted))
    assert accepted.state == OrderState.PENDING.value  # 60 cards: the vendor takes its time
    assert finished(events).status is RunStatus.COMPLETED
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 60}
    assert_exactly_once(sandbox, journal, run_id)


def test_an_order_left_sending_by_a_crash_is_settled_by_resending_its_po_number(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    plan = make_plan([digital_row(i) for i in range(1, 31)], catalog, max_line_items=10)
    run_id = store(journal, plan)
    first = plan.orders[0]
    journal.mark_sending(first.po_number)
    client.create_order(first.request)  # the vendor got it; the process died before recording the answer

    events = run_all(SubmissionRunner(journal, client), run_id)

    sent = [e for e in events if isinstance(e, OrderSent)]
    assert sent[0].po_number == first.po_number and sent[0].resend
    adopted = next(e for e in events if isinstance(e, OrderAccepted) and e.po_number == first.po_number)
    assert adopted.was_duplicate
    assert finished(events).status is RunStatus.COMPLETED
    assert_exactly_once(sandbox, journal, run_id)


def test_when_the_balance_runs_out_the_run_pauses_and_resumes_after_a_top_up(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    plan = make_plan([digital_row(i, value="25") for i in range(1, 41)], catalog, max_line_items=10)
    run_id = store(journal, plan)  # 4 orders of 250.00 USD
    sandbox_post(sandbox, "balance", {"available": 600})  # two orders fit, 100.00 left over
    runner = SubmissionRunner(journal, client, concurrency=1)

    events = run_all(runner, run_id)

    assert finished(events).status is RunStatus.PAUSED
    short = next(e for e in events if isinstance(e, BalanceShort))
    assert (short.needed, short.available, short.shortfall) == ("500.00", "100.00", "400.00")
    paused = next(e for e in events if isinstance(e, RunPaused))
    assert paused.shortfall == "400.00 USD" and "400.00 USD more needed" in paused.reason
    assert journal.run(run_id).status is RunStatus.PAUSED
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 20, RowStatus.QUEUED: 20}
    assert_exactly_once(sandbox, journal, run_id)

    sandbox_post(sandbox, "balance", {"add": 400})
    events = run_all(runner, run_id)

    assert finished(events).status is RunStatus.COMPLETED
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 40}
    assert_exactly_once(sandbox, journal, run_id)


@pytest.mark.parametrize("style", STYLES)
def test_a_refused_order_rejects_the_named_row_and_sends_the_others(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal, style: str
) -> None:
    sandbox_post(sandbox, "faults", STYLES[style])
    rows = [digital_row(i) for i in range(1, 21)]
    rows[13] = digital_row(14, value="11")  # CVS is sold at 10, 25, 50 or 100: the vendor refuses 11
    run_id = store(journal, make_plan(rows, catalog, max_line_items=10))

    events = run_all(SubmissionRunner(journal, client), run_id)

    rejected = next(e for e in events if isinstance(e, OrderRejected))
    assert finished(events).status is RunStatus.COMPLETED
    bad = next(r for r in journal.rows(run_id) if r.key == "Sheet1!15")
    assert bad.status is RowStatus.REJECTED
    if style == "message-only":  # nothing named: the whole order is refused, never sent again
        assert (rejected.errors, rejected.retry_po_number) == ((), None)
        assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 10, RowStatus.REJECTED: 10}
        refused = [r for r in journal.rows(run_id) if r.status is RowStatus.REJECTED]
        assert all("The order is not valid." in (r.detail or "") for r in refused)
    else:
        paths = {"pascal": "LineItems[3].Value", "webapi": "order.LineItems[3].Value"}
        assert [(e.path, e.cell) for e in rejected.errors] == [
            (paths.get(style, "$.lineItems[3].value"), "D15")
        ]
        assert rejected.retry_po_number is not None
        assert bad.detail is not None and bad.detail.startswith("D15: Value must be one of")
        assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 19, RowStatus.REJECTED: 1}
    assert len(journal.orders(run_id)) <= 3  # two planned, at most one re-plan
    assert_exactly_once(sandbox, journal, run_id)


def test_cancel_stops_sending_and_a_resume_sends_the_rest_once(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    sandbox_post(sandbox, "faults", {"latency_ms": 30})
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 101)], catalog, max_line_items=5))
    runner = SubmissionRunner(journal, client, concurrency=2)
    cancel = threading.Event()
    events: list[EngineEvent] = []
    for event in runner.run(run_id, cancel=cancel):
        events.append(event)
        if sum(isinstance(e, OrderAccepted) for e in events) == 3:
            cancel.set()

    assert finished(events).status is RunStatus.INTERRUPTED
    assert journal.order_counts(run_id)[OrderState.PLANNED] >= 10  # the rest were never sent
    assert_exactly_once(sandbox, journal, run_id)

    events = run_all(runner, run_id)
    assert finished(events).status is RunStatus.COMPLETED
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 100}
    assert_exactly_once(sandbox, journal, run_id)


def test_pause_holds_new_orders_until_released(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 41)], catalog, max_line_items=5))
    pause = threading.Event()
    seen: list[EngineEvent] = []
    for event in SubmissionRunner(journal, client, concurrency=2).run(
        run_id, cancel=threading.Event(), pause=pause
    ):
        seen.append(event)
        if isinstance(event, OrderAccepted) and not any(isinstance(e, RunPaused) for e in seen):
            pause.set()
        if isinstance(event, RunPaused):
            assert journal.run(run_id).message == "Paused by the user."
            pause.clear()

    held = seen[next(i for i, e in enumerate(seen) if isinstance(e, RunPaused)) :]
    resumed_at = next(i for i, e in enumerate(held) if isinstance(e, RunResumed))
    assert not any(isinstance(e, OrderSent) for e in held[:resumed_at])
    assert finished(seen).status is RunStatus.COMPLETED
    assert_exactly_once(sandbox, journal, run_id)


def test_stopped_while_paused_the_run_is_paused_not_cancelled_and_nothing_leaves_after_the_pause(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    sandbox_post(sandbox, "faults", {"latency_ms": 30})
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 61)], catalog, max_line_items=5))
    pause, cancel = threading.Event(), threading.Event()
    seen: list[EngineEvent] = []
    sent_before: int | None = None
    for event in SubmissionRunner(journal, client, concurrency=2).run(run_id, cancel=cancel, pause=pause):
        seen.append(event)
        if isinstance(event, OrderSent) and sent_before is None:
            pause.set()  # as the window does when it is asked to close: pause first, then ask
            # The loop waits while this event is handled: what the journal has sent now is all it sends.
            sent_before = 12 - journal.order_counts(run_id)[OrderState.PLANNED]
        elif sent_before is not None and not cancel.is_set():
            cancel.set()  # the user said yes: stop, paused

    assert sent_before is not None
    assert journal.order_counts(run_id)[OrderState.PLANNED] == 12 - sent_before
    end = finished(seen)
    assert end.status is RunStatus.PAUSED and "Paused" in end.message and "ancel" not in end.message
    assert live_status(journal, run_id) is RunStatus.PAUSED
    events = run_all(SubmissionRunner(journal, client), run_id)
    assert finished(events).status is RunStatus.COMPLETED
    assert_exactly_once(sandbox, journal, run_id)


def test_the_webhook_brings_the_poll_forward(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([links_row(i) for i in range(1, 51)], catalog, max_line_items=50))
    # Without the webhook the first poll would come at 60 s, past the 20 s deadline: only it can finish this.
    slow_polls = PollPolicy(first_s=60.0, per_card_s=0.0, cap_s=60.0, deadline_s=20.0)
    with WebhookListener() as listener:
        events = run_all(SubmissionRunner(journal, client, poll_policy=slow_polls, webhook=listener), run_id)

    assert finished(events).status is RunStatus.COMPLETED
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 50}
    assert_exactly_once(sandbox, journal, run_id)


def test_a_po_number_already_used_by_another_order_pays_none_of_our_rows(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    plan = make_plan([digital_row(i) for i in range(1, 4)], catalog)
    run_id = store(journal, plan)
    stranger = plan.orders[0].request.model_copy(
        update={"line_items": [digital_row(9, value="50").line_item]}
    )
    client.create_order(stranger)  # someone else's order under our PONumber

    events = run_all(SubmissionRunner(journal, client), run_id)

    assert finished(events).status is RunStatus.COMPLETED
    rows = journal.rows(run_id)
    assert {r.status for r in rows} == {RowStatus.FAILED}
    assert all("another order" in (r.detail or "") for r in rows)
    assert [line["ExternalId"] for line in lines_of_run(sandbox, run_id)] == [None]  # only the stranger's


def test_two_runners_cannot_send_one_run(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([digital_row(1)], catalog))
    first = SubmissionRunner(journal, client).run(run_id, cancel=threading.Event())
    next(first)
    with pytest.raises(RunBusyError):
        next(SubmissionRunner(journal, client).run(run_id, cancel=threading.Event()))
    list(first)
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 1}


class ForbiddingClient:
    """A vendor that has switched API access off for our credentials."""

    def create_order(
        self, request: wire.OrderRequest, *, cancel: threading.Event | None = None
    ) -> CreatedOrder:
        raise ForbiddenError("The vendor refused API access (HTTP 403).", status=403)

    def get_order(self, order_id: str, *, cancel: threading.Event | None = None) -> wire.Order:
        raise AssertionError("not reached")

    def get_balance(self, *, cancel: threading.Event | None = None) -> wire.Balance | None:
        return wire.Balance(available=Decimal(0))

    def abort_requests(self) -> None:
        pass  # its answers come at once: nothing is ever on the wire


def test_a_403_stops_the_run_with_a_clear_message_and_loses_nothing(
    catalog: Catalog, journal: SubmissionJournal
) -> None:
    run_id = store(journal, make_plan([digital_row(i) for i in range(1, 30)], catalog, max_line_items=10))

    events = run_all(SubmissionRunner(journal, ForbiddingClient(), concurrency=1), run_id)

    done = finished(events)
    assert done.status is RunStatus.FAILED and "403" in done.message
    states = journal.order_counts(run_id)
    assert states == {OrderState.SENDING: 1, OrderState.PLANNED: 2}  # resumable: nothing marked failed
    assert [r.id for r in journal.unfinished_runs()] == [run_id]


def test_tracking_a_run_with_orders_never_sent_ends_interrupted_and_sends_nothing(
    sandbox: str, client: VendorClient, catalog: Catalog, journal: SubmissionJournal
) -> None:
    plan = make_plan([links_row(i) for i in range(1, 71)], catalog, max_line_items=50)
    run_id = store(journal, plan)  # 2 orders: 50 cards (the vendor takes its time) and 20
    first = plan.orders[0]
    journal.mark_sending(first.po_number)
    journal.record_order(first.po_number, client.create_order(first.request).order)

    events = run_all(SubmissionRunner(journal, client, poll_policy=QUICK_POLLS), run_id, send=False)

    done = finished(events)
    assert done.status is RunStatus.INTERRUPTED  # not "completed": an order was never sent
    assert done.message == "1 order is not sent yet; resume the run."
    assert journal.run(run_id).status is RunStatus.INTERRUPTED
    assert not any(isinstance(e, OrderSent) for e in events)
    assert journal.order_counts(run_id) == {
        OrderState.COMPLETED: 1,
        OrderState.PLANNED: 1,
    }  # followed to the end
    assert len(lines_of_run(sandbox, run_id)) == 50
    assert [r.id for r in journal.unfinished_runs()] == [run_id]
