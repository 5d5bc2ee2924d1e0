"""The submission journal: every run, row, order, attempt and result in SQLite, written before each request.

SQLite in WAL mode: readers (the GUI, `giftbatch status`) never block the writer. Each thread gets its own
connection; writes take SQLite's write lock (`BEGIN IMMEDIATE`), so two processes cannot interleave half-done
changes. Every committed write survives a crash of the process (SIGKILL included). The writes the
exactly-once argument rests on (the plan, `sending` before a request, a refused order's re-plan; see
`app/engine/runner.py`) are also on disk when they return (`synchronous=FULL`), so they survive a power cut
too. The others — the vendor's answers, history, run status — are written with `synchronous=NORMAL`: a power
cut or an OS crash may lose the last of them, never one without all later ones (the WAL is replayed in order,
and each durable commit puts everything before it on disk), and what is lost is read from the vendor again
on resume (a resend is answered 409 with the original, a poll gives the results).

Claim links and challenge answers are kept in `line_results` because the user needs them for the results
export; they are never logged, never put in events, and only `line_results(with_secrets=True)` returns them.
On disk they are encrypted (`app/engine/secrets_at_rest.py`), and the file, its WAL and its folder are
readable by the user alone. Every write checks that the file is still the one opened, and a damaged file is
named with the way back (`app/engine/journal_guard.py`); backups: `app/engine/journal_backup.py`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from app.api import wire
from app.domain.catalog import DeliveryType
from app.domain.fields import Field
from app.domain.payments import EarlierPayments
from app.domain.redaction import redact
from app.engine import claims, journal_backup
from app.engine.claims import PaidAgainRecord
from app.engine.field_errors import MappedErrors, RowError
from app.engine.journal_guard import (
    FileIdentity,
    JournalError,
    check_same_file,
    create_private,
    damaged,
    is_damage,
)
from app.engine.plan import Plan, PlannedOrder, add_costs
from app.engine.secrets_at_rest import ClaimSealer, ensure_meta, scrub_file, seal_plain_claims
from app.engine.states import (
    ROW_STATUS_OF_ORDER,
    OrderState,
    RowStatus,
    RunStatus,
    check_order_transition,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    created_at      TEXT NOT NULL,
    workbook        TEXT NOT NULL,
    workbook_sha256 TEXT NOT NULL,
    profile         TEXT NOT NULL,
    settings        TEXT NOT NULL,
    campaign        TEXT NOT NULL,
    status          TEXT NOT NULL,
    message         TEXT,
    updated_at      TEXT NOT NULL
);
CREATE TABLE orders (
    run_id          TEXT NOT NULL REFERENCES runs(id),
    seq             INTEGER NOT NULL,
    po_number       TEXT NOT NULL UNIQUE,
    delivery_type   TEXT NOT NULL,
    request         TEXT NOT NULL,
    cards           INTEGER NOT NULL,
    costs           TEXT NOT NULL,
    state           TEXT NOT NULL,
    vendor_order_id TEXT,
    vendor_status   TEXT,
    total_cost      TEXT,
    error           TEXT,
    sends           INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE rows (
    run_id          TEXT NOT NULL REFERENCES runs(id),
    key             TEXT NOT NULL,
    sheet           TEXT NOT NULL,
    row             INTEGER NOT NULL,
    data            TEXT NOT NULL,
    cells           TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    currency        TEXT,
    cost            TEXT,
    status          TEXT NOT NULL,
    po_number       TEXT REFERENCES orders(po_number),
    line_index      INTEGER,
    line_item_id    TEXT,
    detail          TEXT,
    field_errors    TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE INDEX rows_by_order ON rows (po_number);
CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    po_number       TEXT NOT NULL,
    at              TEXT NOT NULL,
    action          TEXT NOT NULL,
    status_code     INTEGER,
    error_kind      TEXT,
    latency_ms      INTEGER NOT NULL
);
CREATE INDEX attempts_by_order ON attempts (po_number);
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    run_id          TEXT NOT NULL,
    at              TEXT NOT NULL,
    kind            TEXT NOT NULL,
    data            TEXT NOT NULL
);
CREATE INDEX events_by_run ON events (run_id);
CREATE TABLE line_results (
    po_number       TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    line_item_id    TEXT,
    status          TEXT NOT NULL,
    failure_reason  TEXT,
    claim_data      TEXT NOT NULL,
    PRIMARY KEY (po_number, external_id)
);
"""

# What each version adds to the one before; a new journal is made at version 1 and brought up step by step.
_UPGRADES: dict[int, tuple[str, ...]] = {
    # The refused order a re-planned one took its rows from: a row is re-planned at most once.
    2: ("ALTER TABLE orders ADD COLUMN replanned_from TEXT",),
}

