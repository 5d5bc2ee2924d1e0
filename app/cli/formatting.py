"""Plain-text tables and amounts for the command line."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def format_money(amount: Decimal | float, currency: str = "") -> str:
    """12345.5 → '12,345.50 USD'."""
    text = f"{Decimal(str(amount)):,.2f}"
    return f"{text} {currency}".strip()


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], max_width: int = 60) -> str:
    """Columns padded to their widest cell (cut at max_width), a rule under the header."""
    cells = [[_cut(str(v), max_width) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
