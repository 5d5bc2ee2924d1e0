"""Wire models: PascalCase and camelCase read alike, requests go out exactly as the contract shows them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.api import wire
from app.domain.catalog import DeliveryType, DenominationType

CONTRACT_ORDER_EXAMPLE = """{
  "Type": "DigitalDelivery",
  "PONumber": "BULK-12001",
  "LineItems": [
    {"ProductId": "CVS", "Value": 10, "Quantity": 3,
     "DigitalDeliveryAddress": {"Email": "user1@email.com"},
     "Personalization": {"To": "Ana", "FromName": "HR Team", "FromEmail": "hr@corp.example",
                         "Message": "Thanks!"}}
  ],
  "WebhookSettings": {"FulfillmentComplete": "https://example.org/hooks/fulfillment"}
}"""

PRODUCT_PASCAL = {
    "Id": "CVS",
    "Name": "CVS Pharmacy",
    "ShortDescription": "Drugstore",
    "LongDescription": "…",
    "Denominations": [10, 25, 50, 100],
    "DenominationType": "Fixed",
    "AvailableDeliveryTypes": ["DigitalDelivery", "Links", "PhysicalShipment"],
    "Type": "Digital",
    "CurrencyCode": "USD",
    "Cost": {"Fee": 1.5, "DiscountPercentage": 2.5},
    "Terms": "t",
    "Disclaimer": "d",
    "RedemptionNote": "r",
    "Media": {"Faceplates": [{"Name": "front", "Path": "https://cdn.example/f.png"}]},
    "Meta": {"ShippingConfiguration": {"FulfillmentGroup": "G1", "HasRequiredCardCarriers": False}},
    "Translations": [{"CultureCode": "fr-CA"}],
    "CultureCodes": ["en-US"],
}


def camel(value: object) -> object:
    """The same JSON with every key in camelCase, as some engines answer."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:] if k != "PONumber" else "poNumber": camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def test_order_request_serialises_exactly_as_the_contract_example() -> None:
    request = wire.OrderRequest(
        type=DeliveryType.DIGITAL,
        po_number="BULK-12001",
        line_items=[
            wire.LineItemRequest(
                product_id="CVS",
                value=Decimal("10.00"),
                quantity=3,
                digital_delivery_address=wire.DigitalDeliveryAddress(email="user1@email.com"),
                personalization=wire.Personalization(
                    to="Ana", from_name="HR Team", from_email="hr@corp.example", message="Thanks!"
                ),
            )
        ],
        webhook_settings=wire.WebhookSettings(fulfillment_complete="https://example.org/hooks/fulfillment"),
    )
    expected = json.dumps(json.loads(CONTRACT_ORDER_EXAMPLE), separators=(",", ":"))
    assert request.model_dump_json(by_alias=True, exclude_none=True) == expected
    assert request.to_wire() == json.loads(CONTRACT_ORDER_EXAMPLE)


def test_order_request_physical_line_in_pascal_case_with_cents() -> None:
    line = wire.LineItemRequest(
        product_id="VISA-PHYS",
        value=Decimal("12.50"),
        external_id="row-7",
        branding_id="B1",
        physical_delivery_address=wire.PhysicalDeliveryAddress(
            shipping_method_id="STANDARD",
            carrier_id="DEFAULT",
            name="Ana Lee",
            address_line1="1 Main St",
            city="Springfield",
            state="IL",
            zip="62701",
            country="US",
        ),
    )
    assert line.to_wire() == {
        "ProductId": "VISA-PHYS",
        "Value": 12.5,
        "Quantity": 1,
        "ExternalId": "row-7",
        "BrandingId": "B1",
        "PhysicalDeliveryAddress": {
            "ShippingMethodId": "STANDARD",
            "CarrierId": "DEFAULT",
            "Name": "Ana Lee",
            "AddressLine1": "1 Main St",
            "City": "Springfield",
            "State": "IL",
            "Zip": "62701",
            "Country": "US",
        },
    }


def test_order_request_reads_back_its_own_json_in_either_case() -> None:
    pascal = json.loads(CONTRACT_ORDER_EXAMPLE)
    assert wire.OrderRequest.model_validate(camel(pascal)) == wire.OrderRequest.model_validate(pascal)


def test_order_request_needs_line_items_and_a_po_number() -> None:
    with pytest.raises(ValueError, match=r"LineItems|line_items"):
        wire.OrderRequest(type=DeliveryType.LINKS, po_number="P", line_items=[])
    with pytest.raises(ValueError, match=r"PONumber|po_number"):
        wire.OrderRequest(
            type=DeliveryType.LINKS,
            po_number="",
            line_items=[wire.LineItemRequest(product_id="CVS", value=Decimal(10))],
        )