# Line-item statuses that settle a row; anything else keeps the row with its order.
_ROW_STATUS_OF_LINE = {
    wire.OrderStatus.COMPLETED: RowStatus.COMPLETED,
    wire.OrderStatus.FAILED: RowStatus.FAILED,
}

_ROW_STATUS = {status.value: status for status in RowStatus}

_ORDER_STATE_OF_VENDOR = {
    wire.OrderStatus.PENDING: OrderState.PENDING,
    wire.OrderStatus.PROCESSING: OrderState.PENDING,
    wire.OrderStatus.COMPLETED: OrderState.COMPLETED,
    wire.OrderStatus.PARTIALLY_COMPLETED: OrderState.PARTIALLY_COMPLETED,
    wire.OrderStatus.FAILED: OrderState.FAILED,
    wire.OrderStatus.UNKNOWN: OrderState.ACCEPTED,
}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class RunRecord:
    """A run as stored; `status` is what the last owner wrote (see `SubmissionRunner` for the live status)."""

    id: str
    created_at: str
    workbook: str
    workbook_sha256: str
    profile: str
    settings: Mapping[str, Any]
    campaign: str
    status: RunStatus
    message: str | None
    updated_at: str


@dataclass(frozen=True)
class OrderRecord:
    run_id: str
    seq: int
    po_number: str
    delivery_type: DeliveryType
    request_json: str = field(repr=False)
    cards: int
    costs: Mapping[str, Decimal]
    state: OrderState
    vendor_order_id: str | None
    vendor_status: str | None
    total_cost: Decimal | None
    error: str | None
    sends: int
    updated_at: str

    @cached_property
    def request(self) -> wire.OrderRequest:
        """The exact body to send, read on demand: parsing a hundred line items is the costly part."""
        return wire.OrderRequest.model_validate_json(self.request_json)

    @property
    def row_keys(self) -> list[str]:
        return [item.external_id or "" for item in self.request.line_items]

    @property
    def currency_costs(self) -> str:
        return ", ".join(f"{amount:,.2f} {currency}" for currency, amount in self.costs.items())


@dataclass(frozen=True)
class RowRecord:
    run_id: str
    key: str
    sheet: str
    row: int
    data: Mapping[str, Any] = field(repr=False)
    cells: Mapping[str, str]
    fingerprint: str
    currency: str | None
    cost: Decimal | None
    status: RowStatus
    po_number: str | None
    line_index: int | None
    line_item_id: str | None
    detail: str | None
    field_errors: tuple[RowError, ...]
    updated_at: str


@dataclass(frozen=True)
class LineResult:
    """What the vendor reported for one line item. `claim_data` holds bearer secrets: never log it."""

    po_number: str
    external_id: str
    line_item_id: str | None
    status: str
    failure_reason: str | None
    claim_data: tuple[Mapping[str, Any], ...] = field(repr=False)


@dataclass(frozen=True)
class Attempt:
    """One call to the vendor about an order, as the attempts table keeps it."""

    po_number: str
    action: str
    status_code: int | None
    error_kind: str | None
    latency_s: float
    at: str = field(default_factory=now_iso)


@dataclass(frozen=True)
class Rejection:
    """What a 400 did: the rows now rejected, and the new order carrying the order's other rows, if any."""

    rejected: list[RowChange]
    retry_po_number: str | None


@dataclass(frozen=True)
class RowChange:
    """A row's new status, as events report it (no personal data beyond where the row is)."""

    key: str
    sheet: str
    row: int
    status: RowStatus
    detail: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "sheet": self.sheet,
            "row": self.row,
            "status": self.status.value,
            "detail": self.detail,
        }


