"""Values into cells without letting a spreadsheet run them: text that looks like a formula stays text.

Every export (results workbook, write-back, error report) writes values through this module. Names, messages
and vendor answers come from people we do not control; a cell holding `=HYPERLINK(...)` or `-cmd|...` must
never become a live formula, not when written, and not when the user later clicks into it and presses Enter.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from app.domain.invisible import without_bidi_controls
from app.domain.records import CellError

# What makes Excel, LibreOffice or Google Sheets treat typed or imported text as a formula (OWASP's list), and
# the full-width forms that Japanese and Chinese input methods produce.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
EXCEL_MAX_TEXT = 32_767
# Control characters XML 1.0 cannot hold; a cell cannot show them anyway.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"
MONEY_FORMAT = "#,##0.00"

WritableValue = str | int | float | bool | Decimal | date | datetime | time | CellError | None


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def clean_text(text: str) -> str:
    """Text a cell can hold: characters XML cannot carry replaced, direction controls (which can make a
    name show as another) removed, cut at Excel's 32,767-character limit."""
    if not text.isascii():
        text = without_bidi_controls(text)
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", text)
    return text[:EXCEL_MAX_TEXT]


def as_naive_utc(moment: datetime) -> datetime:
    """Spreadsheets have no time zones: aware times are shown in UTC (the Summary sheet says so)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


class FastCellWriter:
    """Writes Python values into an xlsxwriter sheet by type, never through `write()`'s guessing.

    Strings always go through `write_string` (a shared string, never a formula); the ones that look like a
    formula also get Excel's quote prefix, so editing the cell later keeps it text.
    """

    def __init__(self, workbook: Workbook, base: dict[str, object] | None = None) -> None:
        self._workbook = workbook
        self._base = dict(base or {})
        self.text_guard = self.format(quote_prefix=True)
        self.date = self.format(num_format=DATE_FORMAT)
        self.datetime = self.format(num_format=DATETIME_FORMAT)
        self.time = self.format(num_format=TIME_FORMAT)
        self.money = self.format(num_format=MONEY_FORMAT)
        self.plain = self.format() if self._base else None

    def format(self, **properties: object) -> Format:
        return self._workbook.add_format({**self._base, **properties})

    def write(self, sheet: Worksheet, row: int, col: int, value: WritableValue) -> None:
        """One value at (row, col), zero-based; None leaves it blank (styled when the writer has a base)."""
        kind = type(value)
        if kind is str:  # most cells: the fast path, without the isinstance chain
            self.write_text(sheet, row, col, value)  # type: ignore[arg-type]
        elif kind is float or kind is int:
            self.write_number(sheet, row, col, value)  # type: ignore[arg-type]
        else:
            self._write_other(sheet, row, col, value)

    def _write_other(self, sheet: Worksheet, row: int, col: int, value: WritableValue) -> None:
        if isinstance(value, str):
            self.write_text(sheet, row, col, value)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, self.plain)
        elif isinstance(value, int | float):
            self.write_number(sheet, row, col, value)
        elif isinstance(value, Decimal):  # our amounts are Decimals; readers hand over floats
            self.write_number(sheet, row, col, value, self.money)
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, as_naive_utc(value), self.datetime)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, self.date)
        elif isinstance(value, time):
            sheet.write_datetime(row, col, value, self.time)
        elif isinstance(value, CellError):
            self.write_text(sheet, row, col, value.code)
        elif self.plain is not None:
            sheet.write_blank(row, col, None, self.plain)

    def write_text(self, sheet: Worksheet, row: int, col: int, text: str) -> None:
        # xlsxwriter escapes the characters XML cannot hold itself (as Excel does, `_x0000_`).
        if not text.isascii():  # direction controls could make a name show as another one
            text = without_bidi_controls(text)
        if len(text) > EXCEL_MAX_TEXT:
            text = text[:EXCEL_MAX_TEXT]
        sheet.write_string(
            row, col, text, self.text_guard if text.startswith(FORMULA_TRIGGERS) else self.plain
        )

    def write_number(
        self, sheet: Worksheet, row: int, col: int, number: float | Decimal, fmt: Format | None = None
    ) -> None:
        as_float = float(number)
        if math.isfinite(as_float):
            sheet.write_number(row, col, as_float, fmt or self.plain)
        else:
            sheet.write_string(row, col, str(number), fmt or self.plain)
