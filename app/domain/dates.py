"""Dates as spreadsheets hold them (date cells, Excel serial numbers, ISO and other text), each repair a warning.

Like every repair (see `app.domain.repairs`), a date read from something other than a date cell or ISO text
comes with a WARNING saying how it was read; None means the cell could not be read as a date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from app.domain.cells import number_text, shown, warning
from app.domain.fields import Field
from app.domain.issues import Issue
from app.domain.records import SourceCell
from app.domain.repairs import clean, trimmed

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug absorbed from 61 on)
_LAST_SERIAL = 2958465  # 9999-12-31

_ISO_DATE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]+)\.?,?[ -](\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})")
# Where people write dates month first; everywhere else 01/02/2026 is 1 February.
_MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"})


def repair_date(cell: SourceCell, field: Field, region: str = "US") -> tuple[date | None, Issue | None]:
    """A date from a date cell, an Excel serial number, ISO text ('2026-12-01') or other common text forms.

    Numeric text such as 01/02/2026 is read month first in the US (and where `region` writes dates that way),
    day first elsewhere, unless one of the numbers is above 12; either way the warning says how it was read.
    """
    value = cell.value
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        return _from_serial(cell, field, float(value))
    if not isinstance(value, str):
        return None, None
    return _from_text(cell, field, clean(value), region)


def _from_serial(cell: SourceCell, field: Field, serial: float) -> tuple[date | None, Issue | None]:
    if not 1 <= serial <= _LAST_SERIAL:
        return None, None
    day = _EXCEL_EPOCH + timedelta(days=int(serial))
    if serial < 61:  # Excel counts a 29 February 1900 that never was
        day += timedelta(days=1)
    return day, warning(
        "repair.date_serial",
        cell,
        field,
        f"the date was stored as the number {number_text(serial)} (Excel's date serial); read it as "
        f"{day.isoformat()}. Check it is right; format the column as Date to see it as a date.",
    )


def _from_text(cell: SourceCell, field: Field, text: str, region: str) -> tuple[date | None, Issue | None]:
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        return _safe_date(int(iso[1]), int(iso[2]), int(iso[3])), trimmed(cell, field)
    found, how = _loose_date(text, region)
    if found is None:
        return None, None
    return found, warning(
        "repair.date_text",
        cell,
        field,
        f"read the text {shown(cell.value)} as {found.isoformat()} ({how}). Check it is right; "
        "write dates as YYYY-MM-DD (2026-12-01) or use a date cell to avoid doubt.",
    )


def _loose_date(text: str, region: str) -> tuple[date | None, str]:
    numeric = _NUMERIC_DATE.fullmatch(text)
    if numeric:
        first, second, year = int(numeric[1]), int(numeric[2]), _full_year(numeric[3])
        if first > 12 or (second <= 12 and region not in _MONTH_FIRST_REGIONS):
            return _safe_date(year, second, first), "day/month/year"
        return _safe_date(year, first, second), "month/day/year"
    named = _DAY_MONTH_YEAR.fullmatch(text)
    if named and named[2].casefold() in _MONTHS:
        return _safe_date(int(named[3]), _MONTHS[named[2].casefold()], int(named[1])), "day month year"
    named = _MONTH_DAY_YEAR.fullmatch(text)
    if named and named[1].casefold() in _MONTHS:
        return _safe_date(int(named[3]), _MONTHS[named[1].casefold()], int(named[2])), "month day, year"
    return None, ""


def _full_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
