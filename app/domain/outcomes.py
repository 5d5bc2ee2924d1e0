"""What a run did to each row, in the shape the exports need: filled in by the engine, read by `app.workbook`.

The engine builds a `RunReport` from its journal (`app.engine.report.build_run_report`); the results workbook,
the write-back and the GUI's result columns all read it, so none of them needs to know the journal's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from app.domain.catalog import DeliveryType
from app.domain.records import CellError, CellValue, RawRecord

# A value as it stands in the row: what the reader read, or what the user typed over it in the grid.
RowValue = CellValue | CellError


class ResultStatus(StrEnum):
    """Where one input row stands, in words: the engine's row states by name (`ResultStatus[state.name]`)."""

    QUEUED = "Queued"  # planned, not sent yet: paused, cancelled or not reached
    SENDING = "Sending"  # sent, no answer kept yet: the engine finds out before it ever resends
    ACCEPTED = "Accepted"  # the vendor took the order
    PENDING = "Pending"  # the vendor is still working on it
    COMPLETED = "Completed"  # the card was issued
    FAILED = "Failed"  # the vendor failed the line item; `failure_reason` says why
    REJECTED = "Rejected"  # the vendor refused the order as malformed; nothing was charged
    SKIPPED = "Skipped"  # left out of the run: it had errors, or the user excluded it

    @property
    def is_in_progress(self) -> bool:
        """Money may be committed but the card is not issued yet."""
        return self in (ResultStatus.SENDING, ResultStatus.ACCEPTED, ResultStatus.PENDING)


@dataclass(frozen=True)
class SheetColumn:
    """One column of the user's sheet: its letter ("C") and its header ("E-mail"), unique within the sheet.

    `title` is the header cell's own text when it differs from `header`: a repeated name the reader made
    unique ("Notes (F)") or an empty header cell ("Column F" → ""). The error report writes the title, so the
    header row it repeats is the user's own.
    """

    letter: str
    header: str
    title: str | None = None

    @property
    def text(self) -> str:
        return self.header if self.title is None else self.title


@dataclass(frozen=True)
class SheetLayout:
    """Where a sheet's table sits: its name, its header row as Excel numbers it, its columns left to right.

    `columns` lists every column that has a header, mapped to a field or not; the exports repeat them in
    this order. Header texts are unique within a sheet (the reader disambiguates repeats): `values` keys
    rely on it.
    """

    name: str
    header_row: int
    columns: tuple[SheetColumn, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def letter_of(self, header: str) -> str | None:
        return next((c.letter for c in self.columns if c.header == header), None)

    def header_of(self, letter: str) -> str | None:
        return next((c.header for c in self.columns if c.letter == letter), None)


@dataclass(frozen=True)
class Claim:
    """One card's claim data. Both parts are bearer secrets: they only go into exports that ask for them."""

    link: str
    challenge_answer: str | None = None


@dataclass
class RowOutcome:
    """One input row and what became of it.

    The engine fills in, per row:
    - `sheet`, `row`: where the row is in the user's workbook (row as Excel shows it); `key` is
      `RawRecord.key` ("Sheet1!7"), the same key the journal and the grid use.
    - `values`: the row's cells by header text (`SheetLayout.columns`), **as sent**: when the user edited a
      cell in the grid, the edited value. `edited` names the headers whose value differs from the file, so the
      write-back puts the user's edit into the copy and leaves every other cell (formulas included) untouched.
    - `status`; `order_id`, `po_number`, `line_item_id` once known; `failure_reason` for Failed, Rejected
      and Skipped.
    - `product_id`, `delivery_type`, `quantity` (cards on the line), `face_value` (per card), from the plan;
      `cost` and `currency`: the vendor's line-item cost once known, else the planned cost (None if neither).
    - `claims`: one per card when the vendor returned claim data (always for Links orders).
    - `submitted_at` (the request was first sent), `completed_at` (the line item reached a final state),
      timezone-aware or naive UTC.
    - `recipient`: a short label for the Claim Links sheet (name or email), when the row has one.
    - `paid_again`: when the user chose to send the row although it paid again: who, when, why and what.
    """

    key: str
    sheet: str
    row: int
    status: ResultStatus
    values: dict[str, RowValue] = field(default_factory=dict)
    edited: frozenset[str] = frozenset()
    order_id: str | None = None
    po_number: str | None = None
    line_item_id: str | None = None
    product_id: str | None = None
    delivery_type: DeliveryType | None = None
    quantity: int = 1
    face_value: Decimal | None = None
    cost: Decimal | None = None
    currency: str | None = None
    claims: tuple[Claim, ...] = ()
    failure_reason: str | None = None
    submitted_at: datetime | None = None
    completed_at: datetime | None = None
    recipient: str | None = None
    paid_again: str | None = None

    @property
    def claim_links(self) -> list[str]:
        return [c.link for c in self.claims]

    @property
    def challenge_answers(self) -> list[str]:
        return [c.challenge_answer for c in self.claims if c.challenge_answer]


@dataclass
class RunReport:
    """A run as the exports show it: its details, the layout of each sheet it read, and every row's outcome.

    `status` is the run's own state in words ("Completed", "Paused", "Running", …), shown as it is.
    `sheets` is in workbook order; `outcomes` holds one entry per input row of those sheets.
    """

    run_id: str
    workbook_path: str
    profile: str
    created_at: datetime
    status: str
    sheets: list[SheetLayout]
    outcomes: list[RowOutcome]
    campaign: str | None = None
    finished_at: datetime | None = None

    def layout(self, sheet: str) -> SheetLayout | None:
        return next((s for s in self.sheets if s.name == sheet), None)


def values_by_header(record: RawRecord, layout: SheetLayout) -> dict[str, RowValue]:
    """A read record's cells keyed by header text, in the sheet's column order (mapped and unmapped alike)."""
    by_letter: dict[str, RowValue] = {c.column: c.value for c in record.cells.values()}
    values: dict[str, RowValue] = {}
    for column in layout.columns:
        if column.letter in by_letter:
            values[column.header] = by_letter[column.letter]
        elif column.header in record.unmapped:
            values[column.header] = record.unmapped[column.header]
    return values
