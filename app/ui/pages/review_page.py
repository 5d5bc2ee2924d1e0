"""Step 3, Review: the rows in a grid with problems marked, an issues panel, filters and a cost summary."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTreeView,
    QWidget,
)

from app.ui.pages.base import Page
from app.ui.session import Session

FILTERS = ("All rows", "Errors", "Warnings", "Email or SMS", "Claim links", "Mailed cards")


class ReviewPage(Page):
    """The layout of the Review step: the grid, the issues panel and the summary bar; the models are wired
    when the importer and validation land."""

    title = "Review"
    summary = (
        "Fix what is marked, here or in Excel. Red cells stop a row from being sent; amber ones are warnings."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.filter_combo = QComboBox()
        self.filter_combo.addItems(FILTERS)
        self.filter_combo.setAccessibleName("Show")
        filter_label = QLabel("Sho&w:")
        filter_label.setBuddy(self.filter_combo)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search rows")
        self.search_edit.setAccessibleName("Search rows")
        self.search_edit.setClearButtonEnabled(True)
        tools = QHBoxLayout()
        tools.addWidget(filter_label)
        tools.addWidget(self.filter_combo)
        tools.addStretch(1)
        tools.addWidget(self.search_edit)
        self.layout_.addLayout(tools)

        self.table = QTableView()
        self.table.setAccessibleName("Recipients")
        self.issues = QTreeView()
        self.issues.setAccessibleName("Issues")
        self.issues.setHeaderHidden(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.issues)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.layout_.addWidget(self.splitter, 1)

        self.summary_label = QLabel()
        self.summary_label.setAccessibleName("Summary")
        self.summary_label.setWordWrap(True)
        self.layout_.addWidget(self.summary_label)
        for control in (self.filter_combo, self.search_edit):
            control.setEnabled(False)

    def save_view_state(self, store: QSettings) -> None:
        store.setValue("splitter", self.splitter.saveState())

    def restore_view_state(self, store: QSettings) -> None:
        state = store.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
