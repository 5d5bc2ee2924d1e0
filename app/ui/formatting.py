"""How the desktop app writes amounts, times and ages: the same way in every page."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def format_money(amount: Decimal | float, currency: str = "") -> str:
    """12345.5 → '12,345.50 USD' (as the command line and the exports write it)."""
    text = f"{Decimal(str(amount)):,.2f}"
    return f"{text} {currency}".strip()


def format_time(moment: datetime) -> str:
    """A moment in this computer's time zone, to the minute: '2026-11-26 10:31'."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def format_age(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: 'just now', '5 minutes ago', '3 days ago'."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < _MINUTE:
        return "just now"
    unit, size = next(
        (u, s) for u, s in (("day", _DAY), ("hour", _HOUR), ("minute", _MINUTE)) if seconds >= s
    )
    count = int(seconds // size)
    return f"{count} {unit}{'' if count == 1 else 's'} ago"
