"""Edited rows checked again with the whole-file checks redone for their recipients only: the same rows and
issues as `ImportResult.revalidate`, which redoes them over every row."""

from __future__ import annotations

import random
from decimal import Decimal

from app.domain.fields import Field
from app.domain.import_result import ImportResult, SheetValues, validate_sheets
from app.domain.recheck import RowRechecker, row_cost
from app.domain.records import CellValue, RawRecord, SourceCell
from app.domain.validation import RowValidator, ValidationOptions
from tests.domain.helpers import TODAY, sandbox_like_catalog

F = Field
HEADER = [F.FULL_NAME, F.EMAIL, F.PRODUCT, F.VALUE, F.QUANTITY, F.DELIVERY_TYPE]
LETTERS = {fld: "ABCDEF"[i] for i, fld in enumerate(HEADER)}
# Few recipients, products and amounts: plenty of repeated cards and of totals over the limit.
EMAILS = ["ana@example.com", "ANA@example.com", "bo@example.com", "cy@example.com", "not an email", None]
PRODUCTS = ["CVS", "VISA-VAR", "TIMS-CA", "NOPE"]
VALUES: list[CellValue] = [10, 25, 50, 30, None]
QUANTITIES: list[CellValue] = [1, 1, 2, 5]
DELIVERY = ["email", "email", "link", "sms"]


def random_row(pick: random.Random, number: int) -> list[CellValue]:
    return [
        f"Person {number % 7}",
        pick.choice(EMAILS),
        pick.choice(PRODUCTS),
        pick.choice(VALUES),
        pick.choice(QUANTITIES),
        pick.choice(DELIVERY),
    ]


def import_of(rows: list[list[CellValue]]) -> ImportResult:
    columns = {fld: [row[i] for row in rows] for i, fld in enumerate(HEADER)}
    values = SheetValues("Sheet1", list(range(2, 2 + len(rows))), columns, LETTERS)
    options = ValidationOptions(today=TODAY, total_threshold=Decimal(100))
    return validate_sheets([values], RowValidator(sandbox_like_catalog(), options), file="book.xlsx")


def record(number: int, values: list[CellValue]) -> RawRecord:
    cells = {
        fld: SourceCell("Sheet1", number, LETTERS[fld], v) for fld, v in zip(HEADER, values, strict=True)
    }
    return RawRecord("Sheet1", number, cells)


def test_random_edits_give_the_rows_and_issues_a_full_recheck_gives() -> None:
    pick = random.Random(6)
    rows = [random_row(pick, number) for number in range(2, 202)]
    mine, full = import_of(rows), import_of(rows)
    assert mine.rows == full.rows
    rechecker = RowRechecker(mine)
    for _ in range(150):
        numbers = pick.sample(range(2, 202), pick.choice([1, 1, 1, 2, 3]))
        edits = [record(number, random_row(pick, number)) for number in numbers]
        changed = rechecker.revalidate(edits)
        for edit in edits:
            full.revalidate(edit)
        assert mine.rows == full.rows
        assert {full.rows.index(full.row(edit.key)) for edit in edits} <= changed
    assert any(row.file_issues for row in full.rows)  # the edits did make and unmake file warnings
    assert any(i.code == "duplicate.exact_row" for row in full.rows for i in row.file_issues)


def test_rows_outside_the_changed_positions_keep_their_issues() -> None:
    pick = random.Random(7)
    rows = [random_row(pick, number) for number in range(2, 102)]
    result = import_of(rows)
    rechecker = RowRechecker(result)
    for _ in range(50):
        before = [(row.issues, list(row.file_issues)) for row in result.rows]
        number = pick.randrange(2, 102)
        changed = rechecker.revalidate([record(number, random_row(pick, number))])
        after = [(row.issues, row.file_issues) for row in result.rows]
        assert {i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new} <= changed


def test_row_costs_add_up_to_the_imports_cost() -> None:
    pick = random.Random(8)
    result = import_of([random_row(pick, number) for number in range(2, 302)])
    totals: dict[str, Decimal] = {}
    for recipient in result.valid_recipients():
        cost = row_cost(recipient, result.catalog)
        if cost is not None:
            totals[cost[0]] = totals.get(cost[0], Decimal(0)) + cost[1]
    assert totals == result.cost() and totals
