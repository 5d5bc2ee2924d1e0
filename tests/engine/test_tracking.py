"""Following orders: a poll schedule scaled to the size of each order, with a deadline."""

from __future__ import annotations

import pytest

from app.engine.tracking import PollPolicy, Tracker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_first_poll_waits_longer_for_bigger_orders_then_doubles_up_to_a_cap() -> None:
    policy = PollPolicy(first_s=1.0, per_card_s=0.02, cap_s=30.0)
    assert [policy.delay(50, n) for n in range(6)] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert policy.delay(1, 0) == pytest.approx(1.02)
    assert policy.delay(1000, 0) == 21.0


def test_orders_come_due_on_schedule_and_a_webhook_brings_one_forward() -> None:
    clock = Clock()
    tracker = Tracker(PollPolicy(first_s=1.0, per_card_s=0.0, cap_s=30.0, deadline_s=100.0), clock)
    tracker.watch("PO-1", "ORD-1", cards=10)
    tracker.watch("PO-2", "ORD-2", cards=10)
    assert tracker.take_due() is None
    assert tracker.seconds_to_next() == 1.0

    assert tracker.nudge("ORD-2", None) is True
    assert tracker.take_due() == "PO-2"
    assert tracker.take_due() is None  # PO-2 is in flight; PO-1 is not due yet
    assert tracker.nudge(None, "PO-unknown") is False

    clock.now += 1.0
    assert tracker.take_due() == "PO-1"
    tracker.polled("PO-1")
    clock.now += 1.9
    assert tracker.take_due() is None
    clock.now += 0.1
    assert tracker.take_due() == "PO-1"


def test_orders_past_their_deadline_are_no_longer_polled() -> None:
    clock = Clock()
    tracker = Tracker(PollPolicy(first_s=1.0, per_card_s=0.0, deadline_s=10.0), clock)
    tracker.watch("PO-1", "ORD-1", cards=1)
    assert not tracker.all_expired()
    clock.now += 11
    assert tracker.take_due() is None
    assert tracker.all_expired()
    tracker.forget("PO-1")
    assert len(tracker) == 0
