"""The one rule for "this payment was already made", used alike by the app, the command line and the journal.

A row *claims* a payment: a recipient part (the same email, or the same SMS number, or the same name and
postal address), with the product and the value. Each part is a claim of its own, so a row matches an
earlier one when any part matches (the same person with a new email address is still caught by their
phone). Links rows name nobody: their claim is the row's content, every mapped cell compared as validation
normalises text. Claims are hashed, so that the journal can remember who got what without keeping
addresses in clear; the email part hashes as `Recipient.fingerprint` always did, so journals written before
claims existed still count.

A row whose payment was already made (`duplicate.earlier_run`), or which repeats an earlier row of the same
file cell for cell (`duplicate.exact_row`), is an error: it is sent only when the user says "pay again" for
that row, with a reason (`PayAgain`). The override, who made it and why are kept in the journal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from hashlib import blake2b

from app.domain.catalog import DeliveryType
from app.domain.recipient import Recipient
from app.domain.records import CellError

EARLIER_RUN = "duplicate.earlier_run"
EXACT_ROW = "duplicate.exact_row"
PAID_AGAIN = "duplicate.paid_again"
# How the warning of a row paid again ends: what it pays again, then this, then the user's reason.
ON_PURPOSE = " Paid again on purpose: "
# The errors "pay again" lifts; every other error stays.
BLOCKING_CODES = frozenset({EARLIER_RUN, EXACT_ROW})
MAX_REASON_LENGTH = 500


def payment_claims(recipient: Recipient) -> tuple[str, ...]:
    """The row's claims (hashes); empty when it names no product, value or delivery type yet."""
    kind, product, value = recipient.delivery_type, recipient.product_id, recipient.value
    if kind is None or product is None or value is None:
        return ()
    parts: list[str] = []
    if kind is DeliveryType.DIGITAL:
        if recipient.email:
            parts.append("email:" + recipient.email.casefold())
        if recipient.sms:
            parts.append("sms:" + recipient.sms)
    elif kind is DeliveryType.PHYSICAL:
        address = recipient.address
        if address is not None and address.name and address.line1:
            fields = (address.name, address.line1, address.zip or "", address.country or "")
            parts.append("address:" + "|".join(_folded(p) for p in fields))
    else:
        parts.append("row:" + row_content(recipient))
    tail = f"\x1f{product.casefold()}\x1f{value.normalize():f}"
    return tuple(blake2b((part + tail).encode(), digest_size=16).hexdigest() for part in parts)


def row_content(recipient: Recipient) -> str:
    """Every mapped cell of the row, normalised as validation compares text (case, spaces, 25 and 25.0)."""
    values = recipient.raw
    return "\x1e".join(
        f"{fld.value}={_cell_text(values[i])}"
        for fld, i in sorted(recipient.layout.index.items(), key=lambda item: item[0].value)
        if _cell_text(values[i])
    )


def _cell_text(value: object) -> str:
    if value is None or isinstance(value, CellError):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)).normalize()
        return f"{number:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _folded(str(value))


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class EarlierPayment:
    """A row of an earlier run that made (or is making) the same payment: where to look it up."""

    run_id: str
    created_at: datetime
    po_number: str | None
    sheet: str
    row: int
    workbook: str
    status: str

    def describe(self) -> str:
        """'run 261126-K7QX9M of 2026-11-26 (order GB-261126-K7QX9M-0001, row 7 of “Q4.xlsx”)'."""
        order = f"order {self.po_number}, " if self.po_number else ""
        name = self.workbook.replace("\\", "/").rsplit("/", 1)[-1]
        state = "" if self.status == "completed" else f"; that row is {self.status}"
        return (
            f"run {self.run_id} of {self.created_at.date().isoformat()} "
            f"({order}row {self.row} of “{name}”{state})"
        )


class EarlierPayments:
    """Payments the journal holds, by claim: what validation looks rows up in (see `payment_claims`)."""

    def __init__(self, found: Mapping[str, EarlierPayment] | None = None) -> None:
        self._by_claim = dict(found or {})

    def __bool__(self) -> bool:
        return bool(self._by_claim)

    def __len__(self) -> int:
        return len(self._by_claim)

    def find(self, claims: Iterable[str]) -> EarlierPayment | None:
        """The earlier payment any of `claims` matches (the first claim that matches wins)."""
        by_claim = self._by_claim
        for claim in claims:
            found = by_claim.get(claim)
            if found is not None:
                return found
        return None


NO_EARLIER_PAYMENTS = EarlierPayments()


@dataclass(frozen=True)
class PayAgain:
    """The rows the user chose to pay again, with why: {row key ('Sheet1!7') or row number ('7'): reason}.

    `every_row` is the reason when the user said "all" (the command line's `--pay-again all`). Only the
    blocking errors (`BLOCKING_CODES`) are lifted; a row that is not blocked is unaffected. A choice is never
    changed once made (a worker may be checking rows with it): another choice is another `PayAgain`.
    """

    rows: Mapping[str, str] = field(default_factory=dict)
    every_row: str | None = None

    def choosing(self, keys: Iterable[str], reason: str | None) -> PayAgain:
        """This choice with the rows `keys` paid again for `reason` (None: no longer paid again)."""
        rows = dict(self.rows)
        for key in keys:
            if reason is None:
                rows.pop(key, None)
            else:
                rows[key] = reason
        return PayAgain(rows, self.every_row)

    def reason_for(self, key: str, row: int) -> str | None:
        if self.every_row is not None:
            return self.every_row
        rows = self.rows
        if not rows:
            return None
        return rows.get(key) or rows.get(str(row))


@dataclass(frozen=True)
class PaidAgain:
    """A row sent although it pays again: the user's reason and what it pays again (as validation said)."""

    reason: str
    overrides: str

    @classmethod
    def of(cls, reason: str, warning: str) -> PaidAgain:
        """From the row's `duplicate.paid_again` warning, without the reason it ends with."""
        return cls(reason, warning.partition(ON_PURPOSE)[0])


def check_reason(reason: str) -> str:
    """The reason for paying again, trimmed; ValueError when it says nothing or runs too long."""
    text = " ".join(reason.split())
    if len(text) < 3:
        raise ValueError("Say why this payment is made again (at least a few words).")
    if len(text) > MAX_REASON_LENGTH:
        raise ValueError(f"The reason is {len(text):,} characters long; keep it to {MAX_REASON_LENGTH:,}.")
    return text
