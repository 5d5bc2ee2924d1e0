"""Sheets the app writes beside the recipients: never read back as recipients.

An error report's Issues sheet names fields and quotes messages; a results workbook's Summary and Claim Links
sheets list products and values. To the reader each would look like a recipients header, and importing the
claim links sheet would even make valid `Links` rows. Each of these sheets starts with a first row of its own,
which tells the reader to pass it by.
"""

from __future__ import annotations

from collections.abc import Sequence

ISSUES_HEADER = ("Severity", "Sheet", "Row", "Location", "Field", "Code", "Problem", "In Original")
CLAIM_LINKS_HEADER = (
    "Source Sheet",
    "Source Row",
    "Recipient",
    "Order Id",
    "PONumber",
    "Line Item Id",
    "Product",
    "Value",
    "Currency",
    "Card",
    "Claim Link",
    "Challenge Answer",
)
SUMMARY_TITLE = ("Giftbatch run results",)

_FIRST_ROWS = (ISSUES_HEADER, CLAIM_LINKS_HEADER, SUMMARY_TITLE)


def is_app_sheet(first_row: Sequence[object]) -> bool:
    """True when a sheet's first row (as any reader returns it) is that of a sheet the app wrote."""
    return any(tuple(str(v) for v in first_row[: len(known)]) == known for known in _FIRST_ROWS)
