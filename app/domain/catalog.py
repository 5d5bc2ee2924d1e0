"""The vendor's catalog as the rest of the app sees it: products, their allowed values and what a card costs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")

CENT = Decimal("0.01")
# The most line items one order may hold (docs/api-contract.md): larger runs are split into several orders.
MAX_LINE_ITEMS_PER_ORDER = 100


class DeliveryType(StrEnum):
    """How a card reaches its recipient; one per order, as the vendor requires."""

    DIGITAL = "DigitalDelivery"
    LINKS = "Links"
    PHYSICAL = "PhysicalShipment"


class DenominationType(StrEnum):
    """Fixed: the value is one of the listed denominations. Variable: any value in [min, max], cents at most."""

    FIXED = "Fixed"
    VARIABLE = "Variable"


def money(value: Decimal | int | float | str) -> Decimal:
    """Round an amount to cents, half up, as invoices do."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def has_cents_at_most(value: Decimal) -> bool:
    """True for 25, 25.5 and 25.50; False for 25.505. Not by quantizing, which raises for a value with more
    digits than Decimal's precision (1e26 typed in a cell)."""
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


@dataclass(frozen=True)
class Product:
    """One card the vendor sells (`GET /v1/Products`), reduced to what validation and costing need."""

    id: str
    name: str
    currency: str
    denomination_type: DenominationType
    denominations: tuple[Decimal, ...]
    delivery_types: frozenset[DeliveryType]
    type: str = "Digital"
    fee: Decimal = Decimal(0)
    discount_percentage: Decimal = Decimal(0)
    description: str = ""

    @property
    def minimum(self) -> Decimal:
        return min(self.denominations)

    @property
    def maximum(self) -> Decimal:
        return max(self.denominations)

    def allows_value(self, value: Decimal) -> bool:
        """True when the vendor accepts this face value for this product."""
        if self.denomination_type is DenominationType.FIXED:
            return any(value == d for d in self.denominations)
        return has_cents_at_most(value) and self.minimum <= value <= self.maximum

    def describe_values(self) -> str:
        """The allowed values in words, for messages: '10, 25, 50 or 100 USD' or 'from 5 to 500 USD'."""
        if self.denomination_type is DenominationType.FIXED:
            shown = [_plain(d) for d in sorted(self.denominations)]
            listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
            return f"{listed} {self.currency}"
        return f"from {_plain(self.minimum)} to {_plain(self.maximum)} {self.currency}"

    def card_cost(self, value: Decimal) -> Decimal:
        """What one card of this face value costs: value less the discount, plus the fee, in cents."""
        discounted = value * (Decimal(1) - self.discount_percentage / Decimal(100))
        return money(discounted + self.fee)


def _plain(amount: Decimal) -> str:
    """25 for 25.00, 12.5 for 12.50: how people write amounts."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Carrier:
    id: str
    name: str


@dataclass(frozen=True)
class ShippingMethod:
    """A way to mail a physical card (`GET /v1/ShippingMethods`) and the carriers that offer it."""

    id: str
    name: str
    cost: Decimal
    carriers: tuple[Carrier, ...]

    def has_carrier(self, carrier_id: str) -> bool:
        return any(c.id == carrier_id for c in self.carriers)


@dataclass(frozen=True)
class Branding:
    id: str
    name: str


@dataclass(frozen=True)
class LeftOut:
    """A product the vendor listed that cannot be used here, and why; shown to the user, never dropped in silence.

    `product_id` is None when not even the product's Id could be read; `position` is where the vendor listed it.
    """

    product_id: str | None
    reason: str
    position: int | None = None

    def describe(self) -> str:
        if self.product_id:
            who = f"Product {self.product_id}"
        elif self.position is not None:
            who = f"The vendor's product no. {self.position + 1} (its Id could not be read)"
        else:
            who = "A product (its Id could not be read)"
        return f"{who} is in the vendor's catalog but cannot be used: {self.reason}"


@dataclass(frozen=True)
class Catalog:
    """Everything the vendor offers, as fetched at `fetched_at` (None: never fetched, product checks are skipped).

    `left_out` names the products the vendor listed that could not be read. `shipping_unavailable` and
    `brandings_unavailable` say why the account is offered no shipping methods or brandings when the vendor
    refused or does not have that list (None: the list was read, though it may be empty).
    """

    products: dict[str, Product] = field(default_factory=dict)
    shipping_methods: dict[str, ShippingMethod] = field(default_factory=dict)
    brandings: dict[str, Branding] = field(default_factory=dict)
    fetched_at: datetime | None = None
    left_out: tuple[LeftOut, ...] = ()
    shipping_unavailable: str | None = None
    brandings_unavailable: str | None = None

    def product(self, product_id: str) -> Product | None:
        """Look a product up by id, ignoring case and surrounding spaces as people type them."""
        found = self.products.get(product_id)
        if found is not None:
            return found
        wanted = product_id.strip().casefold()
        return next((p for p in self.products.values() if p.id.casefold() == wanted), None)

    @property
    def is_empty(self) -> bool:
        return not self.products

    @property
    def ships(self) -> bool:
        """Whether physical cards can be mailed: some shipping method is offered (or the catalog is unknown)."""
        return bool(self.shipping_methods) or self.is_empty

    def left_out_product(self, product_id: str) -> LeftOut | None:
        """Why the product with this id (any case) was left out of the catalog, if it was."""
        wanted = product_id.strip().casefold()
        return next((p for p in self.left_out if (p.product_id or "").casefold() == wanted), None)

    def notices(self) -> tuple[str, ...]:
        """What the user must know about this catalog, one sentence each: what is missing from it, and why."""
        return tuple(p.describe() for p in self.left_out) + self.offer_notices()

    def offer_notices(self) -> tuple[str, ...]:
        """What the account is not offered that changes what it can send (shipping methods), and why.

        No brandings is not said here: they are optional, and a row that names one is told so by validation.
        """
        if self.ships:
            return ()
        why = f" ({self.shipping_unavailable})" if self.shipping_unavailable else ""
        return (
            f"This account is offered no shipping methods{why}: physical cards cannot be sent through it. "
            "Digital and link cards are not affected.",
        )


def by_id_or_name(items: Mapping[str, T], text: str) -> T | None:
    """An item of the catalog (a shipping method, a carrier, a branding) by id, else by name, ignoring case and
    surrounding spaces."""
    wanted = text.strip().casefold()
    for key, item in items.items():
        if key.casefold() == wanted or str(getattr(item, "name", "")).casefold() == wanted:
            return item
    return None
