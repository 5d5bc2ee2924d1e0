"""The vendor's field errors point at the row and the cell the user must fix."""

from __future__ import annotations

import pytest

from app.domain.fields import Field
from app.engine.field_errors import map_field_errors, normalized_path

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


@pytest.mark.parametrize(
    "path",
    [
        "LineItems[2].Value",
        "lineItems[2].value",
        "order.LineItems[2].Value",  # ASP.NET Web API 2 model state: the action's parameter name first
        "request.lineItems[2].value",
        "$.lineItems[2].value",  # RFC 7807 ProblemDetails from System.Text.Json
        "$['lineItems'][2]['value']",
        "body.lineItems.2.value",
        " ORDER.LINEITEMS [ 2 ] . VALUE ",
    ],
)
def test_a_field_path_is_read_whatever_prefix_and_case_the_vendor_writes(path: str) -> None:
    mapped = map_field_errors({path: ["Value must be one of 10, 25."]}, KEYS, CELLS)
    [error] = mapped.by_row["Sheet1!4"]
    assert (error.path, error.field, error.cell) == (path, Field.VALUE, "D4")
    assert mapped.order_level == []


@pytest.mark.parametrize("path", ["", "order", "Foo.Bar", "order.Type", "$.poNumber", "lineItemsX[1].Value"])
def test_a_path_that_names_no_line_item_is_about_the_whole_order(path: str) -> None:
    mapped = map_field_errors({path: ["The request is invalid."]}, KEYS, CELLS)
    assert mapped.by_row == {}
    assert [(e.path, e.message) for e in mapped.order_level] == [(path, "The request is invalid.")]


def test_paths_are_reduced_to_what_the_line_items_name() -> None:
    assert normalized_path("order.LineItems[1].DigitalDeliveryAddress.Email") == (
        "LineItems[1].DigitalDeliveryAddress.Email"
    )
    assert normalized_path("$.type") == "type"
