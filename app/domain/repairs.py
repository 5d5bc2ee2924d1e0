"""Safe repairs of what spreadsheets do to values, each one reported as a warning at its cell.

Every function takes a non-empty cell (never an Excel error: the caller reports those) and returns the value
to use and, when that value differs from what the cell shows, a WARNING saying what was changed. A value of
None means the cell could not be read as that kind of value; the validation rules turn that into an error.
Reformatting that does not change what a value means (upper-casing a code, writing a phone number in E.164
when it already had its country code) is not reported. Dates have their own module (`app.domain.dates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.domain.address_rules import address_rules
from app.domain.cells import display_text, number_text, shown, warning
from app.domain.countries import country_name, find_country
from app.domain.fields import Field
from app.domain.invisible import bidi_controls_in, without_invisible
from app.domain.issues import Issue
from app.domain.phones import INVALID, PhoneReading, read_phone
from app.domain.postal_codes import normalise_postal_code, restore_zeros
from app.domain.records import SourceCell
from app.domain.subdivisions import find_area

_NBSP = "\u00a0\u2007\u202f"

_CURRENCY_SIGNS = {
    "$": "$",
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
}
# The currencies gift card vendors sell in; an amount written with any other three letters is not read.
CURRENCY_CODES = frozenset(
    (
        "USD",
        "CAD",
        "EUR",
        "GBP",
        "AUD",
        "NZD",
        "JPY",
        "CHF",
        "SEK",
        "NOK",
        "DKK",
        "ISK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "MXN",
        "BRL",
        "ARS",
        "CLP",
        "COP",
        "PEN",
        "INR",
        "CNY",
        "HKD",
        "TWD",
        "KRW",
        "SGD",
        "MYR",
        "THB",
        "PHP",
        "IDR",
        "VND",
        "ZAR",
        "NGN",
        "KES",
        "EGP",
        "ILS",
        "AED",
        "SAR",
        "QAR",
        "TRY",
    )
)
_AMOUNT = re.compile(
    r"(?P<pre>[A-Za-z]{3}|US\$|CA?\$|AU?\$|[$€£¥])?\s*(?P<minus>-)?\s*(?P<pre2>[$€£¥])?\s*"
    r"(?P<number>\d[\d.,' \u00a0\u202f]*)\s*(?P<post>[A-Za-z]{3}|[$€£¥])?",
)
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_EURO_STYLE = re.compile(r"\d{1,3}(?:\.\d{3})+,\d{1,2}")


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount read from a cell; `currency` is the code written beside it, '$' for a bare '$', or None."""

    value: Decimal
    currency: str | None = None


# --- text -------------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    """Text without surrounding spaces, invisible characters or direction controls (see
    app.domain.invisible: an emoji's joiners stay), non-breaking spaces made ordinary."""
    text = without_invisible(text)
    for ch in _NBSP:
        if ch in text:
            text = text.replace(ch, " ")
    return text.strip()


def text_value(cell: SourceCell) -> str:
    """Any cell as text the way Excel shows it, trimmed: 1001.0 → '1001', dates in ISO form."""
    value = cell.value
    return clean(value) if isinstance(value, str) else display_text(value)


def repair_text(cell: SourceCell, field: Field) -> tuple[str, Issue | None]:
    """The cell as text, trimmed; a `repair.trimmed` warning when spaces or invisible characters went."""
    return text_value(cell), trimmed(cell, field)


def trimmed(cell: SourceCell, field: Field) -> Issue | None:
    """The `repair.trimmed` warning when the text in the cell had stray spaces or invisible characters;
    `repair.direction_controls` when among them were controls that change the order text is shown in."""
    value = cell.value
    if not isinstance(value, str):
        return None
    text = clean(value)
    if text == value:
        return None
    controls = bidi_controls_in(value)
    if controls:
        return warning(
            "repair.direction_controls",
            cell,
            field,
            f"removed hidden direction controls ({', '.join(controls)}) that make text show in another order "
            f'than it is written, as is done to disguise a name or an address; using "{text}". Check that '
            "this is the value meant.",
        )
    return warning(
        "repair.trimmed",
        cell,
        field,
        f'removed stray spaces or invisible characters from {shown(value)}; using "{text}". '
        "Nothing to do, unless they were meant to be there.",
    )


