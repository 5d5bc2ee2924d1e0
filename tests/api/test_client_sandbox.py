"""The client against the real sandbox on loopback: delivery types, lost answers, expiring tokens, 429s."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.api import errors, wire
from app.api.client import VendorClient
from app.api.retry import RetryPolicy, interruptible_sleep
from app.domain.catalog import DeliveryType
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL
from app.sandbox.server import SandboxServer

# Short waits: the sandbox answers at once, so there is no point backing off for long.
FAST = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.05, total_time=20.0, jitter=0.5)


class Admin:
    """The sandbox's own endpoints (not the vendor's): reset, faults and the ledger of every charge."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10.0)

    def reset(self, **body: Any) -> None:
        self.http.post("/_sandbox/reset", json=body).raise_for_status()

    def faults(self, **changes: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/faults", json=changes)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def ledger(self) -> dict[str, Any]:
        response = self.http.get("/_sandbox/ledger")
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def orders_with(self, po_number: str) -> list[dict[str, Any]]:
        return [o for o in self.ledger()["orders"] if o["PONumber"] == po_number]


class Recorder:
    """Counts token requests on the wire and records every wait the client makes (while really waiting)."""

    def __init__(self) -> None:
        self.token_requests = 0
        self.retry_afters: list[float] = []
        self.sleeps: list[float] = []
        self.before_sleep: list[Any] = []

    def on_request(self, request: httpx.Request) -> None:
        if request.url.path == "/v1/Tokens":
            self.token_requests += 1

    def on_response(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            self.retry_afters.append(float(response.headers["Retry-After"]))

    def sleep(self, seconds: float, cancel: threading.Event | None) -> bool:
        self.sleeps.append(seconds)
        for hook in self.before_sleep:
            hook()
        return interruptible_sleep(seconds, cancel)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    state = tmp_path_factory.mktemp("sandbox") / "state.sqlite"
    with SandboxServer(state_path=state) as server:
        yield server


@pytest.fixture
def admin(sandbox: SandboxServer) -> Iterator[Admin]:
    admin = Admin(sandbox.base_url)
    admin.reset()
    yield admin
    admin.http.close()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(sandbox: SandboxServer, admin: Admin, recorder: Recorder) -> Iterator[VendorClient]:
    hooks = {"request": [recorder.on_request], "response": [recorder.on_response]}
    with httpx.Client(event_hooks=hooks) as http:
        yield VendorClient(
            sandbox.base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN, http=http, retry=FAST, sleep=recorder.sleep
        )


def digital_order(po: str, *emails: str, value: int = 25) -> wire.OrderRequest:
    return wire.OrderRequest(
        type=DeliveryType.DIGITAL,
        po_number=po,
        line_items=[
            wire.LineItemRequest(
                product_id="CVS",
                value=Decimal(value),
                external_id=f"row-{n}",
                digital_delivery_address=wire.DigitalDeliveryAddress(email=email),
                personalization=wire.Personalization(to="Ana", from_name="HR", message="Thanks!"),
            )
            for n, email in enumerate(emails, start=2)
        ],
    )


def physical_order(po: str, product_id: str, value: int) -> wire.OrderRequest:
    address = wire.PhysicalDeliveryAddress(
        shipping_method_id="STANDARD",
        carrier_id="DEFAULT",
        name="Ana Lee",
        address_line1="1 Main St",
        city="Springfield",
        state="IL",
        zip="62701",
        country="US",
    )
    line = wire.LineItemRequest(
        product_id=product_id,
        value=Decimal(value),
        quantity=2,
        external_id="row-9",
        physical_delivery_address=address,
    )
    return wire.OrderRequest(type=DeliveryType.PHYSICAL, po_number=po, line_items=[line])


# --- Happy paths ----------------------------------------------------------------------------------


def test_catalog_and_balance(client: VendorClient) -> None:
    catalog = client.fetch_catalog()
    assert {"CVS", "VISA-VAR", "VISA-PHYS", "COFFEE", "TIMS-CA"} <= set(catalog.products)
    assert len(catalog.products) >= 12
    assert catalog.products["TIMS-CA"].currency == "CAD"
    assert catalog.shipping_methods["STANDARD"].has_carrier("DEFAULT")
    assert catalog.shipping_methods["EXPRESS"].has_carrier("UPS")
    balance = client.get_balance()
    assert balance is not None and balance.available == Decimal("100000.00")


def test_digital_delivery_order(client: VendorClient, admin: Admin) -> None:
    created = client.create_order(digital_order("DIG-1", "ana@corp.example", "bo@corp.example"))
    order = created.order
    assert not created.was_duplicate
    assert order.status is wire.OrderStatus.COMPLETED
    assert [(li.external_id, li.status) for li in order.line_items] == [
        ("row-2", wire.OrderStatus.COMPLETED),
        ("row-3", wire.OrderStatus.COMPLETED),
    ]
    assert client.get_order(order.id) == order
    (booked,) = admin.orders_with("DIG-1")
    assert booked["Id"] == order.id and Decimal(str(booked["Charged"])) == order.total_cost


def test_links_order_returns_one_claim_link_per_card(client: VendorClient) -> None:
    request = wire.OrderRequest(
        type=DeliveryType.LINKS,
        po_number="LNK-1",
        line_items=[
            wire.LineItemRequest(product_id="VISA-VAR", value=Decimal("12.34"), quantity=3, external_id="r")
        ],
    )
    order = client.create_order(request).order
    claims = order.line_items[0].claim_data
    assert len(claims) == 3
    assert len({c.claim_link for c in claims}) == 3
    assert all(c.claim_link and c.claim_link_challenge_answer for c in claims)


@pytest.mark.parametrize(("product_id", "value"), [("VISA-PHYS", 50), ("CVS", 25)])
def test_physical_shipment_order(client: VendorClient, admin: Admin, product_id: str, value: int) -> None:
    order = client.create_order(physical_order(f"PHY-{product_id}", product_id, value)).order
    assert order.type == "PhysicalShipment"
    assert order.line_items[0].quantity == 2
    assert len(admin.orders_with(f"PHY-{product_id}")) == 1


def test_sandbox_refusals_map_to_typed_errors(client: VendorClient, admin: Admin) -> None:
    with pytest.raises(errors.ValidationError) as caught:
        client.create_order(digital_order("BAD-1", "a@corp.example", "b@corp.example", value=12))
    assert set(caught.value.field_errors) == {"LineItems[0].Value", "LineItems[1].Value"}
    with pytest.raises(errors.NotFoundError):
        client.get_order("ORD-NOPE")
    admin.reset(balance=10)
    with pytest.raises(errors.InsufficientFundsError):
        client.create_order(digital_order("POOR-1", "a@corp.example"))
    assert admin.ledger()["orders"] == []


def test_bad_credentials_are_an_authentication_error(sandbox: SandboxServer, admin: Admin) -> None:
    with (
        VendorClient(sandbox.base_url, SANDBOX_EMAIL, "wrong", retry=FAST) as client,
        pytest.raises(errors.AuthenticationError, match="did not accept the Email and AccessToken"),
    ):
        client.authenticate()


# --- Exactly once ---------------------------------------------------------------------------------


def test_a_lost_answer_then_409_returns_the_original_order_and_charges_once(
    client: VendorClient, admin: Admin, recorder: Recorder
) -> None:
    admin.faults(lost_response_rate=1)
    # Between the first attempt (committed, answered 504) and the retry, the network heals.
    recorder.before_sleep.append(lambda: admin.faults(lost_response_rate=0))
    request = digital_order("LOST-1", "ana@corp.example")
    created = client.create_order(request)

    assert created.was_duplicate
    assert created.differences == ()
    (booked,) = admin.orders_with("LOST-1")
    assert created.order.id == booked["Id"]
    assert len(recorder.sleeps) == 1
    balance = admin.ledger()["balance"]
    assert Decimal(str(balance["Available"])) == Decimal("100000.00") - Decimal(str(booked["Charged"]))


def test_under_random_faults_every_order_is_placed_exactly_once(client: VendorClient, admin: Admin) -> None:
    admin.faults(error_rate=0.3, lost_response_rate=0.3, seed=11)
    numbers = [f"FLT-{n}" for n in range(12)]
    outcomes: dict[str, wire.Order] = {}
    duplicates = 0
    for po in numbers:
        request = digital_order(po, f"{po.lower()}@corp.example")
        for _ in range(5):  # what the engine does after a TransientError: send the same order again later
            try:
                created = client.create_order(request)
            except errors.TransientError:
                continue
            outcomes[po] = created.order
            duplicates += created.was_duplicate
            break
    admin.faults(error_rate=0, lost_response_rate=0)

    assert set(outcomes) == set(numbers)
    assert duplicates > 0, "some answers should have been lost after the order was committed"
    ledger = admin.ledger()["orders"]
    assert sorted(o["PONumber"] for o in ledger) == sorted(numbers)
    assert {o["PONumber"]: o["Id"] for o in ledger} == {po: order.id for po, order in outcomes.items()}


# --- Tokens, rate limits, camelCase, restarts -----------------------------------------------------


def test_a_token_expiring_mid_sequence_is_renewed_once(
    client: VendorClient, admin: Admin, recorder: Recorder
) -> None:
    admin.faults(token_ttl_s=1)
    client.get_balance()
    client.list_brandings()
    time.sleep(1.2)  # past the token's life on the sandbox's own clock
    client.get_balance()
    client.list_brandings()
    assert recorder.token_requests == 2


def test_a_401_from_an_expired_token_renews_it_and_the_call_succeeds(
    sandbox: SandboxServer, admin: Admin, recorder: Recorder
) -> None:
    admin.faults(token_ttl_s=1)
    frozen = 0.0  # the client's clock stands still, so only the vendor's 401 can tell it the token expired
    hooks = {"request": [recorder.on_request]}
    with (
        httpx.Client(event_hooks=hooks) as http,
        VendorClient(
            sandbox.base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN, http=http, clock=lambda: frozen
        ) as c,
    ):
        c.get_balance()
        time.sleep(1.2)
        assert c.get_balance() is not None
    assert recorder.token_requests == 2


def test_429_waits_for_retry_after_and_then_succeeds(
    client: VendorClient, admin: Admin, recorder: Recorder
) -> None:
    client.authenticate()
    admin.faults(rate_limit_per_s=2)
    for _ in range(4):
        client.get_balance()
    assert recorder.retry_afters, "the sandbox should have limited 4 calls at 2 per second"
    assert recorder.sleeps == recorder.retry_afters


def test_camel_case_answers_are_read(client: VendorClient, admin: Admin, sandbox: SandboxServer) -> None:
    admin.faults(camel_case=True)
    raw = admin.http.post("/v1/Tokens", headers={"Email": SANDBOX_EMAIL, "AccessToken": SANDBOX_ACCESS_TOKEN})
    assert "expiresIn" in raw.json()  # the sandbox really answers in camelCase now

    catalog = client.fetch_catalog()
    assert catalog.products["VISA-VAR"].fee == Decimal("2.95")
    balance = client.get_balance()
    assert balance is not None and balance.available > 0
    created = client.create_order(digital_order("CML-1", "ana@corp.example"))
    assert created.order.po_number == "CML-1"
    assert created.order.line_items[0].external_id == "row-2"
    assert client.create_order(digital_order("CML-1", "ana@corp.example")).was_duplicate
    assert client.find_order_by_po_number("CML-1") == created.order


def test_orders_survive_a_sandbox_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    request = digital_order("KEEP-1", "ana@corp.example")
    with (
        SandboxServer(state_path=state) as first,
        VendorClient(first.base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN) as c,
    ):
        original = c.create_order(request).order
    with (
        SandboxServer(state_path=state) as second,
        VendorClient(second.base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN) as c,
    ):
        assert c.get_order(original.id).id == original.id
        again = c.create_order(request)
        assert again.was_duplicate and again.order.id == original.id
