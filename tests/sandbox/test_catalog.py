"""GET /v1/Products (paged), /v1/ShippingMethods and /v1/Brandings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import SandboxApi

PRODUCT_FIELDS = {
    "Id", "Name", "ShortDescription", "LongDescription", "Denominations", "DenominationType",
    "AvailableDeliveryTypes", "Type", "CurrencyCode", "Cost", "Terms", "Disclaimer", "RedemptionNote",
    "Media", "Meta", "Translations", "CultureCodes",
}  # fmt: skip


def all_products(api: SandboxApi) -> dict[str, dict[str, Any]]:
    body = api.get("/v1/Products", pageIndex=1, pageSize=500).json()
    return {p["Id"]: p for p in body["Data"]}


def test_the_catalog_has_the_products_the_app_is_tested_with(api: SandboxApi) -> None:
    products = all_products(api)

    expected = {
        "CVS": ("Fixed", [10, 25, 50, 100], "USD", ["DigitalDelivery", "Links", "PhysicalShipment"], 0),
        "VISA-VAR": ("Variable", [5, 500], "USD", ["DigitalDelivery", "Links"], 2.95),
        "VISA-PHYS": ("Fixed", [25, 50, 100], "USD", ["PhysicalShipment"], 4.95),
        "COFFEE": ("Fixed", [5, 10, 15, 25], "USD", ["DigitalDelivery", "Links"], 0),
        "TIMS-CA": ("Fixed", [10, 25, 50], "CAD", ["DigitalDelivery"], 0),
    }
    for product_id, (kind, values, currency, delivery, fee) in expected.items():
        product = products[product_id]
        assert product["DenominationType"] == kind
        assert product["Denominations"] == values
        assert product["CurrencyCode"] == currency
        assert product["AvailableDeliveryTypes"] == delivery
        assert product["Cost"]["Fee"] == fee


def test_the_catalog_mixes_every_kind_of_product(api: SandboxApi) -> None:
    products = list(all_products(api).values())

    assert len(products) >= 12
    assert {p["DenominationType"] for p in products} == {"Fixed", "Variable"}
    assert {p["Type"] for p in products} == {"Digital", "Physical"}
    assert {p["CurrencyCode"] for p in products} > {"USD"}
    assert any(p["Cost"]["DiscountPercentage"] > 0 for p in products)
    assert any(p["Cost"]["Fee"] > 0 for p in products)
    assert len({tuple(p["AvailableDeliveryTypes"]) for p in products}) >= 4
    for product in products:
        assert set(product) == PRODUCT_FIELDS
        assert product["Media"]["Faceplates"][0]["Path"].startswith("https://")
        assert set(product["Meta"]["ShippingConfiguration"]) == {
            "FulfillmentGroup",
            "HasRequiredCardCarriers",
        }


def test_pages_are_one_based_and_cover_the_catalog_once(api: SandboxApi) -> None:
    total = api.get("/v1/Products", pageSize=500).json()["TotalCount"]

    seen: list[str] = []
    for page in (1, 2, 3):
        body = api.get("/v1/Products", pageIndex=page, pageSize=5).json()
        assert (body["Page"], body["PageSize"], body["TotalCount"]) == (page, 5, total)
        seen += [p["Id"] for p in body["Data"]]
    assert len(seen) == total == len(set(seen))
    assert api.get("/v1/Products", pageIndex=4, pageSize=5).json()["Data"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"pageSize": 501}, "pageSize"), ({"pageSize": 0}, "pageSize"), ({"pageIndex": 0}, "pageIndex"),
     ({"pageIndex": "one"}, "pageIndex")],
)  # fmt: skip
def test_bad_paging_is_a_400_naming_the_parameter(
    api: SandboxApi, params: dict[str, Any], field: str
) -> None:
    response = api.get("/v1/Products", **params)

    assert response.status_code == 400
    assert field in response.json()["Errors"]


def test_shipping_methods_name_their_carriers(api: SandboxApi) -> None:
    methods = {m["Id"]: m for m in api.get("/v1/ShippingMethods").json()}

    assert {c["Id"] for c in methods["STANDARD"]["Carriers"]} == {"DEFAULT", "USPS"}
    assert {c["Id"] for c in methods["EXPRESS"]["Carriers"]} == {"UPS"}
    assert all({"Id", "Name", "Cost", "Carriers"} <= set(m) for m in methods.values())


def test_brandings_have_ids_and_names(api: SandboxApi) -> None:
    brandings = api.get("/v1/Brandings").json()

    assert len(brandings) >= 2
    assert all(set(b) == {"Id", "Name"} for b in brandings)


def test_balance_opens_at_one_hundred_thousand_dollars(api: SandboxApi) -> None:
    assert api.get("/v1/Balance").json() == {"Available": 100000.0, "Pending": 0.0, "CurrencyCode": "USD"}


def test_unknown_paths_answer_json(api: SandboxApi) -> None:
    response = api.get("/v1/Nothing")

    assert response.status_code == 404
    assert response.json()["Message"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"productName": "visa"}, {"VISA-VAR", "VISA-PHYS"}),
        ({"productDescription": "COFFEE"}, {"COFFEE", "TIMS-CA"}),
        ({"productType": "physical"}, {"VISA-PHYS", "MC-PHYS", "SPA-PHYS"}),
        ({"productName": "visa", "productType": "Physical"}, {"VISA-PHYS"}),
        ({"productName": "no such card"}, set()),
    ],
)
def test_products_can_be_filtered_as_public_clients_do(
    api: SandboxApi, filters: dict[str, str], expected: set[str]
) -> None:
    body = api.get("/v1/Products", pageIndex=1, pageSize=500, **filters).json()

    assert {p["Id"] for p in body["Data"]} == expected
    assert body["TotalCount"] == len(expected)


def test_products_carry_the_extra_fields_public_clients_see(api: SandboxApi) -> None:
    product = all_products(api)["CVS"]

    assert product["Media"]["Logo"].endswith(".png")
    assert set(product["Meta"]) >= {"Colors", "SupportsApiBalanceChecks", "Website"}