# --- phone numbers ----------------------------------------------------------------------------------------


def repair_phone(cell: SourceCell, field: Field, region: str) -> tuple[PhoneReading, Issue | None]:
    """A phone number in E.164 (`+15555550123`), read with `region` when it has no country code."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return INVALID, None
    if isinstance(value, str):
        return _phone_from_text(cell, field, clean(value), region)
    if isinstance(value, float) and not value.is_integer():
        return INVALID, None
    digits = str(int(value))
    reading = read_phone(digits, region)
    if reading.e164 is None:
        return reading, None
    return reading, warning(
        "repair.phone_from_number",
        cell,
        field,
        f"the phone number {digits} was stored as a number, so Excel dropped its '+' or leading zero; "
        f"read it as {reading.e164}{_region_note(reading, region)}. Check it is right; to avoid this, "
        "format the column as Text and type numbers with + and the country code.",
    )


def _phone_from_text(
    cell: SourceCell, field: Field, text: str, region: str
) -> tuple[PhoneReading, Issue | None]:
    reading = read_phone(text, region)
    if reading.e164 is None:
        return reading, None
    if not (reading.assumed_region or reading.added_plus):
        return reading, trimmed(cell, field)
    code = "repair.phone_plus" if reading.added_plus else "repair.phone_region"
    return reading, warning(
        code,
        cell,
        field,
        f"read {shown(cell.value)} as {reading.e164}{_region_note(reading, region)}. Check it is right; "
        "type numbers with + and the country code to avoid this.",
    )


def _region_note(reading: PhoneReading, region: str) -> str:
    if reading.added_plus:
        return " (an international number missing its '+')"
    if reading.assumed_region:
        return f" (no country code, so taken as a {region} number)"
    return ""


# --- places -----------------------------------------------------------------------------------------------


def repair_country(cell: SourceCell, field: Field) -> tuple[str | None, Issue | None]:
    """An ISO alpha-2 country code from a code or a name in any language ('USA', 'Deutschland', 'Türkiye')."""
    text = text_value(cell)
    code = find_country(text)
    if code is None:
        return None, None
    if code == text.upper():
        return code, trimmed(cell, field)
    return code, warning(
        "repair.country_name",
        cell,
        field,
        f"read {shown(cell.value)} as the country code {code} ({country_name(code)}). Nothing to do; "
        "two-letter codes avoid doubt.",
    )


def repair_state(cell: SourceCell, field: Field, country: str | None) -> tuple[str | None, Issue | None]:
    """What `country`'s addresses write for the state or province the cell names ('California' → 'CA',
    'Bavaria' → 'BY'). None when the country lists its states and this is none of them; the text as it
    is when the country lists none and this names none pycountry knows (or the country is unknown)."""
    text = text_value(cell)
    if country is None:
        return text, trimmed(cell, field)
    found = find_area(country, text)
    if found is None:
        return (None, None) if address_rules(country).areas else (text, trimmed(cell, field))
    if found.value.casefold() == text.casefold():
        return found.value, trimmed(cell, field)
    rules = address_rules(country)
    what = f"{rules.an_area} of {rules.name}" if rules.areas else f"in {rules.name}"
    named = f"{found.value}, {what}" if found.name == found.value else f"{found.value} ({found.name}, {what})"
    check = "Check it is right." if found.abbreviated else "Nothing to do."
    return found.value, warning(
        "repair.state_name", cell, field, f"read {shown(cell.value)} as {named}. {check}"
    )


def repair_postal_code(cell: SourceCell, field: Field, country: str | None) -> tuple[str, Issue | None]:
    """A postal code written the way the country's post writes it, with the leading zeros Excel drops put
    back where the country's codes are digits (a warning says so: that is a guess)."""
    value = cell.value
    was_number = isinstance(value, int | float) and not isinstance(value, bool)
    text = text_value(cell)
    if country is None:
        return text, trimmed(cell, field)
    padded = restore_zeros(country, text)
    if padded is None:
        code = normalise_postal_code(country, text)
        if was_number and code != text:
            return code, warning(
                "repair.zip_plus4",
                cell,
                field,
                f"read the number {text} as the postal code {code}. Nothing to do.",
            )
        return code, trimmed(cell, field)
    stored = "was stored as a number" if was_number else "has fewer digits than a postal code"
    return padded, warning(
        "repair.zip_leading_zero",
        cell,
        field,
        f"the postal code {shown(value)} {stored}, so its leading zero was lost; read it as {padded} "
        f"({country}). Check it is right; format the column as Text to keep leading zeros.",
    )


