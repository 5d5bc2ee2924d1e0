"""Payments claimed in the journal: the check for earlier payments and the taking of new ones, in one transaction.

Every row a run sends claims its payments (`app.domain.payments.payment_claims`): the `claims` table keeps
them by hash, next to the row. A claim counts while its row is not failed, rejected or skipped, so a row that
was planned but not sent yet counts too: its run will send it when resumed. `SubmissionJournal.create_run`
calls `check_and_take` inside the write transaction that stores the run (SQLite's write lock, `BEGIN
IMMEDIATE`): of two runs stored at the same moment, by two processes or by the app and a scheduled job, the
second finds the first one's claims and stores nothing. Rows the user chose to pay again are let through,
and who chose it (the OS user), why and what they pay again are kept in `paid_again`.
"""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.errors import GiftbatchError
from app.domain.payments import EarlierPayment, EarlierPayments
from app.engine.plan import Plan, PlanRow
from app.engine.states import RowStatus

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS claims ("
    " fingerprint TEXT NOT NULL, run_id TEXT NOT NULL, key TEXT NOT NULL,"
    " PRIMARY KEY (fingerprint, run_id, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS paid_again ("
    " run_id TEXT NOT NULL, key TEXT NOT NULL, os_user TEXT NOT NULL, reason TEXT NOT NULL,"
    " overrides TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (run_id, key))",
)
# Rows whose payment stands: made, being made, or stored to be made when the run is resumed.
LIVE = (RowStatus.QUEUED, RowStatus.SENDING, RowStatus.ACCEPTED, RowStatus.PENDING, RowStatus.COMPLETED)
_LIVE_SQL = ", ".join(f"'{status.value}'" for status in LIVE)
_EARLIER = (
    "SELECT c.fingerprint, r.run_id, r.key, r.po_number, r.sheet, r.row, r.status, u.created_at, u.workbook "
    "FROM claims c JOIN rows r ON r.run_id = c.run_id AND r.key = c.key JOIN runs u ON u.id = r.run_id "
    f"WHERE r.status IN ({_LIVE_SQL})"
)
_CHUNK = 500  # claims looked up per query (SQLite allows 999 parameters in older builds)
_SHOWN = 5


def ensure_tables(db: sqlite3.Connection) -> None:
    """Create the tables if this journal has none yet; claims of runs stored before are taken from their rows
    (`fingerprint`: the email, SMS or address claim, hashed the same way)."""
    existed = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'claims'").fetchone()
    for statement in _SCHEMA:
        db.execute(statement)
    if not existed:
        db.execute(
            "INSERT OR IGNORE INTO claims SELECT fingerprint, run_id, key FROM rows WHERE fingerprint != ''"
        )


@dataclass(frozen=True)
class PaidAgainRecord:
    """A row sent although it paid again: who chose it (OS user), why, what it paid again, and when."""

    key: str
    os_user: str
    reason: str
    overrides: str
    at: str

    def describe(self) -> str:
        """'Paid again on purpose by maria on 2026-11-27: bonus correction. Row 7 repeats …'."""
        return f"Paid again on purpose by {self.os_user} on {self.at[:10]}: {self.reason}. {self.overrides}"


class PaymentsTaken(GiftbatchError):
    """Rows of a run being stored are already paid by another run (stored meanwhile): nothing was stored."""

    exit_code = 1

    def __init__(self, taken: Sequence[tuple[PlanRow, EarlierPayment]]) -> None:
        shown = "; ".join(
            f"row {row.row} of “{row.sheet}” in {earlier.describe()}" for row, earlier in taken[:_SHOWN]
        )
        more = f"; and {len(taken) - _SHOWN:,} more" if len(taken) > _SHOWN else ""
        rows = "1 row is" if len(taken) == 1 else f"{len(taken):,} rows are"
        super().__init__(
            f"Nothing was sent: {rows} already paid by another run: {shown}{more}. Another person or a "
            "scheduled job may have sent this workbook meanwhile; check that run first. Validate the workbook "
            "again: the rows already paid are marked, the others can be sent."
        )
        self.taken = list(taken)


