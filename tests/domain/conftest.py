"""Fixtures of the validation tests: the sandbox-like catalog and `check`, one row validated at a time."""

from __future__ import annotations

import pytest

from app.domain.catalog import Catalog
from app.domain.fields import Field
from app.domain.issues import Issue
from app.domain.payments import EarlierPayments, PayAgain
from app.domain.recipient import Recipient
from app.domain.records import CellError, CellValue
from app.domain.validation import RowValidator, ValidationOptions
from tests.domain.helpers import TODAY, Check, sandbox_like_catalog, validate_one


@pytest.fixture
def catalog() -> Catalog:
    return sandbox_like_catalog()


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
        earlier: EarlierPayments | None = None,
        pay_again: PayAgain | None = None,
        **options: object,
    ) -> tuple[Recipient, list[Issue]]:
        chosen = ValidationOptions(today=TODAY, **options)  # type: ignore[arg-type]
        validator = RowValidator(catalog if catalog_ is None else catalog_, chosen, earlier, pay_again)
        return validate_one(validator, values, row, present)

    return run
