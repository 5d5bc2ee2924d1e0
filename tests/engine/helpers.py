"""Building blocks for the engine tests: plan rows, a sandbox's ledger, a client tuned for fast retries."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from app.api import wire
from app.api.client import VendorClient
from app.api.retry import RetryPolicy
from app.domain.catalog import Catalog, DeliveryType
from app.domain.fields import Field
from app.domain.validation import PersonalizationDefaults
from app.engine.journal import SubmissionJournal
from app.engine.plan import Plan, PlanRow, new_run_id, plan_orders
from app.engine.states import RowStatus
from app.sandbox.catalog import PRODUCTS
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL

# Quick retries so fault tests stay short; as many attempts as a real run would make.
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.02, max_delay=0.3, total_time=60.0, max_retry_after=2.0)


def client_for(
    base_url: str, retry: RetryPolicy = FAST_RETRY, seen: Counter[str] | None = None
) -> VendorClient:
    """A client for the sandbox; with `seen`, every answer it gets is counted there by status, and token
    fetches under "tokens"."""
    if seen is None:
        return VendorClient(base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN, retry=retry, timeout=10.0)

    def count(response: httpx.Response) -> None:
        seen[str(response.status_code)] += 1
        if response.request.url.path.endswith("/v1/Tokens"):
            seen["tokens"] += 1

    http = httpx.Client(timeout=10.0, event_hooks={"response": [count]})
    return VendorClient(base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN, retry=retry, timeout=10.0, http=http)


def digital_row(
    number: int,
    *,
    product: str = "CVS",
    value: str = "10",
    quantity: int = 1,
    email: str | None = None,
    sheet: str = "Sheet1",
) -> PlanRow:
    """Row `number` of a sheet, as validation would hand it over: a digital card to one address."""
    item = wire.LineItemRequest(
        product_id=product,
        value=Decimal(value),
        quantity=quantity,
        digital_delivery_address=wire.DigitalDeliveryAddress(email=email or f"person{number}@example.com"),
        personalization=wire.Personalization(to=f"Person {number}"),
    )
    row = number + 1  # a header row above the data
    return PlanRow(
        key=f"{sheet}!{row}",
        sheet=sheet,
        row=row,
        delivery_type=DeliveryType.DIGITAL,
        line_item=item,
        fingerprint=f"fp-{number}",
        cells={
            Field.EMAIL: f"B{row}",
            Field.PRODUCT: f"C{row}",
            Field.VALUE: f"D{row}",
            Field.QUANTITY: f"E{row}",
        },
    )


def links_row(number: int, *, product: str = "CVS", value: str = "10", quantity: int = 1) -> PlanRow:
    item = wire.LineItemRequest(product_id=product, value=Decimal(value), quantity=quantity)
    row = number + 1
    return PlanRow(
        key=f"Links!{row}",
        sheet="Links",
        row=row,
        delivery_type=DeliveryType.LINKS,
        line_item=item,
        fingerprint=f"fpl-{number}",
        cells={Field.PRODUCT: f"A{row}", Field.VALUE: f"B{row}"},
    )


def make_plan(
    rows: list[PlanRow],
    catalog: Catalog,
    *,
    max_line_items: int = 100,
    prefix: str = "T",
    defaults: PersonalizationDefaults | None = None,
) -> Plan:
    return plan_orders(
        rows,
        run_id=new_run_id(),
        catalog=catalog,
        prefix=prefix,
        max_line_items=max_line_items,
        defaults=defaults or PersonalizationDefaults(),
    )


def store(journal: SubmissionJournal, plan: Plan) -> str:
    journal.create_run(
        plan, workbook="test.xlsx", workbook_sha256="0" * 64, profile="sandbox", settings={}, campaign="T"
    )
    return plan.run_id


def ledger(base_url: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/_sandbox/ledger", timeout=30)
    response.raise_for_status()
    return dict(response.json())


def sandbox_post(base_url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{base_url}/_sandbox/{path}", json=body, timeout=30)
    response.raise_for_status()
    return dict(response.json())


def ledger_lines(base_url: str) -> list[dict[str, Any]]:
    """Every line item the vendor holds, with its order's PONumber and status."""
    return [
        {**line, "PONumber": order["PONumber"], "OrderStatus": order["Status"]}
        for order in ledger(base_url)["orders"]
        for line in order["LineItems"]
    ]


def external_id_counts(base_url: str) -> Counter[str]:
    return Counter(line["ExternalId"] for line in ledger_lines(base_url))


def sandbox_catalog() -> Catalog:
    """The sandbox's catalog, read as the app reads the vendor's, without a server."""
    products = [wire.Product.model_validate(p.wire()) for p in PRODUCTS]
    return wire.to_domain_catalog(products, [], [], datetime.now(UTC))


def lines_of_run(base_url: str, run_id: str) -> list[dict[str, Any]]:
    """The vendor's line items for orders of this run (their PONumbers carry the run id)."""
    return [line for line in ledger_lines(base_url) if f"-{run_id}-" in line["PONumber"]]


_ROW_STATUS_OF_LEDGER = {"Completed": RowStatus.COMPLETED, "Failed": RowStatus.FAILED}


def assert_exactly_once(base_url: str, journal: SubmissionJournal, run_id: str) -> None:
    """The ledger holds exactly one line item per row the journal says was sent, none for the others, each
    with the planned quantity and charge, and the journal's row status is the ledger's."""
    lines = lines_of_run(base_url, run_id)
    counts = Counter(line["ExternalId"] for line in lines)
    assert [key for key, n in counts.items() if n > 1] == [], "a row was ordered twice"
    by_key = {line["ExternalId"]: line for line in lines}
    for row in journal.rows(run_id):
        if row.status in (RowStatus.REJECTED, RowStatus.SKIPPED, RowStatus.QUEUED):
            assert row.key not in by_key, f"{row.key} is {row.status} but the vendor has it"
            continue
        assert row.key in by_key, f"{row.key} is {row.status} but the vendor has no line item for it"
        line = by_key[row.key]
        assert line["PONumber"] == row.po_number
        assert line["Quantity"] == row.data["Quantity"]
        assert _ROW_STATUS_OF_LEDGER.get(line["Status"], line["Status"]) == row.status
        assert (line["CurrencyCode"], Decimal(str(line["Cost"]))) == (row.currency, row.cost), (
            "charged otherwise"
        )
        charged = Decimal(str(line["ChargedUSD"]))
        assert charged > 0 if line["Status"] == "Completed" else charged == 0