# --- numbers and amounts ----------------------------------------------------------------------------------


def repair_amount(
    cell: SourceCell, field: Field, *, text_source: bool = False
) -> tuple[Amount | None, Issue | None]:
    """A money amount from a number, or from text such as '25', '$25.00', '25 USD', 'USD 25', '25,00 €'.

    Separators: a comma followed by exactly three digits groups thousands (1,000); a comma followed by one or
    two digits at the end is a decimal comma (25,50); with both, the last one is the decimal mark (1.000,50).
    A dot alone is always the decimal mark. `text_source` (CSV files, where every cell is text) turns off the
    'number stored as text' warning.
    """
    value = cell.value
    if isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        return Amount(Decimal(number_text(float(value)))), None
    if not isinstance(value, str):
        return None, None
    text = clean(value)
    if _PLAIN_NUMBER.fullmatch(text):
        plain = Amount(Decimal(text))
        return plain, trimmed(cell, field) if text_source else _number_as_text(cell, field, plain.value)
    amount = parse_amount(text)
    if amount is None:
        return None, None
    written = (
        f"{plain_number(amount.value)} {amount.currency}"
        if amount.currency not in (None, "$")
        else (plain_number(amount.value))
    )
    return amount, warning(
        "repair.amount_text",
        cell,
        field,
        f"read the text {shown(value)} as the amount {written}. Nothing to do; plain numbers avoid doubt.",
    )


def parse_amount(text: str) -> Amount | None:
    """An amount written with a currency sign or code, spaces or separators; None if it is not one."""
    match = _AMOUNT.fullmatch(text.strip())
    if match is None:
        return None
    currencies = {_currency_of(s) for s in (match["pre"], match["pre2"], match["post"]) if s}
    if len(currencies) > 1:
        currencies.discard("$")  # '$25 USD' says the same thing twice
    if len(currencies) > 1 or None in currencies:
        return None
    currency = currencies.pop() if currencies else None
    number = _number_from(match["number"])
    if number is None:
        return None
    return Amount(-number if match["minus"] else number, currency)


def _currency_of(sign: str) -> str | None:
    """'USD' for 'usd', '$' for '$'; None for three letters that are not a currency code ('pcs')."""
    if sign in _CURRENCY_SIGNS:
        return _CURRENCY_SIGNS[sign]
    code = sign.upper()
    return code if code in CURRENCY_CODES else None


def _number_from(text: str) -> Decimal | None:
    compact = re.sub(r"[ '\u00a0\u202f]", "", text)
    if _THOUSANDS_COMMA.fullmatch(compact):
        compact = compact.replace(",", "")
    elif _EURO_STYLE.fullmatch(compact):
        compact = compact.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.fullmatch(compact):
        compact = compact.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(compact):
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:
        return None


def repair_number(
    cell: SourceCell, field: Field, *, text_source: bool = False
) -> tuple[Decimal | None, Issue | None]:
    """A plain number (a quantity) from a number cell or from text such as '3' or ' 3 '."""
    value = cell.value
    if isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        return Decimal(number_text(float(value))), None
    if not isinstance(value, str):
        return None, None
    text = clean(value)
    number = Decimal(text) if _PLAIN_NUMBER.fullmatch(text) else _number_from(text)
    if number is None:
        return None, None
    return number, trimmed(cell, field) if text_source else _number_as_text(cell, field, number)


def _number_as_text(cell: SourceCell, field: Field, number: Decimal) -> Issue:
    return warning(
        "repair.number_as_text",
        cell,
        field,
        f"the number {shown(cell.value)} is stored as text; used it as the number {plain_number(number)}. "
        "Nothing to do; to silence this, convert the column to numbers in Excel.",
    )


def plain_number(number: Decimal | None) -> str:
    """25 for 25.00, 12.5 for 12.50, '' for None: amounts as people write them."""
    if number is None:
        return ""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
