"""What happens after an order is accepted: pending orders, failed line items, refunds and webhooks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from app.sandbox.store import SandboxStore
from app.sandbox.validation import validate_order
from app.sandbox.vendor import Created, SandboxVendor
from tests.sandbox.conftest import SandboxApi, WebhookReceiver, digital_order, line, links_order, wait_until


def test_a_large_order_holds_its_cost_while_pending_then_completes(api: SandboxApi) -> None:
    order = api.post_order(links_order("PO-BIG", line("CVS", 10, quantity=50, ExternalId="r1"))).json()

    assert order["Status"] == "Pending"
    assert order["LineItems"][0]["Status"] == "Pending"
    assert order["LineItems"][0]["ClaimData"] == []
    done = api.wait_final(order["Id"])
    assert done["Status"] == "Completed"
    assert len(done["LineItems"][0]["ClaimData"]) == 50
    assert api.get("/v1/Balance").json() == {"Available": 99500.0, "Pending": 0.0, "CurrencyCode": "USD"}


def test_the_pending_amount_is_held_apart_from_the_available_balance(api: SandboxApi) -> None:
    api.set_faults(pending_delay_s=600)

    order = api.post_order(links_order("PO-BIG", line("CVS", 10, quantity=60))).json()

    assert order["Status"] == "Pending"
    assert api.get("/v1/Balance").json() == {"Available": 99400.0, "Pending": 600.0, "CurrencyCode": "USD"}
    ledger_order = api.ledger()["orders"][0]
    assert (ledger_order["Held"], ledger_order["Charged"]) == (600.0, 600.0)


def test_a_bounced_email_fails_its_line_item_and_is_refunded(api: SandboxApi) -> None:
    body = digital_order(
        "PO-B",
        line("CVS", 25, email="ana@example.com"),
        line("CVS", 50, quantity=2, email="bo@bounce.example.com"),
    )

    order = api.post_order(body).json()

    assert order["Status"] == "PartiallyCompleted"
    assert order["TotalCost"] == 125.0
    good, bounced = order["LineItems"]
    assert (good["Status"], good["FailureReason"]) == ("Completed", None)
    assert bounced["Status"] == "Failed"
    assert bounced["FailureReason"]
    assert api.balance()["Available"] == 100000 - 25
    ledger_order = api.ledger()["orders"][0]
    assert (ledger_order["Charged"], ledger_order["Refunded"]) == (25.0, 100.0)
    assert [i["ChargedUSD"] for i in ledger_order["LineItems"]] == [25.0, 0.0]


def test_an_order_whose_every_line_item_fails_is_failed_and_fully_refunded(api: SandboxApi) -> None:
    order = api.post_order(digital_order("PO-F", line("CVS", 10, email="x@BOUNCE.example.com"))).json()

    assert order["Status"] == "Failed"
    assert api.balance()["Available"] == 100000.0


def test_a_large_order_fails_its_bounces_when_it_completes(api: SandboxApi) -> None:
    body = digital_order(
        "PO-BB",
        line("CVS", 10, quantity=49, email="ana@example.com"),
        line("CVS", 10, email="z@bounce.example.com"),
    )

    order = api.wait_final(api.post_order(body).json()["Id"])

    assert order["Status"] == "PartiallyCompleted"
    assert api.balance() == {"Available": 100000 - 490.0, "Pending": 0.0, "CurrencyCode": "USD"}


def test_the_line_item_failure_fault_fails_line_items_and_refunds_them(api: SandboxApi) -> None:
    api.set_faults(line_item_failure_rate=1)

    order = api.post_order(links_order("PO-X", line("CVS", 10), line("COFFEE", 5))).json()

    assert order["Status"] == "Failed"
    assert all(i["Status"] == "Failed" and i["ClaimData"] == [] for i in order["LineItems"])
    assert api.balance()["Available"] == 100000.0


def test_the_webhook_is_posted_when_the_order_is_final(
    api: SandboxApi, webhook_receiver: Callable[..., WebhookReceiver]
) -> None:
    receiver = webhook_receiver()

    order = api.post_order(links_order("PO-W", WebhookSettings={"FulfillmentComplete": receiver.url})).json()

    events = receiver.wait_for(1)
    assert events == [
        {
            "EventType": "FulfillmentComplete",
            "OrderId": order["Id"],
            "PONumber": "PO-W",
            "Status": "Completed",
        }
    ]


def test_the_webhook_of_a_pending_order_comes_after_completion(
    api: SandboxApi, webhook_receiver: Callable[..., WebhookReceiver]
) -> None:
    receiver = webhook_receiver()
    body = links_order(
        "PO-WP", line("CVS", 10, quantity=50), WebhookSettings={"FulfillmentComplete": receiver.url}
    )

    order_id = api.post_order(body).json()["Id"]

    # Nobody reads the order: the sandbox's own background task must complete it and call the webhook.
    events = receiver.wait_for(1)
    assert events[0]["OrderId"] == order_id
    assert events[0]["Status"] == "Completed"


def test_a_failing_webhook_is_retried_until_it_is_accepted(
    api: SandboxApi, webhook_receiver: Callable[..., WebhookReceiver]
) -> None:
    receiver = webhook_receiver(fail_first=2)

    api.post_order(links_order("PO-WR", WebhookSettings={"FulfillmentComplete": receiver.url}))

    assert len(receiver.wait_for(1)) == 1
    assert receiver.calls == 3
    assert wait_until(lambda: api.ledger()["orders"][0]["Webhook"]["State"] == "delivered")
    assert api.ledger()["orders"][0]["Webhook"] == {"State": "delivered", "Attempts": 3}


@pytest.fixture
def clocked_vendor() -> Iterator[tuple[SandboxVendor, list[float]]]:
    """A vendor over an in-memory store whose clock the test moves by hand."""
    now = [1_000_000.0]
    store = SandboxStore(None, 100_000_00)
    yield SandboxVendor(store, {"pending_delay_s": 10}, clock=lambda: now[0]), now
    store.close()


def test_a_pending_order_is_processing_halfway_and_completed_at_its_deadline_when_read(
    clocked_vendor: tuple[SandboxVendor, list[float]],
) -> None:
    vendor, now = clocked_vendor
    created = vendor.create_order(validate_order(links_order("PO-C", line("CVS", 10, quantity=50))))
    assert isinstance(created, Created)
    order_id = created.order["Id"]

    statuses = []
    for moment in (4.9, 5.0, 9.9, 10.0):
        now[0] = 1_000_000.0 + moment
        order = vendor.order(order_id)
        assert order is not None
        statuses.append(order["Status"])

    assert statuses == ["Pending", "Processing", "Processing", "Completed"]
    assert vendor.balance()["Pending"] == 0
    assert Decimal(str(vendor.balance()["Available"])) == Decimal("99500")


def test_a_webhook_that_never_succeeds_is_given_up_after_a_few_attempts(
    api: SandboxApi, webhook_receiver: Callable[..., WebhookReceiver], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.sandbox.background.WEBHOOK_FIRST_BACKOFF_S", 0.01)
    receiver = webhook_receiver(fail_first=100)

    api.post_order(links_order("PO-WF", WebhookSettings={"FulfillmentComplete": receiver.url}))

    assert wait_until(lambda: api.ledger()["orders"][0]["Webhook"]["State"] == "failed")
    assert api.ledger()["orders"][0]["Webhook"] == {"State": "failed", "Attempts": 5}
    assert receiver.calls == 5


def test_the_webhook_is_in_camel_case_when_answers_are(
    api: SandboxApi, webhook_receiver: Callable[..., WebhookReceiver]
) -> None:
    receiver = webhook_receiver()
    api.set_faults(camel_case=True)

    api.post_order(links_order("PO-WC", WebhookSettings={"FulfillmentComplete": receiver.url}))

    assert set(receiver.wait_for(1)[0]) == {"eventType", "orderId", "poNumber", "status"}
