"""The Review grid's model: an imported workbook's rows as a table, and the proxy that filters and searches it."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from enum import IntEnum, StrEnum

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
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

# data() runs for every role of every painted cell: plain ints compare and hash far faster than Qt's enums.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TEXT_ROLES = frozenset({_DISPLAY, int(Qt.ItemDataRole.EditRole)})
_ISSUE_ROLES = frozenset({int(IssueRole), int(SeverityRole), _BACKGROUND, _TOOLTIP})
_HEADER_ROLES = frozenset({_DISPLAY, _TOOLTIP})


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
        if workbook is None or role not in _HEADER_ROLES:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section <= len(workbook.headers):
                return None
            return STATUS_HEADER if section == len(workbook.headers) else workbook.headers[section]
        if not 0 <= section < len(workbook.keys):
            return None
        if role == _TOOLTIP:
            return f"Row {workbook.numbers[section]} of sheet “{workbook.sheets[workbook.row_sheets[section]].name}”"
        return workbook.row_label(section)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return self.cell_flags(index.row(), index.column())

    def cell_flags(self, row: int, column: int) -> Qt.ItemFlag:
        """`flags()` of a cell by its row and column (the filter proxy asks with the source row)."""
        if self._workbook is None:
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if not self._locks and self._workbook.cell(row, column) is not None:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        return self.cell_data(index.row(), index.column(), role)

    def cell_data(self, row: int, column: int, role: int) -> object:  # noqa: PLR0911 — one answer a role
        """`data()` of a cell by its row and column (the filter proxy asks with the source row)."""
        workbook = self._workbook
        if workbook is None:
            return None
        if role in _TEXT_ROLES:
            if column == workbook.status_column:
                return self.status_text(row)
            return shown_value(workbook.value(row, column))
        if role in _ISSUE_ROLES:
            return self._issue_data(row, column, role)
        if role == _FOREGROUND:
            if column == workbook.status_column and row not in self._statuses:
                return self._error_text if self.row_flags(row) & HAS_ERROR else None
            return None
        if role == StatusRole:
            return self.status_text(row)
        if role == RowKeyRole:
            return workbook.keys[row]
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
        if role == _BACKGROUND:
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


def matching_rows(flags: Sequence[int], texts: Sequence[str], wanted: int, needle: str) -> list[int]:
    """The rows, in order, whose flags share a bit with `wanted` (when set) and whose search text holds
    `needle` (when set)."""
    rows: Sequence[int] = range(len(texts))
    if wanted:
        rows = [row for row, flag in enumerate(flags) if flag & wanted]
    if needle:
        rows = [row for row in rows if needle in texts[row]]
    return list(rows)


class RecipientFilterProxy(QAbstractProxyModel):
    """Filters the grid's rows by kind (`RowFilter`) and by a search text (any cell, any case).

    The rows shown are worked out in one pass over the workbook's row flags and search texts (a few
    milliseconds at 100,000 rows) when the filter, the search or the workbook changes, and kept as a sorted
    list of source rows: Qt never calls back into Python once per row, as a QSortFilterProxyModel's
    `filterAcceptsRow` would (over 100 ms at 100,000 rows, on every new workbook even with no filter).
    With no filter the proxy maps rows one to one. A change of filter keeps the current cell and the
    selection on the rows that stay (a layout change, not a reset).

    Rows are filtered again only when the filter or the search changes, not on every data change: a row the
    user has just fixed stays in view under "Rows with errors" until the filter is chosen again, and status
    updates during a run never re-filter 100,000 rows. The order is the workbook's (no sorting). The source
    must be a `RecipientTableModel`, which changes shape only by resets.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model: RecipientTableModel | None = None
        self._wanted = 0
        self._needle = ""
        self._rows: list[int] | None = None  # the source rows shown, ascending; None: every row

    def setSourceModel(self, source: QAbstractItemModel) -> None:
        if not isinstance(source, RecipientTableModel):
            raise TypeError("RecipientFilterProxy shows a RecipientTableModel")
        self.beginResetModel()
        if self._model is not None:
            self._model.modelAboutToBeReset.disconnect(self._source_resetting)
            self._model.modelReset.disconnect(self._source_reset)
            self._model.dataChanged.disconnect(self._source_data_changed)
            self._model.headerDataChanged.disconnect(self._source_header_changed)
        super().setSourceModel(source)
        self._model = source
        source.modelAboutToBeReset.connect(self._source_resetting)
        source.modelReset.connect(self._source_reset)
        source.dataChanged.connect(self._source_data_changed)
        source.headerDataChanged.connect(self._source_header_changed)
        self._rows = self._accepted()
        self.endResetModel()

    # -- the filter ----------------------------------------------------------------------------------------

    def set_row_filter(self, kind: RowFilter) -> None:
        wanted = _FILTER_FLAGS.get(kind, 0)
        if wanted != self._wanted:
            self._wanted = wanted
            self.refilter()

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self._needle = needle
            self.refilter()

    def refilter(self) -> None:
        """Filter every row again (after edits changed which rows have errors)."""
        rows = self._accepted()
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        cells = [(self._source_row(index.row()), index.column()) for index in before]
        self._rows = rows
        self.changePersistentIndexList(before, [self._index_of(row, column) for row, column in cells])
        self.layoutChanged.emit()

    @property
    def is_filtering(self) -> bool:
        return bool(self._wanted or self._needle)

    def shows(self, source_row: int) -> bool:
        """Whether the filter shows this row of the source (asked without a round trip through Qt)."""
        rows = self._rows
        if rows is None:
            return self._model is not None and 0 <= source_row < self._model.rowCount()
        at = bisect_left(rows, source_row)
        return at < len(rows) and rows[at] == source_row

    def _accepted(self) -> list[int] | None:
        model = self._model
        workbook = model.workbook if model is not None else None
        if workbook is None or not self.is_filtering:
            return None
        return matching_rows(workbook.facts.flags, workbook.search_texts, self._wanted, self._needle)

    # -- rows here and in the source -----------------------------------------------------------------------

    def _source_row(self, row: int) -> int:
        return row if self._rows is None else self._rows[row]

    def _index_of(self, source_row: int, column: int) -> QModelIndex:
        """This model's index of a source cell; invalid when the filter hides its row."""
        rows = self._rows
        if rows is None:
            return self.createIndex(source_row, column)
        if not self.shows(source_row):
            return QModelIndex()
        return self.createIndex(bisect_left(rows, source_row), column)

    def _span(self, first: int, last: int) -> tuple[int, int]:
        """The rows shown here from the source rows first..last (empty when first > last)."""
        rows = self._rows
        if rows is None:
            return first, last
        return bisect_left(rows, first), bisect_right(rows, last) - 1

    def mapToSource(self, proxy_index: Index) -> QModelIndex:
        if self._model is None or not proxy_index.isValid():
            return QModelIndex()
        return self._model.index(self._source_row(proxy_index.row()), proxy_index.column())

    def mapFromSource(self, source_index: Index) -> QModelIndex:
        if self._model is None or not source_index.isValid():
            return QModelIndex()
        return self._index_of(source_index.row(), source_index.column())

    # -- QAbstractItemModel (asked straight of the source, with no second call back into Python) -----------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < self.rowCount() and 0 <= column < self.columnCount()):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: Index | None = None) -> QModelIndex | QObject | None:  # type: ignore[override]
        if child is None:  # QObject.parent()
            return super().parent()
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._model is None:
            return 0
        return self._model.rowCount() if self._rows is None else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._model is None:
            return 0
        return self._model.columnCount()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if self._model is None or not index.isValid():
            return None
        return self._model.cell_data(self._source_row(index.row()), index.column(), role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if self._model is None or not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return self._model.cell_flags(self._source_row(index.row()), index.column())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if self._model is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < self.rowCount():
                return None
            section = self._source_row(section)
        return self._model.headerData(section, orientation, role)

    # -- what the source says ------------------------------------------------------------------------------

    def _source_resetting(self) -> None:
        self.beginResetModel()

    def _source_reset(self) -> None:
        self._rows = self._accepted()
        self.endResetModel()

    def _source_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: Sequence[int] = ()) -> None:
        first, last = self._span(top.row(), bottom.row())
        if first <= last:
            self.dataChanged.emit(
                self.createIndex(first, top.column()), self.createIndex(last, bottom.column()), list(roles)
            )

    def _source_header_changed(self, orientation: Qt.Orientation, first: int, last: int) -> None:
        if orientation == Qt.Orientation.Vertical:
            first, last = self._span(first, last)
        if first <= last:
            self.headerDataChanged.emit(orientation, first, last)
