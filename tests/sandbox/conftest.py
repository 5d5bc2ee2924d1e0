"""Fixtures for the sandbox tests: one running sandbox per test module, reset before every test, and helpers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL
from app.sandbox.server import SandboxServer

CREDENTIALS = {"Email": SANDBOX_EMAIL, "AccessToken": SANDBOX_ACCESS_TOKEN}
FAST_PENDING_S = 0.2
WAIT_S = 15.0


class SandboxApi:
    """An httpx client on one sandbox, holding a bearer token, with the calls the tests repeat."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=20, trust_env=False)
        self.token = ""

    def login(self) -> str:
        response = self.http.post("/v1/Tokens", headers=CREDENTIALS)
        assert response.status_code == 200, response.text
        self.token = response.json()["Value"]
        return self.token

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, headers=self.auth, params=params)

    def post_order(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.post("/v1/Orders", headers=self.auth, json=body)

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.get(f"/v1/Orders/{order_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def ledger(self) -> dict[str, Any]:
        return dict(self.http.get("/_sandbox/ledger").json())

    def balance(self) -> dict[str, Any]:
        return dict(self.ledger()["balance"])

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/faults", json=faults)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait_final(self, order_id: str) -> dict[str, Any]:
        """Poll the order until it is final (pending orders here complete in a fraction of a second)."""
        deadline = time.monotonic() + WAIT_S
        while True:
            order = self.order(order_id)
            if order["Status"] not in ("Pending", "Processing") or time.monotonic() > deadline:
                return order
            time.sleep(0.05)

    def close(self) -> None:
        self.http.close()


def wait_until(condition: Callable[[], bool]) -> bool:
    """Poll `condition` until it holds (True) or a generous deadline passes (False)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def digital_order(po: str = "PO-1", *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    items = list(lines) or [line("CVS", 10, email="ana@example.com")]
    return {"Type": "DigitalDelivery", "PONumber": po, "LineItems": items, **extra}


def links_order(po: str = "PO-1", *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    items = list(lines) or [line("CVS", 10, quantity=3)]
    return {"Type": "Links", "PONumber": po, "LineItems": items, **extra}


def physical_order(po: str = "PO-1", *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    items = list(lines) or [line("VISA-PHYS", 25, address=ADDRESS)]
    return {"Type": "PhysicalShipment", "PONumber": po, "LineItems": items, **extra}


ADDRESS = {
    "ShippingMethodId": "STANDARD",
    "CarrierId": "USPS",
    "Name": "Ana Lima",
    "AddressLine1": "1 Main St",
    "City": "Springfield",
    "State": "IL",
    "Zip": "62701",
    "Country": "US",
}


def line(
    product: str,
    value: Any,
    quantity: int = 1,
    email: str | None = None,
    sms: str | None = None,
    address: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    item: dict[str, Any] = {"ProductId": product, "Value": value, "Quantity": quantity, **extra}
    if email is not None or sms is not None:
        item["DigitalDeliveryAddress"] = {k: v for k, v in (("Email", email), ("Sms", sms)) if v is not None}
    if address is not None:
        item["PhysicalDeliveryAddress"] = address
    return item


@pytest.fixture(scope="module")  # stopped before other folders run: they count sandbox threads
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer(faults={"pending_delay_s": FAST_PENDING_S}) as server:
        yield server


@pytest.fixture
def api(sandbox_server: SandboxServer) -> Iterator[SandboxApi]:
    """A logged-in client on the shared sandbox, reset to its opening state first."""
    client = SandboxApi(sandbox_server.base_url)
    assert client.http.post("/_sandbox/reset").status_code == 200
    client.login()
    yield client
    client.close()


class WebhookReceiver:
    """A tiny loopback HTTP server recording the JSON it is POSTed; it can fail its first calls with 500."""

    def __init__(self, fail_first: int = 0) -> None:
        self.events: list[dict[str, Any]] = []
        self.calls = 0
        self.fail_first = fail_first
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._changed:
                    receiver.calls += 1
                    failing = receiver.calls <= receiver.fail_first
                    if not failing:
                        receiver.events.append(body)
                    receiver._changed.notify_all()
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/fulfillment?key=abc"

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.events) >= count, timeout=WAIT_S)
            return list(self.events)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def webhook_receiver() -> Iterator[Callable[..., WebhookReceiver]]:
    made: list[WebhookReceiver] = []

    def make(fail_first: int = 0) -> WebhookReceiver:
        receiver = WebhookReceiver(fail_first)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()