class SubmissionJournal:
    """Reads and writes the journal at `path`. Safe to share between threads; each gets its own connection."""

    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        create_private(path)
        self._identity = FileIdentity.of(path)
        self.claims = ClaimSealer(path)
        self._migrate()

    # --- Connections and transactions --------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            # Transactions are ours (BEGIN IMMEDIATE … COMMIT), not the sqlite3 module's implicit ones.
            connection = sqlite3.connect(
                self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA foreign_keys=ON")
            self._local.connection = connection
            self._local.durable = True
            with self._lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _write(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; `durable`: on disk when it returns (see the module docstring for which).

        Refused (JournalGone) when the file was deleted or replaced since it was opened: SQLite would
        otherwise write on into a file nobody can open again.
        """
        check_same_file(self.path, self._identity)
        with self._damage_named():
            connection = self._connection()
            if self._local.durable != durable:
                # FULL: a commit is on disk before we send the request it announces. NORMAL skips the fsync.
                connection.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
                self._local.durable = durable
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def _read(self, sql: str, parameters: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._damage_named():
            return self._connection().execute(sql, parameters).fetchall()

    @contextmanager
    def _damage_named(self) -> Iterator[None]:
        """SQLite's "malformed" and "not a database" as JournalDamaged, with the way back."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            newest = journal_backup.backups(self.path)
            raise damaged(self.path, error, newest[0].describe() if newest else None) from None

    def backup(self) -> journal_backup.Backup | None:
        """Take an online backup now (a few generations are kept); None, with a log line, if it failed.

        Also works after the file was deleted under us: the open connection still reads it, so its last
        state is saved where `giftbatch journal restore` finds it.
        """
        try:
            with self._damage_named():
                return journal_backup.take_backup(self._connection(), self.path)
        except (OSError, sqlite3.Error, JournalError) as error:
            log.warning("Could not back up the journal %s: %s", self.path, error)
            return None

    def key_note(self) -> str | None:
        """What to tell the user about where the claim-link key is kept; None when in the OS keyring."""
        return self.claims.place().note

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    def _migrate(self) -> None:
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise JournalError(
                    f"The journal {self.path} was written by a newer Giftbatch (schema {version}); "
                    "update Giftbatch to read it."
                )
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                version = 1
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _UPGRADES[step]:
                    db.execute(statement)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            claims.ensure_tables(db)
            ensure_meta(db)
            sealed = seal_plain_claims(db, self.claims)
        if sealed:
            log.info("Encrypted the claim data of %d line items kept in clear by an earlier version", sealed)
            with self._damage_named():
                scrub_file(self._connection())

    # --- Creating a run ----------------------------------------------------------------------------------

    def create_run(
        self,
        plan: Plan,
        *,
        workbook: str,
        workbook_sha256: str,
        profile: str,
        settings: Mapping[str, Any],
        campaign: str,
    ) -> RunRecord:
        """Store the whole plan — run, every order with its PONumber and body, every row — in one transaction.

        Nothing is sent before this commits, so every order that ever reaches the vendor is in the journal.
        The same transaction checks that no other run pays what this one pays and takes its claims
        (`app.engine.claims`): raises PaymentsTaken, storing nothing, when another run was there first.
        """
        at = now_iso()
        with self._write() as db:
            claims.check_and_take(db, plan, at)
            db.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (
                    plan.run_id,
                    at,
                    workbook,
                    workbook_sha256,
                    profile,
                    json.dumps(dict(settings)),
                    campaign,
                    RunStatus.INTERRUPTED.value,
                    at,
                ),
            )
            db.executemany(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, 0, ?, NULL)",
                [_order_values(plan.run_id, order, at) for order in plan.orders],
            )
            db.executemany(
                "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)",
                [v for order in plan.orders for v in _row_values(plan.run_id, order, at)],
            )
            db.executemany(
                "INSERT INTO rows VALUES "
                "(?, ?, ?, ?, '{}', '{}', ?, NULL, NULL, ?, NULL, NULL, NULL, ?, NULL, ?)",
                [
                    (plan.run_id, s.key, s.sheet, s.row, s.fingerprint, RowStatus.SKIPPED.value, s.reason, at)
                    for s in plan.skipped
                ],
            )
        return self.run(plan.run_id)

    # --- Reading -----------------------------------------------------------------------------------------

    def run(self, run_id: str) -> RunRecord:
        found = self._read("SELECT * FROM runs WHERE id = ?", (run_id,))
        if not found:
            raise JournalError(f"There is no run '{run_id}'. List the runs with 'giftbatch runs'.")
        return _run_record(found[0])

    def runs(self) -> list[RunRecord]:
        return [_run_record(r) for r in self._read("SELECT * FROM runs ORDER BY created_at DESC, id")]

    def run_sizes(self) -> dict[str, tuple[int, int]]:
        """(rows, orders) of every run, by run id."""
        rows: dict[str, int] = {
            r[0]: r[1] for r in self._read("SELECT run_id, COUNT(*) FROM rows GROUP BY run_id")
        }
        orders: dict[str, int] = {
            r[0]: r[1] for r in self._read("SELECT run_id, COUNT(*) FROM orders GROUP BY run_id")
        }
        return {run_id: (rows.get(run_id, 0), orders.get(run_id, 0)) for run_id in {*rows, *orders}}

    def earlier_payments(self) -> EarlierPayments:
        """Payments made, being made or stored to be made by any run, by claim: validation blocks a row that
        would make one of them again. Rows that failed, were rejected or skipped do not count."""
        return claims.earlier_payments(self._connection())

    def check_not_taken(self, plan: Plan) -> None:
        """Raise PaymentsTaken when another run pays a row of `plan` (the check `create_run` makes again)."""
        claims.check_not_taken(self._connection(), plan)

    def paid_again(self, run_id: str) -> dict[str, PaidAgainRecord]:
        """The run's rows the user chose to send although they paid again: who, why and what, by row key."""
        return claims.paid_again(self._connection(), run_id)

    def unfinished_runs(self) -> list[RunRecord]:
        """Runs with an order not final yet: they can be resumed (or tracked) and are listed at start."""
        found = self._read(
            "SELECT * FROM runs WHERE id IN (SELECT DISTINCT run_id FROM orders WHERE state IN (?, ?, ?, ?)) "
            "ORDER BY created_at DESC, id",
            [s.value for s in OrderState if not s.is_final],
        )
        return [_run_record(r) for r in found]

    def orders(self, run_id: str, states: Iterable[OrderState] | None = None) -> list[OrderRecord]:
        sql, parameters = "SELECT * FROM orders WHERE run_id = ?", [run_id]
        if states is not None:
            wanted = [s.value for s in states]
            sql += f" AND state IN ({', '.join('?' * len(wanted))})"
            parameters += wanted
        return [_order_record(r) for r in self._read(sql + " ORDER BY seq", parameters)]

    def order(self, po_number: str) -> OrderRecord:
        found = self._read("SELECT * FROM orders WHERE po_number = ?", (po_number,))
        if not found:
            raise JournalError(f"There is no order with PONumber {po_number} in the journal.")
        return _order_record(found[0])

    def rows(self, run_id: str) -> list[RowRecord]:
        found = self._read("SELECT * FROM rows WHERE run_id = ? ORDER BY sheet, row, key", (run_id,))
        return [_row_record(r) for r in found]

    def rows_with_problems(self, run_id: str, limit: int) -> list[RowRecord]:
        """Up to `limit` rows that failed or were rejected, with why (`detail`), in sheet and row order."""
        found = self._read(
            "SELECT * FROM rows WHERE run_id = ? AND status IN (?, ?) ORDER BY sheet, row, key LIMIT ?",
            (run_id, RowStatus.FAILED.value, RowStatus.REJECTED.value, limit),
        )
        return [_row_record(r) for r in found]

    def rows_of_order(self, po_number: str) -> list[RowRecord]:
        found = self._read("SELECT * FROM rows WHERE po_number = ? ORDER BY line_index", (po_number,))
        return [_row_record(r) for r in found]

    def changes_of_order(self, po_number: str) -> list[RowChange]:
        """The order's rows as events report them."""
        return self._changes(self._connection(), po_number)

    def row_counts(self, run_id: str) -> dict[RowStatus, int]:
        found = self._read("SELECT status, COUNT(*) FROM rows WHERE run_id = ? GROUP BY status", (run_id,))
        return {RowStatus(status): count for status, count in found}

    def order_counts(self, run_id: str) -> dict[OrderState, int]:
        found = self._read("SELECT state, COUNT(*) FROM orders WHERE run_id = ? GROUP BY state", (run_id,))
        return {OrderState(state): count for state, count in found}

    def line_results(self, run_id: str, *, with_secrets: bool = True) -> list[LineResult]:
        """Every line item's result; claim links decrypted only `with_secrets` (for the results export, never
        for logs), else left out (and then no key is needed)."""
        found = self._read(
            "SELECT l.* FROM line_results l JOIN orders o ON o.po_number = l.po_number WHERE o.run_id = ? "
            "ORDER BY o.seq, l.external_id",
            (run_id,),
        )
        return [
            LineResult(
                r["po_number"],
                r["external_id"],
                r["line_item_id"],
                r["status"],
                r["failure_reason"],
                tuple(json.loads(self.claims.open(r["claim_data"], r["po_number"], r["external_id"])))
                if with_secrets
                else (),
            )
            for r in found
        ]

    def attempts(self, po_number: str) -> list[dict[str, Any]]:
        found = self._read("SELECT * FROM attempts WHERE po_number = ? ORDER BY id", (po_number,))
        return [dict(r) for r in found]

    def events(self, run_id: str) -> list[tuple[str, dict[str, Any]]]:
        found = self._read("SELECT kind, data FROM events WHERE run_id = ? ORDER BY id", (run_id,))
        return [(r["kind"], json.loads(r["data"])) for r in found]

    # --- Writing: runs -----------------------------------------------------------------------------------

    def set_run_status(self, run_id: str, status: RunStatus, message: str | None = None) -> None:
        with self._write(durable=False) as db:
            db.execute(
                "UPDATE runs SET status = ?, message = ?, updated_at = ? WHERE id = ?",
                (status.value, redact(message) if message else None, now_iso(), run_id),
            )

    def add_events(self, run_id: str, events: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Append events (kind, data) in one transaction; secrets are redacted from the text stored."""
        self.add_history(run_id, events, ())

    def add_history(
        self, run_id: str, events: Sequence[tuple[str, Mapping[str, Any]]], attempts: Sequence[Attempt]
    ) -> None:
        """Events (as `add_events`) and attempts (as `record_attempts`) in one transaction."""
        if not events and not attempts:
            return
        with self._write(durable=False) as db:
            _insert_events(db, run_id, events)
            _insert_attempts(db, attempts)

    def add_event(self, run_id: str, kind: str, data: Mapping[str, Any]) -> None:
        self.add_events(run_id, [(kind, data)])

    def record_attempts(self, attempts: Sequence[Attempt]) -> None:
        """Calls to the vendor: what came back and how long it took (never a body), in one transaction."""
        if attempts:
            with self._write(durable=False) as db:
                _insert_attempts(db, attempts)

    def record_attempt(
        self,
        po_number: str,
        action: str,
        *,
        status_code: int | None,
        error_kind: str | None,
        latency_s: float,
    ) -> None:
        self.record_attempts([Attempt(po_number, action, status_code, error_kind, latency_s)])

    def row_statuses(self, run_id: str) -> dict[str, RowStatus]:
        """Every row's status by key (cheap: no row data is read)."""
        found = self._read("SELECT key, status FROM rows WHERE run_id = ?", (run_id,))
        return {r["key"]: RowStatus(r["status"]) for r in found}

    # --- Writing: orders ---------------------------------------------------------------------------------

    def mark_sending(self, po_number: str) -> list[RowChange]:
        """Committed before the request goes out: from here on the vendor may have the order."""
        with self._write() as db:
            self._move(db, po_number, OrderState.SENDING)
            db.execute("UPDATE orders SET sends = sends + 1 WHERE po_number = ?", (po_number,))
            return self._rows_follow(db, po_number, RowStatus.SENDING)

    def mark_planned(self, po_number: str, error: str) -> list[RowChange]:
        """The vendor refused the order for lack of funds: it was not created and is sent again later."""
        with self._write() as db:
            self._move(db, po_number, OrderState.PLANNED, error=error)
            return self._rows_follow(db, po_number, RowStatus.QUEUED)

    def note_error(self, po_number: str, error: str) -> None:
        """Why the last send did not settle the order; the state stays as it was (usually `sending`)."""
        with self._write(durable=False) as db:
            db.execute(
                "UPDATE orders SET error = ?, updated_at = ? WHERE po_number = ?",
                (redact(error), now_iso(), po_number),
            )

    def reject_order(self, po_number: str, message: str, errors: MappedErrors) -> Rejection:
        """The vendor refused the order as malformed (400), so it does not exist at the vendor.

        The rows it names are rejected with their field errors. The other rows of the order did nothing wrong:
        rather than reject them too (the all-or-nothing upload users hate), they move in this same transaction
        to a new order with the next sequence number and a new PONumber, planned and stored before it is sent.
        They were never paid (the refused order does not exist), so sending them once more pays them once.

        Nothing is sent again without end: when the errors name no row of the order (no field errors, paths we
        cannot map, errors about the whole order only), every row is rejected with the vendor's message; and
        an order that is itself a re-plan is never re-planned again: its other rows are rejected too.
        """
        with self._write() as db:
            self._move(db, po_number, OrderState.REJECTED, error=message)
            keys = self._row_keys(db, po_number)
            named = {key for key in keys if key in errors.by_row}
            # Errors about the whole order beside named rows (ASP.NET adds one when a value cannot be read)
            # do not condemn the others: they are re-planned once, and refused then if the order is at fault.
            whole = not named
            culprits = set(keys) if whole else named
            innocent = [key for key in keys if key not in culprits]
            second = bool(innocent) and self._is_replan(db, po_number)
            updates = [
                _rejected_row(key, [*errors.by_row.get(key, ()), *errors.order_level], message, whole)
                for key in keys
                if key in culprits
            ]
            if second:
                again = _second_refusal(_rejection_reason(errors, message))
                updates += [_rejected_row(key, [], again, whole=False) for key in innocent]
            at = now_iso()
            db.executemany(
                "UPDATE rows SET status = ?, detail = ?, field_errors = ?, updated_at = ? "
                "WHERE po_number = ? AND key = ?",
                [
                    (RowStatus.REJECTED.value, detail, found, at, po_number, key)
                    for key, detail, found in updates
                ],
            )
            rejected = self._changes(db, po_number)
            retry_po = self._replan(db, po_number, innocent, at) if innocent and not second else None
            return Rejection(rejected, retry_po)

    def _is_replan(self, db: sqlite3.Connection, po_number: str) -> bool:
        """True when the order took its rows from an order the vendor refused before."""
        found = db.execute("SELECT replanned_from FROM orders WHERE po_number = ?", (po_number,)).fetchone()
        return found is not None and found[0] is not None

    def _replan(self, db: sqlite3.Connection, po_number: str, keys: list[str], at: str) -> str:
        """A new planned order for `keys` (rows of the refused order `po_number`); returns its PONumber."""
        refused = db.execute("SELECT * FROM orders WHERE po_number = ?", (po_number,)).fetchone()
        run_id = refused["run_id"]
        seq = db.execute("SELECT MAX(seq) FROM orders WHERE run_id = ?", (run_id,)).fetchone()[0] + 1
        stem, digits = po_number.rsplit("-", 1)
        new_po = f"{stem}-{seq:0{len(digits)}d}"
        request = wire.OrderRequest.model_validate_json(refused["request"])
        wanted = set(keys)
        items = [item for item in request.line_items if item.external_id in wanted]
        retry = request.model_copy(update={"po_number": new_po, "line_items": items})
        rows = db.execute(
            "SELECT key, currency, cost FROM rows "
            f"WHERE po_number = ? AND key IN ({', '.join('?' * len(keys))})",
            (po_number, *keys),
        ).fetchall()
        costs = add_costs({r["currency"]: Decimal(r["cost"])} for r in rows if r["currency"])
        db.execute(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, 0, ?, ?)",
            (
                run_id,
                seq,
                new_po,
                refused["delivery_type"],
                retry.model_dump_json(by_alias=True, exclude_none=True),
                sum(item.quantity for item in items),
                json.dumps({c: str(a) for c, a in costs.items()}),
                OrderState.PLANNED.value,
                f"re-planned from {po_number}, which the vendor refused",
                at,
                po_number,
            ),
        )
        db.executemany(
            "UPDATE rows SET po_number = ?, line_index = ?, status = ?, detail = NULL, updated_at = ? "
            "WHERE po_number = ? AND key = ?",
            [
                (new_po, index, RowStatus.QUEUED.value, at, po_number, item.external_id)
                for index, item in enumerate(items)
            ],
        )
        return new_po

    def record_order(self, po_number: str, order: wire.Order) -> tuple[OrderState, list[RowChange]]:
        """The vendor's view of the order (its create answer, or a poll) into orders, rows and line results.

        A final order that does not yet report a final result for every row's line item is kept as pending
        and polled again, so no row is called completed or failed on a guess.

        Not durable: if a power cut loses it, the order reads as `sending` again and resuming it is
        answered 409 with this same order, or it is polled again.
        """
        with self._write(durable=False) as db:
            places = self._places(db, po_number)
            keys = [place[0] for place in places]
            state = order_state(keys, order)
            self._move(
                db,
                po_number,
                state,
                vendor_order_id=order.id,
                vendor_status=order.status.value,
                total_cost=order.total_cost,
            )
            self._store_lines(db, po_number, keys, order)
            if state.is_final and order.line_items:
                return state, self._rows_from_lines(db, po_number)
            return state, self._rows_follow(db, po_number, ROW_STATUS_OF_ORDER[state], places)

    def mark_foreign(self, po_number: str, error: str) -> list[RowChange]:
        """The vendor holds another order under our PONumber: ours was never created and pays no row.

        The order and its rows are marked failed with the reason, so the user sends those rows again (a new
        run gives them new PONumbers); nothing of ours was charged.
        """
        with self._write() as db:
            self._move(db, po_number, OrderState.FAILED, error=error)
            db.execute(
                "UPDATE rows SET status = ?, detail = ?, updated_at = ? WHERE po_number = ?",
                (RowStatus.FAILED.value, redact(error), now_iso(), po_number),
            )
            return self._changes(db, po_number)

    # --- Internals ---------------------------------------------------------------------------------------

    def _move(
        self,
        db: sqlite3.Connection,
        po_number: str,
        new: OrderState,
        *,
        error: str | None = None,
        vendor_order_id: str | None = None,
        vendor_status: str | None = None,
        total_cost: Decimal | None = None,
    ) -> None:
        found = db.execute("SELECT state FROM orders WHERE po_number = ?", (po_number,)).fetchone()
        if found is None:
            raise JournalError(f"There is no order with PONumber {po_number} in the journal.")
        check_order_transition(OrderState(found["state"]), new)
        db.execute(
            "UPDATE orders SET state = ?, error = ?, vendor_order_id = COALESCE(?, vendor_order_id), "
            "vendor_status = COALESCE(?, vendor_status), total_cost = COALESCE(?, total_cost), "
            "updated_at = ? "
            "WHERE po_number = ?",
            (
                new.value,
                redact(error) if error else None,
                vendor_order_id,
                vendor_status,
                None if total_cost is None else str(total_cost),
                now_iso(),
                po_number,
            ),
        )

    def _row_keys(self, db: sqlite3.Connection, po_number: str) -> list[str]:
        """The order's rows in line-item order."""
        found = db.execute("SELECT key FROM rows WHERE po_number = ? ORDER BY line_index", (po_number,))
        return [r["key"] for r in found]

    def _places(self, db: sqlite3.Connection, po_number: str) -> list[tuple[str, str, int]]:
        """(key, sheet, row) of the order's rows in line-item order."""
        found = db.execute(
            "SELECT key, sheet, row FROM rows WHERE po_number = ? ORDER BY line_index", (po_number,)
        )
        return [(r[0], r[1], r[2]) for r in found]

    def _rows_follow(
        self,
        db: sqlite3.Connection,
        po_number: str,
        status: RowStatus,
        places: list[tuple[str, str, int]] | None = None,
    ) -> list[RowChange]:
        """Every row of the order to `status` (no detail); `places`: the order's rows, when already read."""
        db.execute(
            "UPDATE rows SET status = ?, detail = NULL, updated_at = ? WHERE po_number = ?",
            (status.value, now_iso(), po_number),
        )
        if places is None:
            places = self._places(db, po_number)
        # The rows `_changes` would read back, without reading their status: it is `status` for all of them.
        return [RowChange(key, sheet, row, status) for key, sheet, row in places]

    def _store_lines(
        self, db: sqlite3.Connection, po_number: str, keys: list[str], order: wire.Order
    ) -> None:
        db.executemany(
            "INSERT INTO line_results VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (po_number, external_id) DO UPDATE SET "
            "line_item_id = excluded.line_item_id, status = excluded.status, "
            "failure_reason = excluded.failure_reason, claim_data = excluded.claim_data",
            [
                (
                    po_number,
                    key,
                    item.id,
                    item.status.value,
                    item.failure_reason,
                    self.claims.seal(db, _claims_json(item.claim_data), po_number, key),
                )
                for key, item in match_lines(keys, order).items()
            ],
        )

    def _rows_from_lines(self, db: sqlite3.Connection, po_number: str) -> list[RowChange]:
        at = now_iso()
        lines = db.execute("SELECT * FROM line_results WHERE po_number = ?", (po_number,)).fetchall()
        db.executemany(
            "UPDATE rows SET status = ?, line_item_id = ?, detail = ?, updated_at = ? "
            "WHERE po_number = ? AND key = ?",
            [
                (
                    _ROW_STATUS_OF_LINE[wire.OrderStatus(line["status"])].value,
                    line["line_item_id"],
                    line["failure_reason"],
                    at,
                    po_number,
                    line["external_id"],
                )
                for line in lines
            ],
        )
        return self._changes(db, po_number)

    def _changes(self, db: sqlite3.Connection, po_number: str) -> list[RowChange]:
        found = db.execute(
            "SELECT key, sheet, row, status, detail FROM rows WHERE po_number = ? ORDER BY line_index",
            (po_number,),
        )
        return [RowChange(r[0], r[1], r[2], _ROW_STATUS[r[3]], r[4]) for r in found]


