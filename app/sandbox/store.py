"""The sandbox's state in SQLite: balance, tokens, faults, orders, line items and claim data.

One connection, one lock: every read and write happens inside `transaction()`, which holds the lock and an
IMMEDIATE SQLite transaction, so a check-then-write (duplicate PONumber, funds) is atomic even when uvicorn
runs handlers concurrently and background tasks complete orders at the same time. Money is integer cents.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

from app.sandbox.constants import ANSWER_ALPHABET, CLAIM_LINK_BASE

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (value TEXT PRIMARY KEY, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    po_number TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    processing_at REAL,
    complete_at REAL,
    total_cents INTEGER NOT NULL,
    held_cents INTEGER NOT NULL,
    refunded_cents INTEGER NOT NULL,
    webhook_url TEXT,
    webhook_state TEXT NOT NULL,
    webhook_attempts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS line_items (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    external_id TEXT,
    product_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    value TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    cost_cents INTEGER NOT NULL,
    cost_usd_cents INTEGER NOT NULL,
    email TEXT,
    status TEXT NOT NULL,
    failure_reason TEXT
);
CREATE INDEX IF NOT EXISTS line_items_by_order ON line_items (order_id, position);
CREATE TABLE IF NOT EXISTS claims (
    id TEXT PRIMARY KEY,
    line_item_id TEXT NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    link TEXT NOT NULL UNIQUE,
    answer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS claims_by_line ON claims (line_item_id, position);
"""

ORDER_COLUMNS = (
    "id",
    "po_number",
    "type",
    "status",
    "created_at",
    "processing_at",
    "complete_at",
    "total_cents",
    "held_cents",
    "refunded_cents",
    "webhook_url",
    "webhook_state",
    "webhook_attempts",
)
LINE_COLUMNS = (
    "id",
    "order_id",
    "position",
    "external_id",
    "product_id",
    "currency",
    "value",
    "quantity",
    "cost_cents",
    "cost_usd_cents",
    "email",
    "status",
    "failure_reason",
)
FINAL_STATUSES = ("Completed", "Failed", "PartiallyCompleted")


class SandboxStore:
    """Owns the SQLite connection; `transaction()` is the only way in."""

    def __init__(self, path: Path | None, opening_balance_cents: int) -> None:
        self._lock = threading.Lock()
        target = str(path) if path is not None else ":memory:"
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.row_factory = sqlite3.Row
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        with self.transaction() as tx:
            if tx.meta("schema_version") is None:
                tx.set_meta("schema_version", SCHEMA_VERSION)
                tx.set_balance(opening_balance_cents, 0)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Hold the lock and one IMMEDIATE transaction; commit on success, roll back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()