@pytest.mark.parametrize("shape", ["pascal", "camel"])
def test_product_reads_every_documented_field(shape: str) -> None:
    data = PRODUCT_PASCAL if shape == "pascal" else camel(PRODUCT_PASCAL)
    product = wire.Product.model_validate(data)
    assert product.id == "CVS"
    assert product.denominations == [Decimal(10), Decimal(25), Decimal(50), Decimal(100)]
    assert product.available_delivery_types == ["DigitalDelivery", "Links", "PhysicalShipment"]
    assert product.cost == wire.ProductCost(fee=Decimal("1.5"), discount_percentage=Decimal("2.5"))
    assert product.media is not None and product.media.faceplates[0].path == "https://cdn.example/f.png"
    assert product.meta is not None and product.meta.shipping_configuration is not None
    assert product.meta.shipping_configuration.fulfillment_group == "G1"
    assert product.culture_codes == ["en-US"]


def test_product_with_only_an_id_and_unknown_fields_is_still_read() -> None:
    product = wire.Product.model_validate({"id": 42, "SomethingNew": {"x": 1}, "cost": {"fee": None}})
    assert product.id == "42"
    assert product.denomination_type == "Fixed"
    assert product.cost == wire.ProductCost()


@pytest.mark.parametrize("shape", ["pascal", "camel"])
def test_order_with_claim_data_reads_in_either_case(shape: str) -> None:
    pascal = {
        "Id": "ORD-9",
        "PONumber": "BULK-12001",
        "Type": "Links",
        "Status": "Completed",
        "CreatedAt": "2026-11-26T10:00:00Z",
        "TotalCost": 30.0,
        "LineItems": [
            {
                "Id": "LI-1",
                "ExternalId": "row-12",
                "ProductId": "CVS",
                "Value": 10,
                "Quantity": 3,
                "Cost": 30.0,
                "Status": "Completed",
                "FailureReason": None,
                "ClaimData": [
                    {
                        "Id": "C1",
                        "ClaimLink": "https://claim.example/claim/abc",
                        "ClaimLinkChallengeAnswer": "1234",
                        "BarcodePath": None,
                        "BarcodeType": None,
                    }
                ],
            }
        ],
    }
    order = wire.Order.model_validate(pascal if shape == "pascal" else camel(pascal))
    assert order.po_number == "BULK-12001"
    assert order.status is wire.OrderStatus.COMPLETED
    assert order.created_at == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert order.total_cost == Decimal("30")
    item = order.line_items[0]
    assert (item.external_id, item.quantity, item.status) == ("row-12", 3, wire.OrderStatus.COMPLETED)
    assert item.claim_data[0].claim_link == "https://claim.example/claim/abc"
    assert item.claim_data[0].claim_link_challenge_answer == "1234"


def test_claim_links_and_webhook_secrets_never_show_in_a_repr() -> None:
    order = wire.Order.model_validate(
        {
            "Id": "O",
            "LineItems": [
                {
                    "ClaimData": [
                        {
                            "ClaimLink": "https://claim.example/claim/SECRETLINK",
                            "ClaimLinkChallengeAnswer": "SECRETANSWER",
                        }
                    ]
                }
            ],
        }
    )
    webhook = wire.WebhookSettings(fulfillment_complete="https://me.example/hook?token=SECRETHOOK")
    shown = repr(order) + str(order) + repr(webhook)
    assert "SECRET" not in shown


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("Pending", wire.OrderStatus.PENDING),
        ("processing", wire.OrderStatus.PROCESSING),
        ("PARTIALLY_COMPLETED", wire.OrderStatus.PARTIALLY_COMPLETED),
        ("Partially Completed", wire.OrderStatus.PARTIALLY_COMPLETED),
        ("Failed", wire.OrderStatus.FAILED),
        ("OnHold", wire.OrderStatus.UNKNOWN),
        ("", wire.OrderStatus.UNKNOWN),
        (None, wire.OrderStatus.UNKNOWN),
        (7, wire.OrderStatus.UNKNOWN),
    ],
)
def test_any_status_is_read_and_unknown_ones_become_unknown(said: object, read: wire.OrderStatus) -> None:
    order = wire.Order.model_validate({"Id": "O", "Status": said, "LineItems": [{"Status": said}]})
    assert order.status is read
    assert order.line_items[0].status is read