def match_lines(keys: Sequence[str], order: wire.Order) -> dict[str, wire.LineItem]:
    """The vendor's line items by row key.

    By the echoed ExternalId when every line item carries one of ours; else by position (the order we sent
    them in) when the vendor reports as many line items as we sent: public clients of the engine show no
    ExternalId echo, so position is the usual case. Otherwise only the line items whose echoed id is ours
    are matched, and the order is not settled until every row's line item is known.
    """
    items = order.line_items
    by_external = {item.external_id: item for item in items if item.external_id}
    if by_external and len(by_external) == len(items):
        matched = {key: by_external[key] for key in keys if key in by_external}
        if matched or len(items) != len(keys):
            return matched
    if len(items) == len(keys):
        return dict(zip(keys, items, strict=True))
    return {key: by_external[key] for key in keys if key in by_external}


def order_state(keys: Sequence[str], order: wire.Order) -> OrderState:
    """Our state for the vendor's order: a final status counts only once every row's result is known."""
    state = _ORDER_STATE_OF_VENDOR[order.status]
    if not state.is_final:
        return state
    if not order.line_items:
        # A vendor that reports no line items at all: its order status speaks for every row, when it can.
        return state if state in (OrderState.COMPLETED, OrderState.FAILED) else OrderState.PENDING
    matched = match_lines(keys, order)
    settled = len(matched) == len(keys) and all(
        item.status in _ROW_STATUS_OF_LINE for item in matched.values()
    )
    return state if settled else OrderState.PENDING


