"""import_workbook on workbooks built here: the right cells flagged and nothing else, whatever they hold."""

from __future__ import annotations

import tempfile
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from app.domain.catalog import Catalog, DeliveryType
from app.domain.fields import Field
from app.domain.import_result import ImportResult
from app.domain.issues import Severity
from app.domain.payments import EarlierPayment, EarlierPayments, PayAgain, payment_claims
from app.domain.validation import ValidationOptions
from app.workbook.errors import WorkbookError, WorkbookPasswordWrong
from app.workbook.importer import import_workbook
from tests.domain.helpers import TODAY, sandbox_like_catalog
from tests.workbook.book_builders import encrypt, xlsx

HEADER = ["Name", "E-mail", "Mobile", "Card", "Amount ($)", "Qty", "Delivery Method", "Address 1", "City",
          "State/Province", "Zip/Postal Code", "Country", "Send Date"]  # fmt: skip


def run(path: Path, catalog: Catalog | None = None, **kwargs: Any) -> ImportResult:
    options = kwargs.pop("options", ValidationOptions(today=TODAY))
    return import_workbook(path, catalog=catalog or sandbox_like_catalog(), options=options, **kwargs)


def flagged(result: ImportResult) -> list[tuple[str, str | None]]:
    return [(issue.code, issue.cell) for issue in result.issues]


def test_a_messy_workbook_is_flagged_at_exactly_the_right_cells(tmp_path: Path) -> None:
    rows = [
        ["Staff gifts, Q4"],  # a title row and a blank row above the header
        [],
        HEADER,
        ["Ana Ortiz", "ana@example.com", None, "CVS", 25, 1, "email"],  # row 4: clean
        ["Ben Carter", " ben@example.com\u00a0", None, "CVS", "$25.00", None, "Email "],  # row 5: repairs
        ["Chloé Dubois", "chloe.example.com", None, "COFFEE", 10, 1, "email"],  # row 6: no @
        ["Dev Patel", None, 14155550123, "COFFEE", 15, 1, "sms"],  # row 7: phone as a number
        ["Emma Stone", "emma@example.com", None, "STARBUCKS", 25, 1, "email"],  # row 8: unknown product
        ["Farah Haddad", "farah@example.com", None, "CVS", 30, 1, "email"],  # row 9: value not offered
        ["George Ng", None, None, "VISA-PHYS", 50, 1, "mail", "12 Beacon St", "Boston", "Massachusetts", 2108,
         "USA"],  # row 10: state name, ZIP as a number, country name
        ["Hana Sato", None, None, "VISA-PHYS", 50, 1, "physical", None, "Seattle", "WA", "98101", "US"],  # 11
        ["Ivan Petrov", "ivan@example.com", None, "VISA-VAR", 40, 1, "email", None, None, None, None, None,
         47484],  # row 12: a serial date
        ["Ivan Petrov", "ivan@example.com", None, "VISA-VAR", 40, 1, "email", None, None, None, None, None,
         date(2030, 1, 1)],  # row 13: the same card again
        ["Jade Kim", "jade@example.com", None, "CVS", None, 2.5, "fax", None, None, None, None, None,
         date(2020, 1, 1)],  # row 14: the amount is an error cell; fractional quantity; odd word; past date
    ]  # fmt: skip

    def errors_and_formats(book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        sheet.write_formula("E14", "=NA()", None, "#N/A")

    result = run(xlsx(tmp_path / "messy.xlsx", rows, setup=errors_and_formats))
    assert flagged(result) == [
        ("repair.trimmed", "B5"),
        ("repair.amount_text", "E5"),
        ("repair.trimmed", "G5"),
        ("email.invalid", "B6"),
        ("repair.phone_from_number", "C7"),
        ("product.unknown", "D8"),
        ("value.not_allowed", "E9"),
        ("repair.state_name", "J10"),
        ("repair.zip_leading_zero", "K10"),
        ("repair.country_name", "L10"),
        ("address_line1.missing", "H11"),
        ("repair.date_serial", "M12"),
        ("duplicate.in_file", "B13"),
        ("cell.excel_error", "E14"),
        ("quantity.not_whole", "F14"),
        ("delivery_type.unknown", "G14"),
        ("delivery_date.past", "M14"),
    ]
    assert (result.row_count, result.valid_count) == (11, 6)
    assert result.sheets == ["Recipients"]
    assert result.combined_mapping()["Card"] == "product"
    recipients = {r.recipient.row: r.recipient for r in result.rows}
    assert recipients[7].sms == "+14155550123"
    assert recipients[10].address is not None and recipients[10].address.zip == "02108"
    assert recipients[12].delivery_date == date(2030, 1, 1)
    assert all(i.sheet == "Recipients" for i in result.issues)


def test_csv_numbers_are_text_and_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(
        "Name,Email,Product,Value,Qty,Delivery,Mobile\n"
        "José Núñez,jose@example.com,CVS,25,2,email,\n"
        "Ana,,COFFEE,10,1,sms,(212) 555-0123\n",
        encoding="cp1252",
    )
    result = run(path)
    assert flagged(result) == [("repair.phone_region", "G3")]
    assert result.rows[0].recipient.name == "José Núñez"
    assert (result.rows[0].recipient.value, result.rows[0].recipient.quantity) == (25, 2)


def test_a_password_protected_workbook(tmp_path: Path) -> None:
    plain = xlsx(tmp_path / "plain.xlsx", [["Email", "Product", "Value"], ["ana@example.com", "CVS", 25]])
    locked = encrypt(plain, tmp_path / "locked.xlsx", "s3cret")
    result = run(
        locked, password="s3cret", options=ValidationOptions(today=TODAY, default_delivery_type=None)
    )
    assert (result.row_count, result.valid_count) == (1, 1)
    with pytest.raises(WorkbookPasswordWrong):
        run(locked, password="wrong")


def test_progress_runs_from_0_to_100(tmp_path: Path) -> None:
    rows = [["Email", "Product", "Value"]] + [[f"p{i}@example.com", "CVS", 25] for i in range(3000)]
    seen: list[int] = []
    run(xlsx(tmp_path / "big.xlsx", rows), progress=seen.append)
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)


