"""An imported workbook answers the Import step's questions from what its worker worked out."""

from __future__ import annotations

from app.domain.catalog import DeliveryType
from app.ui.imported import ImportChoices, validate_workbook
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
    workbook.facts = workbook.recheck([workbook.record(row)])

    assert workbook.kinds(sheet) == {DeliveryType.DIGITAL, DeliveryType.LINKS}
