"""The sandbox's own endpoints: the ledger, reset and the balance."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import SandboxApi, digital_order, line, links_order


def test_the_ledger_lists_every_order_with_its_line_items_and_charges(api: SandboxApi) -> None:
    api.post_order(
        digital_order("PO-1", line("CVS", 10, quantity=2, email="a@example.com", ExternalId="row-2"))
    )
    api.post_order(links_order("PO-2", line("TIMS-CA", 10) | {"ProductId": "COFFEE", "Value": 5}))

    ledger = api.ledger()

    assert ledger["balance"] == {"Available": 100000 - 25.0, "Pending": 0.0, "CurrencyCode": "USD"}
    assert [o["PONumber"] for o in ledger["orders"]] == ["PO-1", "PO-2"]
    first = ledger["orders"][0]
    assert {
        "Id",
        "PONumber",
        "Type",
        "Status",
        "CreatedAt",
        "TotalCost",
        "Charged",
        "ChargedUSD",
        "LineItems",
    } <= set(first)
    assert (first["Type"], first["Status"], first["TotalCost"], first["Charged"]) == (
        "DigitalDelivery",
        "Completed",
        20.0,
        20.0,
    )
    item = first["LineItems"][0]
    assert {"Id", "ExternalId", "ProductId", "Value", "Quantity", "Cost", "Status", "FailureReason"} <= set(
        item
    )
    assert (item["ExternalId"], item["ProductId"], item["Value"], item["Quantity"], item["Cost"]) == (
        "row-2",
        "CVS",
        10,
        2,
        20.0,
    )
    assert ledger["orders"][1]["LineItems"][0]["ClaimCount"] == 1


def test_the_ledger_holds_no_claim_links(api: SandboxApi) -> None:
    order = api.post_order(links_order("PO-1")).json()
    link = order["LineItems"][0]["ClaimData"][0]["ClaimLink"]

    text = api.http.get("/_sandbox/ledger").text

    assert link not in text
    assert "ClaimLink" not in text


def test_charges_in_the_ledger_add_up_to_what_left_the_balance(api: SandboxApi) -> None:
    api.post_order(
        digital_order(
            "PO-1", line("CVS", 25, email="a@example.com"), line("CVS", 50, email="b@bounce.example.com")
        )
    )
    api.post_order(digital_order("PO-2", line("TIMS-CA", 50, quantity=3, email="c@example.com")))
    api.post_order(links_order("PO-3", line("VISA-VAR", 99.99, quantity=2)))

    ledger = api.ledger()

    charged = sum(o["Charged"] for o in ledger["orders"])
    assert round(100000 - ledger["balance"]["Available"], 2) == round(charged, 2)


def test_reset_forgets_orders_and_sets_the_balance(api: SandboxApi) -> None:
    api.post_order(digital_order("PO-1"))

    response = api.http.post("/_sandbox/reset", json={"balance": 250.5})

    assert response.status_code == 200
    assert api.ledger() == {
        "balance": {"Available": 250.5, "Pending": 0.0, "CurrencyCode": "USD"},
        "orders": [],
    }
    api.login()
    assert api.post_order(digital_order("PO-1")).status_code == 201


def test_reset_without_a_body_restores_the_opening_balance(api: SandboxApi) -> None:
    api.http.post("/_sandbox/reset", json={"balance": 1})

    api.http.post("/_sandbox/reset")

    assert api.balance()["Available"] == 100000.0


def test_the_balance_can_be_set_and_topped_up(api: SandboxApi) -> None:
    assert api.http.post("/_sandbox/balance", json={"available": 100}).json()["Available"] == 100.0
    assert api.http.post("/_sandbox/balance", json={"add": 20.25}).json()["Available"] == 120.25
    assert api.get("/v1/Balance").json()["Available"] == 120.25


@pytest.mark.parametrize(
    ("path", "body"),
    [("/_sandbox/balance", {"available": -1}), ("/_sandbox/balance", {"add": -1000000}),
     ("/_sandbox/balance", {"available": 1, "add": 1}), ("/_sandbox/balance", {}),
     ("/_sandbox/balance", {"available": "lots"}), ("/_sandbox/balance", {"available": 1.001}),
     ("/_sandbox/reset", {"balance": -5}), ("/_sandbox/reset", [1])],
)  # fmt: skip
def test_bad_control_requests_are_a_400(api: SandboxApi, path: str, body: Any) -> None:
    response = api.http.post(path, json=body)

    assert response.status_code == 400
    assert response.json()["Message"]
    assert api.balance()["Available"] == 100000.0
