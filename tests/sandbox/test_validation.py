"""Malformed orders are refused with 400, naming every bad field the way the vendor does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import ADDRESS, SandboxApi, digital_order, line, links_order, physical_order

EMAIL = "ana@example.com"


def without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


DIGITAL = "LineItems[0].DigitalDeliveryAddress"
PHYSICAL = "LineItems[0].PhysicalDeliveryAddress"
OTHER_METHOD = {**ADDRESS, "ShippingMethodId": "SLOW"}
WRONG_CARRIER = {**ADDRESS, "CarrierId": "UPS"}

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown product", digital_order("P", line("NOPE", 10, email=EMAIL)), "LineItems[0].ProductId"),
    ("missing product", links_order("P", without(line("CVS", 10), "ProductId")), "LineItems[0].ProductId"),
    ("fixed value not offered", digital_order("P", line("CVS", 20, email=EMAIL)), "LineItems[0].Value"),
    ("variable value below range", links_order("P", line("VISA-VAR", 4.99)), "LineItems[0].Value"),
    ("variable value above range", links_order("P", line("VISA-VAR", 500.01)), "LineItems[0].Value"),
    ("variable value with 3 decimals", links_order("P", line("VISA-VAR", 10.005)), "LineItems[0].Value"),
    ("value not a number", links_order("P", line("VISA-VAR", "10")), "LineItems[0].Value"),
    ("missing value", links_order("P", without(line("CVS", 10), "Value")), "LineItems[0].Value"),
    ("delivery type not offered", links_order("P", line("VISA-PHYS", 25)), "LineItems[0].ProductId"),
    (
        "digital card shipped",
        physical_order("P", line("COFFEE", 5, address=ADDRESS)),
        "LineItems[0].ProductId",
    ),
    ("no digital address", digital_order("P", line("CVS", 10)), DIGITAL),
    ("empty digital address", digital_order("P", {**line("CVS", 10), "DigitalDeliveryAddress": {}}), DIGITAL),
    ("malformed email", digital_order("P", line("CVS", 10, email="ana@")), f"{DIGITAL}.Email"),
    (
        "email with a space",
        digital_order("P", line("CVS", 10, email="ana lima@example.com")),
        f"{DIGITAL}.Email",
    ),
    ("sms without plus", digital_order("P", line("CVS", 10, sms="15555555555")), f"{DIGITAL}.Sms"),
    ("sms too short", digital_order("P", line("CVS", 10, sms="+1234567")), f"{DIGITAL}.Sms"),
    ("sms too long", digital_order("P", line("CVS", 10, sms="+1234567890123456")), f"{DIGITAL}.Sms"),
    ("no physical address", physical_order("P", line("VISA-PHYS", 25)), PHYSICAL),
    (
        "unknown shipping method",
        physical_order("P", line("CVS", 25, address=OTHER_METHOD)),
        f"{PHYSICAL}.ShippingMethodId",
    ),
    (
        "carrier not of the method",
        physical_order("P", line("CVS", 25, address=WRONG_CARRIER)),
        f"{PHYSICAL}.CarrierId",
    ),
    (
        "missing carrier",
        physical_order("P", line("CVS", 25, address=without(ADDRESS, "CarrierId"))),
        f"{PHYSICAL}.CarrierId",
    ),
    ("quantity zero", links_order("P", line("CVS", 10, quantity=0)), "LineItems[0].Quantity"),
    ("quantity fractional", links_order("P", {**line("CVS", 10), "Quantity": 1.5}), "LineItems[0].Quantity"),
    ("quantity as text", links_order("P", {**line("CVS", 10), "Quantity": "2"}), "LineItems[0].Quantity"),
    ("quantity missing", links_order("P", without(line("CVS", 10), "Quantity")), "LineItems[0].Quantity"),
    ("missing PONumber", without(links_order("P"), "PONumber"), "PONumber"),
    ("blank PONumber", links_order(" "), "PONumber"),
    ("PONumber of 41 characters", links_order("P" * 41), "PONumber"),
    ("unknown order type", {**links_order("P"), "Type": "Pigeon"}, "Type"),
    ("no line items", {**links_order("P"), "LineItems": []}, "LineItems"),
    ("unknown branding", links_order("P", line("CVS", 10, BrandingId="NOPE")), "LineItems[0].BrandingId"),
    (
        "bad delivery date",
        links_order("P", line("CVS", 10, Personalization={"DeliveryDate": "soon"})),
        "LineItems[0].Personalization.DeliveryDate",
    ),
    (
        "bad webhook URL",
        links_order("P", WebhookSettings={"FulfillmentComplete": "ftp://x"}),
        "WebhookSettings.FulfillmentComplete",
    ),
]


@pytest.mark.parametrize(("body", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_malformed_order_is_a_400_naming_the_field(
    api: SandboxApi, body: dict[str, Any], field: str
) -> None:
    response = api.post_order(body)

    assert response.status_code == 400
    assert field in response.json()["Errors"], response.json()
    assert response.json()["Errors"][field][0]
    assert api.ledger()["orders"] == []
    assert api.balance()["Available"] == 100000.0


@pytest.mark.parametrize("name", ["Name", "AddressLine1", "City", "State", "Zip", "Country"])
def test_each_part_of_a_postal_address_is_required(api: SandboxApi, name: str) -> None:
    response = api.post_order(physical_order("P", line("VISA-PHYS", 25, address={**ADDRESS, name: ""})))

    assert response.status_code == 400
    assert list(response.json()["Errors"]) == [f"LineItems[0].PhysicalDeliveryAddress.{name}"]


@pytest.mark.parametrize(
    "address",
    [
        {
            "Name": "Jonas Weber",
            "AddressLine1": "Marienplatz 1",
            "City": "München",
            "Zip": "80331",
            "Country": "DE",
        },
        {"Name": "Tan Wei", "AddressLine1": "1 Raffles Place", "Zip": "048616", "Country": "SG"},  # no city
        {"Name": "Chan Tai", "AddressLine1": "1 Nathan Rd", "State": "Kowloon", "Country": "HK"},  # no code
    ],
)
def test_addresses_outside_the_us_need_only_what_their_country_uses(
    api: SandboxApi, address: dict[str, str]
) -> None:
    shipping = {"ShippingMethodId": ADDRESS["ShippingMethodId"], "CarrierId": ADDRESS["CarrierId"]}
    response = api.post_order(physical_order("P", line("VISA-PHYS", 25, address={**shipping, **address})))

    assert response.status_code == 201, response.json()


def test_every_bad_line_item_is_named_by_its_index(api: SandboxApi) -> None:
    good = line("CVS", 10, email=EMAIL)
    body = digital_order(
        "P", good, line("CVS", 11, email=EMAIL), good, line("CVS", 10, quantity=0, sms="555")
    )

    errors = api.post_order(body).json()["Errors"]

    assert set(errors) == {
        "LineItems[1].Value",
        "LineItems[3].Quantity",
        "LineItems[3].DigitalDeliveryAddress.Sms",
    }


def test_the_boundaries_of_the_rules_are_accepted(api: SandboxApi) -> None:
    body = digital_order(
        "P" * 40,
        line("VISA-VAR", 5, email=EMAIL),
        line("VISA-VAR", 500, sms="+12345678"),
        line("VISA-VAR", 499.99, sms="+123456789012345"),
        line("CVS", 100.00, email="x@sub.example.co.uk"),
    )

    assert api.post_order(body).status_code == 201


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b"", b'{"Value": NaN}'])
def test_a_body_that_is_not_a_json_object_is_a_400(api: SandboxApi, raw: bytes) -> None:
    response = api.http.post(
        "/v1/Orders", headers={**api.auth, "Content-Type": "application/json"}, content=raw
    )

    assert response.status_code == 400
    assert response.json()["Message"]
