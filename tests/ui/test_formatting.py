"""Amounts, times and ages are written the same way everywhere in the app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.ui.formatting import format_age, format_money

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_money_has_thousands_separators_and_cents() -> None:
    assert format_money(Decimal("100000"), "USD") == "100,000.00 USD"
    assert format_money(12.5) == "12.50"


def test_age_uses_the_largest_whole_unit() -> None:
    assert format_age(NOW - timedelta(seconds=20), NOW) == "just now"
    assert format_age(NOW - timedelta(minutes=1, seconds=5), NOW) == "1 minute ago"
    assert format_age(NOW - timedelta(hours=5, minutes=59), NOW) == "5 hours ago"
    assert format_age(NOW - timedelta(days=8), NOW) == "8 days ago"


def test_a_time_in_the_future_reads_as_just_now() -> None:
    assert format_age(NOW + timedelta(hours=1), NOW) == "just now"
