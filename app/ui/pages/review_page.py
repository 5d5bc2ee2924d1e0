"""Step 3, Review: the rows in a grid with problems marked, an issues panel, filters, search and a cost summary.

Edits are made in the grid itself; each edited row is validated again in a worker together with the whole-file
checks (duplicates, totals) for its recipient, one job at a time, while the row says "Checking…". "Open in
Excel" hands the file to the system's application, and a file watcher offers to read it again when it is saved.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QModelIndex, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableView,
    QTreeView,
    QWidget,
)

from app.domain.issues import Issue, Severity
from app.domain.payments import BLOCKING_CODES, PAID_AGAIN
from app.engine.plan import check_balance
from app.ui.delegates import IssueCellDelegate
from app.ui.formatting import format_money
from app.ui.imported import FileStamp, ImportedWorkbook, Recheck, ReviewFacts, next_stop
from app.ui.models.issue_model import IssueTreeModel
from app.ui.models.recipient_model import IssueRole, RecipientFilterProxy, RowFilter
from app.ui.pages.base import Page
from app.ui.pay_again_dialog import PayAgainDialog
from app.ui.session import Session
from app.ui.widgets import MessageLabel
from app.ui.workers import Worker, run_in_background

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
# Excel saves by writing a new file and renaming it over the old: wait for the dust to settle.
FILE_SETTLE_MS = 500
FILE_POLL_MS = 2000
COLUMN_WIDTH_MAX = 320
SIZE_SAMPLE_ROWS = 50
SHORT_STYLE = "color: #c62828; font-weight: bold;"


def open_with_system(path: Path) -> bool:
    """Open a file with the application the system uses for it (Excel, LibreOffice Calc, Numbers)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ReviewPage(Page):
    """The Review step: complete when at least one row is valid and none has an error, or when the user
    chose to send only the valid rows; never while edited rows are still being checked.

    Signals: those of `Page`.
    """

    title = "Review"
    summary = (
        "Fix what is marked, here or in Excel. Red cells stop a row from being sent; amber ones are warnings. "
        "Double-click a cell to change it; F8 and Shift+F8 go to the next and previous problem."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model = session.recipient_model
        self.proxy = RecipientFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.issue_model = IssueTreeModel(self)
        self._pending: set[int] = set()  # edited rows waiting for a check
        self._checking: set[int] = set()  # rows the running check covers
        self._check_worker: Worker | None = None
        self._column_widths: dict[str, int] = {}
        self._shown_result: object | None = None
        self._build_banner()
        self._build_tools()
        self._build_views()
        self._build_summary()
        self._build_watcher()

        QShortcut(
            QKeySequence(Qt.Key.Key_F8),
            self,
            self.next_issue,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_F8),
            self,
            self.previous_issue,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.model.cell_edited.connect(self._row_edited)
        session.import_changed.connect(self._import_changed)
        session.account_changed.connect(self._show_summary)
        session.connection_changed.connect(self._show_summary)
        self._import_changed()

    # -- layout --------------------------------------------------------------------------------------------

    def _build_banner(self) -> None:
        self.banner = QFrame()
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setAccessibleName("The workbook changed on disk")
        self.banner_icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.banner_icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload).pixmap(size, size)
        )
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setAccessibleName("Read the workbook again")
        self.keep_button = QPushButton("&Keep this version")
        self.keep_button.setAccessibleName("Keep the rows shown")
        row = QHBoxLayout(self.banner)
        row.addWidget(self.banner_icon)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.reload_button)
        row.addWidget(self.keep_button)
        self.banner.hide()
        self.reload_button.clicked.connect(self.reload_workbook)
        self.keep_button.clicked.connect(self.banner.hide)
        self.layout_.addWidget(self.banner)

    def _build_tools(self) -> None:
        self.filter_combo = QComboBox()
        self.filter_combo.addItems([kind.value for kind in RowFilter])
        self.filter_combo.setAccessibleName("Show")
        filter_label = QLabel("Sho&w:")
        filter_label.setBuddy(self.filter_combo)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search rows (Ctrl+F)")
        self.search_edit.setAccessibleName("Search rows")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(220)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._apply_search)
        self.search_edit.textChanged.connect(self.search_timer.start)
        self.filter_combo.currentIndexChanged.connect(self._apply_filter)
        self.excel_button = QPushButton("Open in &Excel")
        self.excel_button.setAccessibleName("Open the workbook in its own application")
        self.excel_button.setToolTip(
            "Fix rows in Excel; Giftbatch notices when you save and offers to reload."
        )
        self.excel_button.clicked.connect(self.open_in_excel)
        self.pay_again_button = QPushButton("&Pay again…")
        self.pay_again_button.setAccessibleName("Pay the selected rows again")
        self.pay_again_button.setToolTip(
            "Send the selected rows although an earlier run paid them or they repeat a row: you say why."
        )
        self.pay_again_button.clicked.connect(self.pay_again)
        self.pay_again_button.setEnabled(False)
        self.undo_pay_again_button = QPushButton("&Don't pay again")
        self.undo_pay_again_button.setAccessibleName("Stop paying the selected rows again")
        self.undo_pay_again_button.clicked.connect(self.stop_paying_again)
        self.undo_pay_again_button.setEnabled(False)
        self.shown_label = QLabel()
        self.shown_label.setAccessibleName("Rows shown")
        tools = QHBoxLayout()
        tools.addWidget(filter_label)
        tools.addWidget(self.filter_combo)
        tools.addWidget(self.search_edit)
        tools.addWidget(self.shown_label)
        tools.addStretch(1)
        tools.addWidget(self.pay_again_button)
        tools.addWidget(self.undo_pay_again_button)
        tools.addWidget(self.excel_button)
        self.layout_.addLayout(tools)

    def _build_views(self) -> None:
        self.table = QTableView()
        self.table.setAccessibleName("Recipients")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(IssueCellDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # 100,000 rows: never measure them
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setHighlightSections(False)
        # Column widths are measured on the first rows only: measuring 1,000 rows costs half a second.
        self.table.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
        self.table.selectionModel().selectionChanged.connect(self._update_pay_again)
        self.issues = QTreeView()
        self.issues.setAccessibleName("Issues")
        self.issues.setHeaderHidden(True)
        self.issues.setUniformRowHeights(True)
        self.issues.setModel(self.issue_model)
        self.issues.clicked.connect(self._issue_clicked)
        self.issues.activated.connect(self._issue_clicked)
        self.issues_note = MessageLabel()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.issues)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([700, 300])
        self.layout_.addWidget(self.splitter, 1)

    def _build_summary(self) -> None:
        self.counts_label = QLabel()
        self.counts_label.setAccessibleName("Rows summary")
        self.cost_label = QLabel()
        self.cost_label.setAccessibleName("Cost and balance")
        self.cost_label.setWordWrap(True)
        self.shortfall_label = QLabel()
        self.shortfall_label.setAccessibleName("Shortfall")
        self.shortfall_label.setStyleSheet(SHORT_STYLE)
        self.shortfall_label.setWordWrap(True)
        self.shortfall_label.hide()
        self.skip_check = QCheckBox()
        self.skip_check.setAccessibleName("Send only the valid rows")
        self.skip_check.toggled.connect(self._update_completion)
        self.skip_check.hide()
        self.problem = MessageLabel()
        row = QHBoxLayout()
        row.addWidget(self.counts_label)
        row.addSpacing(16)
        row.addWidget(self.cost_label, 1)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.shortfall_label)
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.skip_check)

    def _build_watcher(self) -> None:
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_touched)
        self.settle_timer = QTimer(self)
        self.settle_timer.setSingleShot(True)
        self.settle_timer.setInterval(FILE_SETTLE_MS)
        self.settle_timer.timeout.connect(self._check_file)
        self.poll_timer = QTimer(
            self
        )  # while the file is gone (mid-save, or moved): look for it now and then
        self.poll_timer.setInterval(FILE_POLL_MS)
        self.poll_timer.timeout.connect(self._check_file)

    # -- a new workbook ------------------------------------------------------------------------------------

    def _import_changed(self) -> None:
        workbook = self.session.imported
        self._pending.clear()
        self._checking.clear()
        self.banner.hide()
        self._watch(workbook)
        # "Send only the valid rows" is said again of every workbook read, even the same file opened again:
        # left ticked from before, it made sending a workbook twice one click.
        if workbook is None or workbook.result is not self._shown_result:
            self.skip_check.setChecked(False)
            self._shown_result = workbook.result if workbook is not None else None
        for control in (self.filter_combo, self.search_edit, self.excel_button):
            control.setEnabled(workbook is not None)
        if workbook is not None:
            self.issue_model.set_groups(workbook.facts.groups, workbook.several_sheets)
            self._expand_errors()
            self._size_columns(workbook)
        else:
            self.issue_model.set_groups([])
        self._show_summary()

    def _size_columns(self, workbook: ImportedWorkbook) -> None:
        header = self.table.horizontalHeader()
        self.table.resizeColumnsToContents()  # visible rows only: cheap at any size
        for column, name in enumerate([*workbook.headers, "Status"]):
            width = self._column_widths.get(name) or min(header.sectionSize(column), COLUMN_WIDTH_MAX)
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        # Status first on screen (the model keeps it last, after the workbook's own columns).
        status = workbook.status_column
        if header.visualIndex(status) != 0:
            header.moveSection(header.visualIndex(status), 0)
        self.table.horizontalScrollBar().setValue(0)

    def _expand_errors(self) -> None:
        for row in range(self.issue_model.rowCount()):
            if self.issue_model.group_at(row).severity is Severity.ERROR:
                self.issues.expand(self.issue_model.index(row, 0))

    # -- editing -------------------------------------------------------------------------------------------

    def _row_edited(self, row: int) -> None:
        self._pending.add(row)
        self._update_completion()
        self._check_pending()

    def _check_pending(self) -> None:
        """Start checking the edited rows, unless a check is running (its end starts the next one)."""
        workbook = self.session.imported
        if self._check_worker is not None or not self._pending or workbook is None:
            return
        rows, self._pending = self._pending, set()
        self._checking = rows
        records = [workbook.record(row) for row in sorted(rows)]  # built here: the edits may change meanwhile
        self._check_worker = run_in_background(
            self.session.pool,
            partial(workbook.recheck, records, workbook.pay_again),
            on_success=partial(self._checked, workbook, rows),
            on_failure=partial(self._check_failed, workbook),
            on_cancelled=self._check_stopped,
        )

    def _checked(self, workbook: ImportedWorkbook, rows: set[int], recheck: Recheck) -> None:
        self._check_worker = None
        self._checking = set()
        if workbook is self.session.imported:
            workbook.apply(recheck)  # here, on the GUI thread: the worker changed nothing
            self.model.facts_changed(rows - self._pending)
            self._refresh_issues(workbook)
            self._show_summary()
            self._update_pay_again()
            self.session.review_changed.emit()
        self._check_pending()

    def _check_failed(self, workbook: ImportedWorkbook, error: BaseException) -> None:
        self._check_stopped()
        self.problem.show_error("The edited rows could not be checked again; the details are in the log.")
        log.error("Checking edited rows failed", exc_info=error)

    def _check_stopped(self) -> None:
        self._check_worker = None
        self._checking = set()
        self._update_completion()

    def _refresh_issues(self, workbook: ImportedWorkbook) -> None:
        """Show the issues again, keeping open the kinds that were open."""
        model = self.issue_model
        expanded = {
            model.group_at(row).kind
            for row in range(model.rowCount())
            if self.issues.isExpanded(model.index(row, 0))
        }
        model.set_groups(workbook.facts.groups, workbook.several_sheets)
        for row in range(model.rowCount()):
            if model.group_at(row).kind in expanded:
                self.issues.expand(model.index(row, 0))

    @property
    def checking(self) -> bool:
        """Edited rows are waiting to be checked again, or being checked."""
        return bool(self._pending or self._check_worker is not None)

    # -- paying again --------------------------------------------------------------------------------------

    def _selected_rows(self) -> list[int]:
        rows = {
            self.proxy.mapToSource(index).row() for index in self.table.selectionModel().selectedIndexes()
        }
        current = self.table.currentIndex()
        if not rows and current.isValid():
            rows.add(self.proxy.mapToSource(current).row())
        return sorted(row for row in rows if row >= 0)

    def _rows_with(self, codes: frozenset[str] | set[str]) -> list[int]:
        workbook = self.session.imported
        if workbook is None:
            return []
        found = workbook.result.rows
        return [r for r in self._selected_rows() if any(i.code in codes for i in found[r].all_issues)]

    def _update_pay_again(self) -> None:
        editable = self.model.editable
        self.pay_again_button.setEnabled(editable and bool(self._rows_with(BLOCKING_CODES)))
        self.undo_pay_again_button.setEnabled(editable and bool(self._rows_with({PAID_AGAIN})))

    def pay_again(self) -> None:
        """Ask why the selected blocked rows are paid again; then they are checked again and can be sent."""
        workbook = self.session.imported
        rows = self._rows_with(BLOCKING_CODES)
        if workbook is None or not rows:
            return
        first = next(i for i in workbook.result.rows[rows[0]].all_issues if i.code in BLOCKING_CODES)
        what = first.message.split(" Delete this row", 1)[0]
        if len(rows) > 1:
            what += f" (and {len(rows) - 1:,} more rows selected)"
        dialog = PayAgainDialog(what, len(rows), self.window())
        dialog.finished.connect(partial(self._pay_again_answered, dialog, workbook, rows))
        dialog.open()

    def _pay_again_answered(
        self, dialog: PayAgainDialog, workbook: ImportedWorkbook, rows: list[int], result: int
    ) -> None:
        dialog.deleteLater()
        if (
            result == PayAgainDialog.DialogCode.Accepted
            and dialog.reason
            and workbook is self.session.imported
        ):
            self._choose_pay_again(workbook, rows, dialog.reason)

    def stop_paying_again(self) -> None:
        workbook = self.session.imported
        rows = self._rows_with({PAID_AGAIN})
        if workbook is not None and rows:
            self._choose_pay_again(workbook, rows, None)

    def _choose_pay_again(self, workbook: ImportedWorkbook, rows: list[int], reason: str | None) -> None:
        workbook.set_pay_again(rows, reason)
        self.status_posted.emit(
            f"{len(rows):,} {'row' if len(rows) == 1 else 'rows'} "
            + ("to be paid again; checking…" if reason else "no longer paid again; checking…")
        )
        for row in rows:
            self._row_edited(row)

    # -- moving between issues -----------------------------------------------------------------------------

    def next_issue(self) -> None:
        self._step_issue(forward=True)

    def previous_issue(self) -> None:
        self._step_issue(forward=False)

    def _step_issue(self, forward: bool) -> None:
        workbook = self.session.imported
        if workbook is None:
            return
        stops = workbook.facts.stops
        current = self.proxy.mapToSource(self.table.currentIndex())
        here = (
            (current.row(), workbook.stop_rank(current.column()))
            if current.isValid()
            else ((-1, -2) if forward else (len(workbook.keys), -2))
        )
        at = next_stop(stops, here, forward)
        for _ in range(len(stops)):  # the next stop in a row the filter shows
            assert at is not None
            row, rank = stops[at]
            if self.proxy.shows(row):
                self.select_cell(row, workbook.stop_column(rank), from_tree=False)
                return
            at = (at + (1 if forward else -1)) % len(stops)
        self.status_posted.emit(
            "No problem left in the rows shown." if stops else "No problems: every cell is fine."
        )

    def _issue_clicked(self, index: QModelIndex) -> None:
        issue = index.data(IssueRole)
        workbook = self.session.imported
        if not isinstance(issue, Issue) or workbook is None:
            return
        row = workbook.positions.get(f"{issue.sheet}!{issue.row}")
        if row is None:
            self.status_posted.emit("This is about the whole sheet or its header, not one row.")
            return
        self.select_cell(row, workbook.column_for(row, issue.column), from_tree=True)

    def select_cell(self, row: int, column: int, from_tree: bool = False) -> None:
        """Show and select a cell of the grid (clearing filters that hide it) and its issue in the panel."""
        source = self.model.index(row, column)
        target = self.proxy.mapFromSource(source)
        if not target.isValid():
            self.search_edit.clear()
            self._apply_search()
            self.filter_combo.setCurrentIndex(0)
            target = self.proxy.mapFromSource(source)
        self.table.setCurrentIndex(target)
        self.table.scrollTo(target, QAbstractItemView.ScrollHint.EnsureVisible)
        if not from_tree:
            self.table.setFocus()
            issues = source.data(IssueRole) or ()
            if issues:
                tree_index = self.issue_model.index_of(issues[0])
                if tree_index.isValid():
                    self.issues.setCurrentIndex(tree_index)
                    self.issues.scrollTo(tree_index)

    # -- filters -------------------------------------------------------------------------------------------

    def _apply_filter(self, position: int) -> None:
        self.proxy.set_row_filter(list(RowFilter)[position])
        self._show_shown()

    def _apply_search(self) -> None:
        self.search_timer.stop()
        self.proxy.set_search(self.search_edit.text())
        self._show_shown()

    def _show_shown(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.shown_label.setText(f"{shown:,} of {total:,} rows shown" if shown != total else "")

    # -- the summary ---------------------------------------------------------------------------------------

    def _show_summary(self) -> None:
        workbook = self.session.imported
        self._show_shown()
        if workbook is None:
            self.counts_label.setText("No workbook yet: open one in step 2.")
            self.cost_label.clear()
            self.shortfall_label.hide()
            self.skip_check.hide()
            self.problem.clear()
            self._update_completion()
            return
        facts = workbook.facts
        self.counts_label.setText(
            f"{facts.row_count:,} rows · {facts.valid_count:,} ready · {facts.error_rows:,} with errors "
            f"({facts.error_count:,} errors) · {facts.warning_count:,} warnings"
        )
        self._show_cost(facts)
        self.skip_check.setText(
            f"Send only the valid rows (skip {facts.error_rows:,} {'row' if facts.error_rows == 1 else 'rows'} "
            "with errors)"
        )
        self.skip_check.setVisible(facts.error_rows > 0 and facts.valid_count > 0)
        if facts.file_errors:
            self.problem.show_error(facts.file_errors[0].message)
        elif facts.valid_count == 0 and facts.row_count:
            self.problem.show_warning("No row can be sent yet: fix the red cells first.")
        else:
            self.problem.clear()
        self._update_completion()

    def _show_cost(self, facts: ReviewFacts) -> None:
        costs = facts.costs
        balance = self.session.balance
        self.shortfall_label.hide()
        if not costs:
            self.cost_label.setText("Cost: nothing to send yet.")
            return
        check = check_balance(costs, balance) if balance is not None else None
        first = check.currency if check is not None else ""
        ordered = sorted(costs.items(), key=lambda item: (item[0] != first, item[0]))
        parts = ["Cost " + " + ".join(format_money(amount, currency) for currency, amount in ordered)]
        if check is None:
            parts.append("this account does not report its balance")
        else:
            available = format_money(check.available, check.currency)
            if check.fits:
                parts.append(
                    f"balance {available}, {format_money(check.balance_after, check.currency)} after sending"
                )
            else:
                parts.append(f"balance {available}")
            if check.unchecked:
                parts.append(
                    f"{', '.join(check.unchecked)} is not compared with the {check.currency} balance"
                )
        self.cost_label.setText(" · ".join(parts))
        if check is not None and not check.fits:
            self.shortfall_label.setText(
                f"Short by {format_money(check.shortfall, check.currency)} — top up the account or remove rows."
            )
            self.shortfall_label.show()

    def _update_completion(self) -> None:
        workbook = self.session.imported
        if workbook is None or self.checking:
            self.set_complete(False)
            return
        facts = workbook.facts
        ready = facts.valid_count > 0 and not facts.file_errors
        self.set_complete(ready and (facts.error_rows == 0 or self.skip_check.isChecked()))

    @property
    def skip_invalid(self) -> bool:
        """The user chose to send only the valid rows."""
        return self.skip_check.isVisible() and self.skip_check.isChecked()

    def page_entered(self) -> None:
        self.session.refresh_balance()  # the cost is shown against the balance as it is now
        self._update_pay_again()

    # -- the file on disk ----------------------------------------------------------------------------------

    def open_in_excel(self) -> None:
        workbook = self.session.imported
        if workbook is None:
            return
        if not open_with_system(workbook.path):
            self.problem.show_error(
                f"No application is set up to open “{workbook.path.name}” on this computer."
            )
            return
        self.status_posted.emit(
            f"Opened “{workbook.path.name}”; save it there and Giftbatch offers to reload it."
        )

    def reload_workbook(self) -> None:
        self.banner_text.setText("Reading the workbook again…")
        self.reload_button.setEnabled(False)
        self.session.request_reload()

    def _watch(self, workbook: ImportedWorkbook | None) -> None:
        watched = self.watcher.files()
        if watched:
            self.watcher.removePaths(watched)
        self.poll_timer.stop()
        if workbook is not None:
            self.watcher.addPath(str(workbook.path))

    def _file_touched(self, _path: str) -> None:
        self.settle_timer.start()

    def _check_file(self) -> None:
        workbook = self.session.imported
        if workbook is None:
            self.poll_timer.stop()
            return
        stamp = FileStamp.of(workbook.path)  # a stat of one file, not a read
        if stamp is None:
            self.poll_timer.start()
            return
        self.poll_timer.stop()
        if str(workbook.path) not in self.watcher.files():
            self.watcher.addPath(str(workbook.path))  # a save by rename drops the old watch
        if stamp != workbook.stamp:
            self._offer_reload(workbook)

    def _offer_reload(self, workbook: ImportedWorkbook) -> None:
        text = f"“{workbook.path.name}” was changed on disk. Reload it to see the changes."
        edits = workbook.edit_count
        if edits:
            cells = f"{edits:,} {'cell' if edits == 1 else 'cells'}"
            text += f" The {cells} you changed here would be replaced by the file's values."
        self.banner_text.setText(text)
        self.reload_button.setEnabled(True)
        self.banner.show()

    # -- view state ----------------------------------------------------------------------------------------

    def save_view_state(self, store: QSettings) -> None:
        store.setValue("splitter", self.splitter.saveState())
        workbook = self.session.imported
        if workbook is not None:
            header = self.table.horizontalHeader()
            for column, name in enumerate(workbook.headers):
                self._column_widths[name] = header.sectionSize(column)
        store.setValue("column_widths", json.dumps(self._column_widths))

    def restore_view_state(self, store: QSettings) -> None:
        state = store.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
        try:
            widths = json.loads(str(store.value("column_widths", "{}")))
        except ValueError:
            widths = {}
        if isinstance(widths, dict):
            self._column_widths = {str(k): int(v) for k, v in widths.items() if isinstance(v, int) and v > 0}

    def shut_down(self) -> None:
        if self._check_worker is not None:
            self._check_worker.cancel()
