"""When to try a request again and how long to wait first: capped exponential backoff with jitter."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Waits a cancel event can cut short: (seconds, cancel) -> True when the wait was cancelled.
Sleep = Callable[[float, threading.Event | None], bool]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Defaults suit a vendor API behind a gateway: 5 attempts within about a minute.

    `jitter` is the share of each backoff that is random (0.5: wait between 50% and 100% of it), so that
    many threads that failed together do not all come back at the same instant.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    total_time: float = 60.0
    jitter: float = 0.5
    max_retry_after: float = 30.0
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    def delay_for(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 for the first).

        A `Retry-After` from the vendor wins over the backoff, up to `max_retry_after`: waiting longer than
        asked wastes time, and a vendor asking for minutes is better answered by giving up and saying so.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        backoff = min(self.base_delay * 2.0 ** max(attempt - 1, 0), self.max_delay)
        return backoff * (1.0 - self.jitter * self.random())

    def allows_another(self, attempts_made: int, elapsed: float, delay: float) -> bool:
        """True when one more attempt after `delay` stays within the attempt cap and the total time cap."""
        return attempts_made < self.max_attempts and elapsed + delay <= self.total_time


NO_RETRY = RetryPolicy(max_attempts=1)


def interruptible_sleep(seconds: float, cancel: threading.Event | None) -> bool:
    """Wait `seconds`, or less if `cancel` fires; True when it did (at once, not at the end of the wait)."""
    if cancel is None:
        time.sleep(seconds)
        return False
    return cancel.wait(seconds)