def _claims_json(claims: Sequence[wire.ClaimData]) -> str:
    if not claims:
        return "[]"  # every card of a digital or physical order: no need to call the encoder
    return json.dumps([c.model_dump(mode="json", by_alias=True) for c in claims])


def _insert_events(
    db: sqlite3.Connection, run_id: str, events: Sequence[tuple[str, Mapping[str, Any]]]
) -> None:
    at = now_iso()
    db.executemany(
        "INSERT INTO events (run_id, at, kind, data) VALUES (?, ?, ?, ?)",
        [(run_id, at, kind, redact(json.dumps(dict(data)))) for kind, data in events],
    )


def _insert_attempts(db: sqlite3.Connection, attempts: Sequence[Attempt]) -> None:
    db.executemany(
        "INSERT INTO attempts (po_number, at, action, status_code, error_kind, latency_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (a.po_number, a.at, a.action, a.status_code, a.error_kind, round(a.latency_s * 1000))
            for a in attempts
        ],
    )


def _describe(errors: Sequence[RowError], fallback: str) -> str:
    if not errors:
        return redact(fallback)
    return redact(_joined(f"{e.cell + ': ' if e.cell else ''}{e.message}" for e in errors))


def _joined(parts: Iterable[str]) -> str:
    """Sentences joined by '; ', each but the last without its full stop ("A; B." rather than "A.; B.")."""
    listed = list(parts)
    return "; ".join([part.rstrip(".") for part in listed[:-1]] + listed[-1:])