def earlier_payments(db: sqlite3.Connection) -> EarlierPayments:
    """Every payment the journal holds, by claim (the newest row where several made the same one)."""
    found: dict[str, EarlierPayment] = {}
    made: dict[tuple[str, str], EarlierPayment] = {}
    for r in db.execute(_EARLIER + " ORDER BY r.updated_at"):
        place = (r[1], r[2])
        payment = made.get(place)
        if payment is None:
            payment = made[place] = _payment(r)
        found[r[0]] = payment
    return EarlierPayments(found)


def check_not_taken(db: sqlite3.Connection, plan: Plan) -> dict[str, list[EarlierPayment]]:
    """Raise PaymentsTaken when a row of `plan` pays what another run pays and the user did not choose to
    pay it again; else the earlier payments the rows paid again repeat, by row key."""
    rows = [row for order in plan.orders for row in order.rows]
    found = _taken(db, rows)
    blocked = [(row, found[row.key][0]) for row in rows if row.key in found and row.paid_again is None]
    if blocked:
        raise PaymentsTaken(blocked)
    return found


def check_and_take(db: sqlite3.Connection, plan: Plan, at: str) -> None:
    """Inside the transaction storing `plan`: `check_not_taken`, then take every row's claims and keep who
    paid which rows again, and why."""
    found = check_not_taken(db, plan)
    rows = [row for order in plan.orders for row in order.rows]
    db.executemany(
        "INSERT OR IGNORE INTO claims VALUES (?, ?, ?)",
        ((claim, plan.run_id, row.key) for row in rows for claim in row.claims),
    )
    user = os_user()
    db.executemany(
        "INSERT INTO paid_again VALUES (?, ?, ?, ?, ?, ?)",
        [
            (plan.run_id, row.key, user, row.paid_again.reason, _overrides(row, found.get(row.key, ())), at)
            for row in rows
            if row.paid_again is not None
        ],
    )


def paid_again(db: sqlite3.Connection, run_id: str) -> dict[str, PaidAgainRecord]:
    """The run's rows sent although they paid again, by row key."""
    found = db.execute(
        "SELECT key, os_user, reason, overrides, at FROM paid_again WHERE run_id = ?", (run_id,)
    )
    return {r[0]: PaidAgainRecord(r[0], r[1], r[2], r[3], r[4]) for r in found}


def os_user() -> str:
    """Who is logged in: the name the OS knows them by ('unknown' where it cannot say)."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):  # no login name in the environment and none in the user database
        return "unknown"


def _taken(db: sqlite3.Connection, rows: Sequence[PlanRow]) -> dict[str, list[EarlierPayment]]:
    """Rows whose claims another run holds, by row key, with those runs' rows."""
    by_claim: dict[str, list[str]] = {}
    for row in rows:
        for claim in row.claims:
            by_claim.setdefault(claim, []).append(row.key)
    found: dict[str, list[EarlierPayment]] = {}
    for chunk in _chunks(list(by_claim), _CHUNK):
        marks = ", ".join("?" * len(chunk))
        for r in db.execute(_EARLIER + f" AND c.fingerprint IN ({marks})", chunk):
            payment = _payment(r)
            for key in by_claim[r[0]]:
                if payment not in found.setdefault(key, []):
                    found[key].append(payment)
    return found


def _payment(r: sqlite3.Row) -> EarlierPayment:
    return EarlierPayment(
        run_id=str(r[1]),
        created_at=datetime.fromisoformat(str(r[7])),
        po_number=None if r[3] is None else str(r[3]),
        sheet=str(r[4]),
        row=int(r[5]),
        workbook=str(r[8]),
        status=str(r[6]),
    )


def _overrides(row: PlanRow, earlier: Iterable[EarlierPayment]) -> str:
    """What the row pays again: what validation said, and any run that paid it since."""
    assert row.paid_again is not None
    said = row.paid_again.overrides
    also = [payment.describe() for payment in earlier if payment.describe() not in said]
    return said if not also else f"{said} Also paid in {'; '.join(also)}."


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
