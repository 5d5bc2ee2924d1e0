"""A read-only table view whose rows copy to the clipboard as tab-separated text (pastes into Excel)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

SIZE_SAMPLE_ROWS = 50


class CopyableTable(QTableView):
    """Rows selected whole; Ctrl+C (or the context menu) copies the selected rows, or every row when none is
    selected, with the header row first."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Fitting a column to its contents measures this many rows, not 1,000 (each a call into Python).
        self.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
        self.copy_action = QAction("&Copy", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_rows)
        self.addAction(self.copy_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def rows_text(self) -> str:
        """The selected rows (or all rows) as tab-separated lines, headers first."""
        model = self.model()
        if model is None:
            return ""
        rows = (
            sorted({index.row() for index in self.selectionModel().selectedRows()})
            if self.selectionModel()
            else []
        )
        if not rows:
            rows = list(range(model.rowCount()))
        columns = range(model.columnCount())
        header = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]
        lines = ["\t".join(header)]
        for row in rows:
            cells = (str(model.index(row, c).data() or "") for c in columns)
            lines.append("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in cells))
        return "\n".join(lines)

    def copy_rows(self) -> None:
        QGuiApplication.clipboard().setText(self.rows_text())
