"""The token manager: one fetch reused, renewed early, forgotten on a 401, shared safely by threads."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.api.tokens import TokenManager, renewal_delay
from app.api.wire import TokenResponse


class Issuer:
    """Issues numbered tokens of a fixed lifetime and counts how often it was asked."""

    def __init__(self, lifetime: float = 3600.0, pause: float = 0.0) -> None:
        self.lifetime = lifetime
        self.pause = pause
        self.calls = 0

    def __call__(self, cancel: threading.Event | None) -> TokenResponse:
        self.calls += 1
        time.sleep(self.pause)
        return TokenResponse(value=f"tok-{self.calls}", expires_in=self.lifetime)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("lifetime", "renew_after"),
    [
        (3600, 2880),  # 80% comes before "a minute before"
        (120, 60),  # a minute before comes first (80% would be 96)
        (200, 140),
        (61, 30.5),  # too short for the minute rule to leave much: use it for half its life
        (1, 0.5),
        (0, 0),
    ],
)
def test_renewal_comes_at_80_percent_or_a_minute_before_whichever_is_sooner(
    lifetime: float,
    renew_after: float,
) -> None:
    assert renewal_delay(lifetime) == pytest.approx(renew_after)


def test_the_token_is_fetched_once_and_reused() -> None:
    issuer = Issuer()
    tokens = TokenManager(issuer, clock=Clock())
    assert {tokens.token() for _ in range(50)} == {"tok-1"}
    assert issuer.calls == 1


def test_the_token_is_renewed_before_it_expires() -> None:
    issuer, clock = Issuer(lifetime=3600), Clock()
    tokens = TokenManager(issuer, clock=clock)
    assert tokens.token() == "tok-1"
    clock.now = 2879.0
    assert tokens.token() == "tok-1"
    clock.now = 2880.0  # 80% of its life, well before the vendor would refuse it
    assert tokens.token() == "tok-2"
    assert issuer.calls == 2


def test_invalidate_forgets_only_the_token_that_was_refused() -> None:
    issuer = Issuer()
    tokens = TokenManager(issuer, clock=Clock())
    first = tokens.token()
    tokens.invalidate(first)
    second = tokens.token()
    assert second == "tok-2"
    tokens.invalidate(first)  # a second thread that saw the same 401 late: no second renewal
    assert tokens.token() == "tok-2"
    tokens.invalidate()
    assert tokens.token() == "tok-3"


def test_refresh_always_fetches() -> None:
    issuer = Issuer()
    tokens = TokenManager(issuer, clock=Clock())
    tokens.token()
    assert tokens.refresh() == "tok-2"
    assert tokens.token() == "tok-2"


def test_a_failed_fetch_keeps_nothing_and_the_next_call_tries_again() -> None:
    attempts: list[int] = []

    def flaky(cancel: threading.Event | None) -> TokenResponse:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("vendor down")
        return TokenResponse(value="tok-ok", expires_in=3600)

    tokens = TokenManager(flaky, clock=Clock())
    with pytest.raises(RuntimeError):
        tokens.token()
    assert tokens.token() == "tok-ok"


def test_the_cancel_event_reaches_the_fetch() -> None:
    given: list[threading.Event | None] = []

    def fetch(cancel: threading.Event | None) -> TokenResponse:
        given.append(cancel)
        return TokenResponse(value="t", expires_in=3600)

    cancel = threading.Event()
    tokens = TokenManager(fetch, clock=Clock())
    tokens.token(cancel)
    tokens.refresh(cancel)
    assert given == [cancel, cancel]


def test_threads_needing_a_token_at_once_share_one_fetch() -> None:
    issuer = Issuer(pause=0.05)
    tokens = TokenManager(issuer)
    start = threading.Barrier(16)

    def use() -> str:
        start.wait()
        return tokens.token()

    with ThreadPoolExecutor(max_workers=16) as pool:
        seen = set(pool.map(lambda _: use(), range(16)))
    assert seen == {"tok-1"}
    assert issuer.calls == 1
