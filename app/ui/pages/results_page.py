"""Step 5, Results: counts by status, the failures with their reasons, and the three exports."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import GiftbatchError
from app.ui.export_dialogs import ProtectDialog
from app.ui.imported import mapping_store
from app.ui.pages.base import Page
from app.ui.run_exports import (
    ExportDone,
    ExportKind,
    ExportRequest,
    NothingToReport,
    default_folder,
    default_name,
    export_run,
    with_inputs,
)
from app.ui.run_models import RowLinesModel, run_status_words
from app.ui.run_summaries import RunResults, load_results
from app.ui.session import Session
from app.ui.tables import CopyableTable
from app.ui.widgets import MessageLabel, busy_bar, push_button
from app.ui.workers import Worker, report_unexpected, run_in_background
from app.workbook.errors import WorkbookPasswordRequired, WorkbookPasswordWrong
from app.workbook.output_file import ExportOptions, OutputExists, OutputIsInput, refuse_inputs
from app.workbook.write_back import WriteBackNotPossible

XLSX_FILTER = "Excel workbook (*.xlsx)"
# The write-back keeps the ending of the user's own file; the file dialog offers that kind.
SAVE_FILTERS = {
    ".xlsx": XLSX_FILTER,
    ".xlsm": "Excel macro-enabled workbook (*.xlsm)",
    ".xltx": "Excel template (*.xltx)",
    ".xltm": "Excel macro-enabled template (*.xltm)",
    ".csv": "CSV file (*.csv)",
    ".tsv": "Tab-separated text (*.tsv)",
    ".txt": "Text file (*.txt)",
}
WRAPPED_ROWS = 500


class ResultsPage(Page):
    """Shows the current run (`session.runs.current`): rows by status, the rows not paid with the reason, and
    saves its files in a worker. Claim links go into a file only when asked for, and then with a password or
    after an explicit "without a password"; an existing file is replaced only after a yes."""

    title = "Results"
    summary = (
        "What happened to every row, and the files to keep: results for finance, your workbook with a "
        "result column, and an error report for whatever still needs fixing."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.runs = session.runs
        self.results: RunResults | None = None
        self._loading: Worker | None = None
        self._load_attempt = 0
        self._exporting: Worker | None = None
        self._show_when_loaded = False
        self.last_folder: Path | None = None
        self._build()
        self.runs.current_changed.connect(self.reload)
        self.runs.run_updated.connect(self._run_updated)
        self.runs.results_requested.connect(self._results_requested)
        self._show(None)

    def _build(self) -> None:
        counts_box = QGroupBox("Rows")
        self.run_label = QLabel("No run yet.")
        self.run_label.setAccessibleName("Run")
        self.run_label.setWordWrap(True)
        self.counts_form = QFormLayout()
        counts = QVBoxLayout(counts_box)
        counts.addWidget(self.run_label)
        counts.addLayout(self.counts_form)
        self.layout_.addWidget(counts_box)

        self._build_failures()
        self._build_exports()

    def _build_failures(self) -> None:
        failures_box = QGroupBox("Rows not paid")
        self.failures_model = RowLinesModel()
        self.failures = CopyableTable("Rows not paid, with the reason")
        self.failures.setModel(self.failures_model)
        self.failures.setWordWrap(True)
        self.copy_button = push_button("Cop&y the list", "Copy the rows not paid", self.failures.copy_rows)
        self.none_failed = QLabel("Every row was paid.")
        failures = QVBoxLayout(failures_box)
        failures.addWidget(self.none_failed)
        failures.addWidget(self.failures, 1)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy_button)
        failures.addLayout(copy_row)
        self.layout_.addWidget(failures_box, 1)

    def _build_exports(self) -> None:
        self.include_links = QCheckBox("Include claim &links (you will be asked for a password)")
        self.include_links.setAccessibleName("Include claim links in the file")
        self.layout_.addWidget(self.include_links)
        self.results_button = push_button(
            "Save &results workbook…", "Save the results workbook", partial(self.export, ExportKind.RESULTS)
        )
        self.write_back_button = push_button(
            "Save a copy of &my workbook with results…",
            "Save a copy of the workbook with results",
            partial(self.export, ExportKind.WRITE_BACK),
        )
        self.errors_button = push_button(
            "Save an &error report…", "Save an error report", partial(self.export, ExportKind.ERRORS)
        )
        self.folder_button = push_button(
            "&Open the folder", "Open the folder the files went to", self.open_folder
        )
        self.busy = busy_bar("Saving")
        buttons = QHBoxLayout()
        for button in (self.results_button, self.write_back_button, self.errors_button, self.folder_button):
            buttons.addWidget(button)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        self.layout_.addLayout(buttons)
        self.where_label = QLabel()
        self.where_label.setAccessibleName("Where the files went")
        self.where_label.setWordWrap(True)
        self.layout_.addWidget(self.where_label)
        self.message = MessageLabel()
        self.layout_.addWidget(self.message)

    # -- the run shown -------------------------------------------------------------------------------------

    def opens_on_its_own(self) -> bool:
        """A run opened from History (or resumed) shows here without the steps before it."""
        return self.runs.on_its_own and self.runs.current is not None

    def page_entered(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the current run's rows from the journal again, in a worker."""
        run_id = self.runs.current
        self._load_attempt += 1
        if run_id is None:
            self._show(None)
            return
        runs = self.runs
        self._loading = run_in_background(
            self.session.pool,
            lambda: load_results(runs.journal(), run_id),
            on_success=partial(self._loaded, self._load_attempt),
            on_failure=partial(self._load_failed, self._load_attempt),
        )

    def _run_updated(self, run_id: str) -> None:
        if run_id == self.runs.current:
            self.reload()

    def _results_requested(self, _run_id: str) -> None:
        self._show_when_loaded = True

    def _loaded(self, attempt: int, results: RunResults) -> None:
        if attempt != self._load_attempt:
            return
        self._loading = None
        self._show(results)
        if self._show_when_loaded:
            self._show_when_loaded = False
            self.show_requested.emit()

    def _load_failed(self, attempt: int, error: BaseException) -> None:
        if attempt == self._load_attempt:
            self._loading = None
            self._show_error(error)

    def _show(self, results: RunResults | None) -> None:
        if results is None or self.results is None or results.summary.id != self.results.summary.id:
            self.where_label.clear()
            self.last_folder = None
            self.message.clear()
        self.results = results
        while self.counts_form.rowCount():
            self.counts_form.removeRow(0)
        failures = results.failures() if results else []
        self.failures_model.set_lines(failures)
        self._fit_failures()
        self.failures.setVisible(bool(failures))
        self.none_failed.setVisible(results is not None and not failures)
        self.copy_button.setEnabled(bool(failures))
        self.set_complete(results is not None)
        if results is None:
            self.run_label.setText("No run yet: send a workbook, or open a run from History.")
        else:
            summary = results.summary
            message = f" {summary.message}" if summary.message else ""
            self.run_label.setText(
                f"Run {summary.id} from {summary.workbook.name}: {run_status_words(summary.status)}.{message}"
            )
            for status, count in results.counts().items():
                label = QLabel(f"{count:,}")
                label.setAccessibleName(f"{status.value} rows")
                self.counts_form.addRow(f"{status.value}:", label)
        self._update_buttons()

    def _fit_failures(self) -> None:
        """Columns with nothing in them (no order for rows left out) are hidden; reasons wrap to be read."""
        model = self.failures_model
        empty = model.empty_columns()  # in Python: asking the view cell by cell took 1.2 s for 50,000 rows
        for column in range(model.columnCount()):
            self.failures.setColumnHidden(column, column in empty and model.rowCount() > 0)
        for column in range(model.columnCount() - 1):  # the last, the reason, takes the rest and wraps
            self.failures.resizeColumnToContents(column)
        if model.rowCount() <= WRAPPED_ROWS:  # measuring every row's height is slow for long lists
            self.failures.resizeRowsToContents()

    def _update_buttons(self) -> None:
        ready = self.results is not None and self._exporting is None
        self.results_button.setEnabled(ready)
        self.write_back_button.setEnabled(ready)
        self.errors_button.setEnabled(ready and self.results is not None and bool(self.results.failures()))
        self.folder_button.setEnabled(self.last_folder is not None)
        self.include_links.setEnabled(ready)

    # -- exports -------------------------------------------------------------------------------------------

    def export(self, kind: ExportKind) -> None:
        """Ask where (and, for claim links, how to protect them), then write the file in a worker."""
        results = self.results
        if results is None or self._exporting is not None:
            return
        workbook = results.summary.workbook
        folder = self.last_folder or default_folder(self.session.settings.export_dir, workbook)
        target = self.ask_for_path(kind, folder / default_name(kind, workbook))
        if target is None:
            return
        try:  # said now, before a password is asked for or "Replace?"
            refuse_inputs(
                target, with_inputs(ExportOptions(app_folders=self.session.paths.folders), workbook)
            )
        except OutputIsInput as refused:
            self.message.show_error(refused.message)
            return
        options = self._protection(kind)
        if options is None:
            return
        options = replace(options, app_folders=self.session.paths.folders)
        if target.exists():
            if not self.confirm_replace(target):
                return
            options = replace(options, force=True)
        source = self.runs.source_of(results.summary.id)
        request = ExportRequest(
            kind,
            results.summary.id,
            target,
            options,
            workbook_password=source.choices.password if source else None,
            edits=source.edits if source else {},
        )
        self._start_export(request)

    def ask_for_path(self, kind: ExportKind, suggested: Path) -> Path | None:
        suffix = suggested.suffix.lower() if suggested.suffix.lower() in SAVE_FILTERS else ".xlsx"
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            f"Save the {kind.value} as",
            str(suggested),
            SAVE_FILTERS[suffix],
            options=QFileDialog.Option.DontConfirmOverwrite,  # asked below, the same way for every export
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _protection(self, kind: ExportKind) -> ExportOptions | None:
        """No claim links: plain options. With them: a password, or the user's explicit no; None: cancelled."""
        if not (kind.can_hold_secrets and self.include_links.isChecked()):
            return ExportOptions()
        dialog = ProtectDialog(kind.value, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return ExportOptions(
                with_secrets=True, password=dialog.password, unprotected_secrets_ok=dialog.unprotected
            )
        finally:
            dialog.deleteLater()

    def confirm_replace(self, target: Path) -> bool:
        answer = QMessageBox.question(
            self,
            "Replace the file?",
            f"“{target.name}” already exists in {target.parent}. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _start_export(self, request: ExportRequest) -> None:
        self.message.clear()
        self.busy.show()
        runs, store = self.runs, mapping_store(self.session.paths.config_dir)
        self._exporting = run_in_background(
            self.session.pool,
            lambda: export_run(runs.journal(), request, store if store.path.exists() else None),
            on_success=partial(self._exported, request),
            on_failure=partial(self._export_failed, request),
        )
        self._update_buttons()

    def _end_export(self) -> None:
        self._exporting = None
        self.busy.hide()
        self._update_buttons()

    def _exported(self, request: ExportRequest, done: ExportDone) -> None:
        self.last_folder = done.path.parent
        self._end_export()
        text = f"Saved the {request.kind.value} as “{done.path.name}” in {done.path.parent}."
        if request.options.with_secrets and not request.options.password:
            text += " It holds claim links without a password: keep it safe."
        self.where_label.setText(text)
        if done.notes:
            self.message.show_warning(" ".join(done.notes))
        self.status_posted.emit(f"Saved {done.path.name}.")

    def _export_failed(self, request: ExportRequest, error: BaseException) -> None:
        self._end_export()
        if isinstance(error, WriteBackNotPossible):
            self._offer_results_instead(error)
        elif isinstance(error, OutputExists):
            if self.confirm_replace(error.path):
                self._start_export(replace(request, options=replace(request.options, force=True)))
        elif isinstance(error, WorkbookPasswordRequired | WorkbookPasswordWrong):
            password = self.ask_workbook_password(error.message)
            if password:
                self._start_export(replace(request, workbook_password=password))
        elif isinstance(error, NothingToReport):
            self.message.show_info(error.message)
        else:
            self._show_error(error)

    def _offer_results_instead(self, error: WriteBackNotPossible) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Your workbook cannot be copied", error.message, parent=self
        )
        instead = box.addButton("Save the &results workbook instead…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        chosen = box.clickedButton() is instead
        box.deleteLater()
        if chosen:
            self.export(ExportKind.RESULTS)

    def ask_workbook_password(self, reason: str) -> str | None:
        password, ok = QInputDialog.getText(
            self, "Workbook password", f"{reason}\n\nPassword:", QLineEdit.EchoMode.Password
        )
        return password if ok and password else None

    def open_folder(self) -> None:
        if self.last_folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_folder)))

    # -- helpers -------------------------------------------------------------------------------------------

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, GiftbatchError):
            self.message.show_error(error.message)
        else:
            report_unexpected(error)

    def shut_down(self) -> None:
        for job in (self._loading, self._exporting):
            if job is not None:
                job.cancel()

    def save_view_state(self, store: QSettings) -> None:
        store.setValue("failures", self.failures.horizontalHeader().saveState())

    def restore_view_state(self, store: QSettings) -> None:
        state = store.value("failures")
        if state is not None:
            self.failures.horizontalHeader().restoreState(state)
