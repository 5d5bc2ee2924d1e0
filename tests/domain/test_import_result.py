"""The import result: duplicates, totals, counts, line items, costs, re-checking an edited row, robustness."""

from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.catalog import Catalog, DeliveryType
from app.domain.fields import Field
from app.domain.import_result import ImportCancelled, ImportResult, SheetValues, validate_sheets
from app.domain.issues import Severity
from app.domain.payments import PayAgain
from app.domain.recheck import RowRechecker
from app.domain.records import CellError, CellValue, RawRecord, SourceCell
from app.domain.validation import RowValidator, ValidationOptions
from tests.domain.helpers import COLUMNS, TODAY, sandbox_like_catalog

F = Field
HEADER = [F.FULL_NAME, F.EMAIL, F.PRODUCT, F.VALUE, F.QUANTITY, F.DELIVERY_TYPE]
LETTERS = {fld: "ABCDEF"[i] for i, fld in enumerate(HEADER)}


def sheet(rows: list[list[CellValue | CellError]], name: str = "Sheet1", first_row: int = 2) -> SheetValues:
    """A sheet whose columns are HEADER, one list per data row."""
    columns = {fld: [r[i] for r in rows] for i, fld in enumerate(HEADER)}
    return SheetValues(
        name,
        list(range(first_row, first_row + len(rows))),
        columns,
        LETTERS,
        {fld.label: fld.value for fld in HEADER},
    )


def run(
    *sheets: SheetValues, catalog: Catalog | None = None, pay_again: PayAgain | None = None, **options: object
) -> ImportResult:
    chosen = ValidationOptions(today=TODAY, **options)  # type: ignore[arg-type]
    validator = RowValidator(
        sandbox_like_catalog() if catalog is None else catalog, chosen, pay_again=pay_again
    )
    return validate_sheets(list(sheets), validator, file="book.xlsx")


def codes_at(result: ImportResult, code: str) -> list[str | None]:
    return [i.cell for i in result.issues if i.code == code]


def test_counts_line_items_and_cost() -> None:
    result = run(
        sheet(
            [
                ["Ana", "ana@example.com", "CVS", 25, 2, "email"],
                ["Bo", "bo@example.com", "VISA-VAR", 10, 1, "email"],
                ["Cy", None, "CVS", 10, 3, "link"],
                ["Di", "di@example", "CVS", 25, 1, "email"],
                ["Ed", "ed@example.com", "TIMS-CA", 25, 1, "email"],
            ]
        )
    )
    assert (result.row_count, result.valid_count, result.error_count, result.warning_count) == (5, 4, 1, 0)
    items = result.line_items()
    assert [r.row for r in items[DeliveryType.DIGITAL]] == [2, 3, 6]
    assert [r.row for r in items[DeliveryType.LINKS]] == [4]
    assert result.cards_by_type() == {DeliveryType.DIGITAL: 4, DeliveryType.LINKS: 3}
    # CVS 2 x 25, VISA-VAR 10 + 2.95 fee, CVS 3 x 10; TIMS-CA in CAD. Row 5 has an error: not counted.
    assert result.cost() == {"CAD": Decimal("25.00"), "USD": Decimal("92.95")}
    assert result.combined_mapping()["Email"] == "email"


def test_the_same_card_twice_is_a_warning_on_the_repeat() -> None:
    result = run(
        sheet(
            [
                ["Ana", "ana@example.com", "CVS", 25, 1, "email"],
                ["Bo", "bo@example.com", "CVS", 25, 1, "email"],
                ["Ana L", "ANA@example.com", "cvs", "25.00", 1, "e-mail"],
                ["Ana", "ana@example.com", "CVS", 50, 1, "email"],  # another value: not a repeat
            ]
        )
    )
    (issue,) = [i for i in result.issues if i.code == "duplicate.in_file"]
    assert (issue.severity, issue.cell) == (Severity.WARNING, "B4")
    assert issue.message == (
        "Row 4 repeats row 2 (same recipient, product and value). Delete one of them if it was not meant "
        "to be sent twice."
    )
    assert result.valid_count == 4


def test_repeats_across_sheets_name_the_sheet() -> None:
    first = sheet([["Ana", "ana@example.com", "CVS", 25, 1, "email"]], "May")
    second = sheet([["Ana", "ana@example.com", "CVS", 25, 2, "email"]], "June")
    (issue,) = [i for i in run(first, second).issues if i.code == "duplicate.in_file"]
    assert issue.sheet == "June"
    assert issue.message.startswith("Row 2 of “June” repeats row 2 of “May”")


