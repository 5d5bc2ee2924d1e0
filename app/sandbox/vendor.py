"""The sandbox vendor's behaviour: tokens, balance, orders and their lifecycle, the ledger and the faults.

Plain synchronous code over `SandboxStore`; the HTTP layer calls it, and `events` tells the asynchronous
layer when an order must be completed later or has become final (for its webhook).

Money: the account is in USD. A line item's `Cost` is in its product's currency; it is charged in USD at
the fixed rates in `constants.USD_PER_UNIT`, and an order's `TotalCost` is the USD total. On creation the
whole cost moves from Available into Pending; when the order becomes final the held amount leaves Pending
and the cost of every failed line item goes back to Available.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from app.sandbox.catalog import LINKS, PRODUCTS
from app.sandbox.constants import (
    ACCOUNT_CURRENCY,
    BOUNCE_DOMAIN,
    PENDING_THRESHOLD_CARDS,
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_EMAIL,
)
from app.sandbox.faults import FaultDice, Faults, FaultSettingError
from app.sandbox.store import FINAL_STATUSES, SandboxStore, Transaction
from app.sandbox.validation import OrderRequest

# A row as read from the store, or as about to be stored (the same names).
Stored = sqlite3.Row | dict[str, Any]
# A day after expiry a token is forgotten: from then on it is answered as invalid rather than expired.
FORGET_TOKENS_AFTER_S = 86400


class OrderEvents(Protocol):
    """What the vendor tells the asynchronous layer about orders."""

    def order_pending(self, order_id: str, complete_at: float) -> None: ...

    def order_final(self, order_id: str) -> None: ...


class _NoEvents:
    """Until a server attaches its scheduler, nothing is scheduled."""

    def order_pending(self, order_id: str, complete_at: float) -> None:
        pass

    def order_final(self, order_id: str) -> None:
        pass


@dataclass(frozen=True)
class Created:
    order: dict[str, Any]


@dataclass(frozen=True)
class Duplicate:
    order_id: str


@dataclass(frozen=True)
class Insufficient:
    required_cents: int
    available_cents: int


class SandboxVendor:
    """Everything the vendor does, over one store; safe to call from several threads."""

    def __init__(
        self,
        store: SandboxStore,
        startup_faults: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._clock = clock
        self._startup_faults = Faults().updated(startup_faults or {})
        self.events: OrderEvents = _NoEvents()
        with store.transaction() as tx:
            faults = self._restored_faults(tx.faults()).updated(startup_faults or {})
            tx.set_faults(faults.as_dict())
        self.dice = FaultDice(faults)

    # Tokens

    def issue_token(self, email: str, access_token: str) -> dict[str, Any] | None:
        """A new bearer token for the sandbox's credentials, None for any others."""
        good_email = hmac.compare_digest(email.encode(), SANDBOX_EMAIL.encode())
        good_secret = hmac.compare_digest(access_token.encode(), SANDBOX_ACCESS_TOKEN.encode())
        if not (good_email and good_secret):
            return None
        ttl = self.dice.faults.token_ttl_s
        value = f"eyJhbGciOiJIUzI1NiJ9.{secrets.token_urlsafe(24)}.{secrets.token_urlsafe(32)}"
        now = self._clock()
        with self._store.transaction() as tx:
            tx.add_token(value, now + ttl, forget_expired_before=now - FORGET_TOKENS_AFTER_S)
        return {"Value": value, "ExpiresIn": ttl}

    def token_problem(self, token: str) -> str | None:
        """Why this bearer token is refused, or None when it is good."""
        with self._store.transaction() as tx:
            expires_at = tx.token_expiry(token)
        if expires_at is None:
            return "The bearer token is not valid; get one from POST /v1/Tokens."
        if expires_at <= self._clock():
            return "The bearer token has expired; get a new one from POST /v1/Tokens."
        return None

    # Catalog and balance

    def products(self) -> list[dict[str, Any]]:
        null_lists = self.dice.faults.null_lists
        return [p.wire(null_lists=null_lists) for p in PRODUCTS]

    def balance(self) -> dict[str, Any]:
        with self._store.transaction() as tx:
            return _wire_balance(*tx.balance())

    # Orders

    def create_order(self, request: OrderRequest) -> Created | Duplicate | Insufficient:
        """Accept the order and charge it, or say why not; duplicates are found before funds are checked."""
        now = self._clock()
        delay = self.dice.faults.pending_delay_s
        pending = request.cards >= PENDING_THRESHOLD_CARDS
        total = _cents(request.cost_usd)
        with self._store.transaction() as tx:
            existing = tx.order_id_for_po(request.po_number)
            if existing is not None:
                return Duplicate(existing)
            available, held = tx.balance()
            if total > available:
                return Insufficient(total, available)
            order_id = _new_id("ORD")
            row = _order_row(order_id, request, now, delay if pending else None, total)
            lines = _line_rows(order_id, request)
            tx.insert_order(row, lines)
            tx.set_balance(available - total, held + total)
            final = not pending and self._finalize(tx, order_id)
            # A pending order is answered as just stored, without reading it back.
            if pending:
                order = _wire_form(row, lines, {}, echo=self.dice.faults.echo_external_id)
            else:
                order = self._wire_order(tx, order_id)
        if pending:
            self.events.order_pending(order_id, now + delay)
        elif final:
            self.events.order_final(order_id)
        return Created(order)

    def order(self, order_id: str) -> dict[str, Any] | None:
        """The order as the vendor reports it now, or None when there is no such order."""
        with self._store.transaction() as tx:
            finished = self._advance(tx, [order_id])
            order = self._wire_order(tx, order_id) if tx.order(order_id) is not None else None
        self._announce(finished)
        return order

    def orders_page(self, po_number: str | None, page: int, size: int) -> tuple[int, list[dict[str, Any]]]:
        """(total count, orders of that 1-based page), oldest first, only `po_number`'s when given."""
        with self._store.transaction() as tx:
            ids = tx.order_ids(po_number, (page - 1) * size, size)
            finished = self._advance(tx, ids)
            total = tx.count_orders(po_number)
            orders = [self._wire_order(tx, i) for i in ids]
        self._announce(finished)
        return total, orders

    def complete_due(self, order_id: str) -> float | None:
        """Move a pending order on if its time has come; the seconds it still has to wait, None once final."""
        with self._store.transaction() as tx:
            finished = self._advance(tx, [order_id])
            row = tx.order(order_id)
        self._announce(finished)
        if row is None or row["status"] in FINAL_STATUSES:
            return None
        return max(0.0, float(row["complete_at"]) - self._clock())

    def open_orders(self) -> list[tuple[str, float]]:
        with self._store.transaction() as tx:
            return tx.open_orders()

    # Webhooks

    def due_webhooks(self) -> list[str]:
        with self._store.transaction() as tx:
            return tx.due_webhooks()

    def webhook(self, order_id: str) -> tuple[str, dict[str, Any]] | None:
        """(URL, payload) of the FulfillmentComplete event still owed for this order, else None."""
        with self._store.transaction() as tx:
            row = tx.order(order_id)
        if row is None or row["webhook_state"] != "due":
            return None
        payload = {
            "EventType": "FulfillmentComplete",
            "OrderId": row["id"],
            "PONumber": row["po_number"],
            "Status": row["status"],
        }
        return row["webhook_url"], payload

    def record_webhook(self, order_id: str, state: str, attempts: int) -> None:
        """Note a delivery attempt: state `due` (will retry), `delivered` or `failed` (gave up)."""
        with self._store.transaction() as tx:
            if tx.order(order_id) is not None:
                tx.update_order(order_id, webhook_state=state, webhook_attempts=attempts)

    # The sandbox's own controls

    def reset(self, balance_cents: int) -> None:
        """Forget every order and token; faults go back to what the server was started with."""
        with self._store.transaction() as tx:
            tx.wipe()
            tx.set_balance(balance_cents, 0)
            tx.set_faults(self._startup_faults.as_dict())
        self.dice.configure(self._startup_faults)

    def set_available(
        self, available_cents: int | None = None, add_cents: int | None = None
    ) -> dict[str, Any]:
        """Set or top up Available; refuses (ValueError) to make it negative."""
        with self._store.transaction() as tx:
            available, pending = tx.balance()
            new = available_cents if available_cents is not None else available + (add_cents or 0)
            if new < 0:
                raise ValueError("The available balance cannot be negative.")
            tx.set_balance(new, pending)
        return self.balance()

    def configure_faults(self, changes: dict[str, Any]) -> Faults:
        """Apply fault settings (FaultSettingError when one is wrong) and keep them in the state."""
        faults = self.dice.faults.updated(changes)
        with self._store.transaction() as tx:
            tx.set_faults(faults.as_dict())
        self.dice.configure(faults)
        return faults

    def ledger(self) -> dict[str, Any]:
        """The balance and every order with its line items and charges, for tests and support."""
        with self._store.transaction() as tx:
            finished = self._advance(tx, [order_id for order_id, _ in tx.open_orders()])
            balance = _wire_balance(*tx.balance())
            orders = [self._ledger_order(tx, order_id) for order_id in tx.order_ids()]
        self._announce(finished)
        return {"balance": balance, "orders": orders}

    # Lifecycle

    def _advance(self, tx: Transaction, order_ids: list[str]) -> list[str]:
        """Move these orders on as time requires; the ids of those that became final with a webhook due."""
        now = self._clock()
        finished = []
        for order_id in order_ids:
            row = tx.order(order_id)
            if row is None or row["status"] in FINAL_STATUSES:
                continue
            if now >= row["complete_at"]:
                if self._finalize(tx, order_id):
                    finished.append(order_id)
            elif now >= row["processing_at"] and row["status"] == "Pending":
                tx.update_order(order_id, status="Processing")
                tx.set_line_statuses(order_id, "Processing")
        return finished

    def _finalize(self, tx: Transaction, order_id: str) -> bool:
        """Fulfil every line item (some may fail), settle the money; True when a webhook is now due."""
        order = tx.order(order_id)
        if order is None or order["status"] in FINAL_STATUSES:
            return False
        refund = completed = 0
        failures: list[tuple[str, str | None, str]] = []
        claims: list[tuple[str, str, int]] = []
        for line in tx.lines(order_id):
            reason = self._failure_reason(line)
            if reason is None:
                completed += 1
                if order["type"] == LINKS:
                    claims += _claims(line["id"], line["quantity"])
            else:
                refund += line["cost_usd_cents"]
                failures.append(("Failed", reason, line["id"]))
        failed = len(failures)
        tx.set_line_statuses(order_id, "Completed")  # then the failed ones: no line had a reason before
        tx.update_lines(failures)
        tx.insert_claims(claims)
        status = "Completed" if not failed else "Failed" if not completed else "PartiallyCompleted"
        available, pending = tx.balance()
        tx.set_balance(available + refund, pending - order["held_cents"])
        webhook_state = "due" if order["webhook_url"] else "none"
        tx.update_order(
            order_id, status=status, held_cents=0, refunded_cents=refund, webhook_state=webhook_state
        )
        return webhook_state == "due"

    def _failure_reason(self, line: sqlite3.Row) -> str | None:
        email = line["email"] or ""
        if email.rpartition("@")[2].lower() == BOUNCE_DOMAIN:
            return "The recipient's mail server refused the message (mailbox unavailable)."
        if self.dice.line_item_fails():
            return "The vendor could not issue this card (sandbox line-item failure)."
        return None

    def _announce(self, finished: list[str]) -> None:
        for order_id in finished:
            self.events.order_final(order_id)

    def _restored_faults(self, stored: dict[str, Any]) -> Faults:
        try:
            return Faults().updated(stored)
        except FaultSettingError:
            return Faults()  # settings saved by another version: start from a well-behaved vendor

    # Wire forms

    def _wire_order(self, tx: Transaction, order_id: str) -> dict[str, Any]:
        order = tx.order(order_id)
        assert order is not None
        echo = self.dice.faults.echo_external_id
        return _wire_form(order, tx.lines(order_id), tx.claims(order_id), echo=echo)

    def _ledger_order(self, tx: Transaction, order_id: str) -> dict[str, Any]:
        order = tx.order(order_id)
        assert order is not None
        claims = tx.claims(order_id)
        charged = _amount(order["total_cents"] - order["refunded_cents"])
        lines = [
            {
                "Id": line["id"],
                "ExternalId": line["external_id"],
                "ProductId": line["product_id"],
                "Value": _number(line["value"]),
                "Quantity": line["quantity"],
                "Cost": _amount(line["cost_cents"]),
                "CurrencyCode": line["currency"],
                "ChargedUSD": 0.0 if line["status"] == "Failed" else _amount(line["cost_usd_cents"]),
                "Status": line["status"],
                "FailureReason": line["failure_reason"],
                "ClaimCount": len(claims.get(line["id"], [])),
            }
            for line in tx.lines(order_id)
        ]
        return {
            "Id": order["id"],
            "PONumber": order["po_number"],
            "Type": order["type"],
            "Status": order["status"],
            "CreatedAt": order["created_at"],
            "TotalCost": _amount(order["total_cents"]),
            "Charged": charged,
            "ChargedUSD": charged,
            "Held": _amount(order["held_cents"]),
            "Refunded": _amount(order["refunded_cents"]),
            "Webhook": {"State": order["webhook_state"], "Attempts": order["webhook_attempts"]},
            "LineItems": lines,
        }


