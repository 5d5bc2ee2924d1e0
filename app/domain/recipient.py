"""A recipient row after repairs and validation: the values an order will carry, each traced to its cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from hashlib import blake2b

from app.domain.catalog import DeliveryType
from app.domain.fields import Field
from app.domain.records import CellError, CellValue, SourceCell


@dataclass(slots=True)
class PhysicalAddress:
    """Where a physical card goes (`PhysicalDeliveryAddress` without the shipping choice)."""

    name: str | None = None
    company: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    phone: str | None = None  # E.164


@dataclass(slots=True)
class Personalization:
    """What the recipient sees with the card: the row's own values, or the run's defaults where empty."""

    to: str | None = None
    from_name: str | None = None
    from_email: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class RowLayout:
    """Where each field sits in a row's raw values (`index`) and its column letter (`columns`); one per "
    "sheet."""

    index: Mapping[Field, int]
    columns: Mapping[Field, str]

    @classmethod
    def of(cls, fields: Sequence[Field], columns: Mapping[Field, str]) -> RowLayout:
        return cls({fld: i for i, fld in enumerate(fields)}, columns)


EMPTY_LAYOUT = RowLayout({}, {})


@dataclass(slots=True)
class Recipient:
    """One normalised row. Fields the row got wrong are None; the row's issues say why.

    `key` is the row's `RawRecord.key` ('Sheet1!7'). `raw` holds the row's mapped cells as read and `layout`
    says which field each one is and its column (one layout serves a whole sheet); `source` gives them as
    `SourceCell`s, so the grid, the results workbook and any message can lead back to the cell.
    `identity` names the recipient (see `identity_of`); `fingerprint` hashes recipient, product and value.
    """

    key: str
    sheet: str
    row: int
    raw: Sequence[CellValue | CellError] = ()
    layout: RowLayout = EMPTY_LAYOUT
    delivery_type: DeliveryType | None = None
    product_id: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    quantity: int | None = 1
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None  # the full name, or first and last joined
    email: str | None = None
    sms: str | None = None  # E.164
    address: PhysicalAddress | None = None  # PhysicalShipment rows only
    shipping_method_id: str | None = None
    carrier_id: str | None = None
    personalization: Personalization = field(default_factory=Personalization)
    delivery_date: date | None = None
    branding_id: str | None = None
    reference: str | None = None
    identity: str | None = None

    @property
    def columns(self) -> Mapping[Field, str]:
        return self.layout.columns

    @property
    def source(self) -> dict[Field, SourceCell]:
        """Every mapped cell of the row (built on demand: most rows never need them)."""
        return {
            fld: SourceCell(self.sheet, self.row, self.layout.columns.get(fld, "?"), self.raw[i])
            for fld, i in self.layout.index.items()
        }

    @property
    def duplicate_key(self) -> tuple[str, str, Decimal] | None:
        """Equal for the same card to the same person: recipient, product and value (25 and 25.00 alike)."""
        if self.identity is None or self.product_id is None or self.value is None:
            return None
        return self.identity, self.product_id.casefold(), self.value

    @property
    def fingerprint(self) -> str | None:
        """`duplicate_key` as a short stable hash, kept by the journal to spot cards sent in earlier runs.

        Hashed so that the journal can remember who got what without keeping addresses in clear.
        """
        key = self.duplicate_key
        if key is None:
            return None
        identity, product, value = key
        text = f"{identity}\x1f{product}\x1f{value.normalize():f}"
        return blake2b(text.encode(), digest_size=16).hexdigest()

    @property
    def shown_as(self) -> str:
        """How the recipient is named in messages: their address, number or name."""
        if self.delivery_type is DeliveryType.PHYSICAL and self.address is not None:
            where = ", ".join(p for p in (self.address.line1, self.address.city) if p)
            return f"{self.name} ({where})" if self.name else where
        return self.email or self.sms or self.name or self.reference or self.key


def identity_of(recipient: Recipient) -> str | None:
    """Who the row is for, normalised: the email or SMS number for digital cards, the name and address for
    physical ones, the reference or name for links (None: nobody named, as with anonymous links)."""
    kind = recipient.delivery_type
    if kind is DeliveryType.DIGITAL:
        if recipient.email:
            return "email:" + recipient.email.casefold()
        return "sms:" + recipient.sms if recipient.sms else None
    if kind is DeliveryType.PHYSICAL:
        address = recipient.address
        if address is None or not (address.name and address.line1):
            return None
        parts = (address.name, address.line1, address.zip or "", address.country or "")
        return "address:" + "|".join(" ".join(p.casefold().split()) for p in parts)
    if recipient.reference:
        return "ref:" + recipient.reference.casefold()
    return "name:" + " ".join(recipient.name.casefold().split()) if recipient.name else None


def identity_field(recipient: Recipient) -> Field:
    """The column that names the recipient, where warnings about them are placed."""
    kind = recipient.delivery_type
    if kind is DeliveryType.DIGITAL:
        return Field.EMAIL if recipient.email else Field.SMS
    if kind is DeliveryType.LINKS and recipient.reference:
        return Field.REFERENCE
    columns = recipient.columns
    return next(
        (f for f in (Field.FULL_NAME, Field.FIRST_NAME, Field.ADDRESS_LINE1) if f in columns), Field.FULL_NAME
    )
