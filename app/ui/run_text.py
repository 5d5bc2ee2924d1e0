"""The engine's events in plain words for the Send page's log, and the pace of a run (rows/s, time left)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from decimal import Decimal

from app.engine.events import (
    BalanceShort,
    EngineEvent,
    OrderAccepted,
    OrderFinished,
    OrderProblem,
    OrderRejected,
    OrderSent,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from app.engine.states import RunStatus
from app.ui.formatting import format_money

# Field errors listed per refused order before "… and N more": the Results page lists every row.
_ERRORS_SHOWN = 5
_FINISHED_WORDS = {
    "completed": "completed: every card was issued",
    "partially_completed": "partly completed: some cards failed (see Results)",
    "failed": "failed: the vendor could not issue its cards (see Results)",
}
_END_WORDS = {
    RunStatus.COMPLETED: "Finished",
    RunStatus.PAUSED: "Paused",
    RunStatus.INTERRUPTED: "Stopped",
    RunStatus.FAILED: "Stopped",
    RunStatus.RUNNING: "Still running",
}


def plural(count: int, noun: str) -> str:
    """'1 row', '1,200 rows'."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def describe_event(event: EngineEvent) -> str | None:
    """One line for the log, or None for events the progress bars already show (progress, row changes)."""
    for kind, describe in _DESCRIBERS:
        if isinstance(event, kind):
            return describe(event)
    return None


def _run_started(event: RunStarted) -> str:
    parts = []
    if event.orders_to_send:
        parts.append(f"{plural(event.orders_to_send, 'order')} to send")
    if event.orders_to_track:
        parts.append(f"{plural(event.orders_to_track, 'order')} to follow until the vendor has finished")
    return "Run " + event.run_id + ": " + (" and ".join(parts) if parts else "nothing left to send") + "."


def _order_sent(event: OrderSent) -> str:
    if event.resend:
        return (
            f"Order {event.po_number} sent again under the same PONumber ({plural(event.rows, 'row')}); "
            "the vendor keeps one order per PONumber, so nobody is paid twice."
        )
    return f"Order {event.po_number} sent: {plural(event.rows, 'row')}, {plural(event.cards, 'card')}."


def _order_accepted(event: OrderAccepted) -> str:
    if event.was_duplicate:
        return (
            f"Order {event.po_number}: the vendor already had it (an earlier answer was lost on the way); "
            "it is used as it is and nothing is paid twice."
        )
    return f"Order {event.po_number} accepted by the vendor (order {event.order_id})."


def _order_rejected(event: OrderRejected) -> str:
    shown = "; ".join(error.describe() for error in event.errors[:_ERRORS_SHOWN]) or event.message
    more = len(event.errors) - _ERRORS_SHOWN
    if more > 0:
        shown += f"; … and {more} more"
    then = (
        f"Its other rows go in order {event.retry_po_number}."
        if event.retry_po_number
        else "None of its rows is sent again; the Results page shows why at each one."
    )
    return f"Order {event.po_number} refused by the vendor: {shown.rstrip('.')}. {then}"


def _order_finished(event: OrderFinished) -> str:
    return f"Order {event.po_number} {_FINISHED_WORDS.get(event.state, event.state)}."


def _order_problem(event: OrderProblem) -> str:
    return f"Order {event.po_number}: {event.message}"


def _balance_short(event: BalanceShort) -> str:
    if event.shortfall is None or event.currency is None:
        return "The vendor refused an order for lack of funds."
    return (
        f"The balance ran short: {format_money(_amount(event.shortfall), event.currency)} more is needed to "
        f"send the rest ({format_money(_amount(event.available), event.currency)} available)."
    )


def _run_paused(event: RunPaused) -> str:
    return event.reason


def _run_resumed(_event: RunResumed) -> str:
    return "Sending again."


def _run_finished(event: RunFinished) -> str:
    return f"{_END_WORDS[event.status]}. {event.message}"


def _amount(text: str | None) -> Decimal:
    return Decimal(text) if text else Decimal(0)


_DESCRIBERS: tuple[tuple[type, Callable[..., str]], ...] = (
    (RunStarted, _run_started),
    (OrderSent, _order_sent),
    (OrderAccepted, _order_accepted),
    (OrderRejected, _order_rejected),
    (OrderFinished, _order_finished),
    (OrderProblem, _order_problem),
    (BalanceShort, _balance_short),
    (RunPaused, _run_paused),
    (RunResumed, _run_resumed),
    (RunFinished, _run_finished),
)


def format_duration(seconds: float) -> str:
    """A time left as people say it: 'less than a minute', '4 minutes', '1 hour 20 minutes'."""
    if seconds < 60:
        return "less than a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return plural(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    return plural(hours, "hour") + (f" {plural(minutes, 'minute')}" if minutes else "")


def time_left_words(seconds: float) -> str:
    """'less than a minute', 'about 4 minutes': an estimate, said as one."""
    words = format_duration(seconds)
    return words if seconds < 60 else f"about {words}"


class Pace:
    """Rows per second over the last stretch of a run, and the time left at that pace.

    Measured over a sliding window rather than since the start, so a pause, a rate limit or a slow patch
    fades out of the estimate within moments instead of skewing it for the rest of the run.
    """

    def __init__(self, window_s: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self.clock = clock
        self._samples: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        self._samples.clear()

    def add(self, rows_done: int) -> None:
        now = self.clock()
        self._samples.append((now, rows_done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()

    def rows_per_second(self) -> float | None:
        """None until two samples a little apart exist (a rate from one instant would be noise)."""
        if len(self._samples) < 2:
            return None
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        if end - start < 0.5:
            return None
        return max(0.0, (last - first) / (end - start))

    def seconds_left(self, rows_left: int) -> float | None:
        rate = self.rows_per_second()
        if rows_left <= 0:
            return 0.0
        if not rate:
            return None
        return rows_left / rate
