"""Following accepted orders to the end: polling scaled to each order's size, nudged by the webhook.

The vendor finishes large orders asynchronously. Each unfinished order is polled (`GET /v1/Orders/{id}`)
first after `first_s + per_card_s × cards` (a big order takes longer, so asking early only wastes calls),
then at doubling intervals up to `cap_s`, until it is final or `deadline_s` has passed since it was
accepted. The `FulfillmentComplete` webhook, when the listener is on (`app.engine.webhook_listener`), only
moves the next poll to now: the event is a signal, the order is always read from the API, and duplicates
change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PollPolicy:
    """When to ask the vendor about an unfinished order again."""

    first_s: float = 1.0
    per_card_s: float = 0.02
    cap_s: float = 30.0
    deadline_s: float = 900.0

    def delay(self, cards: int, polls_done: int) -> float:
        """Seconds from one poll (or the acceptance, for the first) to the next."""
        first = self.first_s + self.per_card_s * max(cards, 0)
        return min(first * 2.0**polls_done, self.cap_s)


@dataclass
class _Watch:
    po_number: str
    order_id: str
    cards: int
    accepted_at: float
    next_at: float
    polls: int = 0


@dataclass
class Tracker:
    """Which unfinished orders to poll, and when. Used by the runner's single loop thread only."""

    policy: PollPolicy
    clock: Callable[[], float]
    _watches: dict[str, _Watch] = field(default_factory=dict)

    def watch(self, po_number: str, order_id: str, cards: int) -> None:
        """Start following an order (again, after a restart: the deadline counts from now)."""
        now = self.clock()
        self._watches[po_number] = _Watch(po_number, order_id, cards, now, now + self.policy.delay(cards, 0))

    def forget(self, po_number: str) -> None:
        self._watches.pop(po_number, None)

    def polled(self, po_number: str) -> None:
        """Schedule the next poll after one that did not find the order final."""
        watch = self._watches.get(po_number)
        if watch is not None:
            watch.polls += 1
            watch.next_at = self.clock() + self.policy.delay(watch.cards, watch.polls)

    def nudge(self, order_id: str | None, po_number: str | None) -> bool:
        """Poll this order at once (the webhook said it finished); False when we do not follow it."""
        for watch in self._watches.values():
            if (order_id and watch.order_id == order_id) or (po_number and watch.po_number == po_number):
                watch.next_at = min(watch.next_at, self.clock())
                return True
        return False

    def take_due(self) -> str | None:
        """The PONumber of an order due for a poll (and not past its deadline), taken off the schedule."""
        now = self.clock()
        for watch in self._watches.values():
            if watch.next_at <= now and not self._expired(watch, now):
                watch.next_at = float("inf")  # in flight; `polled` or `forget` sets what comes next
                return watch.po_number
        return None

    def order_id(self, po_number: str) -> str:
        return self._watches[po_number].order_id

    def seconds_to_next(self) -> float | None:
        now = self.clock()
        waiting = [w.next_at for w in self._watches.values() if not self._expired(w, now)]
        return max(min(waiting) - now, 0.0) if waiting else None

    def all_expired(self) -> bool:
        now = self.clock()
        return all(self._expired(w, now) for w in self._watches.values())

    def _expired(self, watch: _Watch, now: float) -> bool:
        return now - watch.accepted_at > self.policy.deadline_s

    def __len__(self) -> int:
        return len(self._watches)

    def __contains__(self, po_number: object) -> bool:
        return po_number in self._watches
