"""Sheets the app writes beside the recipients (an error report's issue list): never read as recipients."""

from __future__ import annotations

from collections.abc import Sequence

# The header of the error report's Issues sheet. Its rows name fields and quote messages, which look like a
# recipients header to the reader; this exact first row tells the reader to pass the sheet by.
ISSUES_HEADER = ("Severity", "Sheet", "Row", "Location", "Field", "Code", "Problem", "In Original")


def is_issue_list(first_row: Sequence[object]) -> bool:
    """True for the first row of an error report's Issues sheet (as any reader returns it)."""
    return tuple(str(v) for v in first_row[: len(ISSUES_HEADER)]) == ISSUES_HEADER
