"""A run's `RunReport` for the exports, built from the journal and, when it is unchanged, the user's workbook.

The journal knows each row's outcome and what was sent (the line item); the workbook knows every column the
user has, mapped or not. The results workbook repeats the user's own columns, so the workbook is read again
when it is still the file the run read (same SHA-256). Without it, the columns come from the line items sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.api import wire
from app.domain.errors import UserInputError
from app.domain.issues import Issue, Severity
from app.domain.outcomes import (
    Claim,
    ResultStatus,
    RowOutcome,
    RowValue,
    RunReport,
    SheetLayout,
    values_by_header,
)
from app.domain.records import RawRecord
from app.engine.journal import LineResult, OrderRecord, RowRecord, SubmissionJournal
from app.engine.states import RowStatus, RunStatus
from app.workbook.layouts import layout_of
from app.workbook.mapping import MappingStore
from app.workbook.reader import read_workbook

_FINAL_ROWS = frozenset({RowStatus.COMPLETED, RowStatus.FAILED, RowStatus.REJECTED})
_REASONED_ROWS = frozenset({RowStatus.FAILED, RowStatus.REJECTED, RowStatus.SKIPPED})
# Line-item keys that say nothing the user wrote: ours, or the vendor's ids.
_NOT_USER_DATA = frozenset({"ExternalId"})


class WorkbookChanged(UserInputError):
    """The workbook at the run's path is not the file the run read: its rows may have moved."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"“{path.name}” has changed since the run read it, so its rows may no longer be where they were. "
            "Export the results workbook instead (it takes the rows from the journal)."
        )
        self.path = path


@dataclass(frozen=True)
class SourceRows:
    """The user's workbook as read again: each sheet's layout, its records, and their values by row key."""

    layouts: list[SheetLayout]
    records: list[RawRecord]
    values: dict[str, dict[str, RowValue]]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as the journal keeps it for the run's workbook."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_source_rows(
    path: Path,
    *,
    expected_sha256: str,
    password: str | None = None,
    mapping_store: MappingStore | None = None,
) -> SourceRows:
    """Read the run's workbook again; WorkbookChanged when it is not the file the run read.

    Whole-file problems (missing, password needed) raise the reader's `WorkbookError`s.
    """
    if path.is_file() and file_sha256(path) != expected_sha256:
        raise WorkbookChanged(path)
    read = read_workbook(path, password=password, mapping_store=mapping_store)
    layouts = [layout_of(sheet) for sheet in read.sheets]
    records: list[RawRecord] = []
    values: dict[str, dict[str, RowValue]] = {}
    for sheet, layout in zip(read.sheets, layouts, strict=True):
        for record in sheet.iter_records():
            records.append(record)
            values[record.key] = values_by_header(record, layout)
    return SourceRows(layouts, records, values)


def run_issues(journal: SubmissionJournal, run_id: str) -> list[Issue]:
    """What still needs fixing after a run, as issues for the error report: one per failed, refused or
    skipped row at each cell the vendor named, and one on the row for what names no cell (an order refused
    as a whole, say), in the words the row's status carries."""
    issues: list[Issue] = []
    for row in journal.rows(run_id):
        if row.status not in _REASONED_ROWS:
            continue
        code = f"row.{row.status.value}"
        located = [error for error in row.field_errors if error.cell]
        for error in located:
            column = (error.cell or "").rstrip("0123456789")
            issues.append(Issue(Severity.ERROR, code, error.message, row.sheet, row.row, column, error.field))
        if not located or len(located) < len(row.field_errors):
            message = row.detail or f"This row was {row.status.value} in run {run_id}."
            issues.append(Issue(Severity.ERROR, code, message, row.sheet, row.row))
    return issues


