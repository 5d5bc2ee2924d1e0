"""The bearer token of one profile: fetched once, shared by every thread, renewed before it runs out."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.api.wire import TokenResponse

log = logging.getLogger(__name__)

# Renew a minute before expiry, or at 80% of the lifetime when that comes sooner ...
_EARLY_SECONDS = 60.0
_EARLY_SHARE = 0.8
# ... but use a very short-lived token for at least half its life, or we would fetch one for every call.
_MIN_SHARE = 0.5


def renewal_delay(expires_in: float) -> float:
    """Seconds after issue at which a token that lives `expires_in` seconds should be replaced."""
    lifetime = max(expires_in, 0.0)
    early = min(lifetime * _EARLY_SHARE, lifetime - _EARLY_SECONDS)
    return max(early, lifetime * _MIN_SHARE)


@dataclass(frozen=True)
class _Held:
    value: str
    renew_at: float


class TokenManager:
    """Hands out a valid bearer token, fetching a new one only when needed.

    `fetch` performs `POST /v1/Tokens`, stopping when the cancel event it is given fires. It is called under a
    lock, so threads that need a token at the same moment wait for one fetch instead of each making their own.
    `clock` is monotonic seconds (tests pass a fake one).
    """

    def __init__(
        self,
        fetch: Callable[[threading.Event | None], TokenResponse],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._held: _Held | None = None
        self.fetch_count = 0

    def token(self, cancel: threading.Event | None = None) -> str:
        """A token to send now: the held one while it is fresh, else a newly fetched one."""
        with self._lock:
            held = self._held
            if held is None or self._clock() >= held.renew_at:
                held = self._renew(cancel)
            return held.value

    def refresh(self, cancel: threading.Event | None = None) -> str:
        """Fetch a new token now, whatever the held one's age (to test credentials)."""
        with self._lock:
            return self._renew(cancel).value

    def invalidate(self, rejected: str | None = None) -> None:
        """Forget the held token after the vendor refused it with a 401.

        With `rejected`, only that token is forgotten: when several threads got a 401 for the same token,
        the first one to get here renews it and the others then use the new token rather than renewing again.
        """
        with self._lock:
            if self._held is not None and (rejected is None or self._held.value == rejected):
                self._held = None

    def _renew(self, cancel: threading.Event | None) -> _Held:
        issued_at = self._clock()
        answer = self._fetch(cancel)
        self.fetch_count += 1
        self._held = _Held(answer.value, issued_at + renewal_delay(answer.expires_in))
        log.info("New bearer token obtained, valid for %.0f s", answer.expires_in)
        return self._held