def test_a_row_repeated_cell_for_cell_is_an_error_on_every_copy_but_the_first() -> None:
    ana = ["Ana", "ana@example.com", "CVS", 25, 1, "email"]
    result = run(
        sheet(
            [
                ana,
                ["Bo", "bo@example.com", "CVS", 25, 1, "email"],
                ana,
                [" ana ", "ANA@example.com", "cvs", 25.0, 1, "Email"],
            ]
        )
    )
    blocked = [i for i in result.issues if i.code == "duplicate.exact_row"]
    assert [(i.severity, i.cell) for i in blocked] == [(Severity.ERROR, "B4"), (Severity.ERROR, "B5")]
    assert blocked[0].message.startswith("Row 4 repeats row 2 cell for cell")
    assert "choose Pay again for this row and say why" in blocked[0].message
    assert result.valid_count == 2
    assert [r.recipient.row for r in result.rows if r.is_valid] == [2, 3]


def test_a_row_repeated_on_another_sheet_is_blocked_and_named_with_its_sheet() -> None:
    ana = ["Ana", "ana@example.com", "CVS", 25, 1, "email"]
    result = run(sheet([ana], "May"), sheet([ana], "June"))
    (issue,) = [i for i in result.issues if i.code == "duplicate.exact_row"]
    assert (issue.sheet, issue.is_error) == ("June", True)
    assert issue.message.startswith("Row 2 of “June” repeats row 2 of “May” cell for cell")


def test_anonymous_links_repeated_cell_for_cell_are_blocked_with_a_word_on_quantity() -> None:
    result = run(sheet([[None, None, "CVS", 25, 1, "link"], [None, None, "CVS", 25, 1, "link"]]))
    assert codes_at(result, "duplicate.in_file") == []
    (issue,) = [i for i in result.issues if i.code == "duplicate.exact_row"]
    assert issue.row == 3 and "put the number in Quantity instead" in issue.message
    other = run(sheet([[None, None, "CVS", 25, 1, "link"], [None, None, "CVS", 25, 2, "link"]]))
    assert [i.code for i in other.issues if i.code.startswith("duplicate")] == []


def test_pay_again_lets_a_repeated_row_through_with_a_warning_naming_the_reason() -> None:
    ana = ["Ana", "ana@example.com", "CVS", 25, 1, "email"]
    result = run(sheet([ana, ana, ana]), pay_again=PayAgain({"Sheet1!4": "two cards promised"}))
    assert [(i.code, i.row) for i in result.issues if i.code.startswith("duplicate")] == [
        ("duplicate.exact_row", 3),
        ("duplicate.paid_again", 4),
    ]
    (again,) = [i for i in result.issues if i.code == "duplicate.paid_again"]
    assert not again.is_error and again.message.endswith("Paid again on purpose: two cards promised")
    assert [r.recipient.row for r in result.rows if r.is_valid] == [2, 4]


def test_a_recipient_total_above_the_threshold_is_a_warning_where_it_is_crossed() -> None:
    result = run(
        sheet(
            [
                ["Ana", "ana@example.com", "VISA-VAR", 300, 1, "email"],
                ["Bo", "bo@example.com", "VISA-VAR", 500, 1, "email"],
                ["Ana", "ana@example.com", "CVS", 100, 2, "email"],
                ["Ana", "ana@example.com", "COFFEE", 5, 1, "email"],
            ]
        ),
        total_threshold=Decimal(400),
    )
    ana, bo = sorted(
        (i for i in result.issues if i.code == "recipient.total_high"), key=lambda i: -(i.row or 0)
    )
    assert (ana.severity, ana.cell) == (Severity.WARNING, "D4")
    assert "ana@example.com gets 505 USD in total (rows 2, 4 and 5)" in ana.message
    assert "more than the 400 USD limit per recipient" in ana.message
    assert bo.cell == "D3" and "bo@example.com gets 500 USD in total (row 3)" in bo.message


def test_one_large_row_is_enough_for_the_total_warning() -> None:
    result = run(sheet([["Bo", "bo@example.com", "VISA-VAR", 500, 2, "email"]]), total_threshold=Decimal(500))
    (issue,) = [i for i in result.issues if i.code == "recipient.total_high"]
    assert "gets 1000 USD in total (row 2)" in issue.message


def test_totals_are_per_currency() -> None:
    result = run(
        sheet(
            [
                ["Ed", "ed@example.com", "CVS", 50, 1, "email"],
                ["Ed", "ed@example.com", "TIMS-CA", 50, 1, "email"],
            ]
        ),
        total_threshold=Decimal(60),
    )
    assert codes_at(result, "recipient.total_high") == []


