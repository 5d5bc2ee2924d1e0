"""The Review grid's model: an imported workbook's rows as a table, and the proxy that filters and searches it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from app.domain.catalog import DeliveryType
from app.domain.edits import shown_value, typed_value
from app.domain.issues import Issue, Severity
from app.ui.imported import HAS_ERROR, HAS_WARNING, KIND_FLAGS, STATUS_HEADER, ImportedWorkbook

Index = QModelIndex | QPersistentModelIndex

# Send-time row statuses arrive in bursts; repainting for each would stall the GUI thread at 5,000 rows.
STATUS_FLUSH_MS = 150
# Translucent, so the text stays readable on light and dark palettes alike.
ERROR_FILL = QColor(229, 57, 53, 70)
WARNING_FILL = QColor(255, 179, 0, 80)
ERROR_TEXT = QColor(229, 57, 53)  # readable on white and on a dark base
CHECKING = "Checking…"


class RecipientRole(IntEnum):
    """The grid's own data roles, beyond Qt's."""

    ISSUES = Qt.ItemDataRole.UserRole + 1  # tuple[Issue, ...] at the cell (the row's own on Status)
    SEVERITY = Qt.ItemDataRole.UserRole + 2  # the worst Severity at the cell ("error"/"warning"), or None
    ROW_KEY = Qt.ItemDataRole.UserRole + 3  # the row's key, 'Sheet1!7'
    STATUS = Qt.ItemDataRole.UserRole + 4  # the row's status text, on every column


IssueRole = RecipientRole.ISSUES
SeverityRole = RecipientRole.SEVERITY
RowKeyRole = RecipientRole.ROW_KEY
StatusRole = RecipientRole.STATUS


class RecipientTableModel(QAbstractTableModel):
    """A thin adapter over an `ImportedWorkbook`: one row per recipient row, its own headers, then Status.

    Cells show the values as read, or as edited here; cells with an error are red and with a warning amber
    (BackgroundRole; `SeverityRole` for the delegate's corner mark), the messages in the tooltip. Row-level
    issues (a hidden row) sit on the Status column. Editing a cell keeps the value in the workbook's `edits`
    and marks the row "Checking…" until `facts_changed()` is called with the row checked again.

    Send-time statuses: `set_row_statuses({row key: status text})` may be called as often as events arrive
    (on the GUI thread); the changes are queued and applied every STATUS_FLUSH_MS by a QTimer, with ONE
    `dataChanged` over the rows that changed (Status column only), so the grid stays smooth at any rate.
    A status set this way replaces the row's Review status until `clear_row_statuses()`. `row_for_key(key)`
    gives a row's number in this model (None if the key is not here). `set_editable(False)` makes the grid
    read-only (during a run).

    Signals:
        cell_edited(int): the user changed a cell of this row; it needs validating again.
    """

    cell_edited = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workbook: ImportedWorkbook | None = None
        self._checking: set[int] = set()
        self._statuses: dict[int, str] = {}
        self._queued: dict[str, str] = {}
        self._locks: set[str] = set()
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(STATUS_FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush_statuses)
        self._error_brush = QBrush(ERROR_FILL)
        self._warning_brush = QBrush(WARNING_FILL)
        self._error_text = QBrush(ERROR_TEXT)

    # -- what it shows -------------------------------------------------------------------------------------

    @property
    def workbook(self) -> ImportedWorkbook | None:
        return self._workbook

    def set_workbook(self, workbook: ImportedWorkbook | None) -> None:
        """Show another workbook (or none); send-time statuses and pending checks are forgotten."""
        self.beginResetModel()
        self._workbook = workbook
        self._checking.clear()
        self._statuses.clear()
        self._queued.clear()
        self._flush_timer.stop()
        self.endResetModel()

    def facts_changed(self, checked_rows: set[int] | None = None) -> None:
        """The workbook's facts were recomputed: repaint everything (only visible cells are drawn)."""
        if checked_rows:
            self._checking -= checked_rows
        self._repaint_all()

    def mark_checking(self, rows: set[int]) -> None:
        self._checking |= rows
        self._repaint_all()

    @property
    def status_column(self) -> int:
        return self._workbook.status_column if self._workbook else 0

    def set_editable(self, editable: bool) -> None:
        """The grid is read-only while False (the Send step sets this during a run)."""
        if editable:
            self.unlock_edits("run")
        else:
            self.lock_edits("run")

    def lock_edits(self, reason: str) -> None:
        """No edits while any reason holds (a run, the workbook being checked again)."""
        self._locks.add(reason)

    def unlock_edits(self, reason: str) -> None:
        self._locks.discard(reason)

    @property
    def editable(self) -> bool:
        return not self._locks

    def row_for_key(self, key: str) -> int | None:
        return self._workbook.positions.get(key) if self._workbook else None

    def key_for_row(self, row: int) -> str:
        assert self._workbook is not None
        return self._workbook.keys[row]

    def row_flags(self, row: int) -> int:
        assert self._workbook is not None
        flags = self._workbook.facts.flags
        return flags[row] if row < len(flags) else 0

    def search_text(self, row: int) -> str:
        assert self._workbook is not None
        return self._workbook.search_texts[row]

    # -- send-time statuses ----------------------------------------------------------------------------------

    def set_row_statuses(self, changes: Mapping[str, str]) -> None:
        """Queue status texts by row key; they appear at the next timer tick (see the class docstring)."""
        self._queued.update(changes)
        if self._queued and not self._flush_timer.isActive():
            self._flush_timer.start()

    def clear_row_statuses(self) -> None:
        self._queued.clear()
        self._flush_timer.stop()
        if self._statuses:
            self._statuses.clear()
            self._repaint_all()

    def flush_statuses(self) -> None:
        """Apply the queued statuses now (the timer does this by itself)."""
        self._flush_statuses()

    def _flush_statuses(self) -> None:
        self._flush_timer.stop()
        queued, self._queued = self._queued, {}
        if self._workbook is None or not queued:
            return
        positions = self._workbook.positions
        changed = [positions[key] for key in queued if key in positions]
        for key, text in queued.items():
            row = positions.get(key)
            if row is not None:
                self._statuses[row] = text
        if changed:
            column = self.status_column
            roles = [Qt.ItemDataRole.DisplayRole, StatusRole]
            self.dataChanged.emit(self.index(min(changed), column), self.index(max(changed), column), roles)

    # -- QAbstractTableModel ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 — Qt's own signature
        if parent.isValid() or self._workbook is None:
            return 0
        return len(self._workbook.keys)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._workbook is None:
            return 0
        return len(self._workbook.headers) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        workbook = self._workbook
        if workbook is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section <= len(workbook.headers):
                return None
            return STATUS_HEADER if section == len(workbook.headers) else workbook.headers[section]
        if not 0 <= section < len(workbook.keys):
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Row {workbook.numbers[section]} of sheet “{workbook.sheets[workbook.row_sheets[section]].name}”"
        return workbook.row_label(section)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self._workbook is None:
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if not self._locks and self._workbook.cell(index.row(), index.column()) is not None:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # noqa: PLR0911 — one answer a role
        workbook = self._workbook
        if workbook is None or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == workbook.status_column:
                return self.status_text(row)
            return shown_value(workbook.value(row, column))
        if role == StatusRole:
            return self.status_text(row)
        if role == Qt.ItemDataRole.ForegroundRole and column == workbook.status_column:
            return self._error_text if self.row_flags(row) & HAS_ERROR and row not in self._statuses else None
        if role == RowKeyRole:
            return workbook.keys[row]
        if role in (IssueRole, SeverityRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole):
            return self._issue_data(row, column, role)
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        workbook = self._workbook
        if (
            workbook is None
            or role != Qt.ItemDataRole.EditRole
            or not self.flags(index) & Qt.ItemFlag.ItemIsEditable
        ):
            return False
        row, column = index.row(), index.column()
        cell = workbook.cell(row, column)
        assert cell is not None  # editable cells have one
        typed = typed_value("" if value is None else str(value), workbook.original(row, column), cell.field)
        if not workbook.set_edit(row, column, typed):
            return False
        self._checking.add(row)
        self.dataChanged.emit(self.index(row, 0), self.index(row, workbook.status_column))
        self.cell_edited.emit(row)
        return True

    # -- helpers -------------------------------------------------------------------------------------------

    def cell_issues(self, row: int, column: int) -> tuple[Issue, ...]:
        """The issues shown at a cell: its column's, or on Status the row's own (no column, or a column the
        grid does not show)."""
        workbook = self._workbook
        if workbook is None:
            return ()
        by_letter = workbook.facts.cell_issues.get(row)
        if not by_letter:
            return ()
        if column != workbook.status_column:
            cell = workbook.cell(row, column)
            return by_letter.get(cell.letter, ()) if cell is not None else ()
        return tuple(
            issue
            for letter, issues in by_letter.items()
            if workbook.column_for(row, letter) == workbook.status_column
            for issue in issues
        )

    def status_text(self, row: int) -> str:
        """What the Status column says: the send-time status if any, else the row's review state."""
        if row in self._statuses:
            return self._statuses[row]
        if row in self._checking:
            return CHECKING
        assert self._workbook is not None
        by_letter = self._workbook.facts.cell_issues.get(row, {})
        errors = sum(1 for issues in by_letter.values() for i in issues if i.is_error)
        warnings = sum(1 for issues in by_letter.values() for i in issues if not i.is_error)
        if errors:
            return _count(errors, "error")
        return f"Ready · {_count(warnings, 'warning')}" if warnings else "Ready"

    def _issue_data(self, row: int, column: int, role: int) -> object:
        issues = self.cell_issues(row, column)
        if role == IssueRole:
            return issues
        if not issues:
            return None
        severity = Severity.ERROR if any(i.is_error for i in issues) else Severity.WARNING
        if role == SeverityRole:
            return severity
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._error_brush if severity is Severity.ERROR else self._warning_brush
        return "\n".join(f"{'Error' if i.is_error else 'Warning'}: {i.message}" for i in issues)

    def _repaint_all(self) -> None:
        if self._workbook is not None and self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class RowFilter(StrEnum):
    """Which rows the grid shows."""

    ALL = "All rows"
    ERRORS = "Rows with errors"
    WARNINGS = "Rows with warnings"
    DIGITAL = "Email or SMS"
    LINKS = "Claim links"
    PHYSICAL = "Mailed cards"


_FILTER_FLAGS = {
    RowFilter.ERRORS: HAS_ERROR,
    RowFilter.WARNINGS: HAS_WARNING,
    RowFilter.DIGITAL: KIND_FLAGS[DeliveryType.DIGITAL],
    RowFilter.LINKS: KIND_FLAGS[DeliveryType.LINKS],
    RowFilter.PHYSICAL: KIND_FLAGS[DeliveryType.PHYSICAL],
}


class RecipientFilterProxy(QSortFilterProxyModel):
    """Filters the grid's rows by kind (`RowFilter`) and by a search text (any cell, any case).

    Rows are filtered again only when the filter or the search changes, not on every data change: a row the
    user has just fixed stays in view under "Rows with errors" until the filter is chosen again, and status
    updates during a run never re-filter 100,000 rows. The order is the workbook's (no sorting).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(False)
        self._wanted = 0
        self._needle = ""

    def set_row_filter(self, kind: RowFilter) -> None:
        wanted = _FILTER_FLAGS.get(kind, 0)
        if wanted != self._wanted:
            self.beginFilterChange()
            self._wanted = wanted
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def refilter(self) -> None:
        """Filter every row again (after edits changed which rows have errors)."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def is_filtering(self) -> bool:
        return bool(self._wanted or self._needle)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, RecipientTableModel) or model.workbook is None:
            return True
        if self._wanted and not model.row_flags(source_row) & self._wanted:
            return False
        return not self._needle or self._needle in model.search_text(source_row)