def build_run_report(
    journal: SubmissionJournal, run_id: str, source: SourceRows | None = None, *, with_secrets: bool = True
) -> RunReport:
    """Every row of the run with its outcome; the user's own columns from `source` when given.

    Without `source` (the workbook moved or changed), each row's values are what its line item sent. Claim
    links are decrypted from the journal only `with_secrets`; without, outcomes carry none.
    """
    run = journal.run(run_id)
    orders = {order.po_number: order for order in journal.orders(run_id)}
    results = journal.line_results(run_id, with_secrets=with_secrets)
    lines = {(line.po_number, line.external_id): line for line in results}
    submitted = {po: _first_send(journal, po) for po in orders}
    rows = journal.rows(run_id)
    paid_again = journal.paid_again(run_id)
    outcomes = [
        _outcome(
            row, orders.get(row.po_number or ""), lines.get((row.po_number or "", row.key)), submitted, source
        )
        for row in rows
    ]
    for outcome in outcomes:
        record = paid_again.get(outcome.key)
        if record is not None:
            outcome.paid_again = record.describe()
    used_sheets = {row.sheet for row in rows}
    return RunReport(
        run_id=run.id,
        workbook_path=run.workbook,
        profile=run.profile,
        created_at=_time(run.created_at),
        status=run.status.value,
        sheets=[layout for layout in source.layouts if layout.name in used_sheets] if source else [],
        outcomes=outcomes,
        campaign=run.campaign or None,
        finished_at=_time(run.updated_at) if run.status is RunStatus.COMPLETED else None,
    )


def _first_send(journal: SubmissionJournal, po_number: str) -> datetime | None:
    sends = [a["at"] for a in journal.attempts(po_number) if a["action"] == "create"]
    return _time(min(sends)) if sends else None


def _outcome(
    row: RowRecord,
    order: OrderRecord | None,
    line: LineResult | None,
    submitted: Mapping[str, datetime | None],
    source: SourceRows | None,
) -> RowOutcome:
    data = row.data
    reason = (line.failure_reason if line else None) or row.detail
    return RowOutcome(
        key=row.key,
        sheet=row.sheet,
        row=row.row,
        status=ResultStatus[row.status.name],
        values=source.values.get(row.key, {}) if source else _sent_values(data),
        order_id=order.vendor_order_id if order else None,
        po_number=row.po_number,
        line_item_id=row.line_item_id or (line.line_item_id if line else None),
        product_id=data.get("ProductId"),
        delivery_type=order.delivery_type if order else None,
        quantity=int(data.get("Quantity", 1)),
        face_value=Decimal(str(data["Value"])) if "Value" in data else None,
        cost=row.cost,
        currency=row.currency,
        claims=_claims(line),
        failure_reason=reason if row.status in _REASONED_ROWS else None,
        submitted_at=submitted.get(row.po_number or ""),
        completed_at=_time(row.updated_at) if row.status in _FINAL_ROWS else None,
        recipient=_recipient(data),
    )


def _claims(line: LineResult | None) -> tuple[Claim, ...]:
    if line is None:
        return ()
    cards = [wire.ClaimData.model_validate(card) for card in line.claim_data]  # as the journal stored it
    return tuple(Claim(c.claim_link, c.claim_link_challenge_answer) for c in cards if c.claim_link)


def _sent_values(data: Mapping[str, Any]) -> dict[str, RowValue]:
    """A line item's fields as flat columns ("Email", "Zip", "Message"), when the workbook is not at hand."""
    values: dict[str, RowValue] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            values.update(_sent_values(value))
        elif key not in _NOT_USER_DATA and isinstance(value, str | int | float | bool):
            values[key] = value
    return values


def _recipient(data: Mapping[str, Any]) -> str | None:
    personal = data.get("Personalization") or {}
    digital = data.get("DigitalDeliveryAddress") or {}
    physical = data.get("PhysicalDeliveryAddress") or {}
    for candidate in (personal.get("To"), digital.get("Email"), digital.get("Sms"), physical.get("Name")):
        if candidate:
            return str(candidate)
    return None


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
