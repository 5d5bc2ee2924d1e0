"""Step 5, Results: counts by status, the failures with their reasons, and the three exports."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.pages.base import Page
from app.ui.session import Session


class ResultsPage(Page):
    """The layout of the Results step; filled from the engine's run report when it lands."""

    title = "Results"
    summary = (
        "What happened to every row, and the files to keep: results for finance, your workbook with a "
        "result column, and an error report for whatever still needs fixing."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        counts_box = QGroupBox("Rows")
        self.counts_form = QFormLayout(counts_box)
        self.layout_.addWidget(counts_box)

        failures_box = QGroupBox("Failures")
        self.failures = QTableView()
        self.failures.setAccessibleName("Failed rows")
        QVBoxLayout(failures_box).addWidget(self.failures)
        self.layout_.addWidget(failures_box, 1)

        self.results_button = QPushButton("Save &results workbook…")
        self.results_button.setAccessibleName("Save the results workbook")
        self.write_back_button = QPushButton("Save a copy of &my workbook with results…")
        self.write_back_button.setAccessibleName("Save a copy of the workbook with results")
        self.errors_button = QPushButton("Save an &error report…")
        self.errors_button.setAccessibleName("Save an error report")
        self.folder_button = QPushButton("Open the &folder")
        self.folder_button.setAccessibleName("Open the folder the files went to")
        buttons = QHBoxLayout()
        for button in (self.results_button, self.write_back_button, self.errors_button, self.folder_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)
        self.where_label = QLabel()
        self.where_label.setAccessibleName("Where the files went")
        self.layout_.addWidget(self.where_label)
