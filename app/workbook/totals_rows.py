"""Totals and subtotals found in a sheet as read, and left out of its rows with one note (see `app.domain.totals`).

Cheap at any size: only rows with no email, SMS number or street address can be totals, and a label is looked
for among each column's distinct values, not cell by cell.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from app.domain.fields import Field
from app.domain.totals import is_total_label
from app.domain.validation import listed

if TYPE_CHECKING:
    from app.workbook.reader import SheetRead

_RECIPIENT_FIELDS = (Field.EMAIL, Field.SMS, Field.ADDRESS_LINE1)


def leave_out_totals(sheet: SheetRead, aggregate_rows: Collection[int]) -> str | None:
    """Remove the sheet's totals rows from its data (before anything reads its positions); the note that
    says so, or None when it has none."""
    positions = _totals(sheet, aggregate_rows)
    if not positions:
        return None
    numbers = [sheet.row_numbers[i] for i in positions]
    gone = set(positions)
    sheet.row_numbers[:] = [n for i, n in enumerate(sheet.row_numbers) if i not in gone]
    for column in sheet._columns.values():
        column[:] = [v for i, v in enumerate(column) if i not in gone]
    return _note(sheet.name, numbers)


def _totals(sheet: SheetRead, aggregate_rows: Collection[int]) -> list[int]:
    count = len(sheet.row_numbers)
    mapped = [sheet.column_values(fld) for fld in _RECIPIENT_FIELDS]
    contacts = [column for column in mapped if column is not None]
    if contacts:
        candidates = set(i for i, v in enumerate(contacts[0]) if v is None)
        for column in contacts[1:]:
            candidates = {i for i in candidates if column[i] is None}
    else:
        candidates = set(range(count))
    if not candidates:
        return []
    found = {i for i in candidates if sheet.row_numbers[i] in aggregate_rows} if aggregate_rows else set()
    for column in sheet._columns.values():
        labels = {v for v in set(column) if isinstance(v, str) and is_total_label(v)}
        if labels:
            found.update(i for i in candidates if column[i] in labels)
    return sorted(found)


def _note(sheet: str, numbers: Sequence[int]) -> str:
    if len(numbers) == 1:
        return (
            f"Row {numbers[0]} of “{sheet}” is a total (it adds up the rows above, or says Total), not a "
            "recipient: it was left out."
        )
    names = [str(n) for n in numbers[:10]]
    shown = (
        listed(names, "and") if len(numbers) <= 10 else f"{', '.join(names)} and {len(numbers) - 10:,} more"
    )
    return (
        f"Rows {shown} of “{sheet}” are totals or subtotals (they add up the rows above, or say Total), not "
        "recipients: they were left out."
    )