def test_only_completed_failed_and_partial_are_final() -> None:
    finals = {s for s in wire.OrderStatus if s.is_final}
    assert finals == {
        wire.OrderStatus.COMPLETED,
        wire.OrderStatus.FAILED,
        wire.OrderStatus.PARTIALLY_COMPLETED,
    }


def test_order_tolerates_nulls_and_unreadable_timestamps() -> None:
    order = wire.Order.model_validate(
        {"id": "O", "lineItems": None, "createdAt": "next tuesday", "totalCost": None}
    )
    assert order.line_items == []
    assert order.created_at is None
    item = wire.LineItem.model_validate({"ClaimData": None})
    assert item.claim_data == []


def test_token_balance_shipping_and_branding_in_either_case() -> None:
    assert wire.TokenResponse.model_validate({"value": "t", "expiresIn": 60}).expires_in == 60
    balance = wire.Balance.model_validate({"available": 100000.0, "pending": "12.34", "currencyCode": "USD"})
    assert (balance.available, balance.pending) == (Decimal("100000.0"), Decimal("12.34"))
    method = wire.ShippingMethod.model_validate(
        {"id": "STANDARD", "name": "Standard", "cost": 0, "carriers": [{"id": "DEFAULT"}, {"Id": "USPS"}]}
    )
    assert [c.id for c in method.carriers] == ["DEFAULT", "USPS"]
    assert wire.Branding.model_validate({"ID": "B1", "NAME": "Blue"}) == wire.Branding(id="B1", name="Blue")


def test_read_list_takes_an_envelope_or_a_bare_array() -> None:
    items = [{"Id": "A"}, {"id": "B"}]
    page = wire.read_list({"Page": 1, "PageSize": 500, "TotalCount": 2, "Data": items}, wire.Branding)
    assert [b.id for b in page.items] == ["A", "B"]
    assert (page.total_count, page.page_size, page.raw_count) == (2, 500, 2)
    camel_page = wire.read_list({"page": 1, "totalCount": 2, "data": items}, wire.Branding)
    assert camel_page.items == page.items
    bare = wire.read_list(items, wire.Branding)
    assert bare.items == page.items and bare.total_count is None


def test_read_list_rejects_shapes_that_are_not_lists() -> None:
    with pytest.raises(wire.WireFormatError):
        wire.read_list({"Message": "hello"}, wire.Branding)
    with pytest.raises(wire.WireFormatError):
        wire.read_list("text", wire.Branding)


def test_read_list_skips_only_unreadable_items_when_asked(caplog: pytest.LogCaptureFixture) -> None:
    items = [{"Id": "A"}, {"Name": "no id"}, {"Id": "C"}]
    with pytest.raises(wire.WireFormatError, match="item 1"):
        wire.read_list(items, wire.Branding)
    page = wire.read_list(items, wire.Branding, skip_invalid=True)
    assert [b.id for b in page.items] == ["A", "C"]
    assert page.raw_count == 3
    assert "Skipped an unreadable Branding" in caplog.text


def test_generic_page_envelope_reads_products() -> None:
    page = wire.ProductPage.model_validate(
        {"page": 2, "pageSize": 1, "totalCount": 3, "data": [PRODUCT_PASCAL]}
    )
    assert page.page == 2 and page.data[0].id == "CVS"


def test_to_domain_catalog_keeps_what_validation_and_costing_need() -> None:
    products = [
        wire.Product.model_validate(PRODUCT_PASCAL),
        wire.Product.model_validate(
            {
                "Id": "VISA-VAR",
                "Denominations": [5, 500],
                "DenominationType": "variable",
                "AvailableDeliveryTypes": ["Links", "Carrier Pigeon"],
                "CurrencyCode": "usd",
                "Cost": {"Fee": 2.95},
            }
        ),
        wire.Product.model_validate({"Id": "ODD", "Denominations": [5], "DenominationType": "Auction"}),
        wire.Product.model_validate({"Id": "EMPTY", "Denominations": []}),
    ]
    methods = [
        wire.ShippingMethod.model_validate(
            {
                "Id": "STANDARD",
                "Name": "Standard",
                "Cost": 0,
                "Carriers": [{"Id": "DEFAULT", "Name": "Default"}],
            }
        )
    ]
    when = datetime(2026, 11, 26, tzinfo=UTC)
    catalog = wire.to_domain_catalog(
        products, methods, [wire.Branding(id="B1", name="Blue")], fetched_at=when
    )

    assert set(catalog.products) == {"CVS", "VISA-VAR"}  # unusable products are left out, not guessed at
    cvs = catalog.products["CVS"]
    assert cvs.delivery_types == frozenset(DeliveryType)
    assert cvs.card_cost(Decimal(100)) == Decimal("99.00")  # 100 less 2.5% plus 1.50
    variable = catalog.products["VISA-VAR"]
    assert variable.denomination_type is DenominationType.VARIABLE
    assert variable.delivery_types == frozenset({DeliveryType.LINKS})
    assert variable.currency == "USD"
    assert variable.allows_value(Decimal("123.45")) and not variable.allows_value(Decimal("501"))
    assert catalog.shipping_methods["STANDARD"].has_carrier("DEFAULT")
    assert catalog.brandings["B1"].name == "Blue"
    assert catalog.fetched_at == when
    assert [(p.product_id, p.reason.split(",")[0]) for p in catalog.left_out] == [
        ("ODD", "its DenominationType 'Auction' is neither Fixed nor Variable"),
        ("EMPTY", "it lists no denominations"),
    ]  # and named, so the user hears of them


