"""Cell values as people see them, and issues placed at their cell with a message that names it."""

from __future__ import annotations

from datetime import date, datetime

from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.records import CellError, CellValue, SourceCell

_LONGEST_SHOWN = 60


def shown(value: CellValue | CellError) -> str:
    """A cell value written the way Excel shows it, quoted when it is text: '"ana@x"', '25', '2026-12-01'."""
    if isinstance(value, str):
        text = value if len(value) <= _LONGEST_SHOWN else value[: _LONGEST_SHOWN - 1] + "…"
        return f'"{text}"'
    if value is None:
        return "(empty)"
    return display_text(value)


def display_text(value: CellValue | CellError) -> str:
    """A cell value as Excel displays it, unquoted: 1001.0 → '1001', TRUE, dates in ISO form."""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def number_text(value: float) -> str:
    """A float as Excel displays it (15 significant digits, no '.0', no exponent for whole numbers)."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return format(value, ".15g")


def at_cell(severity: Severity, code: str, cell: SourceCell, field: Field, text: str) -> Issue:
    """An issue at `cell`; the message starts with the cell reference ('C7: …')."""
    return Issue(severity, code, f"{cell.ref}: {text}", cell.sheet, cell.row, cell.column, field)


def at_row(
    severity: Severity, code: str, where: tuple[str, int, str | None], field: Field | None, text: str
) -> Issue:
    """An issue at a row (`where`: sheet, row, column); at its cell if the column is known, else 'Row 7:'."""
    sheet, row, column = where
    ref = f"{column}{row}" if column else f"Row {row}"
    return Issue(severity, code, f"{ref}: {text}", sheet, row, column, field)


def warning(code: str, cell: SourceCell, field: Field, text: str) -> Issue:
    return at_cell(Severity.WARNING, code, cell, field, text)


def error(code: str, cell: SourceCell, field: Field, text: str) -> Issue:
    return at_cell(Severity.ERROR, code, cell, field, text)
