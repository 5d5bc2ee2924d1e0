"""Table models over runs and their rows: History's run list, a run's rows, and the Results page's failures."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.engine.states import RunStatus
from app.ui.formatting import format_money, format_time
from app.ui.run_summaries import RowLine, RunSummary

ModelIndex = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
# The run id (on every column of the runs model) and the row key (on every column of the rows model).
KEY_ROLE = Qt.ItemDataRole.UserRole + 1

_STATUS_WORDS = {
    RunStatus.RUNNING: "Sending",
    RunStatus.PAUSED: "Paused",
    RunStatus.INTERRUPTED: "Stopped before the end",
    RunStatus.FAILED: "Stopped: needs attention",
    RunStatus.COMPLETED: "Completed",
}


def run_status_words(status: RunStatus) -> str:
    return _STATUS_WORDS[status]


def costs_text(costs: Mapping[str, Decimal]) -> str:
    return ", ".join(format_money(amount, currency) for currency, amount in costs.items()) or "—"


class RunColumn(IntEnum):
    RUN = 0
    CREATED = 1
    WORKBOOK = 2
    PROFILE = 3
    STATUS = 4
    ROWS = 5
    ORDERS = 6
    COST = 7


_RUN_HEADERS = {
    RunColumn.RUN: "Run",
    RunColumn.CREATED: "Created",
    RunColumn.WORKBOOK: "Workbook",
    RunColumn.PROFILE: "Profile",
    RunColumn.STATUS: "Status",
    RunColumn.ROWS: "Rows",
    RunColumn.ORDERS: "Orders",
    RunColumn.COST: "Cost",
}
_NUMERIC_RUN_COLUMNS = frozenset({RunColumn.ROWS, RunColumn.ORDERS, RunColumn.COST})


class RunsTableModel(QAbstractTableModel):
    """Past runs, newest first, as `RunSummary` values read from the journal in a worker."""

    def __init__(self) -> None:
        super().__init__()
        self._runs: list[RunSummary] = []

    def set_runs(self, runs: Sequence[RunSummary]) -> None:
        self.beginResetModel()
        self._runs = list(runs)
        self.endResetModel()

    def run_at(self, row: int) -> RunSummary | None:
        return self._runs[row] if 0 <= row < len(self._runs) else None

    def row_of(self, run_id: str) -> int | None:
        return next((i for i, run in enumerate(self._runs) if run.id == run_id), None)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's own signature)
        return 0 if parent.isValid() else len(self._runs)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RunColumn)

    def data(self, index: ModelIndex, role: int = DISPLAY) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._runs):
            return None
        run = self._runs[index.row()]
        column = RunColumn(index.column())
        if role in (DISPLAY, Qt.ItemDataRole.AccessibleTextRole):
            return _run_text(run, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _run_tooltip(run, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC_RUN_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == KEY_ROLE:
            return run.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(RunColumn):
            return _RUN_HEADERS[RunColumn(section)]
        return None


_RUN_TEXT: dict[RunColumn, Callable[[RunSummary], str]] = {
    RunColumn.RUN: lambda run: run.id,
    RunColumn.CREATED: lambda run: format_time(run.created_at),
    RunColumn.WORKBOOK: lambda run: run.workbook.name,
    RunColumn.PROFILE: lambda run: run.profile,
    RunColumn.STATUS: lambda run: run_status_words(run.status),
    RunColumn.ROWS: lambda run: f"{run.rows:,}",
    RunColumn.ORDERS: lambda run: f"{run.orders:,}",
    RunColumn.COST: lambda run: costs_text(run.costs),
}


def _run_text(run: RunSummary, column: RunColumn) -> str:
    return _RUN_TEXT[column](run)


def _run_tooltip(run: RunSummary, column: RunColumn) -> str | None:
    if column is RunColumn.WORKBOOK:
        return str(run.workbook)
    if column is RunColumn.STATUS:
        return run.message or None
    return None


class RowColumn(IntEnum):
    SHEET = 0
    ROW = 1
    RECIPIENT = 2
    STATUS = 3
    ORDER = 4
    COST = 5
    PAID_AGAIN = 6
    REASON = 7  # last: it takes the rest of the width and wraps


_ROW_HEADERS = {
    RowColumn.SHEET: "Sheet",
    RowColumn.ROW: "Row",
    RowColumn.RECIPIENT: "Recipient",
    RowColumn.STATUS: "Status",
    RowColumn.ORDER: "Order (PONumber)",
    RowColumn.COST: "Cost",
    RowColumn.PAID_AGAIN: "Paid again",
    RowColumn.REASON: "Reason",
}


class RowLinesModel(QAbstractTableModel):
    """A run's rows (all of them, or only those that failed) with their status and the reason when not sent."""

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[RowLine] = []

    def set_lines(self, lines: Sequence[RowLine]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()

    def line_at(self, row: int) -> RowLine | None:
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def empty_columns(self) -> set[int]:
        """The columns no line has any text in."""
        return {column for column in RowColumn if not any(_LINE_TEXT[column](line) for line in self._lines)}

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RowColumn)

    def data(self, index: ModelIndex, role: int = DISPLAY) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = RowColumn(index.column())
        if role in (DISPLAY, Qt.ItemDataRole.AccessibleTextRole):
            return _line_text(line, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (RowColumn.REASON, RowColumn.PAID_AGAIN):
            return _line_text(line, column) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (RowColumn.ROW, RowColumn.COST):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == KEY_ROLE:
            return line.key
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(RowColumn):
            return _ROW_HEADERS[RowColumn(section)]
        return None


_LINE_TEXT: dict[RowColumn, Callable[[RowLine], str]] = {
    RowColumn.SHEET: lambda line: line.sheet,
    RowColumn.ROW: lambda line: str(line.row),
    RowColumn.RECIPIENT: lambda line: line.recipient,
    RowColumn.STATUS: lambda line: line.status.value,
    RowColumn.ORDER: lambda line: line.po_number,
    RowColumn.COST: lambda line: line.cost,
    RowColumn.PAID_AGAIN: lambda line: line.paid_again,
    RowColumn.REASON: lambda line: line.reason,
}


def _line_text(line: RowLine, column: RowColumn) -> str:
    return _LINE_TEXT[column](line)
