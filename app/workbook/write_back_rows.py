"""What a write-back puts into a sheet, whatever the file's format: rows by number, edits, the results' place.

Columns are 1-based, as Excel numbers them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from app.domain.outcomes import RowOutcome, RunReport, SheetLayout
from app.workbook.safe_cells import WritableValue
from app.workbook.xlsx_xml import column_number

Edits = dict[int, dict[int, WritableValue]]  # row → column → the value the user typed in the grid


def sheet_rows(report: RunReport, sheet: str) -> Callable[[], Iterator[RowOutcome]]:
    """The sheet's outcomes in row order, one per row, as often as asked.

    The engine reports rows in order, so usually this only filters the report as it goes (no copy of it is
    kept); otherwise they are sorted once. Should a row come twice, the later outcome counts."""

    def in_report_order() -> Iterator[RowOutcome]:
        return (outcome for outcome in report.outcomes if outcome.sheet == sheet)

    previous = 0
    for outcome in in_report_order():
        if outcome.row <= previous:
            ordered = sorted(in_report_order(), key=lambda o: o.row)
            return lambda: _last_of_each_row(ordered)
        previous = outcome.row
    return in_report_order


def _last_of_each_row(ordered: list[RowOutcome]) -> Iterator[RowOutcome]:
    for index, outcome in enumerate(ordered):
        if index + 1 == len(ordered) or ordered[index + 1].row != outcome.row:
            yield outcome


def earlier_results_column(header_texts: dict[int, str], headers: tuple[str, ...]) -> int | None:
    """Where an earlier write-back's result columns start on the header row (column → the cell's text), so
    a new write-back writes over them instead of adding a second set."""
    texts = {column: text.strip() for column, text in header_texts.items()}
    for start, text in texts.items():
        if text == headers[0] and all(texts.get(start + i) == h for i, h in enumerate(headers)):
            return start
    return None


def grid_edits(layout: SheetLayout, outcomes: Iterable[RowOutcome], results: range = range(0)) -> Edits:
    """The user's grid edits by row and column (the values as sent); none inside the result columns,
    where the new results win over an earlier copy's."""
    edits: Edits = {}
    for outcome in outcomes:
        for header in outcome.edited:
            letter = layout.letter_of(header)
            column = column_number(letter) if letter else None
            if column is not None and column not in results:
                edits.setdefault(outcome.row, {})[column] = outcome.values.get(header)
    return edits
