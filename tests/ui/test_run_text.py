"""The Send page's words for the engine's events, its pace (rows/s, time left) and how it says durations."""

from __future__ import annotations

import pytest

from app.engine.events import (
    BalanceShort,
    OrderAccepted,
    OrderProblem,
    OrderRejected,
    OrderSent,
    Progress,
    RowStatusChanged,
    RunFinished,
    RunPaused,
)
from app.engine.field_errors import RowError
from app.engine.states import RunStatus
from app.ui.run_text import Pace, describe_event, format_duration, time_left_words

RUN = "261126-K7QX9M"


def test_an_order_sent_names_its_rows_and_cards() -> None:
    line = describe_event(OrderSent(RUN, po_number="GB-1", rows=25, cards=30, resend=False))
    assert line == "Order GB-1 sent: 25 rows, 30 cards."


def test_a_resend_says_why_nobody_is_paid_twice() -> None:
    line = describe_event(OrderSent(RUN, po_number="GB-1", rows=1, cards=1, resend=True))
    assert line is not None and "same PONumber" in line and "1 row)" in line


def test_an_accepted_duplicate_is_explained_as_a_lost_answer() -> None:
    plain = describe_event(
        OrderAccepted(RUN, po_number="GB-1", order_id="O-9", state="pending", was_duplicate=False)
    )
    again = describe_event(
        OrderAccepted(RUN, po_number="GB-1", order_id="O-9", state="pending", was_duplicate=True)
    )
    assert plain == "Order GB-1 accepted by the vendor (order O-9)."
    assert again is not None and "already had it" in again and "nothing is paid twice" in again


def test_a_refused_order_lists_the_vendors_field_messages_at_their_cells() -> None:
    errors = tuple(RowError(f"LineItems[{i}].Value", None, f"D{i + 2}", "must be 5 to 500") for i in range(7))
    line = describe_event(
        OrderRejected(RUN, po_number="GB-2", message="invalid", errors=errors, retry_po_number="GB-3")
    )
    assert line is not None
    assert line.startswith("Order GB-2 refused by the vendor: D2: must be 5 to 500; D3: must be 5 to 500")
    assert "… and 2 more" in line and "D7:" not in line
    assert line.endswith("Its other rows go in order GB-3.")


def test_an_order_refused_as_a_whole_says_none_of_its_rows_is_sent_again() -> None:
    line = describe_event(
        OrderRejected(
            RUN, po_number="GB-4", message="The request is invalid.", errors=(), retry_po_number=None
        )
    )
    assert line == (
        "Order GB-4 refused by the vendor: The request is invalid. None of its rows is sent again; the Results "
        "page shows why at each one."
    )


def test_a_short_balance_says_how_much_is_missing() -> None:
    line = describe_event(
        BalanceShort(RUN, currency="USD", needed="1250.00", available="1000.00", shortfall="250.00")
    )
    assert line == (
        "The balance ran short: 250.00 USD more is needed to send the rest (1,000.00 USD available)."
    )


def test_pauses_problems_and_the_end_are_told_as_the_engine_words_them() -> None:
    assert describe_event(RunPaused(RUN, reason="Paused by the user.")) == "Paused by the user."
    problem = describe_event(
        OrderProblem(RUN, po_number="GB-1", message="The vendor is limiting our requests.")
    )
    assert problem == "Order GB-1: The vendor is limiting our requests."
    end = describe_event(
        RunFinished(RUN, status=RunStatus.COMPLETED, message="Every order is final: 3 completed.")
    )
    assert end == "Finished. Every order is final: 3 completed."


def test_progress_and_row_changes_stay_out_of_the_log() -> None:
    assert describe_event(Progress(RUN, orders_done=1, orders_total=2, rows_done=5, rows_total=10)) is None
    assert describe_event(RowStatusChanged(RUN, rows=())) is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_pace_is_rows_per_second_over_the_recent_window() -> None:
    clock = Clock()
    pace = Pace(window_s=10.0, clock=clock)
    assert pace.rows_per_second() is None
    for rows in range(0, 201, 20):  # 20 rows a second for 10 s
        pace.add(rows)
        clock.now += 1.0
    assert pace.rows_per_second() == pytest.approx(20.0)
    assert pace.seconds_left(400) == pytest.approx(20.0)


def test_a_pause_fades_out_of_the_pace() -> None:
    clock = Clock()
    pace = Pace(window_s=5.0, clock=clock)
    pace.add(0)
    clock.now += 60.0  # paused for a minute
    for rows in range(0, 101, 10):
        pace.add(100 + rows)
        clock.now += 1.0
    assert pace.rows_per_second() == pytest.approx(10.0, rel=0.25)


def test_no_time_left_is_given_before_the_pace_is_known() -> None:
    pace = Pace(clock=Clock())
    pace.add(0)
    assert pace.seconds_left(10) is None
    assert pace.seconds_left(0) == 0.0


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (5, "less than a minute"),
        (61, "2 minutes"),
        (60 * 60, "1 hour"),
        (80 * 60, "1 hour 20 minutes"),
        (3 * 3600 + 60, "3 hours 1 minute"),
    ],
)
def test_durations_read_as_people_say_them(seconds: float, words: str) -> None:
    assert format_duration(seconds) == words


def test_time_left_is_said_as_an_estimate() -> None:
    assert time_left_words(20) == "less than a minute"
    assert time_left_words(250) == "about 5 minutes"
