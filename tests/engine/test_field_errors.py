"""The vendor's field errors point at the row and the cell the user must fix."""

from __future__ import annotations

from app.domain.fields import Field
from app.engine.field_errors import map_field_errors

KEYS = ["Sheet1!2", "Sheet1!3", "Sheet1!4", "Sheet1!5"]
CELLS = {
    key: {"email": f"B{n}", "value": f"D{n}", "first_name": f"F{n}"} for n, key in enumerate(KEYS, start=2)
}


def test_a_line_items_field_maps_to_its_rows_cell() -> None:
    mapped = map_field_errors({"LineItems[3].Value": ["Value must be one of 10, 25."]}, KEYS, CELLS)
    [error] = mapped.by_row["Sheet1!5"]
    assert (error.field, error.cell, error.message) == (Field.VALUE, "D5", "Value must be one of 10, 25.")
    assert error.describe() == "D5: Value must be one of 10, 25."
    assert mapped.order_level == []


def test_nested_paths_and_name_fallbacks_find_the_cell_the_row_has() -> None:
    errors = {
        "lineItems[0].digitalDeliveryAddress.email": ["Email is not a valid email address."],
        "LineItems[1].Personalization.To": ["Too long."],
    }
    mapped = map_field_errors(errors, KEYS, CELLS)
    assert mapped.by_row["Sheet1!2"][0].cell == "B2"
    to = mapped.by_row["Sheet1!3"][0]
    assert (to.field, to.cell) == (Field.FIRST_NAME, "F3")  # the row has a first name, not a full name


def test_a_field_the_row_has_no_cell_for_still_names_the_row() -> None:
    mapped = map_field_errors({"LineItems[2].ProductId": ["Unknown product 'X'."]}, KEYS, CELLS)
    error = mapped.by_row["Sheet1!4"][0]
    assert (error.field, error.cell) == (Field.PRODUCT, None)
    assert error.describe() == "Unknown product 'X'."


def test_paths_about_the_order_or_a_line_we_did_not_send_are_order_level() -> None:
    mapped = map_field_errors(
        {"Type": ["bad type"], "LineItems[9].Value": ["?"], "LineItems": ["empty"]}, KEYS, CELLS
    )
    assert mapped.by_row == {}
    assert sorted(e.path for e in mapped.order_level) == ["LineItems", "LineItems[9].Value", "Type"]
