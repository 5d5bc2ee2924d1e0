"""History: past runs from the journal with their status; open one to see its rows, save its files, resume it."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QItemSelection, QModelIndex, QSettings, Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QSplitter, QWidget

from app.domain.errors import GiftbatchError
from app.ui.pages.base import Page
from app.ui.run_models import RowColumn, RowLinesModel, RunsTableModel
from app.ui.run_summaries import RowLine, RunSummary, load_results, load_summaries
from app.ui.session import Session
from app.ui.tables import CopyableTable
from app.ui.widgets import MessageLabel, busy_bar, push_button
from app.ui.workers import report_unexpected, run_in_background


class HistoryPage(Page):
    """Every run in the journal, newest first. Selecting one shows its rows; "Show results and files" opens it
    in the Results step (to save its files again), and "Resume" sends what an unfinished run has left."""

    title = "History"
    summary = (
        "Every run sent from this computer, newest first. Open one to see its rows or save its files again."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runs = session.runs
        self._runs_attempt = 0
        self._rows_attempt = 0
        self.runs_model = RunsTableModel()
        self.rows_model = RowLinesModel()
        self.runs_view = CopyableTable("Past runs")
        self.runs_view.setModel(self.runs_model)
        self.runs_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.runs_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.runs_view.activated.connect(self._activated)
        self.rows_view = CopyableTable("Rows of the selected run")
        self.rows_view.setModel(self.rows_model)
        self.empty_label = QLabel("No runs yet. Runs appear here once a workbook has been sent.")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.runs_view)
        self.splitter.addWidget(self.rows_view)
        self.layout_.addWidget(self.empty_label)
        self.layout_.addWidget(self.splitter, 1)
        self.message = MessageLabel()
        self.layout_.addWidget(self.message)

        self.refresh_button = push_button("Refre&sh", "Read the runs again", self.reload)
        self.resume_button = push_button("&Resume this run", "Resume the selected run", self.resume_selected)
        self.export_button = push_button(
            "Show its results and &files…",
            "Show the selected run's results and save its files again",
            self.show_selected_results,
        )
        self.busy = busy_bar("Reading the runs")
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.export_button)
        self.layout_.addLayout(buttons)
        self.runs.run_updated.connect(self._run_updated)
        self._update_buttons()

    # -- runs ----------------------------------------------------------------------------------------------

    def page_entered(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read every run from the journal again, in a worker (keeping the selection)."""
        self._runs_attempt += 1
        self.busy.show()
        runs = self.runs
        run_in_background(
            self.session.pool,
            lambda: load_summaries(runs.journal()),
            on_success=partial(self._loaded, self._runs_attempt),
            on_failure=partial(self._failed, self._runs_attempt),
        )

    def _run_updated(self, _run_id: str) -> None:
        if self.isVisible():
            self.reload()

    def _loaded(self, attempt: int, summaries: list[RunSummary]) -> None:
        if attempt != self._runs_attempt:
            return
        self.busy.hide()
        selected = self.selected_run()
        self.runs_model.set_runs(summaries)
        self.runs_view.resizeColumnsToContents()
        self.empty_label.setVisible(not summaries)
        self.splitter.setVisible(bool(summaries))
        row = self.runs_model.row_of(selected.id) if selected else None
        if row is None and summaries:
            row = 0
        if row is not None:
            self.runs_view.selectRow(row)
        self._update_buttons()

    def _failed(self, attempt: int, error: BaseException) -> None:
        if attempt != self._runs_attempt:
            return
        self.busy.hide()
        if isinstance(error, GiftbatchError):
            self.message.show_error(error.message)
        else:
            report_unexpected(error)

    def selected_run(self) -> RunSummary | None:
        rows = self.runs_view.selectionModel().selectedRows()
        return self.runs_model.run_at(rows[0].row()) if rows else None

    # -- the selected run ----------------------------------------------------------------------------------

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()
        summary = self.selected_run()
        self._rows_attempt += 1
        self.rows_model.set_lines([])
        if summary is None:
            return
        runs, run_id = self.runs, summary.id
        run_in_background(
            self.session.pool,
            lambda: load_results(runs.journal(), run_id).lines,
            on_success=partial(self._rows_loaded, self._rows_attempt),
            on_failure=partial(self._failed, self._runs_attempt),
        )

    def _rows_loaded(self, attempt: int, lines: list[RowLine]) -> None:
        if attempt == self._rows_attempt:
            self.rows_model.set_lines(lines)
            # Shown for a run with rows paid again on purpose: who chose it, when and why.
            self.rows_view.setColumnHidden(RowColumn.PAID_AGAIN, not any(line.paid_again for line in lines))
            self.rows_view.resizeColumnsToContents()

    def _activated(self, _index: QModelIndex) -> None:
        self.show_selected_results()

    def _update_buttons(self) -> None:
        summary = self.selected_run()
        self.resume_button.setEnabled(summary is not None and summary.can_resume)
        self.export_button.setEnabled(summary is not None)

    def resume_selected(self) -> None:
        summary = self.selected_run()
        if summary is not None and summary.can_resume:
            self.message.clear()
            self.runs.request_resume(summary.id)

    def show_selected_results(self) -> None:
        summary = self.selected_run()
        if summary is not None:
            self.runs.request_results(summary.id)

    def save_view_state(self, store: QSettings) -> None:
        store.setValue("splitter", self.splitter.saveState())

    def restore_view_state(self, store: QSettings) -> None:
        state = store.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