def test_null_lists_and_objects_in_a_product_read_as_empty() -> None:
    product = {
        **camel(PRODUCT_PASCAL),
        "translations": None,
        "cultureCodes": None,
        "media": None,
        "meta": None,
        "cost": None,
        "terms": None,
        "name": None,
        "availableDeliveryTypes": ["Links", None],
    }

    read = wire.Product.model_validate(product)

    assert (read.translations, read.culture_codes, read.media, read.meta, read.cost) == (
        [],
        [],
        None,
        None,
        None,
    )
    catalog = wire.to_domain_catalog([read], [], [], fetched_at=datetime(2026, 12, 1, tzinfo=UTC))
    assert catalog.products["CVS"].name == "CVS"
    assert catalog.products["CVS"].delivery_types == frozenset({DeliveryType.LINKS})
    assert catalog.left_out == ()


def test_extra_and_odd_product_details_never_make_a_product_unreadable() -> None:
    product = {
        **PRODUCT_PASCAL,
        "Media": {"Faceplates": "not a list", "Logo": "https://cdn.example/logo.png"},
        "Meta": {"Colors": {"Primary": "#000"}, "SupportsApiBalanceChecks": True, "Website": "https://x"},
        "Translations": {"fr-CA": "not a list"},
        "CultureCodes": [None, 7],
        "SomethingNew": {"Nested": [1, 2]},
    }

    read = wire.Product.model_validate(product)

    assert read.id == "CVS" and read.denominations == [10, 25, 50, 100]
    assert read.media is None and read.translations == []
    assert read.meta is not None and read.meta.supports_api_balance_checks is True


def test_an_unreadable_item_is_listed_with_its_position_and_id() -> None:
    items = [{"Id": "A"}, {"Id": "B", "Denominations": ["ten"]}, {"Name": "no id"}, "junk"]

    page = wire.read_list(items, wire.Product, skip_invalid=True)

    assert [p.id for p in page.items] == ["A"]
    assert [(u.position, u.id) for u in page.unreadable] == [(1, "B"), (2, None), (3, None)]
    assert "denominations" in page.unreadable[0].problem.casefold()
    catalog = wire.to_domain_catalog(
        [], [], [], datetime(2026, 12, 1, tzinfo=UTC), unreadable=page.unreadable
    )
    described = [p.describe() for p in catalog.left_out]
    assert described[0].startswith("Product B is in the vendor's catalog but cannot be used: its data could")
    assert described[1].startswith("The vendor's product no. 3 (its Id could not be read)")


def test_an_order_may_carry_a_note_and_its_lines_a_culture_and_neither_goes_out_unset() -> None:
    line = wire.LineItemRequest(product_id="CVS", value=Decimal(10), culture="fr-CA")
    request = wire.OrderRequest(type=DeliveryType.LINKS, po_number="B-1", line_items=[line], note="Q4 gifts")

    sent = json.loads(request.model_dump_json(by_alias=True, exclude_none=True))

    assert (sent["Note"], sent["LineItems"][0]["Culture"]) == ("Q4 gifts", "fr-CA")
    bare = wire.OrderRequest(
        type=DeliveryType.LINKS, po_number="B-1", line_items=[line.model_copy(update={"culture": None})]
    )
    assert "Note" not in bare.to_wire() and "Culture" not in bare.to_wire()["LineItems"][0]
    read = wire.OrderRequest.model_validate({"type": "Links", "poNumber": "B-2", "note": "n", "lineItems": [
        {"productId": "CVS", "value": 10, "culture": "en-US"}]})  # fmt: skip
    assert (read.note, read.line_items[0].culture) == ("n", "en-US")