def _order_row(
    order_id: str, request: OrderRequest, now: float, delay: float | None, total_cents: int
) -> dict[str, Any]:
    created = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "id": order_id,
        "po_number": request.po_number,
        "type": request.type,
        "status": "Pending",
        "created_at": created,
        "processing_at": None if delay is None else now + delay / 2,
        "complete_at": None if delay is None else now + delay,
        "total_cents": total_cents,
        "held_cents": total_cents,
        "refunded_cents": 0,
        "webhook_url": request.webhook_url,
        "webhook_state": "none",
        "webhook_attempts": 0,
    }


def _line_rows(order_id: str, request: OrderRequest) -> list[dict[str, Any]]:
    ids = _new_ids("LI", len(request.lines))
    return [
        {
            "id": ids[position],
            "order_id": order_id,
            "position": position,
            "external_id": line.external_id,
            "product_id": line.product.id,
            "currency": line.product.currency,
            "value": str(line.value),
            "quantity": line.quantity,
            "cost_cents": _cents(line.cost),
            "cost_usd_cents": _cents(line.cost_usd),
            "email": line.email,
            "status": "Pending",
            "failure_reason": None,
        }
        for position, line in enumerate(request.lines)
    ]


def _claims(line_id: str, quantity: int) -> list[tuple[str, str, int]]:
    """One claim per card (the store gives each a random link and challenge answer)."""
    return [(_new_id("CLM"), line_id, card) for card in range(quantity)]


