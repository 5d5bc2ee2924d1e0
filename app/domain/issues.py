"""A problem found in a workbook: where it is, how bad, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.fields import Field


class Severity(StrEnum):
    ERROR = "error"  # the row cannot be sent as it is
    WARNING = "warning"  # the row can be sent; the user should look (a repair we made, a likely duplicate)


@dataclass(frozen=True)
class Issue:
    """One problem, at one cell where it has one.

    `row` is the row number as Excel shows it (1-based); `column` the column letter ("C"); `cell` the
    reference ("C7"). Whole-sheet or whole-file problems leave row, column and cell as None.
    `code` is stable (`email.invalid`, `product.unknown`, …): tests, JSON and the GUI's grouping rely on it.
    `message` says what was found, what is expected and how to fix it.
    """

    severity: Severity
    code: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: Field | None = None

    @property
    def cell(self) -> str | None:
        if self.column is None or self.row is None:
            return None
        return f"{self.column}{self.row}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, object]:
        """The shape `giftbatch validate --json` prints."""
        return {
            "severity": self.severity.value,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "field": self.field.value if self.field else None,
            "code": self.code,
            "message": self.message,
        }