def _rejected_row(key: str, errors: Sequence[RowError], message: str, whole: bool) -> tuple[str, str, str]:
    """(key, detail, field errors as JSON) of a rejected row; `whole`: the vendor refused the whole order."""
    if whole and not errors:
        detail = redact(f"{_sentence(message)} The whole order was refused: the vendor named no row.")
    elif whole and not any(e.cell for e in errors):
        detail = redact(f"The vendor refused the whole order: {_reason_of(errors, message)}")
    else:
        detail = _describe(errors, message)
    return key, detail, json.dumps([e.as_dict() for e in errors])


def _rejection_reason(errors: MappedErrors, message: str) -> str:
    return _reason_of([*errors.order_level, *(e for found in errors.by_row.values() for e in found)], message)


def _reason_of(errors: Sequence[RowError], message: str) -> str:
    """What the vendor said, with the paths it named (`Type: not allowed`); its message when it named none."""
    if not errors:
        return message
    return _joined(f"{e.path}: {e.message}" if e.path else e.message for e in errors)


def _sentence(text: str) -> str:
    return text if text.rstrip().endswith((".", "!", "?")) else text.rstrip() + "."


def _second_refusal(reason: str) -> str:
    return (
        f"Not sent: the vendor refused this row's order a second time ({reason}). This row was not named, "
        "but a row is sent again automatically only once; check it and send it in a new run."
    )


