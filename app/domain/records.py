"""Rows as read from a workbook, before validation: each value with the cell it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.fields import Field

# What a reader may hand over for one cell. Excel error cells (#N/A, #REF!) arrive as CellError.
CellValue = str | int | float | bool | date | datetime | None


@dataclass(frozen=True)
class CellError:
    """An Excel error value in a cell, such as '#N/A' or '#REF!'."""

    code: str


@dataclass(frozen=True)
class SourceCell:
    """A value and where it was read: sheet, 1-based row as Excel shows it, column letter."""

    sheet: str
    row: int
    column: str
    value: CellValue | CellError

    @property
    def ref(self) -> str:
        return f"{self.column}{self.row}"


@dataclass
class RawRecord:
    """One data row of a sheet, its mapped cells by field, and the columns that map to nothing (kept as read)."""

    sheet: str
    row: int
    cells: dict[Field, SourceCell] = field(default_factory=dict)
    unmapped: dict[str, CellValue | CellError] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A stable key for the row within its workbook: sheet and row number."""
        return f"{self.sheet}!{self.row}"
