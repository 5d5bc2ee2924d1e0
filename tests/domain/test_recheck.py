"""Edited rows checked again with the whole-file checks redone for their recipients only: the same rows and
issues as a fresh import of the edited sheet; found in a worker without changing what the GUI reads."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

import pytest

from app.domain.fields import Field
from app.domain.import_result import ImportedRow, ImportResult, SheetValues, validate_sheets
from app.domain.payments import PayAgain
from app.domain.recheck import RecheckMisused, RowRechecker, row_cost
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


def seen(rows: list[ImportedRow]) -> list[tuple[object, ...]]:
    """What a user sees of each row (the cells as read kept apart: an edit holds them in a list)."""
    return [
        (dataclasses.replace(row.recipient, raw=tuple(row.recipient.raw)), row.issues, row.file_issues)
        for row in rows
    ]


def test_random_edits_give_the_rows_and_issues_of_a_fresh_import() -> None:
    pick = random.Random(6)
    sheet = [random_row(pick, number) for number in range(2, 202)]
    mine = import_of(sheet)
    rechecker = RowRechecker(mine)
    for _ in range(150):
        numbers = pick.sample(range(2, 202), pick.choice([1, 1, 1, 2, 3]))
        for number in numbers:
            sheet[number - 2] = random_row(pick, number)
        changes = rechecker.recheck([record(number, sheet[number - 2]) for number in numbers])
        rechecker.apply(changes)
        assert seen(mine.rows) == seen(import_of(sheet).rows)
        assert {number - 2 for number in numbers} <= changes.checked
    assert any(row.file_issues for row in mine.rows)  # the edits did make and unmake file warnings
    assert any(i.code == "duplicate.exact_row" for row in mine.rows for i in row.file_issues)


def test_rows_outside_the_checked_positions_keep_their_issues() -> None:
    pick = random.Random(7)
    rows = [random_row(pick, number) for number in range(2, 102)]
    result = import_of(rows)
    rechecker = RowRechecker(result)
    for _ in range(50):
        before = [(row.issues, list(row.file_issues)) for row in result.rows]
        number = pick.randrange(2, 102)
        changes = rechecker.recheck([record(number, random_row(pick, number))])
        rechecker.apply(changes)
        after = [(row.issues, row.file_issues) for row in result.rows]
        assert {
            i for i, (old, new) in enumerate(zip(before, after, strict=True)) if old != new
        } <= changes.checked


def test_a_recheck_changes_nothing_until_its_changes_are_put_in() -> None:
    rows: list[list[CellValue]] = [["Ana", "ana@example.com", "CVS", 25, 1, "email"]] * 2
    result = import_of(rows)
    taken = result.rows  # as a worker planning the send holds it
    shown = list(taken)
    assert [i.code for i in taken[1].file_issues] == ["duplicate.exact_row"]
    rechecker = RowRechecker(result)
    changes = rechecker.recheck([record(3, ["Ana", "ana@example.com", "CVS", 10, 1, "email"])])
    assert result.rows is taken and taken == shown  # nothing written while the GUI thread reads
    assert changes.checked == {0, 1} and set(changes.rows) == {1}
    rechecker.apply(changes)
    assert taken == shown  # the list taken before stays whole; the result has a new one
    assert result.rows[1].recipient.value == Decimal(10) and not result.rows[1].file_issues


def test_a_pay_again_choice_comes_in_with_the_rows_checked_with_it() -> None:
    rows: list[list[CellValue]] = [["Ana", "ana@example.com", "CVS", 25, 1, "email"]] * 2
    result = import_of(rows)
    rechecker = RowRechecker(result)
    chosen = result.pay_again.choosing(["Sheet1!3"], "a second card, on purpose")
    changes = rechecker.recheck([record(3, rows[1])], chosen)
    assert result.pay_again is not chosen and not result.rows[1].is_valid
    rechecker.apply(changes)
    assert result.pay_again is chosen and result.rows[1].is_valid
    assert [i.code for i in result.rows[1].file_issues] == ["duplicate.paid_again"]
    assert PayAgain().rows == {}  # the choice before is not changed by the one made from it


def test_changes_found_before_others_were_put_in_are_refused() -> None:
    result = import_of([["Ana", "ana@example.com", "CVS", 25, 1, "email"]])
    rechecker = RowRechecker(result)
    first = rechecker.recheck([record(2, ["Ana", "ana@example.com", "CVS", 10, 1, "email"])])
    stale = rechecker.recheck([record(2, ["Ana", "ana@example.com", "CVS", 50, 1, "email"])])
    rechecker.apply(first)
    with pytest.raises(RecheckMisused):
        rechecker.apply(stale)
    with pytest.raises(RecheckMisused):
        rechecker.recheck([record(9, ["Bo", "bo@example.com", "CVS", 25, 1, "email"])])
    assert result.rows[0].recipient.value == Decimal(10)


def test_row_costs_add_up_to_the_imports_cost() -> None:
    pick = random.Random(8)
    result = import_of([random_row(pick, number) for number in range(2, 302)])
    totals: dict[str, Decimal] = {}
    for recipient in result.valid_recipients():
        cost = row_cost(recipient, result.catalog)
        if cost is not None:
            totals[cost[0]] = totals.get(cost[0], Decimal(0)) + cost[1]
    assert totals == result.cost() and totals