def _order_values(run_id: str, order: PlannedOrder, at: str) -> tuple[object, ...]:
    return (
        run_id,
        order.seq,
        order.po_number,
        order.delivery_type.value,
        order.request.model_dump_json(by_alias=True, exclude_none=True),
        order.cards,
        json.dumps({c: str(a) for c, a in order.costs.items()}),
        OrderState.PLANNED.value,
        at,
    )


def _row_values(run_id: str, order: PlannedOrder, at: str) -> Iterator[tuple[object, ...]]:
    lines = zip(order.rows, order.request.line_items, order.line_costs, strict=True)
    for index, (row, item, (currency, cost)) in enumerate(lines):
        yield (
            run_id,
            row.key,
            row.sheet,
            row.row,
            item.model_dump_json(by_alias=True, exclude_none=True),
            json.dumps({f.value: ref for f, ref in row.cells.items()}),
            row.fingerprint,
            currency,
            str(cost),
            RowStatus.QUEUED.value,
            order.po_number,
            index,
            at,
        )


def _run_record(r: sqlite3.Row) -> RunRecord:
    return RunRecord(
        r["id"],
        r["created_at"],
        r["workbook"],
        r["workbook_sha256"],
        r["profile"],
        json.loads(r["settings"]),
        r["campaign"],
        RunStatus(r["status"]),
        r["message"],
        r["updated_at"],
    )


