"""The retry policy: exponential backoff with jitter, Retry-After honoured up to a cap, cancellable waits."""

from __future__ import annotations

import threading

import pytest

from app.api.retry import RetryPolicy, interruptible_sleep


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, jitter=0.0)
    assert [policy.delay_for(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_jitter_takes_off_at_most_its_share_of_the_backoff() -> None:
    lowest = RetryPolicy(base_delay=1.0, jitter=0.5, random=lambda: 0.999999)
    highest = RetryPolicy(base_delay=1.0, jitter=0.5, random=lambda: 0.0)
    assert lowest.delay_for(3) == pytest.approx(2.0, abs=1e-5)
    assert highest.delay_for(3) == 4.0


def test_real_jitter_spreads_waits_within_bounds() -> None:
    policy = RetryPolicy(base_delay=1.0, jitter=0.5)
    delays = {policy.delay_for(2) for _ in range(200)}
    assert all(1.0 <= d <= 2.0 for d in delays)
    assert len(delays) > 100  # threads that failed together come back at different moments


def test_retry_after_wins_over_backoff_but_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_retry_after=30.0, jitter=0.0)
    assert policy.delay_for(1, retry_after=3.0) == 3.0
    assert policy.delay_for(4, retry_after=0.0) == 0.0
    assert policy.delay_for(1, retry_after=600.0) == 30.0
    assert policy.delay_for(1, retry_after=-5.0) == 0.0


def test_another_attempt_needs_room_in_both_caps() -> None:
    policy = RetryPolicy(max_attempts=3, total_time=10.0)
    assert policy.allows_another(attempts_made=2, elapsed=0.0, delay=1.0)
    assert not policy.allows_another(attempts_made=3, elapsed=0.0, delay=1.0)
    assert policy.allows_another(attempts_made=1, elapsed=8.0, delay=2.0)
    assert not policy.allows_another(attempts_made=1, elapsed=8.5, delay=2.0)


def test_nonsense_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=1.5)


def test_a_cancelled_wait_returns_at_once() -> None:
    cancel = threading.Event()
    cancel.set()
    assert interruptible_sleep(3600.0, cancel) is True


def test_cancel_from_another_thread_cuts_a_long_wait_short() -> None:
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    # Were the wait not interrupted, this test would sit for an hour and then fail on the result.
    assert interruptible_sleep(3600.0, cancel) is True


def test_an_uncancelled_wait_runs_out() -> None:
    assert interruptible_sleep(0.01, threading.Event()) is False
    assert interruptible_sleep(0.0, None) is False
