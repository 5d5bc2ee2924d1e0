"""Totals and subtotals under the data are not recipients: what marks such a row.

A row is a total when it names no recipient (no email, SMS number or street address) and either one of its
cells says Total, Subtotal, Sum or the like, or one of its formulas adds up rows above it (`=SUM(D2:D41)`,
`=SUBTOTAL(9,D2:D41)`, an Excel table's total row). Formulas that work along their own row (`=B7*C7`) or a
running total that includes the row itself are not totals. The reader leaves such rows out with one note per
sheet, so a workbook with a TOTAL row never turns into errors nobody can fix.
"""

from __future__ import annotations

import re

# Compared without case, surrounding spaces or a trailing colon; English, German, French, Spanish, Italian.
TOTAL_LABELS = frozenset(
    {
        "total", "totals", "subtotal", "sub total", "sub-total", "grand total", "sum", "sum total",
        "overall total", "total amount", "total cost", "totals:", "summe", "gesamt", "gesamtsumme",
        "zwischensumme", "total général", "sous-total", "somme", "suma", "suma total", "totale", "subtotale",
    }
)  # fmt: skip
_LABEL_WORDS = re.compile(r"^(?:grand |sub-?|overall )?totals?\b", re.IGNORECASE)
_LONGEST_LABEL = 40
_AGGREGATE = re.compile(
    r"\b(SUM|SUMIFS?|SUMPRODUCT|SUBTOTAL|AGGREGATE|AVERAGE|AVERAGEA|COUNTA?|MIN|MAX)\s*\(", re.IGNORECASE
)
_EXCEL_TOTALS = {"SUBTOTAL", "AGGREGATE"}  # Excel's own totals functions (and table total rows)
_RANGE = re.compile(r"\$?[A-Z]{1,3}\$?(\d+)\s*:\s*\$?[A-Z]{1,3}\$?(\d+)", re.IGNORECASE)


def is_total_label(value: object) -> bool:
    """'TOTAL', 'Grand total:', 'Subtotal (USD)', 'Summe' — a cell that labels its row a total."""
    if not isinstance(value, str) or len(value) > _LONGEST_LABEL:
        return False
    text = " ".join(value.casefold().split()).rstrip(":").strip()
    return text in TOTAL_LABELS or bool(_LABEL_WORDS.match(text))


def aggregates_rows_above(formula: str, row: int) -> bool:
    """Whether a formula in Excel row `row` adds up (counts, averages) rows above it."""
    functions = {name.upper() for name in _AGGREGATE.findall(formula)}
    if not functions:
        return False
    if functions & _EXCEL_TOTALS or "[" in formula:  # SUBTOTAL(109,[Amount]): a table's total row
        return True
    return any(max(int(first), int(last)) < row for first, last in _RANGE.findall(formula))