def _order_record(r: sqlite3.Row) -> OrderRecord:
    return OrderRecord(
        run_id=r["run_id"],
        seq=r["seq"],
        po_number=r["po_number"],
        delivery_type=DeliveryType(r["delivery_type"]),
        request_json=r["request"],
        cards=r["cards"],
        costs={c: Decimal(a) for c, a in json.loads(r["costs"]).items()},
        state=OrderState(r["state"]),
        vendor_order_id=r["vendor_order_id"],
        vendor_status=r["vendor_status"],
        total_cost=None if r["total_cost"] is None else Decimal(r["total_cost"]),
        error=r["error"],
        sends=r["sends"],
        updated_at=r["updated_at"],
    )


def _row_record(r: sqlite3.Row) -> RowRecord:
    errors = json.loads(r["field_errors"]) if r["field_errors"] else []
    return RowRecord(
        run_id=r["run_id"],
        key=r["key"],
        sheet=r["sheet"],
        row=r["row"],
        data=json.loads(r["data"]),
        cells=json.loads(r["cells"]),
        fingerprint=r["fingerprint"],
        currency=r["currency"],
        cost=None if r["cost"] is None else Decimal(r["cost"]),
        status=RowStatus(r["status"]),
        po_number=r["po_number"],
        line_index=r["line_index"],
        line_item_id=r["line_item_id"],
        detail=r["detail"],
        field_errors=tuple(
            RowError(e["path"], Field(e["field"]) if e["field"] else None, e["cell"], e["message"])
            for e in errors
        ),
        updated_at=r["updated_at"],
    )
