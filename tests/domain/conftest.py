"""A catalog like the sandbox's, a fixed 'today', and a quick way to validate one row given as a dict."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

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
from app.domain.validation import RowValidator, ValidationOptions

TODAY = date(2026, 11, 26)
ALL_TYPES = frozenset(DeliveryType)
DIGITAL_AND_LINKS = frozenset({DeliveryType.DIGITAL, DeliveryType.LINKS})

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


@pytest.fixture
def catalog() -> Catalog:
    return sandbox_like_catalog()


Check = Callable[..., tuple[Recipient, list[Issue]]]


@pytest.fixture
def check(catalog: Catalog) -> Check:
    """Validate one row: check({Field.EMAIL: "a@b.co", ...}, row=7, **options) → (recipient, issues).

    The sheet has a column for every field (letters as in COLUMNS) unless `present` names the fields that
    have one; fields missing from `values` are empty cells.
    """

    def run(
        values: dict[Field, CellValue | CellError],
        row: int = 7,
        catalog_: Catalog | None = None,
        present: list[Field] | None = None,
        previous: dict[str, str] | None = None,
        **options: object,
    ) -> tuple[Recipient, list[Issue]]:
        chosen = ValidationOptions(today=TODAY, **options)  # type: ignore[arg-type]
        validator = RowValidator(catalog if catalog_ is None else catalog_, chosen, previous)
        return validate_one(validator, values, row, present)

    return run


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
