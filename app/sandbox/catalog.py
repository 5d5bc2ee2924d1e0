"""The sandbox vendor's catalog: products, shipping methods and brandings, in the vendor's wire shape."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.sandbox.constants import MEDIA_BASE

DIGITAL = "DigitalDelivery"
LINKS = "Links"
PHYSICAL = "PhysicalShipment"
DELIVERY_TYPES = (DIGITAL, LINKS, PHYSICAL)


@dataclass(frozen=True)
class SandboxProduct:
    """One product: the facts order validation and costing need, and its full wire form."""

    id: str
    name: str
    currency: str
    denomination_type: str
    denominations: tuple[Decimal, ...]
    delivery_types: tuple[str, ...]
    type: str = "Digital"
    fee: Decimal = Decimal(0)
    discount_percentage: Decimal = Decimal(0)
    short_description: str = ""
    fulfillment_group: str = "Digital"
    translations: tuple[dict[str, str], ...] = ()
    culture_codes: tuple[str, ...] = ("en-US",)

    def wire(self, *, null_lists: bool = False) -> dict[str, Any]:
        """The product as `GET /v1/Products` returns it; `null_lists`: its optional lists and objects as null,
        as public clients show the vendor's engine answering for many products."""
        slug = self.id.lower()
        physical = self.type == "Physical"
        wired: dict[str, Any] = {
            "Id": self.id,
            "Name": self.name,
            "ShortDescription": self.short_description,
            "LongDescription": f"{self.short_description} A Giftbatch sandbox card, of no cash value.",
            "Denominations": [_number(d) for d in self.denominations],
            "DenominationType": self.denomination_type,
            "AvailableDeliveryTypes": list(self.delivery_types),
            "Type": self.type,
            "CurrencyCode": self.currency,
            "Cost": {"Fee": float(self.fee), "DiscountPercentage": float(self.discount_percentage)},
            "Terms": f"{self.name} cards never expire and carry no fees after purchase.",
            "Disclaimer": "Sandbox product: no real card is issued.",
            "RedemptionNote": "Redeem online or in store by showing the code.",
            "Media": {
                "Faceplates": [{"Name": "Default", "Path": f"{MEDIA_BASE}{slug}-default.png"}],
                "Logo": f"{MEDIA_BASE}{slug}-logo.png",
            },
            "Meta": {
                "ShippingConfiguration": {
                    "FulfillmentGroup": self.fulfillment_group,
                    "HasRequiredCardCarriers": physical,
                },
                "Colors": {"Primary": "#1F4E79", "Secondary": "#FFFFFF"},
                "SupportsApiBalanceChecks": False,
                "Website": f"https://{slug}.sandbox.giftbatch.invalid/",
            },
            "Translations": [dict(t) for t in self.translations],
            "CultureCodes": list(self.culture_codes),
        }
        if null_lists:
            wired.update({"Translations": None, "CultureCodes": None, "Media": None, "Meta": None})
        return wired


