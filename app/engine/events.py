"""What the engine reports while it runs: typed events the command line prints and the GUI shows.

Events carry where rows stand and what went wrong, never a claim link, challenge answer or token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from app.engine.field_errors import RowError
from app.engine.journal import RowChange
from app.engine.states import RunStatus


@dataclass(frozen=True)
class EngineEvent:
    """Base of every event; `kind` names it in JSON (`order_sent`, `run_finished`, …)."""

    kind: ClassVar[str] = "event"
    run_id: str

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"event": self.kind}
        for name, value in vars(self).items():
            data[name] = _plain(value)
        return data

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


def _plain(value: object) -> object:
    if isinstance(value, RowChange | RowError):
        return value.as_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, RunStatus):
        return value.value
    return value


@dataclass(frozen=True)
class RunStarted(EngineEvent):
    kind: ClassVar[str] = "run_started"
    orders_to_send: int
    orders_to_track: int


@dataclass(frozen=True)
class OrderSent(EngineEvent):
    """The order's request is about to go out (the journal already says `sending`)."""

    kind: ClassVar[str] = "order_sent"
    po_number: str
    rows: int
    cards: int
    resend: bool


@dataclass(frozen=True)
class OrderAccepted(EngineEvent):
    """The vendor has the order; `was_duplicate` when it already had it (the answer to a lost response)."""

    kind: ClassVar[str] = "order_accepted"
    po_number: str
    order_id: str
    state: str
    was_duplicate: bool


@dataclass(frozen=True)
class OrderRejected(EngineEvent):
    """The vendor refused the order (400): rows it named are rejected, the rest go to `retry_po_number`."""

    kind: ClassVar[str] = "order_rejected"
    po_number: str
    message: str
    errors: tuple[RowError, ...]
    retry_po_number: str | None


@dataclass(frozen=True)
class OrderFinished(EngineEvent):
    """The vendor finished the order: completed, partially_completed or failed."""

    kind: ClassVar[str] = "order_finished"
    po_number: str
    state: str


@dataclass(frozen=True)
class OrderProblem(EngineEvent):
    """A send or poll did not settle the order this time; nothing is lost (the order keeps its PONumber)."""

    kind: ClassVar[str] = "order_problem"
    po_number: str
    message: str


@dataclass(frozen=True)
class RowStatusChanged(EngineEvent):
    """Rows that moved, in one batch (an order's worth)."""

    kind: ClassVar[str] = "rows_changed"
    rows: tuple[RowChange, ...]


@dataclass(frozen=True)
class BalanceShort(EngineEvent):
    """The vendor refused an order for lack of funds; `shortfall` is what the rest of the run still needs."""

    kind: ClassVar[str] = "balance_short"
    currency: str | None
    needed: str | None
    available: str | None
    shortfall: str | None


@dataclass(frozen=True)
class RunPaused(EngineEvent):
    """Sending stopped until the user acts: `reason` says why, `shortfall` what is missing if it is money."""

    kind: ClassVar[str] = "run_paused"
    reason: str
    shortfall: str | None = None


@dataclass(frozen=True)
class RunResumed(EngineEvent):
    kind: ClassVar[str] = "run_resumed"


@dataclass(frozen=True)
class Progress(EngineEvent):
    """Orders the vendor has answered for, and rows whose fate is settled, out of the run's totals."""

    kind: ClassVar[str] = "progress"
    orders_done: int
    orders_total: int
    rows_done: int
    rows_total: int


@dataclass(frozen=True)
class RunFinished(EngineEvent):
    """This pass over the run ended: `status` is the run's status now, `counts` its rows by status."""

    kind: ClassVar[str] = "run_finished"
    status: RunStatus
    message: str
    counts: dict[str, int] = field(default_factory=dict)
