"""One row as the rule families see it: its cells by field, and the issues found so far, each at its cell."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.cells import at_row, error
from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.recipient import RowLayout
from app.domain.records import CellError, CellValue, SourceCell
from app.domain.repairs import repair_text

Value = CellValue | CellError

_NOTHING_BROKEN: frozenset[Field] = frozenset()


class RowCells:
    """One row being checked: its raw values, where each field sits, and the issues found so far."""

    __slots__ = ("broken", "columns", "index", "issues", "number", "sheet", "values")

    def __init__(self, sheet: str, number: int, values: Sequence[Value], layout: RowLayout) -> None:
        self.sheet = sheet
        self.number = number
        self.values = values
        self.index = layout.index
        self.columns = layout.columns
        self.issues: list[Issue] = []
        self.broken: frozenset[Field] = _NOTHING_BROKEN  # a new set only for a row with an error cell

    def get(self, fld: Field) -> CellValue:
        """The cell's value, None when empty (spaces only count as empty); an Excel error is reported here."""
        i = self.index.get(fld)
        if i is None:
            return None
        value = self.values[i]
        if type(value) is str:
            return value if value and not value.isspace() else None
        if type(value) is CellError:
            self._excel_error(fld, value)
            return None
        return value  # type: ignore[return-value]  # not a CellError: its type was checked just above

    def has(self, fld: Field) -> bool:
        """The cell holds something, even an error: for deciding what the row is about."""
        i = self.index.get(fld)
        if i is None:
            return False
        value = self.values[i]
        return value is not None and not (type(value) is str and (not value or value.isspace()))

    def cell(self, fld: Field) -> SourceCell:
        i = self.index.get(fld)
        return SourceCell(
            self.sheet, self.number, self.columns.get(fld, "?"), None if i is None else self.values[i]
        )

    def text(self, fld: Field) -> str | None:
        """A text field, trimmed (with a warning when that changed it)."""
        i = self.index.get(fld)
        if i is None:
            return None
        value = self.values[i]
        if type(value) is str and value.isascii() and value.strip() is value:
            return value or None  # the common case (str.strip gives back the same object when nothing goes)
        if value is None or self.get(fld) is None:
            return None
        text, issue = repair_text(self.cell(fld), fld)
        if issue is not None:
            self.issues.append(issue)
        return text

    def add(self, issue: Issue | None) -> None:
        if issue is not None:
            self.issues.append(issue)

    def fail(self, code: str, fld: Field, text: str) -> None:
        """An error at `fld`'s cell, or at the row when the sheet has no such column."""
        where = (self.sheet, self.number, self.columns.get(fld))
        self.issues.append(at_row(Severity.ERROR, code, where, fld, text))

    def warn(self, code: str, fld: Field, text: str) -> None:
        where = (self.sheet, self.number, self.columns.get(fld))
        self.issues.append(at_row(Severity.WARNING, code, where, fld, text))

    def _excel_error(self, fld: Field, value: CellError) -> None:
        self.broken = self.broken | {fld}
        label = fld.label.lower()
        self.issues.append(
            error(
                "cell.excel_error",
                self.cell(fld),
                fld,
                f"the cell shows the Excel error {value.code}, so the {label} is unknown. Fix the formula "
                "that "
                f"gives the error, or type the {label} in.",
            )
        )


class SheetNotes:
    """Warnings about a whole sheet (a column it lacks), each given once however many rows it concerns."""

    def __init__(self) -> None:
        self._notes: dict[tuple[str, str], Issue] = {}

    def add(self, sheet: str, code: str, fld: Field, text: str) -> None:
        self._notes.setdefault((sheet, code), Issue(Severity.WARNING, code, text, sheet, None, None, fld))

    def issues(self) -> list[Issue]:
        return list(self._notes.values())


def without_moot_repairs(issues: list[Issue]) -> list[Issue]:
    """Drop a repair's warning where the same cell has an error: the error alone says what to do there."""
    failed = {issue.column for issue in issues if issue.severity is Severity.ERROR and issue.column}
    if not failed:
        return issues
    return [i for i in issues if not (i.column in failed and i.code.startswith("repair."))]