def _wire_balance(available_cents: int, pending_cents: int) -> dict[str, Any]:
    return {
        "Available": _amount(available_cents),
        "Pending": _amount(pending_cents),
        "CurrencyCode": ACCOUNT_CURRENCY,
    }


def _wire_form(
    order: Stored, lines: Sequence[Stored], claims: dict[str, list[dict[str, str]]], *, echo: bool = True
) -> dict[str, Any]:
    """The order as the vendor reports it, from its stored row, its line items and their claims by line.

    Without `echo`, line items do not carry the caller's ExternalId back, as public clients show the
    vendor's engine answering: the caller must match them by position.
    """
    return {
        "Id": order["id"],
        "PONumber": order["po_number"],
        "Type": order["type"],
        "Status": order["status"],
        "CreatedAt": order["created_at"],
        "TotalCost": _amount(order["total_cents"]),
        "CurrencyCode": ACCOUNT_CURRENCY,
        "LineItems": [_wire_line(line, claims.get(line["id"], []), echo) for line in lines],
    }


def _wire_line(line: Stored, claims: list[dict[str, str]], echo: bool) -> dict[str, Any]:
    wired = {
        "Id": line["id"],
        "ExternalId": line["external_id"],
        "ProductId": line["product_id"],
        "Value": _number(line["value"]),
        "Quantity": line["quantity"],
        "Cost": _amount(line["cost_cents"]),
        "CurrencyCode": line["currency"],
        "Status": line["status"],
        "FailureReason": line["failure_reason"],
        "ClaimData": [
            {
                "Id": claim["id"],
                "ClaimLink": claim["link"],
                "ClaimLinkChallengeAnswer": claim["answer"],
                "BarcodePath": None,
                "BarcodeType": None,
            }
            for claim in claims
        ],
    }
    if not echo:
        del wired["ExternalId"]
    return wired


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8).upper()}"


def _new_ids(prefix: str, count: int) -> list[str]:
    """`count` ids like `_new_id`'s, from one call for random bytes."""
    digits = secrets.token_hex(8 * count).upper()
    return [f"{prefix}-{digits[i : i + 16]}" for i in range(0, 16 * count, 16)]


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _amount(cents: int) -> float:
    return cents / 100


def _number(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)
