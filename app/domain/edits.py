"""Cells the user changed in the grid: how typed text becomes a cell value, and how exports take the edits.

An import's edits are kept as `RowEdits`: {row key ('Sheet1!7'): {header: new value}}, where the header is the
sheet's unique column name (`SheetLayout` columns, the same names `RowOutcome.values` uses). The workbook on
disk is never changed; the submission plans from the re-validated rows, and the exports put the edited values
in place of what was read (`apply_edits`), naming them in `RowOutcome.edited` for the write-back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from app.domain.fields import Field
from app.domain.outcomes import RowOutcome, RowValue
from app.domain.records import CellError

RowEdits = dict[str, dict[str, RowValue]]

# A number as people type one: no thousands separators, no leading zeros (a ZIP such as 02134 stays text).
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")
_NUMBER_FIELDS = frozenset({Field.VALUE, Field.QUANTITY})


def typed_value(text: str, original: RowValue, field: Field | None) -> RowValue:
    """The cell value for `text` typed over `original` in a column holding `field` (None: not mapped).

    An empty cell stays empty (None). Amounts and quantities, and unmapped cells that held a number, become
    numbers when the text is a plain number, as Excel would store them; a delivery date typed as
    2030-01-31 becomes a date. Everything else stays text exactly as typed, so that phone numbers and
    postal codes keep their '+' and leading zeros, and validation reports what it repairs (stray spaces).
    """
    if not text.strip():
        return None
    wants_number = field in _NUMBER_FIELDS or (
        field is None and type(original) in (int, float) and not isinstance(original, bool)
    )
    if wants_number and _PLAIN_NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    if field is Field.DELIVERY_DATE or (field is None and isinstance(original, date)):
        return _as_date(text, original)
    return text


def _as_date(text: str, original: RowValue) -> RowValue:
    try:
        if isinstance(original, datetime) and ("T" in text or " " in text.strip()):
            return datetime.fromisoformat(text.strip())
        return date.fromisoformat(text.strip())
    except ValueError:
        return text


def shown_value(value: RowValue) -> str:
    """A cell value as the grid shows it and as the user edits it: '' for empty, dates as 2030-01-31."""
    if value is None:
        return ""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, date):  # datetime too
        return _shown_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shown_date(value: date) -> str:
    if not isinstance(value, datetime):
        return value.isoformat()
    return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")


def apply_edits(outcomes: Iterable[RowOutcome], edits: Mapping[str, Mapping[str, RowValue]]) -> None:
    """Put the user's edits into the outcomes' values and name them in `edited` (for every export)."""
    for outcome in outcomes:
        changes = edits.get(outcome.key)
        if changes:
            outcome.values.update(changes)
            outcome.edited = outcome.edited | frozenset(changes)
