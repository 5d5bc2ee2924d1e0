"""How validation's messages put lists and lengths into words."""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.fields import Field


def listed(items: Iterable[str], last: str = "or") -> str:
    """'A, B or C'."""
    names = list(items)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def too_long(fld: Field, text: str, limit: int) -> str:
    return (
        f"the {fld.label.lower()} is {len(text):,} characters long. Expected at most {limit:,}. Shorten it."
    )