def test_an_empty_catalog_gives_one_warning_and_no_cost() -> None:
    result = run(
        sheet([["Ana", f"a{n}@example.com", "CVS", 25, 1, "email"] for n in range(3)]), catalog=Catalog()
    )
    missing = [i for i in result.issues if i.code == "catalog.missing"]
    assert len(missing) == 1
    assert missing[0].row is None and "products, values" in missing[0].message
    assert result.cost() == {}
    assert result.valid_count == 3


def test_issues_are_ordered_by_sheet_row_and_column() -> None:
    result = run(
        sheet([["Ana", "bad", "XYZ", 25, 1, "email"], ["Bo", "bo@", "CVS", 33, 1, "email"]]), catalog=None
    )
    assert [i.cell for i in result.issues] == ["B2", "C2", "B3", "D3"]


def test_an_edited_row_checked_again_updates_its_issues_and_the_duplicates() -> None:
    result = run(
        sheet(
            [
                ["Ana", "ana@example.com", "CVS", 25, 1, "email"],
                ["Ana", "ana@example.com", "CVS", 30, 1, "email"],
            ]
        )
    )
    assert codes_at(result, "value.not_allowed") == ["D3"]
    edited = RawRecord(
        "Sheet1",
        3,
        {
            fld: SourceCell("Sheet1", 3, LETTERS[fld], value)
            for fld, value in zip(HEADER, ["Ana", "ana@example.com", "CVS", 25, 2, "email"], strict=True)
        },
    )
    rechecker = RowRechecker(result)
    rechecker.apply(rechecker.recheck([edited]))
    updated = result.row("Sheet1!3")
    assert updated.is_valid
    assert codes_at(result, "value.not_allowed") == []
    assert codes_at(result, "duplicate.in_file") == ["B3"]
    assert result.valid_count == 2


def test_progress_is_reported_and_cancel_stops_the_import() -> None:
    rows = [["Ana", f"a{i}@example.com", "CVS", 25, 1, "email"] for i in range(5000)]
    seen: list[int] = []
    validator = RowValidator(sandbox_like_catalog(), ValidationOptions(today=TODAY))
    validate_sheets([sheet(rows)], validator, progress=seen.append)
    assert seen == sorted(seen) and seen[0] == 0 and len(seen) >= 3
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ImportCancelled):
        validate_sheets([sheet(rows)], validator, cancel=cancel)


CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(
        ["CVS", "cvs pharmacy", "VISA-VAR", "email", "sms", "link", "mail", "$25", "25,00 €", " "]
    ),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.builds(CellError, st.sampled_from(["#N/A", "#REF!", "#DIV/0!", "#VALUE!"])),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.fixed_dictionaries({}, optional={fld: CELL_VALUES for fld in Field}), min_size=1, max_size=6)
)
def test_random_cells_never_crash_the_validation(rows: list[dict[Field, CellValue | CellError]]) -> None:
    fields = list(Field)
    values = SheetValues(
        "Random",
        list(range(2, 2 + len(rows))),
        {fld: [r.get(fld) for r in rows] for fld in fields},
        dict(COLUMNS),
    )
    result = run(values)
    assert result.row_count == len(rows)
    for imported in result.rows:
        assert all(i.sheet == "Random" and i.row == imported.recipient.row for i in imported.issues)
        assert all(i.message.startswith((f"{i.cell}: ", f"Row {i.row}")) for i in imported.all_issues)
    result.cost()
    result.line_items()


def test_dates_and_datetimes_in_text_fields_are_shown_as_dates() -> None:
    result = run(sheet([[datetime(2026, 1, 2, 3, 4), "ana@example.com", date(2026, 1, 1), 25, 1, "email"]]))
    (issue,) = result.issues
    assert issue.code == "product.unknown" and issue.message.startswith("C2: 2026-01-01 is not a product")


def test_an_edited_row_that_leaves_out_an_empty_cell_still_names_that_cell() -> None:
    result = run(sheet([["Ana", "ana@example.com", "CVS", 25, 1, "email"]]))
    cells = {F.FULL_NAME: "Ana", F.EMAIL: "ana@example.com", F.VALUE: 25, F.DELIVERY_TYPE: "email"}
    edited = RawRecord(
        "Sheet1", 2, {fld: SourceCell("Sheet1", 2, LETTERS[fld], v) for fld, v in cells.items()}
    )
    (issue,) = RowRechecker(result).recheck([edited]).rows[0].issues
    assert (issue.code, issue.cell) == ("product.missing", "C2")