def _number(amount: Decimal) -> int | float:
    """25 for 25, 12.5 for 12.50: JSON numbers as a vendor writes them."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _values(*amounts: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(a) for a in amounts)


PRODUCTS: tuple[SandboxProduct, ...] = (
    SandboxProduct(
        "CVS",
        "CVS Pharmacy",
        "USD",
        "Fixed",
        _values("10", "25", "50", "100"),
        (DIGITAL, LINKS, PHYSICAL),
        short_description="Spend at any CVS Pharmacy store or online.",
    ),
    SandboxProduct(
        "VISA-VAR",
        "Visa Virtual Prepaid",
        "USD",
        "Variable",
        _values("5", "500"),
        (DIGITAL, LINKS),
        fee=Decimal("2.95"),
        short_description="A virtual Visa card for any amount from 5 to 500 USD.",
    ),
    SandboxProduct(
        "VISA-PHYS",
        "Visa Prepaid Plastic",
        "USD",
        "Fixed",
        _values("25", "50", "100"),
        (PHYSICAL,),
        type="Physical",
        fee=Decimal("4.95"),
        fulfillment_group="Plastic",
        short_description="A plastic Visa card mailed to the recipient.",
    ),
    SandboxProduct(
        "COFFEE",
        "Bean There Coffee",
        "USD",
        "Fixed",
        _values("5", "10", "15", "25"),
        (DIGITAL, LINKS),
        short_description="Coffee and pastries at any Bean There café.",
    ),
    SandboxProduct(
        "TIMS-CA",
        "Tim Hortons Canada",
        "CAD",
        "Fixed",
        _values("10", "25", "50"),
        (DIGITAL,),
        short_description="Coffee and baked goods at Tim Hortons in Canada.",
        translations=(
            {
                "CultureCode": "fr-CA",
                "Name": "Tim Hortons Canada",
                "ShortDescription": "Café et viennoiseries chez Tim Hortons au Canada.",
            },
        ),
        culture_codes=("en-CA", "fr-CA"),
    ),
    SandboxProduct(
        "AMAZON-US",
        "Amazon.com",
        "USD",
        "Variable",
        _values("1", "2000"),
        (DIGITAL, LINKS),
        discount_percentage=Decimal("1.5"),
        short_description="Millions of items on Amazon.com.",
    ),
    SandboxProduct(
        "TARGET",
        "Target",
        "USD",
        "Fixed",
        _values("25", "50", "100", "250"),
        (DIGITAL, LINKS, PHYSICAL),
        discount_percentage=Decimal("3"),
        short_description="Spend at Target stores and Target.com.",
    ),
    SandboxProduct(
        "BOOKS-EU",
        "Bookshop Europe",
        "EUR",
        "Fixed",
        _values("10", "20", "50"),
        (DIGITAL, LINKS),
        discount_percentage=Decimal("2.5"),
        short_description="Books at any Bookshop Europe branch.",
        culture_codes=("en-GB", "de-DE", "fr-FR"),
    ),
    SandboxProduct(
        "MC-PHYS",
        "Mastercard Prepaid Plastic",
        "USD",
        "Variable",
        _values("20", "1000"),
        (PHYSICAL,),
        type="Physical",
        fee=Decimal("5.95"),
        fulfillment_group="Plastic",
        short_description="A plastic Mastercard for any amount from 20 to 1000 USD, mailed.",
    ),
    SandboxProduct(
        "DINE-GB",
        "Dine Out UK",
        "GBP",
        "Fixed",
        _values("10", "25", "50"),
        (LINKS,),
        short_description="Restaurants across the United Kingdom.",
        culture_codes=("en-GB",),
    ),
    SandboxProduct(
        "MOVIES",
        "Cinema Night",
        "USD",
        "Fixed",
        _values("15", "30"),
        (LINKS,),
        fee=Decimal("0.50"),
        short_description="Tickets and snacks at partner cinemas.",
    ),
    SandboxProduct(
        "GAS-VAR",
        "Fuel Up",
        "USD",
        "Variable",
        _values("10", "250"),
        (DIGITAL,),
        fee=Decimal("1.00"),
        discount_percentage=Decimal("1"),
        short_description="Fuel at partner stations.",
    ),
    SandboxProduct(
        "SPA-PHYS",
        "Day Spa Collection",
        "USD",
        "Fixed",
        _values("50", "100", "200"),
        (DIGITAL, PHYSICAL),
        type="Physical",
        discount_percentage=Decimal("4"),
        fulfillment_group="Boxed",
        short_description="A spa day, sent as a boxed card or by email.",
    ),
    SandboxProduct(
        "CHARITY",
        "Give Good",
        "USD",
        "Variable",
        _values("5", "1000"),
        (DIGITAL, LINKS),
        short_description="The recipient chooses the charity that receives the donation.",
    ),
)

PRODUCTS_BY_ID: dict[str, SandboxProduct] = {p.id: p for p in PRODUCTS}

# Shipping is included in the physical products' fee, so the methods cost nothing extra.
SHIPPING_METHODS: tuple[dict[str, Any], ...] = (
    {
        "Id": "STANDARD",
        "Name": "Standard mail, 5 to 7 business days",
        "Cost": 0.0,
        "Carriers": [{"Id": "DEFAULT", "Name": "Best available carrier"}, {"Id": "USPS", "Name": "USPS"}],
    },
    {
        "Id": "EXPRESS",
        "Name": "Express, 1 to 2 business days",
        "Cost": 0.0,
        "Carriers": [{"Id": "UPS", "Name": "UPS"}],
    },
)

CARRIERS_BY_METHOD: dict[str, frozenset[str]] = {
    m["Id"]: frozenset(c["Id"] for c in m["Carriers"]) for m in SHIPPING_METHODS
}

BRANDINGS: tuple[dict[str, str], ...] = (
    {"Id": "PLAIN", "Name": "Plain"},
    {"Id": "HOLIDAY-2026", "Name": "Holiday 2026"},
    {"Id": "CORP-BLUE", "Name": "Corporate blue"},
)

BRANDING_IDS = frozenset(b["Id"] for b in BRANDINGS)
