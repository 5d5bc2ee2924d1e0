"""POST /v1/Orders for each delivery type, costs and charges, duplicates, funds, and reading orders back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import ADDRESS, SandboxApi, digital_order, line, links_order, physical_order

PERSONALIZATION = {
    "To": "Bo",
    "FromName": "HR",
    "FromEmail": "hr@corp.example",
    "Message": "Thanks!",
    "DeliveryDate": "2026-12-01T09:00:00Z",
}


def test_a_digital_order_completes_at_once_and_charges_its_cost(api: SandboxApi) -> None:
    body = digital_order(
        "PO-D1",
        line("CVS", 10, quantity=3, email="ana@example.com", ExternalId="row-2"),
        line("VISA-VAR", 12.34, sms="+15555555555", ExternalId="row-3"),
        line("TARGET", 50, email="bo@example.com", ExternalId="row-4", Personalization=PERSONALIZATION),
    )

    response = api.post_order(body)

    assert response.status_code == 201
    order = response.json()
    assert response.headers["Location"] == f"/v1/Orders/{order['Id']}"
    assert order["Id"].startswith("ORD-")
    assert (order["PONumber"], order["Type"], order["Status"]) == ("PO-D1", "DigitalDelivery", "Completed")
    assert [i["ExternalId"] for i in order["LineItems"]] == ["row-2", "row-3", "row-4"]
    assert [i["Cost"] for i in order["LineItems"]] == [30.0, 15.29, 48.5]  # 12.34 + 2.95 fee; 50 less 3 %
    assert order["TotalCost"] == 93.79
    assert all(i["Status"] == "Completed" and i["FailureReason"] is None for i in order["LineItems"])
    assert api.get("/v1/Balance").json()["Available"] == 100000 - 93.79


def test_a_links_order_returns_one_claim_link_per_card(api: SandboxApi) -> None:
    response = api.post_order(links_order("PO-L1", line("COFFEE", 5, quantity=4), line("VISA-VAR", 100)))

    assert response.status_code == 201
    order = response.json()
    assert order["Status"] == "Completed"
    claims = [c for item in order["LineItems"] for c in item["ClaimData"]]
    assert [len(i["ClaimData"]) for i in order["LineItems"]] == [4, 1]
    for claim in claims:
        assert claim["ClaimLink"].startswith("https://sandbox.giftbatch.invalid/claim/")
        assert claim["ClaimLinkChallengeAnswer"]
        assert set(claim) == {"Id", "ClaimLink", "ClaimLinkChallengeAnswer", "BarcodePath", "BarcodeType"}
    assert order["TotalCost"] == 20.0 + 102.95


def test_claim_links_and_answers_never_repeat(api: SandboxApi) -> None:
    links: list[str] = []
    for n in range(3):
        order = api.post_order(
            links_order(f"PO-L{n}", line("CVS", 10, quantity=15), line("MOVIES", 15, 5))
        ).json()
        links += [c["ClaimLink"] for item in order["LineItems"] for c in item["ClaimData"]]

    assert len(links) == 60
    assert len(set(links)) == 60
    ids = [
        c["Id"] for o in api.get("/v1/Orders").json()["Data"] for i in o["LineItems"] for c in i["ClaimData"]
    ]
    assert len(set(ids)) == 60


def test_a_physical_order_is_shipped_and_charged_with_its_fee(api: SandboxApi) -> None:
    express = {**ADDRESS, "ShippingMethodId": "EXPRESS", "CarrierId": "UPS", "AddressLine2": "Apt 2"}
    branded = line("VISA-PHYS", 50, quantity=2, address=ADDRESS, BrandingId="HOLIDAY-2026")
    body = physical_order("PO-P1", branded, line("CVS", 25, address=express))

    response = api.post_order(body)

    assert response.status_code == 201
    order = response.json()
    assert order["Status"] == "Completed"
    assert [i["Cost"] for i in order["LineItems"]] == [109.9, 25.0]
    assert all(i["ClaimData"] == [] for i in order["LineItems"])


def test_a_card_in_another_currency_is_charged_in_usd_at_the_sandbox_rate(api: SandboxApi) -> None:
    order = api.post_order(
        digital_order("PO-CA", line("TIMS-CA", 25, quantity=2, email="ana@example.com"))
    ).json()

    assert order["LineItems"][0]["Cost"] == 50.0
    assert order["LineItems"][0]["CurrencyCode"] == "CAD"
    assert order["TotalCost"] == 36.5  # 50 CAD at 0.73
    ledger_order = api.ledger()["orders"][0]
    assert ledger_order["ChargedUSD"] == ledger_order["Charged"] == 36.5
    assert ledger_order["LineItems"][0]["ChargedUSD"] == 36.5
    assert api.balance()["Available"] == 100000 - 36.5


def test_discounts_are_rounded_to_cents_per_card(api: SandboxApi) -> None:
    order = api.post_order(
        digital_order("PO-R", line("AMAZON-US", 33.33, quantity=3, email="a@example.com"))
    ).json()

    assert order["LineItems"][0]["Cost"] == 98.49  # 33.33 less 1.5 % is 32.83005, so 32.83 a card


def test_field_names_in_the_request_are_read_without_regard_to_case(api: SandboxApi) -> None:
    item = {
        "productId": "CVS",
        "value": 10,
        "quantity": 1,
        "digitalDeliveryAddress": {"email": "a@example.com"},
    }
    body = {"type": "DigitalDelivery", "poNumber": "PO-lower", "lineItems": [{**item, "externalId": "r1"}]}

    response = api.post_order(body)

    assert response.status_code == 201
    assert response.json()["LineItems"][0]["ExternalId"] == "r1"


def test_a_repeated_po_number_is_a_409_naming_the_original_and_charges_nothing(api: SandboxApi) -> None:
    original = api.post_order(digital_order("PO-DUP")).json()
    available = api.balance()["Available"]

    again = api.post_order(digital_order("PO-DUP", line("COFFEE", 25, email="other@example.com")))

    assert again.status_code == 409
    assert again.json()["Id"] == original["Id"]
    assert again.json()["PreviousOrderIds"] == [original["Id"]]
    assert "PO-DUP" in again.json()["Message"]
    assert api.balance()["Available"] == available
    assert len(api.ledger()["orders"]) == 1


def test_a_repeated_po_number_is_a_409_even_when_funds_are_short(api: SandboxApi) -> None:
    original = api.post_order(digital_order("PO-DUP")).json()
    api.http.post("/_sandbox/balance", json={"available": 0})

    again = api.post_order(digital_order("PO-DUP"))

    assert again.status_code == 409
    assert again.json()["Id"] == original["Id"]


def test_an_order_above_the_available_balance_is_a_422_and_charges_nothing(api: SandboxApi) -> None:
    api.http.post("/_sandbox/balance", json={"available": 50})

    response = api.post_order(
        digital_order(
            "PO-BIG", line("CVS", 50, email="a@example.com"), line("CVS", 10, email="b@example.com")
        )
    )

    assert response.status_code == 422
    assert "60.00" in response.json()["Message"]
    assert api.balance() == {"Available": 50.0, "Pending": 0.0, "CurrencyCode": "USD"}
    assert api.ledger()["orders"] == []
    assert api.post_order(digital_order("PO-BIG", line("CVS", 50, email="a@example.com"))).status_code == 201


def test_an_order_can_be_read_back_and_found_by_po_number(api: SandboxApi) -> None:
    first = api.post_order(digital_order("PO-A")).json()
    second = api.post_order(links_order("PO-B")).json()

    assert api.order(first["Id"]) == first
    listed = api.get("/v1/Orders", pageIndex=1, pageSize=10).json()
    assert listed["TotalCount"] == 2
    assert [o["Id"] for o in listed["Data"]] == [first["Id"], second["Id"]]
    found = api.get("/v1/Orders", poNumber="PO-B").json()
    assert (found["TotalCount"], [o["Id"] for o in found["Data"]]) == (1, [second["Id"]])
    assert api.get("/v1/Orders", poNumber="PO-none").json()["Data"] == []
    assert api.get("/v1/Orders", PONumber="PO-B").json()["TotalCount"] == 1
    assert api.get("/v1/Orders", pageIndex=2, pageSize=1).json()["Data"][0]["Id"] == second["Id"]


def test_an_unknown_order_is_a_404(api: SandboxApi) -> None:
    response = api.get("/v1/Orders/ORD-NOPE")

    assert response.status_code == 404
    assert "ORD-NOPE" in response.json()["Message"]


@pytest.mark.parametrize("cards", [49, 50])
def test_orders_of_fifty_cards_or_more_start_pending(api: SandboxApi, cards: int) -> None:
    order = api.post_order(links_order("PO-N", line("CVS", 10, quantity=cards))).json()

    assert order["Status"] == ("Pending" if cards >= 50 else "Completed")


def send_together(api: SandboxApi, bodies: list[dict[str, Any]]) -> list[int]:
    """POST the orders from as many threads at once; their status codes."""
    barrier = threading.Barrier(len(bodies))

    def send(body: dict[str, Any]) -> int:
        with httpx.Client(base_url=str(api.http.base_url), headers=api.auth) as http:
            barrier.wait()
            return http.post("/v1/Orders", json=body).status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_the_same_po_number_sent_at_once_makes_one_order(api: SandboxApi) -> None:
    statuses = send_together(api, [digital_order("PO-RACE") for _ in range(12)])

    assert sorted(statuses) == [201] + [409] * 11
    assert len(api.ledger()["orders"]) == 1
    assert api.balance()["Available"] == 100000 - 10


def test_orders_sent_at_once_never_overdraw_the_balance(api: SandboxApi) -> None:
    api.http.post("/_sandbox/balance", json={"available": 100})

    statuses = send_together(api, [digital_order(f"PO-{n}") for n in range(16)])

    assert sorted(statuses) == [201] * 10 + [422] * 6
    assert api.balance() == {"Available": 0.0, "Pending": 0.0, "CurrencyCode": "USD"}


def test_camel_case_requests_with_a_note_and_a_culture_are_accepted(api: SandboxApi) -> None:
    body = {
        "type": "DigitalDelivery",
        "poNumber": "PO-NOTE",
        "note": "Q4 thank-you cards",
        "lineItems": [
            {
                "productId": "CVS",
                "value": 10,
                "quantity": 1,
                "culture": "en-US",
                "externalId": "row-2",
                "digitalDeliveryAddress": {"email": "a@example.com"},
            }
        ],
    }

    assert api.post_order(body).status_code == 201
    bad = api.post_order({**body, "poNumber": "PO-NOTE-2", "note": 12})
    assert bad.status_code == 400
    assert list(bad.json()["Errors"]) == ["Note"]


def test_an_order_of_more_than_a_hundred_line_items_is_refused(api: SandboxApi) -> None:
    items = [line("CVS", 10, email=f"p{n}@example.com") for n in range(101)]

    refused = api.post_order(digital_order("PO-BIG", *items))

    assert refused.status_code == 400
    assert "at most 100 line items" in refused.json()["Errors"]["LineItems"][0]
    assert api.post_order(digital_order("PO-FULL", *items[:100])).status_code == 201