def test_cancel_stops_the_import(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "b.xlsx", [["Email", "Product", "Value"], ["a@example.com", "CVS", 25]])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Exception, match="cancelled"):
        run(path, cancel=cancel)


def test_overrides_and_earlier_runs_are_passed_on(tmp_path: Path) -> None:
    rows = [["Email", "Gift", "Value"], ["ana@example.com", "CVS", 25]]
    path = xlsx(tmp_path / "b.xlsx", rows)
    first = run(path, mapping_overrides={"Gift": Field.PRODUCT})
    assert first.rows[0].recipient.product_id == "CVS"
    sent = EarlierPayment("261126-AAAAAA", datetime(2026, 11, 26), "GB-1", "Sheet1", 2, "b.xlsx", "completed")
    earlier = EarlierPayments(dict.fromkeys(payment_claims(first.rows[0].recipient), sent))
    again = run(path, mapping_overrides={"Gift": Field.PRODUCT}, earlier=earlier)
    assert [i.code for i in again.issues] == ["delivery_type.inferred", "duplicate.earlier_run"]
    chosen = PayAgain({"2": "bonus corrected"})
    paid = run(path, mapping_overrides={"Gift": Field.PRODUCT}, earlier=earlier, pay_again=chosen)
    assert [i.code for i in paid.issues] == ["delivery_type.inferred", "duplicate.paid_again"]


def test_every_sheet_with_a_header_is_read(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name in ("May", "June"):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(
            [["Email", "Product", "Value", "Delivery"], ["ana@example.com", "CVS", 25, "email"]]
        ):
            sheet.write_row(r, 0, row)
    book.add_worksheet("Notes").write("A1", "nothing to see")
    book.close()
    result = run(path)
    assert result.sheets == ["May", "June"]
    assert flagged(result) == [("duplicate.exact_row", "A2")]
    assert result.issues[0].sheet == "June"
    assert [r.sheet for r in result.line_items()[DeliveryType.DIGITAL]] == ["May"]


def test_a_file_that_cannot_be_read_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(WorkbookError):
        run(path)


cells = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.sampled_from(["CVS", "VISA-PHYS", "email", "sms", "link", "mail", "$25", "US", "Ontario", "=NA()"]),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
)


def _write_any(path: Path, rows: list[list[Any]]) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = book.add_worksheet()
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(
        0, 0, [*HEADER, "Message", "From Email", "Branding", "Shipping Method", "Carrier", "Phone"]
    )
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date | datetime):
                sheet.write_datetime(r, c, value, dates)
            elif value == "=NA()":
                sheet.write_formula(r, c, value, None, "#N/A")
            else:
                sheet.write(r, c, value)
    book.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=19), min_size=1, max_size=6))
def test_random_cell_contents_never_crash_the_import(rows: list[list[Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.xlsx"
        _write_any(path, rows)
        try:
            result = run(path)
        except WorkbookError:
            return  # a plain message about the whole file: also an answer
        for issue in result.issues:
            assert issue.severity in (Severity.ERROR, Severity.WARNING)
            assert issue.message and issue.code
        result.cost()
