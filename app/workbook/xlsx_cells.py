"""Python values as SpreadsheetML `<c>` elements: text as inline strings, numbers, booleans, dates as serials.

Text is always an inline string (`t="inlineStr"`), which no spreadsheet evaluates, so a name or a vendor's
message that starts with `=` can never become a live formula; when it looks like one it also gets Excel's
quote prefix, so it stays text after the user edits the cell. Dates and times are day serials with a number
format, counted from 1900 (with Excel's leap-day quirk) or 1904 as the workbook says.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from app.domain.records import CellError
from app.workbook.safe_cells import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    MONEY_FORMAT,
    TIME_FORMAT,
    WritableValue,
    as_naive_utc,
    clean_text,
    looks_like_formula,
)
from app.workbook.xlsx_styles import PLAIN, CellFormat, StyleBook
from app.workbook.xlsx_xml import escape_cell_text

TEXT_GUARD = CellFormat(quote_prefix=True)
MONEY = CellFormat(MONEY_FORMAT)
DATETIME = CellFormat(DATETIME_FORMAT)
_FORMATS = {datetime: DATETIME, date: CellFormat(DATE_FORMAT), time: CellFormat(TIME_FORMAT)}
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_FIRST_TRUE_1900_DAY = datetime(1900, 3, 1)  # before it, Excel counts a 29 February 1900 that never was
_SECONDS_PER_DAY = 86_400


def cell_format(value: WritableValue) -> CellFormat:
    """The format a value needs on top of the cell's own."""
    kind = type(value)
    if kind is str:
        return TEXT_GUARD if looks_like_formula(value) else PLAIN  # type: ignore[arg-type]
    if kind is Decimal:
        return MONEY
    if kind in _FORMATS:
        return _FORMATS[kind]
    if isinstance(value, CellError):
        return TEXT_GUARD if looks_like_formula(value.code) else PLAIN
    return PLAIN


class CellWriter:
    """Writes cells of one worksheet; `prefix` is the sheet's SpreadsheetML prefix ("" or "x:")."""

    def __init__(self, styles: StyleBook, prefix: str, date1904: bool) -> None:
        self._styles = styles
        self._p = prefix
        self._date1904 = date1904

    def cell(self, ref: str, value: WritableValue, base_style: int = 0) -> str:
        """The `<c>` for `value` at `ref`; None gives an empty cell only when it keeps a style."""
        if type(value) is str:  # most cells: the fast path
            return self._text(ref, value, base_style)
        p = self._p
        if value is None:
            return f'<{p}c r="{ref}" s="{base_style}"/>' if base_style else ""
        if isinstance(value, bool):
            return f'<{p}c r="{ref}"{_s(base_style)} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
        number = self._number(value, base_style)
        if number is None:
            text = value.code if isinstance(value, CellError) else _as_text(value)
            return self._text(ref, text, base_style)
        shown, style = number
        return f'<{p}c r="{ref}"{_s(style)}><{p}v>{shown}</{p}v></{p}c>'

    def _number(self, value: WritableValue, base_style: int) -> tuple[str, int] | None:
        """How a number, amount or time is stored, with its format; None when it is stored as text."""
        if isinstance(value, int | float | Decimal):
            number = float(value)
            if not math.isfinite(number):
                return None
            shown = str(value) if isinstance(value, int) else repr(number)
            return shown, self._styles.index(base_style, MONEY) if isinstance(value, Decimal) else base_style
        if isinstance(value, datetime | date | time):
            serial = _serial(value, self._date1904)
            if serial is None or not self._styles.can_format:  # before the workbook's epoch: shown as text
                return None
            return repr(serial), self._styles.index(base_style, cell_format(value))
        return None

    def _text(self, ref: str, text: str, base_style: int) -> str:
        p = self._p
        guarded, content = _inline_string(text, p)
        style = self._styles.index(base_style, TEXT_GUARD) if guarded else base_style
        return f'<{p}c r="{ref}"{_s(style)} t="inlineStr">{content}</{p}c>'


# Statuses, currencies, order ids and times repeat down a sheet: each is worked out once.
@lru_cache(maxsize=4096)
def _inline_string(text: str, p: str) -> tuple[bool, str]:
    """Whether the text needs the quote prefix, and its `<is>` element."""
    text = clean_text(text)
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return looks_like_formula(text), f"<{p}is><{p}t{space}>{escape_cell_text(text)}</{p}t></{p}is>"


@lru_cache(maxsize=4096)
def _serial(value: datetime | date | time, date1904: bool) -> float | None:
    """Days since the workbook's epoch; None before it (Excel cannot show such a date)."""
    if isinstance(value, time):
        return (
            value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        ) / _SECONDS_PER_DAY
    moment = (
        as_naive_utc(value) if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    )
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    if moment < epoch + timedelta(days=0 if date1904 else 2):
        return None
    delta = moment - epoch
    if not date1904 and moment < _FIRST_TRUE_1900_DAY:
        delta -= timedelta(days=1)
    days = delta.days + delta.seconds / _SECONDS_PER_DAY + delta.microseconds / (_SECONDS_PER_DAY * 1e6)
    return int(days) if days == int(days) else days


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


def _as_text(value: WritableValue) -> str:
    """A value a cell cannot hold as a number: dates before 1900 (or 1904) as ISO text, the rest as str."""
    if isinstance(value, datetime):
        return as_naive_utc(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
