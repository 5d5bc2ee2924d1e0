"""Answers reused down a sheet (per-value caches, whole product-to-date cards) equal a fresh check of each row."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.catalog import DeliveryType
from app.domain.fields import Field
from app.domain.recipient import RowLayout
from app.domain.records import CellError, CellValue
from app.domain.validation import RowValidator, ValidationOptions
from tests.domain.helpers import COLUMNS, TODAY, sandbox_like_catalog

FIELDS = [Field.EMAIL, Field.PRODUCT, Field.DELIVERY_TYPE, Field.VALUE, Field.QUANTITY, Field.DELIVERY_DATE]

# Few values per column, so that rows repeat one another's cells; some raise issues, some look alike to
# a dict.
CELLS: dict[Field, list[CellValue | CellError]] = {
    Field.EMAIL: ["ana@example.com", "bo@Example.org", "not an address", None],
    Field.PRODUCT: [
        "CVS",
        "cvs ",
        "COFFEE",
        "VISA-PHYS",
        "Bean There Coffee",
        "NOPE",
        None,
        CellError("#N/A"),
    ],
    Field.DELIVERY_TYPE: ["email", "sms", "mail", "links", "pigeon", None, "  "],
    Field.VALUE: [25, 25.0, 10, "25", "$25.00", 12.5, True, None, "x"],
    Field.QUANTITY: [1, 1.0, True, 2, 0, "3", None, 2.5],
    Field.DELIVERY_DATE: [
        date(2027, 1, 1),
        datetime(2027, 1, 1),
        "2027-01-01",
        date(2020, 1, 1),
        None,
        46000,
    ],
}
# Rows that raise no issue, so that what their cells came to is kept and offered to the rows after them.
CLEAN: dict[Field, list[CellValue | CellError]] = {
    Field.EMAIL: ["ana@example.com"],
    Field.PRODUCT: ["CVS", "COFFEE"],
    Field.DELIVERY_TYPE: ["email", "links"],
    Field.VALUE: [25, 10],
    Field.QUANTITY: [1, 2],
    Field.DELIVERY_DATE: [date(2027, 1, 1), None],
}


# Layouts with and without the columns a card is made of (no delivery type column: no cards at all).
LAYOUTS = [
    FIELDS,
    [f for f in FIELDS if f is not Field.DELIVERY_DATE],
    [f for f in FIELDS if f is not Field.QUANTITY],
    [Field.EMAIL, Field.DELIVERY_TYPE],
    [Field.EMAIL, Field.PRODUCT, Field.VALUE],
    [Field.EMAIL],
]

Sheet = tuple[list[Field], list[list[CellValue | CellError]]]


@st.composite
def sheets(draw: st.DrawFn) -> Sheet:
    """Rows that are one row (often a clean one) with at most one cell changed: many repeat a row above, or
    nearly, with a look-alike (1, 1.0 and True; 25 and "25"; a date and the same day as a datetime)."""
    fields = draw(st.sampled_from(LAYOUTS))
    pool = draw(st.sampled_from([CLEAN, CELLS]))
    base = [draw(st.sampled_from(pool[f])) for f in fields]
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        row = list(base)
        changed = draw(st.integers(min_value=0, max_value=len(fields) - 1))
        row[changed] = draw(st.sampled_from(CELLS[fields[changed]]))
        rows.append(row)
    return fields, rows


@settings(max_examples=300, deadline=None)
@given(sheets(), st.sampled_from([None, DeliveryType.DIGITAL]))
def test_a_sheet_checked_row_after_row_gives_what_each_row_gives_alone(
    sheet: Sheet, default_type: DeliveryType | None
) -> None:
    fields, rows = sheet
    catalog = sandbox_like_catalog()
    options = ValidationOptions(today=TODAY, default_delivery_type=default_type)
    layout = RowLayout.of(fields, COLUMNS)
    shared = RowValidator(catalog, options)
    for number, values in enumerate(rows, start=2):
        alone = RowValidator(catalog, options).validate("Sheet1", number, values, layout)
        assert shared.validate("Sheet1", number, values, layout) == alone
