"""Where runs, orders and rows stand, and which moves between those states are allowed."""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import GiftbatchError


class OrderState(StrEnum):
    """An order's life: planned → sending → accepted → pending → completed | partially_completed | failed,
    or planned/sending → rejected when the vendor refuses it as malformed (400)."""

    PLANNED = "planned"
    SENDING = "sending"
    ACCEPTED = "accepted"
    PENDING = "pending"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    FAILED = "failed"
    REJECTED = "rejected"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_ORDER_STATES

    @property
    def is_unsent(self) -> bool:
        """Planned or sending: the vendor may not have it yet, so it must be (re)sent with its PONumber."""
        return self in (OrderState.PLANNED, OrderState.SENDING)

    @property
    def is_tracked(self) -> bool:
        """Accepted or pending: the vendor has it, but has not finished it."""
        return self in (OrderState.ACCEPTED, OrderState.PENDING)


_FINAL_ORDER_STATES = frozenset(
    {OrderState.COMPLETED, OrderState.PARTIALLY_COMPLETED, OrderState.FAILED, OrderState.REJECTED}
)

_VENDOR_ANSWERS = frozenset(
    {
        OrderState.ACCEPTED,
        OrderState.PENDING,
        OrderState.COMPLETED,
        OrderState.PARTIALLY_COMPLETED,
        OrderState.FAILED,
    }
)

# Which states an order may move to from each state. `sending → planned` is the 422 case (the vendor refused
# for lack of funds; the PONumber is kept, so sending again later is safe). `sending → sending` is a re-send.
ORDER_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    OrderState.PLANNED: frozenset({OrderState.SENDING, OrderState.REJECTED}),
    OrderState.SENDING: frozenset(
        {OrderState.SENDING, OrderState.PLANNED, OrderState.REJECTED} | _VENDOR_ANSWERS
    ),
    OrderState.ACCEPTED: _VENDOR_ANSWERS,
    OrderState.PENDING: _VENDOR_ANSWERS,
    OrderState.COMPLETED: frozenset(),
    OrderState.PARTIALLY_COMPLETED: frozenset(),
    OrderState.FAILED: frozenset(),
    OrderState.REJECTED: frozenset(),
}


class RowStatus(StrEnum):
    """A row follows its order; once the order is final, each row takes its own line item's result."""

    QUEUED = "queued"
    SENDING = "sending"
    ACCEPTED = "accepted"
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    REJECTED = "rejected"
    SKIPPED = "skipped"

    @property
    def is_final(self) -> bool:
        return self in (RowStatus.COMPLETED, RowStatus.FAILED, RowStatus.REJECTED, RowStatus.SKIPPED)


ROW_STATUS_OF_ORDER: dict[OrderState, RowStatus] = {
    OrderState.PLANNED: RowStatus.QUEUED,
    OrderState.SENDING: RowStatus.SENDING,
    OrderState.ACCEPTED: RowStatus.ACCEPTED,
    OrderState.PENDING: RowStatus.PENDING,
    OrderState.COMPLETED: RowStatus.COMPLETED,
    OrderState.FAILED: RowStatus.FAILED,
    OrderState.REJECTED: RowStatus.REJECTED,
}


class RunStatus(StrEnum):
    """A run as the user sees it.

    running: a live process is sending or tracking it. paused: it stopped because the balance ran short (or
    the user paused it).
    interrupted: it stopped before the end (cancelled, crashed, network down, orders still processing).
    failed: it stopped on something the user must fix first (API access disabled, a PONumber clash).
    completed: every order is final. All but completed can be resumed.
    """

    RUNNING = "running"
    PAUSED = "paused"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    COMPLETED = "completed"


class IllegalTransition(GiftbatchError):
    """A state change the order's life does not allow: a bug, or a second process writing the same run."""


def check_order_transition(old: OrderState, new: OrderState) -> None:
    if new not in ORDER_TRANSITIONS[old]:
        raise IllegalTransition(f"An order cannot move from {old} to {new}.")
