"""Planning: rows into orders of one delivery type, chunked, numbered, with defaults and costs."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from app.api import wire
from app.domain.catalog import DeliveryType
from app.domain.errors import UserInputError
from app.domain.validation import PersonalizationDefaults
from app.engine.plan import (
    PlanningError,
    campaign_prefix,
    check_balance,
    new_run_id,
    plan_orders,
    po_number,
)
from tests.engine.helpers import digital_row, links_row, make_plan, sandbox_catalog

CATALOG = sandbox_catalog()
PO_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def test_orders_hold_one_delivery_type_and_at_most_the_chunk_size() -> None:
    rows = [digital_row(i) for i in range(1, 121)] + [links_row(i) for i in range(1, 31)]
    rows.insert(5, links_row(99))  # a Links row among the digital ones
    plan = make_plan(rows, CATALOG, max_line_items=50)

    shapes = [(o.delivery_type, len(o.rows)) for o in plan.orders]
    assert shapes == [
        (DeliveryType.DIGITAL, 50),
        (DeliveryType.DIGITAL, 50),
        (DeliveryType.DIGITAL, 20),
        (DeliveryType.LINKS, 31),
    ]
    for order in plan.orders:
        assert order.request.type is order.delivery_type
        assert {r.delivery_type for r in order.rows} == {order.delivery_type}
    assert plan.row_count == 151
    assert sorted(r.key for o in plan.orders for r in o.rows) == sorted(r.key for r in rows)


def test_every_line_item_carries_its_rows_key_as_external_id() -> None:
    plan = make_plan([digital_row(i) for i in range(1, 8)], CATALOG, max_line_items=3)
    for order in plan.orders:
        assert [item.external_id for item in order.request.line_items] == [r.key for r in order.rows]


def test_po_numbers_are_unique_short_and_made_of_allowed_characters() -> None:
    run_id = new_run_id()
    plan = plan_orders(
        [digital_row(i) for i in range(1, 30)],
        run_id=run_id,
        catalog=CATALOG,
        prefix=campaign_prefix("Year-end bonus 2026 — Europe & more"),
        max_line_items=2,
    )
    numbers = [o.po_number for o in plan.orders]
    assert len(set(numbers)) == len(numbers) == 15
    for seq, number in enumerate(numbers, start=1):
        assert PO_PATTERN.match(number), number
        assert number.endswith(f"-{run_id}-{seq:04d}")
        assert number == plan.orders[seq - 1].request.po_number


def test_run_ids_differ_and_fit_in_a_po_number() -> None:
    ids = {new_run_id() for _ in range(200)}
    assert len(ids) == 200
    longest = po_number(campaign_prefix("x" * 60), max(ids), 99999, digits=5)
    assert len(longest) <= 40


def test_campaign_names_are_cleaned_for_po_numbers() -> None:
    assert campaign_prefix("  Spring promo! ") == "Spring-promo"
    assert campaign_prefix("a" * 30) == "a" * 14
    with pytest.raises(UserInputError):
        campaign_prefix("!!!")


def test_sequence_grows_a_digit_when_there_are_more_than_9999_orders() -> None:
    assert po_number("GB", "261126-ABCDEF", 12345, digits=5) == "GB-261126-ABCDEF-12345"
    with pytest.raises(PlanningError):
        po_number("GB" * 10, "261126-ABCDEF", 1, digits=20)


def test_personalisation_defaults_apply_where_the_row_says_nothing() -> None:
    row = digital_row(1)
    own_words = wire.Personalization(to="Ana", from_name="Ana's manager")
    own = replace(row, line_item=row.line_item.model_copy(update={"personalization": own_words}))
    plain = links_row(2)
    defaults = PersonalizationDefaults(
        from_name="HR Team", from_email="hr@corp.example", message="Thank you!"
    )
    plan = make_plan([own, plain], CATALOG, defaults=defaults)

    digital = plan.orders[0].request.line_items[0].personalization
    assert digital == wire.Personalization(
        to="Ana", from_name="Ana's manager", from_email="hr@corp.example", message="Thank you!"
    )
    links = plan.orders[1].request.line_items[0].personalization
    assert links == wire.Personalization(
        from_name="HR Team", from_email="hr@corp.example", message="Thank you!"
    )


def test_no_personalisation_at_all_sends_none() -> None:
    plan = make_plan([links_row(1)], CATALOG)
    assert plan.orders[0].request.line_items[0].personalization is None


def test_costs_follow_the_catalog_per_currency() -> None:
    rows = [
        digital_row(1, product="CVS", value="25", quantity=2),  # 2 × 25.00
        digital_row(2, product="VISA-VAR", value="100"),  # 100 + 2.95 fee
        digital_row(3, product="AMAZON-US", value="100"),  # 100 − 1.5 %
        digital_row(4, product="BOOKS-EU", value="20", quantity=3),  # 3 × (20 − 2.5 %) EUR
    ]
    plan = make_plan(rows, CATALOG)
    assert plan.costs == {"EUR": Decimal("58.50"), "USD": Decimal("251.45")}
    assert plan.orders[0].line_costs[0] == ("USD", Decimal("50.00"))


def test_rows_must_be_there_have_distinct_keys_and_known_products() -> None:
    with pytest.raises(PlanningError, match="no rows"):
        make_plan([], CATALOG)
    with pytest.raises(PlanningError, match="share the key"):
        make_plan([digital_row(1), digital_row(1)], CATALOG)
    with pytest.raises(PlanningError, match="NOPE"):
        make_plan([digital_row(1, product="NOPE")], CATALOG)


def test_balance_check_says_how_much_is_missing() -> None:
    check = check_balance(
        {"USD": Decimal("117.50"), "EUR": Decimal("10")},
        wire.Balance(available=Decimal("100"), currency_code="USD"),
    )
    assert not check.fits
    assert check.shortfall == Decimal("17.50")
    assert check.describe_shortfall().startswith("17.50 USD more needed")
    assert check.unchecked == {"EUR": Decimal("10")}
    enough = check_balance(
        {"USD": Decimal("50")}, wire.Balance(available=Decimal("100"), currency_code="USD")
    )
    assert enough.fits and enough.balance_after == Decimal("50.00")


def test_an_order_never_holds_more_line_items_than_the_vendor_takes() -> None:
    rows = [digital_row(i) for i in range(1, 251)]

    plan = make_plan(rows, CATALOG, max_line_items=100)

    assert [len(o.request.line_items) for o in plan.orders] == [100, 100, 50]
    with pytest.raises(PlanningError, match="at most 100 line items"):
        make_plan(rows, CATALOG, max_line_items=101)
