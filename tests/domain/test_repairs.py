"""Each safe repair: the value it gives, and the warning (code, cell, wording) that says what it changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.domain.dates import repair_date
from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.records import CellValue, SourceCell
from app.domain.repairs import (
    Amount,
    repair_amount,
    repair_country,
    repair_number,
    repair_phone,
    repair_postal_code,
    repair_state,
    repair_text,
)


def cell(value: CellValue, column: str = "C", row: int = 7) -> SourceCell:
    return SourceCell("Sheet1", row, column, value)


def assert_warning(issue: Issue | None, code: str | None, *fragments: str) -> None:
    """No warning when `code` is None; else a warning with that code at C7 whose message has `fragments`."""
    if code is None:
        assert issue is None, issue
        return
    assert issue is not None
    assert (issue.severity, issue.code, issue.cell, issue.sheet) == (Severity.WARNING, code, "C7", "Sheet1")
    assert issue.message.startswith("C7: ")
    for fragment in fragments:
        assert fragment in issue.message, issue.message


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        ("Ana", "Ana", None),
        (" Ana ", "Ana", "repair.trimmed"),
        ("Ana\u00a0", "Ana", "repair.trimmed"),  # a non-breaking space, as pasted from the web
        ("Ana\u00a0Lopez", "Ana Lopez", "repair.trimmed"),
        ("\u200bAna", "Ana", "repair.trimmed"),  # a zero-width space
        ("\ufeffAna", "Ana", "repair.trimmed"),  # a byte-order mark at the start of a CSV cell
        (1001, "1001", None),  # a number shown as 1001: nothing changes for the user
        (12.5, "12.5", None),
        (date(2026, 12, 1), "2026-12-01", None),
    ],
)
def test_text_is_trimmed_and_says_so(raw: CellValue, expected: str, code: str | None) -> None:
    text, issue = repair_text(cell(raw), Field.FULL_NAME)
    assert text == expected
    assert_warning(issue, code, "stray spaces", f'"{expected}"', "Nothing to do")


@pytest.mark.parametrize(
    ("raw", "region", "e164", "code", "fragment"),
    [
        # Excel turned these into numbers: the '+' (and leading zeros) are gone.
        (12125550123, "US", "+12125550123", "repair.phone_from_number", "stored as a number"),
        (12125550123.0, "US", "+12125550123", "repair.phone_from_number", "read it as +12125550123"),
        (2125550123, "US", "+12125550123", "repair.phone_from_number", "taken as a US number"),
        (7911123456, "GB", "+447911123456", "repair.phone_from_number", "taken as a GB number"),
        (447911123456, "US", "+447911123456", "repair.phone_from_number", "missing its '+'"),
        # Text without a country code: the default region supplies it, and the warning says which.
        ("(212) 555-0123", "US", "+12125550123", "repair.phone_region", "taken as a US number"),
        ("212.555.0123", "US", "+12125550123", "repair.phone_region", "+12125550123"),
        ("07911 123456", "GB", "+447911123456", "repair.phone_region", "taken as a GB number"),
        ("447911123456", "US", "+447911123456", "repair.phone_plus", "missing its '+'"),
        # Already international: only the spacing changes, which is not worth a warning.
        ("+1 212 555 0123", "US", "+12125550123", None, ""),
        ("+44 7911 123456", "US", "+447911123456", None, ""),
        ("+12125550123", "GB", "+12125550123", None, ""),
        # Not phone numbers at all.
        ("12345", "US", None, None, ""),
        ("call me", "US", None, None, ""),
        (12.5, "US", None, None, ""),
        (True, "US", None, None, ""),
    ],
)
def test_phone_numbers_become_e164(
    raw: CellValue, region: str, e164: str | None, code: str | None, fragment: str
) -> None:
    reading, issue = repair_phone(cell(raw), Field.SMS, region)
    assert reading.e164 == e164
    assert_warning(issue, code, fragment)


@pytest.mark.parametrize(
    ("raw", "country", "expected", "code", "fragment"),
    [
        (2134, "US", "02134", "repair.zip_leading_zero", "stored as a number"),
        (501, "US", "00501", "repair.zip_leading_zero", "read it as 00501"),
        ("2134", "US", "02134", "repair.zip_leading_zero", "fewer digits"),
        (21341234, "US", "02134-1234", "repair.zip_leading_zero", "02134-1234"),  # ZIP+4 typed as a number
        ("2134-1234", "US", "02134-1234", "repair.zip_leading_zero", "02134-1234"),
        (123456789, "US", "12345-6789", "repair.zip_plus4", "12345-6789"),
        ("02134", "US", "02134", None, ""),
        (10001, "US", "10001", None, ""),  # shown as 10001, used as 10001: nothing changed
        ("123456789", "US", "12345-6789", None, ""),
        ("k1a0b1", "CA", "K1A 0B1", None, ""),
        ("sw1a1aa", "GB", "SW1A 1AA", None, ""),
        (800, "AU", "0800", "repair.zip_leading_zero", "(AU)"),  # Darwin
        (1067, "DE", "01067", "repair.zip_leading_zero", "(DE)"),  # Dresden
        ("75001", "FR", "75001", None, ""),
    ],
)
def test_postal_codes_get_their_leading_zeros_back(
    raw: CellValue, country: str, expected: str, code: str | None, fragment: str
) -> None:
    value, issue = repair_postal_code(cell(raw), Field.ZIP, country)
    assert value == expected
    assert_warning(issue, code, fragment)


@pytest.mark.parametrize(
    ("raw", "country", "expected", "code", "fragment"),
    [
        ("Massachusetts", "US", "MA", "repair.state_name", "as MA (Massachusetts, a state of United States)"),
        ("new york", "US", "NY", "repair.state_name", "as NY (New York"),
        ("District of Columbia", "US", "DC", "repair.state_name", "as DC"),
        ("MA", "US", "MA", None, ""),
        ("ma", "US", "MA", None, ""),  # only the case changes
        ("Calif.", "US", "CA", "repair.state_name", "Check it is right"),  # an abbreviation is a guess
        ("Ontario", "CA", "ON", "repair.state_name", "as ON (Ontario, a province of Canada)"),
        ("Québec", "CA", "QC", "repair.state_name", "as QC"),
        ("New South Wales", "AU", "NSW", "repair.state_name", "as NSW"),
        ("Tokyo", "JP", "Tokyo", None, ""),  # Latin letters keep Japan's prefecture in Latin letters
        ("ZZ", "US", None, None, ""),  # unknown where the country lists its states: the rules report it
        ("Bavaria", "DE", "BY", "repair.state_name", "as BY (Bayern, in Germany)"),
        ("Cork", "IE", "Co. Cork", "repair.state_name", "as Co. Cork, a county of Ireland"),
        ("Oberbayern", "DE", "Oberbayern", None, ""),  # not a state ISO knows, where none is needed: kept
    ],
)
def test_state_names_become_codes(
    raw: str, country: str, expected: str | None, code: str | None, fragment: str
) -> None:
    value, issue = repair_state(cell(raw), Field.STATE, country)
    assert value == expected
    assert_warning(issue, code, fragment)


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        ("United States", "US", "repair.country_name"),
        ("USA", "US", "repair.country_name"),
        ("U.S.A.", "US", "repair.country_name"),
        ("the Netherlands", "NL", "repair.country_name"),
        ("Deutschland", "DE", "repair.country_name"),
        ("U.K.", "GB", "repair.country_name"),
        ("México", "MX", "repair.country_name"),
        ("Allemagne", "DE", "repair.country_name"),  # any language: pycountry's translations
        ("Türkiye", "TR", "repair.country_name"),
        ("U.S.", "US", "repair.country_name"),  # dots taken away: said
        ("US", "US", None),
        ("us", "US", None),
        ("fr", "FR", None),
        ("Narnia", None, None),
    ],
)
def test_country_names_become_iso_codes(raw: str, expected: str | None, code: str | None) -> None:
    value, issue = repair_country(cell(raw), Field.COUNTRY)
    assert value == expected
    assert_warning(issue, code, f"country code {expected}")


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        (25, Amount(Decimal(25)), None),
        (25.0, Amount(Decimal(25)), None),
        (12.5, Amount(Decimal("12.5")), None),
        (27.500000000000004, Amount(Decimal("27.5")), None),  # a formula's float, as Excel shows it
        ("25", Amount(Decimal(25)), "repair.number_as_text"),
        ("25.00", Amount(Decimal("25.00")), "repair.number_as_text"),
        ("$25.00", Amount(Decimal("25.00"), "$"), "repair.amount_text"),
        ("25 USD", Amount(Decimal(25), "USD"), "repair.amount_text"),
        ("USD 25", Amount(Decimal(25), "USD"), "repair.amount_text"),
        ("usd25", Amount(Decimal(25), "USD"), "repair.amount_text"),
        ("US$25", Amount(Decimal(25), "USD"), "repair.amount_text"),
        ("C$ 25", Amount(Decimal(25), "CAD"), "repair.amount_text"),
        ("$25 USD", Amount(Decimal(25), "USD"), "repair.amount_text"),
        ("25,00 €", Amount(Decimal("25.00"), "EUR"), "repair.amount_text"),  # a decimal comma
        ("€1.000,50", Amount(Decimal("1000.50"), "EUR"), "repair.amount_text"),
        ("1,000", Amount(Decimal(1000), None), "repair.amount_text"),  # a comma and three digits: thousands
        ("£ 1 000", Amount(Decimal(1000), "GBP"), "repair.amount_text"),
        ("-$5", Amount(Decimal(-5), "$"), "repair.amount_text"),
        ("twenty", None, None),
        ("25 pcs", None, None),
        ("€25 USD", None, None),  # two different currencies
        ("1,0000", None, None),
        (True, None, None),
        (date(2026, 1, 1), None, None),
    ],
)
def test_amounts_written_as_text_are_read(raw: CellValue, expected: Amount | None, code: str | None) -> None:
    amount, issue = repair_amount(cell(raw), Field.VALUE)
    assert amount == expected
    assert_warning(issue, code, "Nothing to do")


def test_numbers_as_text_are_expected_in_csv_files() -> None:
    amount, issue = repair_amount(cell("25"), Field.VALUE, text_source=True)
    assert (amount, issue) == (Amount(Decimal(25)), None)
    number, issue = repair_number(cell("3"), Field.QUANTITY, text_source=True)
    assert (number, issue) == (Decimal(3), None)


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        (3, Decimal(3), None),
        (2.5, Decimal("2.5"), None),  # read; the rules say it is not whole
        ("3", Decimal(3), "repair.number_as_text"),
        (" 3 ", Decimal(3), "repair.number_as_text"),
        ("1,000", Decimal(1000), "repair.number_as_text"),
        ("three", None, None),
        (False, None, None),
    ],
)
def test_quantities_stored_as_text_are_read(
    raw: CellValue, expected: Decimal | None, code: str | None
) -> None:
    number, issue = repair_number(cell(raw), Field.QUANTITY)
    assert number == expected
    assert_warning(issue, code, "stored as text")


@pytest.mark.parametrize(
    ("raw", "region", "expected", "code", "fragment"),
    [
        (date(2026, 12, 1), "US", date(2026, 12, 1), None, ""),
        (datetime(2026, 12, 1, 9, 30), "US", date(2026, 12, 1), None, ""),
        ("2026-12-01", "US", date(2026, 12, 1), None, ""),
        ("2026-12-01T09:30:00", "US", date(2026, 12, 1), None, ""),
        ("2026/12/01", "US", date(2026, 12, 1), None, ""),
        (
            46357,
            "US",
            date(2026, 12, 1),
            "repair.date_serial",
            "Excel's date serial",
        ),  # a serial shown as a number
        (45658.5, "US", date(2025, 1, 1), "repair.date_serial", "2025-01-01"),
        (61, "US", date(1900, 3, 1), "repair.date_serial", "1900-03-01"),
        (59, "US", date(1900, 2, 28), "repair.date_serial", "1900-02-28"),
        ("12/01/2026", "US", date(2026, 12, 1), "repair.date_text", "month/day/year"),
        ("12/01/2026", "GB", date(2026, 1, 12), "repair.date_text", "day/month/year"),
        ("25/12/2026", "US", date(2026, 12, 25), "repair.date_text", "day/month/year"),  # 25 is not a month
        ("25.12.26", "DE", date(2026, 12, 25), "repair.date_text", "2026-12-25"),
        ("1 December 2026", "US", date(2026, 12, 1), "repair.date_text", "2026-12-01"),
        ("Dec 1, 2026", "US", date(2026, 12, 1), "repair.date_text", "2026-12-01"),
        ("next friday", "US", None, None, ""),
        ("2026-02-30", "US", None, None, ""),
        (0, "US", None, None, ""),
        (99999999, "US", None, None, ""),
    ],
)
def test_dates_from_cells_serials_and_text(
    raw: CellValue, region: str, expected: date | None, code: str | None, fragment: str
) -> None:
    found, issue = repair_date(cell(raw), Field.DELIVERY_DATE, region)
    assert found == expected
    assert_warning(issue, code, fragment)


@pytest.mark.parametrize(
    ("raw", "repair", "expected"),
    [
        (" US ", lambda c: repair_country(c, Field.COUNTRY), "US"),
        ("MA\u00a0", lambda c: repair_state(c, Field.STATE, "US"), "MA"),
        (" Oberbayern", lambda c: repair_state(c, Field.STATE, "DE"), "Oberbayern"),
        (" 02134 ", lambda c: repair_postal_code(c, Field.ZIP, "US"), "02134"),
        ("2026-12-01 ", lambda c: repair_date(c, Field.DELIVERY_DATE), date(2026, 12, 1)),
        (" 25 ", lambda c: repair_amount(c, Field.VALUE, text_source=True), Amount(Decimal(25))),
    ],
)
def test_values_with_stray_spaces_are_trimmed_with_a_warning(
    raw: str, repair: Callable[[SourceCell], tuple[object, Issue | None]], expected: object
) -> None:
    value, issue = repair(cell(raw))
    assert value == expected
    assert_warning(issue, "repair.trimmed", "stray spaces")


def test_a_phone_number_with_stray_spaces_is_trimmed_with_a_warning() -> None:
    reading, issue = repair_phone(cell("+1 212 555 0123 "), Field.SMS, "US")
    assert reading.e164 == "+12125550123"
    assert_warning(issue, "repair.trimmed", "stray spaces")
