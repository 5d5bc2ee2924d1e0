"""Shared by the validation tests: a catalog like the sandbox's, a fixed 'today', and one-row validation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from app.domain.catalog import (
    Branding,
    Carrier,
    Catalog,
    DeliveryType,
    DenominationType,
    Product,
    ShippingMethod,
)
from app.domain.fields import Field
from app.domain.issues import Issue
from app.domain.recipient import Recipient, RowLayout
from app.domain.records import CellError, CellValue
from app.domain.validation import RowValidator

TODAY = date(2026, 11, 26)
ALL_TYPES = frozenset(DeliveryType)
DIGITAL_AND_LINKS = frozenset({DeliveryType.DIGITAL, DeliveryType.LINKS})

Check = Callable[
    ..., tuple[Recipient, list[Issue]]
]  # the `check` fixture: one row in, (recipient, issues) out

# The column letter each field sits in, in the rows the tests build.
COLUMNS: dict[Field, str] = {fld: chr(ord("A") + i) for i, fld in enumerate(Field)}


def _values(*amounts: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(a) for a in amounts)


def sandbox_like_catalog() -> Catalog:
    products = [
        Product(
            "CVS", "CVS Pharmacy", "USD", DenominationType.FIXED, _values("10", "25", "50", "100"), ALL_TYPES
        ),
        Product(
            "VISA-VAR",
            "Visa Virtual Prepaid",
            "USD",
            DenominationType.VARIABLE,
            _values("5", "500"),
            DIGITAL_AND_LINKS,
            fee=Decimal("2.95"),
        ),
        Product(
            "VISA-PHYS",
            "Visa Prepaid Plastic",
            "USD",
            DenominationType.FIXED,
            _values("25", "50", "100"),
            frozenset({DeliveryType.PHYSICAL}),
            type="Physical",
            fee=Decimal("4.95"),
        ),
        Product(
            "COFFEE",
            "Bean There Coffee",
            "USD",
            DenominationType.FIXED,
            _values("5", "10", "15", "25"),
            DIGITAL_AND_LINKS,
        ),
        Product(
            "TIMS-CA",
            "Tim Hortons Canada",
            "CAD",
            DenominationType.FIXED,
            _values("10", "25", "50"),
            frozenset({DeliveryType.DIGITAL}),
        ),
    ]
    methods = [
        ShippingMethod(
            "STANDARD",
            "Standard mail",
            Decimal(0),
            (Carrier("DEFAULT", "Best available"), Carrier("USPS", "USPS")),
        ),
        ShippingMethod("EXPRESS", "Express", Decimal(0), (Carrier("UPS", "UPS"),)),
    ]
    brandings = [Branding("PLAIN", "Plain"), Branding("HOLIDAY-2026", "Holiday 2026")]
    return Catalog(
        products={p.id: p for p in products},
        shipping_methods={m.id: m for m in methods},
        brandings={b.id: b for b in brandings},
    )


def validate_one(
    validator: RowValidator,
    values: dict[Field, CellValue | CellError],
    row: int = 7,
    present: list[Field] | None = None,
    sheet: str = "Sheet1",
) -> tuple[Recipient, list[Issue]]:
    fields = list(values)
    columns = {f: COLUMNS[f] for f in (present if present is not None else list(Field))}
    return validator.validate(sheet, row, [values[f] for f in fields], RowLayout.of(fields, columns))


def codes(issues: list[Issue]) -> list[str]:
    return [issue.code for issue in issues]
