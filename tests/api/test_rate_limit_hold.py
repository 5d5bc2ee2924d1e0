"""A 429's Retry-After holds every thread that shares the client, not only the one that was told."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.api.client import VendorClient
from tests.api.fakes import FakeTime, FakeVendor, order_body, reply


def test_a_429_holds_the_other_callers_of_the_client_too(
    vendor: FakeVendor, fake_time: FakeTime, make_client: Callable[..., VendorClient]
) -> None:
    vendor.on(
        "GET", "/v1/Balance", reply(429, {}, headers={"Retry-After": "4"}), reply(200, {"Available": 5})
    )
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, order_body()))
    orders_sent_during_hold: list[int] = []
    fake_sleep = fake_time.sleep

    def sleep(seconds: float, cancel: threading.Event | None) -> bool:
        if not orders_sent_during_hold:
            # While the first caller waits out its 429, a second thread asks for an order.
            orders_sent_during_hold.append(len(vendor.sent("GET", "/v1/Orders/ORD-1")))
            client.get_order("ORD-1")
        return fake_sleep(seconds, cancel)

    fake_time.sleep = sleep  # type: ignore[method-assign]
    client = make_client()
    balance = client.get_balance()

    assert balance is not None and balance.available == 5
    assert fake_time.sleeps == [4.0, 4.0]  # the second caller waited out the hold before sending
    assert orders_sent_during_hold == [0]
    assert len(vendor.sent("GET", "/v1/Orders/ORD-1")) == 1


def test_without_a_429_nobody_waits(
    vendor: FakeVendor, fake_time: FakeTime, make_client: Callable[..., VendorClient]
) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, order_body()))
    client = make_client()
    client.get_order("ORD-1")
    client.get_order("ORD-1")
    assert fake_time.sleeps == []
