"""An imported workbook answers the Import step's questions from what its worker worked out."""

from __future__ import annotations

import random

from app.domain.catalog import DeliveryType
from app.ui.imported import ImportChoices, compute_facts, validate_workbook
from tests.domain.conftest import sandbox_like_catalog
from tests.ui.review_fixtures import options, synthetic_read


def test_the_delivery_types_found_follow_an_edited_row() -> None:
    workbook = validate_workbook(
        synthetic_read(20), ImportChoices(), catalog=sandbox_like_catalog(), options=options()
    )
    sheet = workbook.sheets[0]
    assert workbook.kinds(sheet) == {DeliveryType.DIGITAL}

    row = workbook.positions["Recipients!5"]
    assert workbook.set_edit(row, workbook.headers.index("Delivery"), "claim link")
    workbook.apply(workbook.recheck([workbook.record(row)], workbook.pay_again))

    assert workbook.kinds(sheet) == {DeliveryType.DIGITAL, DeliveryType.LINKS}


def test_facts_after_random_edits_are_those_of_a_full_pass() -> None:
    workbook = validate_workbook(
        synthetic_read(300, bad_every=7), ImportChoices(), catalog=sandbox_like_catalog(), options=options()
    )
    pick = random.Random(6)
    emails = [*(f"person{i}@example.com" for i in range(0, 300, 20)), "nobody", ""]
    choices = {
        "Email": emails,
        "Product": ["CVS", "COFFEE", "TIMS-CA", "NOPE", ""],
        "Amount": [10, 25, 500, 7, "lots"],
        "Delivery": ["email", "claim link", "mail", ""],
    }
    currencies: set[str] = set()
    for _ in range(120):
        edited = pick.sample(range(300), pick.choice([1, 1, 2, 3]))
        for row in edited:
            header = pick.choice(list(choices))
            workbook.set_edit(row, workbook.headers.index(header), pick.choice(choices[header]))
        workbook.apply(workbook.recheck([workbook.record(row) for row in edited], workbook.pay_again))
        assert workbook.facts == compute_facts(workbook)
        currencies.update(workbook.facts.costs)
    facts = workbook.facts
    assert facts.error_rows and facts.warning_count and currencies == {"USD", "CAD"}  # the edits made these


def test_a_currency_no_row_costs_any_more_leaves_the_costs() -> None:
    workbook = validate_workbook(
        synthetic_read(10), ImportChoices(), catalog=sandbox_like_catalog(), options=options()
    )
    row, product = workbook.positions["Recipients!4"], workbook.headers.index("Product")
    for name, costs in (("TIMS-CA", {"CAD", "USD"}), ("CVS", {"USD"})):
        workbook.set_edit(row, product, name)
        workbook.apply(workbook.recheck([workbook.record(row)], workbook.pay_again))
        assert set(workbook.facts.costs) == costs
        assert workbook.facts == compute_facts(workbook)


def test_a_recheck_in_a_worker_leaves_what_the_gui_reads_until_it_is_applied() -> None:
    workbook = validate_workbook(
        synthetic_read(10), ImportChoices(), catalog=sandbox_like_catalog(), options=options()
    )
    row, product = workbook.positions["Recipients!4"], workbook.headers.index("Product")
    rows, facts, sheet = workbook.result.rows, workbook.facts, workbook.sheets[0]
    workbook.set_edit(row, product, "NOPE")
    workbook.set_edit(workbook.positions["Recipients!5"], workbook.headers.index("Delivery"), "claim link")
    records = [workbook.record(row), workbook.record(workbook.positions["Recipients!5"])]

    recheck = workbook.recheck(records, workbook.pay_again)

    assert workbook.result.rows is rows and rows[row].is_valid
    assert workbook.facts is facts and facts.error_rows == 0
    assert workbook.kinds(sheet) == {DeliveryType.DIGITAL}
    workbook.apply(recheck)
    assert not workbook.result.rows[row].is_valid and rows[row].is_valid
    assert workbook.facts.error_rows == 1 and workbook.facts == compute_facts(workbook)
    assert workbook.kinds(sheet) == {DeliveryType.DIGITAL, DeliveryType.LINKS}
