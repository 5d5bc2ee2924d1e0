"""Step 2, Import: open a workbook (dialog, drag and drop, recent files), pick the sheet, read it in the background.

Reading and checking run in a worker with a progress bar and a Cancel button. A protected workbook asks for
its password (again, saying so, when it was wrong); a file that cannot be read is explained on the page. When
a column was only guessed, or a column the cards need is missing, the column-mapping dialog opens before the
rows go to Review; the user's choices are remembered with the header row.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config.run_options import validation_options
from app.domain.catalog import Catalog, DeliveryType
from app.domain.errors import GiftbatchError
from app.ui.imported import (
    ImportChoices,
    ImportedWorkbook,
    load_workbook,
    mapping_store,
    previous_runs,
    validate_workbook,
)
from app.ui.mapping_dialog import MappingDialog
from app.ui.pages.base import Page
from app.ui.password_dialog import PasswordDialog
from app.ui.session import Session
from app.ui.widgets import MessageLabel
from app.ui.workers import Progress, Worker, report_unexpected, run_in_background
from app.workbook.errors import WorkbookPasswordRequired, WorkbookPasswordWrong

log = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
FILE_FILTERS = ";;".join(
    (
        "Workbooks (*.xlsx *.xlsm *.xls *.ods *.csv)",
        "Excel workbooks (*.xlsx *.xlsm *.xls)",
        "OpenDocument spreadsheets (*.ods)",
        "CSV files (*.csv)",
        "All files (*)",
    )
)
MAX_RECENT = 10
RECENT_ROWS_SHOWN = 5  # the list scrolls beyond this
MISSING_NOTE = " — not found"
# The default delivery type: (what the combo says, the type; None: each row's own delivery column).
DELIVERY_CHOICES: tuple[tuple[str, DeliveryType | None], ...] = (
    ("From the workbook's column", None),
    ("Email or SMS", DeliveryType.DIGITAL),
    ("Claim links", DeliveryType.LINKS),
    ("Mailed cards", DeliveryType.PHYSICAL),
)
ALL_SHEETS = "All sheets"


def workbook_from_mime(mime: QMimeData) -> Path | None:
    """The first local file dropped, if any (its kind is checked when it is read)."""
    for url in mime.urls():
        if url.isLocalFile():
            return Path(url.toLocalFile())
    return None


def remember_recent(recent: list[str], path: Path) -> list[str]:
    """`path` first, without repeats, at most MAX_RECENT."""
    text = str(path)
    return [text, *(p for p in recent if p != text)][:MAX_RECENT]


class ImportPage(Page):
    """The Import step: complete once a workbook has been read; its rows go to `session.set_import`.

    Signals: those of `Page`.
    """

    title = "Import"
    summary = (
        "Open the workbook with your recipients as it is: Giftbatch finds the header row, understands your "
        "column names and tells you about anything it repairs."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._worker: Worker | None = None
        self._job = 0  # which job's results are awaited; results of replaced jobs are dropped
        self._path: Path | None = None
        self._choices = ImportChoices()
        self._confirmed: set[Path] = set()  # workbooks whose mapping the user has seen in this session
        self._move_on = False  # after this job, go to Review (the user opened a file, or chose its columns)
        self.setAcceptDrops(True)
        self._build_drop_zone()
        self._build_recent()
        self._build_options()
        self._build_progress()
        self._build_result()
        self.layout_.addStretch(1)

        self.open_button.clicked.connect(self.choose_file)
        self.recent_list.itemActivated.connect(self._recent_chosen)
        self.cancel_button.clicked.connect(self.cancel)
        self.sheet_combo.activated.connect(self._sheet_chosen)
        self.delivery_combo.activated.connect(self._delivery_chosen)
        self.mapping_button.clicked.connect(lambda _checked=False: self.open_mapping_dialog())
        self.review_button.clicked.connect(lambda _checked=False: self.next_requested.emit())
        session.settings_changed.connect(self._show_recent_files)
        session.account_changed.connect(self._catalog_may_have_changed)
        session.connection_changed.connect(self._catalog_may_have_changed)
        session.reload_requested.connect(self.reload)
        session.revalidation_requested.connect(self.revalidate)
        self._show_recent_files()

    # -- layout --------------------------------------------------------------------------------------------

    def _build_drop_zone(self) -> None:
        self.drop_zone = QFrame()
        self.drop_zone.setFrameShape(QFrame.Shape.StyledPanel)
        self.drop_zone.setFrameShadow(QFrame.Shadow.Sunken)
        self.drop_zone.setMinimumHeight(120)
        self.drop_zone.setAccessibleName("Drop a workbook here")
        drop_text = QLabel("Drop an Excel workbook here (.xlsx, .xlsm, .xls, .ods or .csv)")
        drop_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_button = QPushButton("&Open workbook…")
        self.open_button.setAccessibleName("Open a workbook")
        self.open_button.setToolTip("Ctrl+O")
        drop_layout = QVBoxLayout(self.drop_zone)
        drop_layout.addStretch(1)
        drop_layout.addWidget(drop_text)
        drop_layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignHCenter)
        drop_layout.addStretch(1)
        self.layout_.addWidget(self.drop_zone)

    def _build_recent(self) -> None:
        self.recent_box = QGroupBox("Recent workbooks")
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName("Recent workbooks")
        self.recent_list.setToolTip("Double-click or press Enter to open")
        QVBoxLayout(self.recent_box).addWidget(self.recent_list)
        self.layout_.addWidget(self.recent_box)

    def _build_options(self) -> None:
        self.sheet_combo = QComboBox()
        self.sheet_combo.setAccessibleName("Sheet")
        self.sheet_combo.setMinimumContentsLength(20)
        self.sheet_combo.setEnabled(False)
        sheet_label = QLabel("S&heet:")
        sheet_label.setBuddy(self.sheet_combo)
        self.delivery_combo = QComboBox()
        self.delivery_combo.setAccessibleName("Delivery type for rows that do not say")
        for text, kind in DELIVERY_CHOICES:
            self.delivery_combo.addItem(text, kind.value if kind else None)
        self.delivery_combo.setToolTip(
            "How rows are sent when the workbook has no delivery column (or a row leaves it empty)."
        )
        delivery_label = QLabel("&Delivery type for rows that do not say:")
        delivery_label.setBuddy(self.delivery_combo)
        row = QHBoxLayout()
        row.addWidget(sheet_label)
        row.addWidget(self.sheet_combo)
        row.addSpacing(24)
        row.addWidget(delivery_label)
        row.addWidget(self.delivery_combo)
        row.addStretch(1)
        self.layout_.addLayout(row)

    def _build_progress(self) -> None:
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Reading progress")
        self.progress.setRange(0, 100)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel reading")
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        self.layout_.addLayout(row)
        self.message = MessageLabel()
        self.layout_.addWidget(self.message)

    def _build_result(self) -> None:
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("What was read")
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.mapping_button = QPushButton("Column &mapping…")
        self.mapping_button.setAccessibleName("Check which field each column holds")
        self.review_button = QPushButton("&Review the rows →")
        self.review_button.setAccessibleName("Go to Review")
        buttons = QHBoxLayout()
        buttons.addWidget(self.mapping_button)
        buttons.addWidget(self.review_button)
        buttons.addStretch(1)
        self.result_box = QGroupBox("Workbook")
        box = QVBoxLayout(self.result_box)
        box.addWidget(self.result_label)
        box.addWidget(self.notes_label)
        box.addLayout(buttons)
        self.result_box.hide()
        self.layout_.addWidget(self.result_box)

    # -- opening -------------------------------------------------------------------------------------------

    def page_entered(self) -> None:
        requested = self.session.requested_workbook
        if requested is not None and self.session.catalog is not None:
            self.session.requested_workbook = None
            self.open_path(requested)

    def choose_file(self) -> None:
        """Ctrl+O and the Open button: a file dialog (non-blocking) starting in the last folder used."""
        recent = self.session.settings.recent_files
        start = str(Path(recent[0]).parent) if recent else str(Path.home())
        dialog = QFileDialog(self, "Open a workbook", start, FILE_FILTERS)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.fileSelected.connect(lambda name: self.open_path(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def open_path(self, path: Path, choices: ImportChoices | None = None) -> None:
        """Read `path` in the background (choices: password, mapping, sheets; else the page's own)."""
        if self.session.catalog is None:
            self.message.show_error(
                "Connect to an account first (step 1): its catalog is needed to check rows."
            )
            return
        if path != self._path:
            self.session.set_import(None)
            self.set_complete(False)
            self.result_box.hide()
        self._path = path
        self._choices = choices or ImportChoices(default_delivery_type=self._delivery_type())
        self._move_on = True
        self._start(self._load_job(path, self._choices, keep_edits=False), f"Reading “{path.name}”…")

    def reload(self) -> None:
        """Read the current workbook again from disk (it changed there); edits made here are dropped."""
        if self._path is not None:
            self._move_on = False
            self._start(
                self._load_job(self._path, self._choices, keep_edits=False),
                f"Reading “{self._path.name}” again…",
            )

    def revalidate(self) -> None:
        """Check the rows again with the current choices (sheet, default delivery type, catalog), no reading."""
        imported, catalog = self.session.imported, self.session.catalog
        if imported is None or catalog is None:
            return
        self._move_on = False
        check = partial(
            validate_workbook,
            imported.read,
            self._choices,
            catalog=catalog,
            options=validation_options(self.session.settings, self._choices.default_delivery_type),
            previous=partial(previous_runs, self.session.paths.journal_file),
            edits={key: dict(changes) for key, changes in imported.edits.items()},
            pay_again=imported.pay_again,
            stamp=imported.stamp,
        )

        def job(progress: Callable[..., None], cancel: threading.Event) -> ImportedWorkbook:
            return check(progress=lambda percent: progress(percent, 100, "Checking the rows…"), cancel=cancel)

        self._start(job, "Checking the rows again…")

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def shut_down(self) -> None:
        self.cancel()

    def _load_job(
        self, path: Path, choices: ImportChoices, keep_edits: bool
    ) -> Callable[..., ImportedWorkbook]:
        imported, catalog = self.session.imported, self.session.catalog
        assert catalog is not None  # Import opens once Connect is done; open_path checks it
        edits = imported.edits if keep_edits and imported is not None else None
        return partial(
            load_workbook,
            path,
            choices,
            catalog=catalog,
            options=validation_options(self.session.settings, choices.default_delivery_type),
            store=mapping_store(self.session.paths.config_dir),
            previous=partial(previous_runs, self.session.paths.journal_file),
            edits={key: dict(changes) for key, changes in edits.items()} if edits else None,
            pay_again=imported.pay_again if keep_edits and imported is not None else None,
        )

    def _start(self, job: Callable[..., ImportedWorkbook], text: str) -> None:
        if self._worker is not None:
            self._worker.cancel()  # its result, if any, is dropped: the token below no longer matches
        self._job += 1
        token = self._job
        self.message.clear()
        self.progress.setValue(0)
        self.progress.setFormat(f"{text} %p%")
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.session.recipient_model.lock_edits("import")
        self._worker = run_in_background(
            self.session.pool,
            job,
            on_success=partial(self._finished, token),
            on_failure=partial(self._failed, token),
            on_progress=partial(self._progressed, token),
            on_cancelled=partial(self._cancelled, token),
            with_progress=True,
            with_cancel=True,
        )

    # -- results -------------------------------------------------------------------------------------------

    def _progressed(self, token: int, progress: Progress) -> None:
        if token == self._job:
            self.progress.setValue(progress.done)
            if progress.text:
                self.progress.setFormat(f"{progress.text} %p%")

    def _job_ended(self, token: int) -> bool:
        """Whether this is the current job's end (a replaced job's result is dropped)."""
        if token != self._job:
            return False
        self._worker = None
        self.progress.hide()
        self.cancel_button.hide()
        self.session.recipient_model.unlock_edits("import")
        return True

    def _finished(self, token: int, imported: ImportedWorkbook) -> None:
        if not self._job_ended(token):
            return
        self._remember(imported.path)
        if imported.path not in self._confirmed and imported.needs_mapping_check():
            self._show_sheets(imported)
            self.open_mapping_dialog(imported)
            return
        self._publish(imported)

    def _failed(self, token: int, error: BaseException) -> None:
        if not self._job_ended(token):
            return
        if isinstance(error, WorkbookPasswordRequired | WorkbookPasswordWrong):
            self._ask_password(error.path, wrong=isinstance(error, WorkbookPasswordWrong))
        elif isinstance(error, GiftbatchError):
            self.message.show_error(error.message)
            self.status_posted.emit("The workbook could not be read.")
        else:
            self.message.show_error(
                "Something went wrong while reading the workbook; the details are in the log."
            )
            report_unexpected(error)

    def _cancelled(self, token: int) -> None:
        if self._job_ended(token):
            self.message.show_info("Reading was cancelled. Open the workbook again when you are ready.")

    def _publish(self, imported: ImportedWorkbook) -> None:
        self.session.set_import(imported)
        self._show_sheets(imported)
        self._show_result(imported)
        self.set_complete(imported.facts.row_count > 0)
        if imported.facts.row_count == 0:
            self.message.show_warning("The workbook has a header but no recipient rows below it.")
        elif self._move_on:
            self.next_requested.emit()
        self._move_on = False

    def _show_result(self, imported: ImportedWorkbook) -> None:
        facts = imported.facts
        sheets = ", ".join(f"“{s.name}”" for s in imported.sheets)
        text = (
            f"“{imported.path.name}”: {facts.row_count:,} rows from {'sheets' if imported.several_sheets else 'sheet'} "
            f"{sheets} — {facts.valid_count:,} ready to send, {facts.error_rows:,} with errors, "
            f"{facts.warning_count:,} warnings."
        )
        self.result_label.setText(text)
        self.notes_label.setText("\n".join(imported.result.notes))
        self.notes_label.setVisible(bool(imported.result.notes))
        self.result_box.show()
        self.status_posted.emit(f"Read {facts.row_count:,} rows from “{imported.path.name}”.")

    def _show_sheets(self, imported: ImportedWorkbook) -> None:
        names = [sheet.name for sheet in imported.read.sheets]
        self.sheet_combo.clear()
        if len(names) > 1:
            self.sheet_combo.addItem(f"{ALL_SHEETS} ({len(names)})", None)
        for name in names:
            self.sheet_combo.addItem(name, name)
        chosen = imported.choices.sheets
        self.sheet_combo.setCurrentIndex(
            self.sheet_combo.findData(chosen[0]) if chosen and len(chosen) == 1 else 0
        )
        self.sheet_combo.setEnabled(len(names) > 1)

    # -- choices -------------------------------------------------------------------------------------------

    def open_mapping_dialog(self, imported: ImportedWorkbook | None = None) -> MappingDialog | None:
        """Show the columns; accepted with changes, the workbook is read again with them."""
        workbook = imported or self.session.imported
        if workbook is None:
            return None
        dialog = MappingDialog(workbook, self)
        dialog.finished.connect(partial(self._mapping_done, dialog, workbook))
        dialog.open()
        return dialog

    def _mapping_done(self, dialog: MappingDialog, imported: ImportedWorkbook, result: int) -> None:
        dialog.deleteLater()
        if imported.path != self._path:
            return  # another workbook was opened meanwhile
        self._confirmed.add(imported.path)
        accepted = result == QDialog.DialogCode.Accepted
        overrides = dialog.overrides() if accepted else {}
        if accepted and imported.unsaved(overrides):
            # Read again with the choices: the reader maps the columns and saves the choices with the header.
            self._choices = dataclasses.replace(
                self._choices, overrides={**self._choices.overrides, **overrides}
            )
            self._move_on = True
            self._start(
                self._load_job(imported.path, self._choices, keep_edits=True), "Reading with your columns…"
            )
        elif self.session.imported is not imported:
            self._move_on = self._move_on and accepted
            self._publish(imported)

    def _ask_password(self, path: Path, wrong: bool) -> None:
        dialog = PasswordDialog(path.name, wrong, self)
        dialog.finished.connect(partial(self._password_given, dialog, path))
        dialog.open()

    def _password_given(self, dialog: PasswordDialog, path: Path, result: int) -> None:
        dialog.deleteLater()
        if path != self._path:
            return  # another workbook was opened meanwhile
        if result != QDialog.DialogCode.Accepted:
            self.message.show_info(f"“{path.name}” was not opened: it needs its password.")
            return
        self._choices = dataclasses.replace(self._choices, password=dialog.password())
        self._move_on = True
        self._start(self._load_job(path, self._choices, keep_edits=False), f"Reading “{path.name}”…")

    def _sheet_chosen(self, _position: int) -> None:
        name = self.sheet_combo.currentData()
        self._choices = dataclasses.replace(self._choices, sheets=(name,) if name else None)
        self.revalidate()

    def _delivery_chosen(self, _position: int) -> None:
        self._choices = dataclasses.replace(self._choices, default_delivery_type=self._delivery_type())
        self.revalidate()

    def _delivery_type(self) -> DeliveryType | None:
        value = self.delivery_combo.currentData()
        return DeliveryType(value) if value else None

    def _catalog_may_have_changed(self) -> None:
        imported = self.session.imported
        catalog = self.session.catalog
        if imported is not None and catalog is not None and not _same_offer(imported.result.catalog, catalog):
            self.revalidate()

    # -- recent files and drops ----------------------------------------------------------------------------

    def _remember(self, path: Path) -> None:
        settings = self.session.settings
        recent = remember_recent(settings.recent_files, path.resolve())
        if recent != settings.recent_files:
            settings.recent_files = recent
            try:
                self.session.save_settings(settings)
            except GiftbatchError as error:
                log.warning("Recent files not saved: %s", error.message)

    def _show_recent_files(self) -> None:
        recent = self.session.settings.recent_files
        self.recent_list.clear()
        dim = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        for text in recent:
            path = Path(text)
            item = QListWidgetItem(f"{path.name}  —  {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, text)
            item.setToolTip(text)
            if not path.is_file():  # a stat, not a read: cheap even for ten files
                item.setText(item.text() + MISSING_NOTE)
                item.setForeground(dim)
                item.setToolTip("This file is no longer there: it was moved, renamed or deleted.")
            self.recent_list.addItem(item)
        rows = min(max(len(recent), 1), RECENT_ROWS_SHOWN)
        frame = 2 * self.recent_list.frameWidth()
        self.recent_list.setFixedHeight(
            rows * self.recent_list.sizeHintForRow(0) + frame + 4 if recent else 0
        )
        self.recent_box.setVisible(bool(recent))

    def _recent_chosen(self, item: QListWidgetItem) -> None:
        path = Path(item.data(Qt.ItemDataRole.UserRole))
        if item.text().endswith(MISSING_NOTE):
            self.message.show_warning(f"“{path}” is no longer there. Open it from where it is now.")
            return
        self.open_path(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if workbook_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = workbook_from_mime(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_path(path)


def _same_offer(checked: Catalog, current: Catalog) -> bool:
    """The same products, shipping and brandings (fetched again or not): the rows need no new check."""
    if checked is current:
        return True
    return (checked.products, checked.shipping_methods, checked.brandings, checked.left_out) == (
        current.products,
        current.shipping_methods,
        current.brandings,
        current.left_out,
    )