class Transaction:
    """The reads and writes the sandbox needs, valid only inside `SandboxStore.transaction()`."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def balance(self) -> tuple[int, int]:
        """(available, pending) in cents."""
        return int(self.meta("available_cents") or 0), int(self.meta("pending_cents") or 0)

    def set_balance(self, available_cents: int, pending_cents: int) -> None:
        self.set_meta("available_cents", str(available_cents))
        self.set_meta("pending_cents", str(pending_cents))

    def faults(self) -> dict[str, Any]:
        stored = self.meta("faults")
        return {} if stored is None else dict(json.loads(stored))

    def set_faults(self, faults: dict[str, Any]) -> None:
        self.set_meta("faults", json.dumps(faults))

    def add_token(self, value: str, expires_at: float, forget_expired_before: float) -> None:
        """Keep a new token; drop tokens that expired long ago (recent ones still answer 'expired')."""
        self._db.execute("DELETE FROM tokens WHERE expires_at < ?", (forget_expired_before,))
        self._db.execute("INSERT INTO tokens (value, expires_at) VALUES (?, ?)", (value, expires_at))

    def token_expiry(self, value: str) -> float | None:
        row = self._db.execute("SELECT expires_at FROM tokens WHERE value = ?", (value,)).fetchone()
        return None if row is None else float(row["expires_at"])

    def wipe(self) -> None:
        """Forget every order, token and fault setting."""
        for table in ("claims", "line_items", "orders", "tokens"):
            self._db.execute(f"DELETE FROM {table}")
        self._db.execute("DELETE FROM meta WHERE key = 'faults'")

    def order_id_for_po(self, po_number: str) -> str | None:
        row = self._db.execute("SELECT id FROM orders WHERE po_number = ?", (po_number,)).fetchone()
        return None if row is None else str(row["id"])

    def insert_order(self, order: dict[str, Any], lines: Sequence[dict[str, Any]]) -> None:
        self._insert("orders", ORDER_COLUMNS, [order])
        self._insert("line_items", LINE_COLUMNS, lines)

    def insert_claims(self, claims: Iterable[tuple[str, str, int]]) -> None:
        """(id, line_item_id, position) rows: one per card.

        A card's claim link and challenge answer are not stored: each row keeps a random seed, and the link
        and answer are derived from it with a secret of this state (`claims`). A real vendor's links are
        spendable, and so the app keeps none in clear on disk; the sandbox, whose state file sits in the
        app's data folder, keeps none either, so a search of that folder for claim links finds nothing.
        """
        self._db.executemany(
            "INSERT INTO claims (id, line_item_id, position, link, answer) VALUES (?, ?, ?, ?, '')",
            [
                (claim_id, line, position, _SEED + secrets.token_hex(16))
                for claim_id, line, position in claims
            ],
        )

    def order(self, order_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.execute(
            "SELECT * FROM orders WHERE id = ?", (order_id,)
        ).fetchone()
        return row

    def lines(self, order_id: str) -> list[sqlite3.Row]:
        return self._db.execute(
            "SELECT * FROM line_items WHERE order_id = ? ORDER BY position", (order_id,)
        ).fetchall()

    def claims(self, order_id: str) -> dict[str, list[dict[str, str]]]:
        """Claims (`id`, `link`, `answer`) of an order's line items, by line item id, in card order."""
        rows = self._db.execute(
            "SELECT c.* FROM claims c JOIN line_items l ON l.id = c.line_item_id "
            "WHERE l.order_id = ? ORDER BY c.line_item_id, c.position",
            (order_id,),
        ).fetchall()
        secret = self._claim_secret() if rows else b""
        grouped: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            grouped.setdefault(row["line_item_id"], []).append(_claim(row, secret))
        return grouped

    def _claim_secret(self) -> bytes:
        stored = self.meta("claim_secret")
        if stored is None:
            stored = secrets.token_hex(32)
            self.set_meta("claim_secret", stored)
        return bytes.fromhex(stored)

    def update_order(self, order_id: str, **values: Any) -> None:
        unknown = set(values) - set(ORDER_COLUMNS)
        if unknown:
            raise ValueError(f"Not order columns: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        self._db.execute(f"UPDATE orders SET {assignments} WHERE id = ?", (*values.values(), order_id))

    def update_lines(self, results: Iterable[tuple[str, str | None, str]]) -> None:
        """(status, failure_reason, line_item_id) rows, in one statement."""
        self._db.executemany("UPDATE line_items SET status = ?, failure_reason = ? WHERE id = ?", results)

    def set_line_statuses(self, order_id: str, status: str) -> None:
        self._db.execute("UPDATE line_items SET status = ? WHERE order_id = ?", (status, order_id))

    def order_ids(self, po_number: str | None = None, offset: int = 0, limit: int = -1) -> list[str]:
        """Order ids oldest first, only the one with `po_number` when given."""
        where, params = ("WHERE po_number = ?", [po_number]) if po_number is not None else ("", [])
        rows = self._db.execute(
            f"SELECT id FROM orders {where} ORDER BY seq LIMIT ? OFFSET ?", (*params, limit, offset)
        ).fetchall()
        return [str(r["id"]) for r in rows]

    def count_orders(self, po_number: str | None = None) -> int:
        if po_number is None:
            return int(self._db.execute("SELECT COUNT(*) FROM orders").fetchone()[0])
        return int(
            self._db.execute("SELECT COUNT(*) FROM orders WHERE po_number = ?", (po_number,)).fetchone()[0]
        )

    def open_orders(self) -> list[tuple[str, float]]:
        """(id, complete_at) of every order not yet final."""
        placeholders = ", ".join("?" for _ in FINAL_STATUSES)
        rows = self._db.execute(
            f"SELECT id, complete_at FROM orders WHERE status NOT IN ({placeholders}) ORDER BY seq",
            FINAL_STATUSES,
        ).fetchall()
        return [(str(r["id"]), float(r["complete_at"] or 0)) for r in rows]

    def due_webhooks(self) -> list[str]:
        rows = self._db.execute("SELECT id FROM orders WHERE webhook_state = 'due' ORDER BY seq").fetchall()
        return [str(r["id"]) for r in rows]

    def _insert(self, table: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        values = itemgetter(*columns)  # a row's values in column order, without a generator per row
        self._db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", [values(row) for row in rows])


_SEED = "seed:"


def _claim(row: sqlite3.Row, secret: bytes) -> dict[str, str]:
    """A card's claim link and answer, derived from its seed (rows of older states hold them as they are)."""
    seed = str(row["link"])
    if not seed.startswith(_SEED):
        return {"id": row["id"], "link": seed, "answer": row["answer"]}
    digest = hmac.new(secret, seed.encode(), hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(digest[:24]).decode("ascii")
    answer = "".join(ANSWER_ALPHABET[byte % len(ANSWER_ALPHABET)] for byte in digest[24:32])
    return {"id": row["id"], "link": CLAIM_LINK_BASE + token, "answer": answer}
