"""History: past runs from the journal with their status; open one to see its rows or export it again."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QTableView, QWidget

from app.ui.pages.base import Page
from app.ui.session import Session


class HistoryPage(Page):
    """The layout of the History view (not a step: always reachable); the journal is wired when it lands."""

    title = "History"
    summary = (
        "Every run sent from this computer, newest first. Open one to see its rows or save its files again."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runs = QTableView()
        self.runs.setAccessibleName("Past runs")
        self.rows = QTableView()
        self.rows.setAccessibleName("Rows of the selected run")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.runs)
        self.splitter.addWidget(self.rows)
        self.layout_.addWidget(self.splitter, 1)
        self.export_button = QPushButton("Save its &files again…")
        self.export_button.setAccessibleName("Export the selected run again")
        self.export_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        self.layout_.addLayout(buttons)

    def save_view_state(self, store: QSettings) -> None:
        store.setValue("splitter", self.splitter.saveState())

    def restore_view_state(self, store: QSettings) -> None:
        state = store.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
