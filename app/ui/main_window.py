"""The main window: a step bar (Connect, Import, Review, Send, Results), the pages, menus and status bar."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.ui.formatting import format_money
from app.ui.icons import ICON_EDGE, history_icon, settings_icon, step_icon
from app.ui.pages.base import Page
from app.ui.pages.connect_page import ConnectPage
from app.ui.pages.history_page import HistoryPage
from app.ui.pages.import_page import ImportPage, workbook_from_mime
from app.ui.pages.results_page import ResultsPage
from app.ui.pages.review_page import ReviewPage
from app.ui.pages.send_page import SendPage
from app.ui.resources import app_icon
from app.ui.session import Session
from app.ui.settings_dialog import SettingsDialog
from app.ui.widgets import push_button

CONNECT, IMPORT, REVIEW, SEND, RESULTS = range(5)
STATUS_MESSAGE_MS = 6000
SIDEBAR_ROW = ICON_EDGE + 14
SIDEBAR_SPACING = 3


class MainWindow(QMainWindow):
    """The one window of the app. Step N+1 opens while steps 1..N are done; going back is always possible.

    `view_state` is where geometry, splitters and each page's view state are kept (an .ini file under the
    config folder, not the registry). The pages are built here from the session; see `app.ui.pages`.
    """

    def __init__(self, session: Session, view_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.view_state = view_state
        self.setWindowTitle("Giftbatch")
        self.setWindowIcon(app_icon())
        self.setMinimumSize(QSize(760, 520))
        self.setAcceptDrops(True)  # a workbook dropped anywhere on the window goes to Import
        self._last_step = CONNECT

        self.connect_page = ConnectPage(session)
        self.import_page = ImportPage(session)
        self.review_page = ReviewPage(session)
        self.send_page = SendPage(session)
        self.results_page = ResultsPage(session)
        self.history_page = HistoryPage(session)
        self.steps: list[Page] = [
            self.connect_page,
            self.import_page,
            self.review_page,
            self.send_page,
            self.results_page,
        ]
        self.pages: list[Page] = [*self.steps, self.history_page]

        self._build_central()
        self._build_menus()
        self._build_status_bar()
        for page in self.pages:
            page.completion_changed.connect(self._steps_changed)
            page.next_requested.connect(self.go_next)
            page.status_posted.connect(self.post_status)
            page.show_requested.connect(partial(self._show_requested, page))
        session.connection_changed.connect(self._connection_changed)
        session.account_changed.connect(self._show_connection)
        self._restore_view_state()
        self._steps_changed()
        self.go_to_step(CONNECT)

    # -- layout --------------------------------------------------------------------------------------------

    def _build_central(self) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_sidebar())
        self.splitter.addWidget(self._build_content())
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 900])
        self.setCentralWidget(self.splitter)

    def _build_sidebar(self) -> QWidget:
        self.step_list = _sidebar_list("Steps")
        for number, page in enumerate(self.steps, start=1):
            self.step_list.addItem(_sidebar_item(page.title, f"{page.title} (Ctrl+{number})"))
        self.step_list.currentRowChanged.connect(self._step_clicked)
        self.more_list = _sidebar_list("More")
        self.more_list.addItem(_sidebar_item("History", "Past runs (Ctrl+H)"))
        self.more_list.addItem(_sidebar_item("Settings", "Settings (Ctrl+,)"))
        self.more_list.setFixedHeight(2 * (SIDEBAR_ROW + 2 * SIDEBAR_SPACING) + 4)
        self.more_list.itemClicked.connect(self._more_clicked)
        self.more_list.itemActivated.connect(self._more_clicked)
        sidebar = QWidget()
        sidebar.setBackgroundRole(QPalette.ColorRole.Base)
        sidebar.setAutoFillBackground(True)
        sidebar.setMinimumWidth(150)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(8, 12, 8, 8)
        side.addWidget(self.step_list, 1)
        side.addWidget(self.more_list)
        return sidebar

    def _build_content(self) -> QWidget:
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)
        self.back_button = push_button("← &Back", "Back to the previous step", self.go_back)
        self.next_button = push_button("&Next →", "Go to the next step", self.go_next)
        footer = QHBoxLayout()
        footer.setContentsMargins(24, 0, 24, 16)
        footer.addWidget(self.back_button)
        footer.addStretch(1)
        footer.addWidget(self.next_button)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addLayout(footer)
        return content

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = _action(
            self, "&Open workbook…", QKeySequence.StandardKey.Open, self.open_workbook_dialog
        )
        file_menu.addAction(self.open_action)
        file_menu.addSeparator()
        self.settings_action = _action(self, "&Settings…", QKeySequence("Ctrl+,"), self.open_settings)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        quit_action = _action(self, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        self.step_actions: list[QAction] = []
        for index, page in enumerate(self.steps):
            shortcut = QKeySequence(f"Ctrl+{index + 1}")
            action = _action(self, f"&{index + 1} {page.title}", shortcut, partial(self.go_to_step, index))
            go_menu.addAction(action)
            self.step_actions.append(action)
        go_menu.addSeparator()
        self.history_action = _action(self, "&History", QKeySequence("Ctrl+H"), self.show_history)
        go_menu.addAction(self.history_action)
        go_menu.addSeparator()
        self.back_action = _action(self, "&Back", QKeySequence("Alt+Left"), self.go_back)
        self.next_action = _action(self, "&Next", QKeySequence("Alt+Right"), self.go_next)
        go_menu.addActions([self.back_action, self.next_action])

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(_action(self, "Open the &log folder", None, self.open_log_folder))
        about = _action(self, "&About Giftbatch", None, self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        self.connection_label = QLabel()
        self.connection_label.setAccessibleName("Connection")
        self.statusBar().addPermanentWidget(self.connection_label)
        self._show_connection()

    # -- navigation ----------------------------------------------------------------------------------------

    def step_enabled(self, index: int) -> bool:
        page = self.steps[index]
        return page.opens_on_its_own() or all(step.is_complete() for step in self.steps[:index])

    def current_step(self) -> int | None:
        """The index of the step shown, or None while History is shown."""
        page = self.stack.currentWidget()
        return self.steps.index(page) if page in self.steps else None

    def go_to_step(self, index: int) -> bool:
        """Show step `index` if it is open; says why in the status bar when it is not."""
        if not 0 <= index < len(self.steps):
            return False
        if not self.step_enabled(index):
            missing = next(step for step in self.steps[:index] if not step.is_complete())
            self.post_status(f"{self.steps[index].title} opens once {missing.title} is done.")
            return False
        self._show_page(self.steps[index])
        return True

    def go_next(self) -> None:
        current = self.current_step()
        if current is not None:
            self.go_to_step(current + 1)

    def go_back(self) -> None:
        current = self.current_step()
        if current is None:
            self.go_to_step(self._last_step)
        elif current > 0:
            self.go_to_step(current - 1)

    def show_history(self) -> None:
        self._show_page(self.history_page)

    def _show_requested(self, page: Page) -> None:
        self._steps_changed()
        if page not in self.steps:
            self._show_page(page)
        else:
            self.go_to_step(self.steps.index(page))

    def _show_page(self, page: Page) -> None:
        if page in self.steps:
            self._last_step = self.steps.index(page)
        self.stack.setCurrentWidget(page)
        self.step_list.blockSignals(True)
        self.step_list.setCurrentRow(self.steps.index(page) if page in self.steps else -1)
        self.step_list.blockSignals(False)
        self.more_list.setCurrentRow(0 if page is self.history_page else -1)
        self._update_navigation()
        page.page_entered()

    def _step_clicked(self, row: int) -> None:
        if row >= 0 and not self.go_to_step(row):
            self._show_page(self.stack.currentWidget())  # type: ignore[arg-type]

    def _more_clicked(self, item: QListWidgetItem) -> None:
        if self.more_list.row(item) == 0:
            self.show_history()
        else:
            self.more_list.setCurrentRow(0 if self.stack.currentWidget() is self.history_page else -1)
            self.open_settings()

    def _steps_changed(self, _done: bool = False) -> None:
        for index, action in enumerate(self.step_actions):
            enabled = self.step_enabled(index)
            action.setEnabled(enabled)
            item = self.step_list.item(index)
            flags = (
                Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                if enabled
                else Qt.ItemFlag.NoItemFlags
            )
            item.setFlags(flags)
            item.setIcon(step_icon(index + 1, self.steps[index].is_complete(), self.palette(), self.font()))
            state = "done" if self.steps[index].is_complete() else ("open" if enabled else "not open yet")
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, f"Step {index + 1}, {state}")
        self.more_list.item(0).setIcon(history_icon(self.palette()))
        self.more_list.item(1).setIcon(settings_icon(self.palette()))
        current = self.current_step()
        if current is not None and not self.step_enabled(current):
            first_open = next(i for i, step in enumerate(self.steps) if not step.is_complete())
            self.go_to_step(first_open)
        self._update_navigation()

    def _update_navigation(self) -> None:
        current = self.current_step()
        can_back = current is None or current > 0
        can_next = current is not None and current + 1 < len(self.steps) and self.step_enabled(current + 1)
        self.back_button.setEnabled(can_back)
        self.back_action.setEnabled(can_back)
        self.next_button.setEnabled(can_next)
        self.next_action.setEnabled(can_next)
        if current is not None and current + 1 < len(self.steps):
            self.next_button.setText(f"&Next: {self.steps[current + 1].title} →")
            self.next_button.show()
        else:
            self.next_button.hide()

    # -- actions -------------------------------------------------------------------------------------------

    def open_workbook_dialog(self) -> None:
        """Ctrl+O: go to Import and choose a workbook there."""
        if self.go_to_step(IMPORT) and self.import_page.open_button.isEnabled():
            self.import_page.open_button.click()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.session, self)
        dialog.accepted.connect(lambda: self.post_status("Settings saved."))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.session.paths.log_dir)))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Giftbatch",
            f"Giftbatch {__version__}\n\nSends gift cards in bulk from Excel, paying every recipient "
            "exactly once."
            f"\n\nSettings: {self.session.paths.config_dir}\nLogs: {self.session.paths.log_dir}",
        )

    def post_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def _show_connection(self) -> None:
        account = self.session.account
        if account is None:
            self.connection_label.setText("Not connected")
            return
        text = account.connection.profile.name
        if account.balance is not None:
            text += f" · {format_money(account.balance.available, account.balance.currency_code)} available"
        self.connection_label.setText(text)

    def start(self, workbook: Path | None = None) -> None:
        """After the window is shown: connect to the active profile so a new user can begin at once.

        A `workbook` (from `giftbatch gui FILE`) goes to `session.requested_workbook`, and the window moves to
        Import as soon as Connect is done, where the Import page opens it.
        """
        self.session.requested_workbook = workbook
        self.connect_page.connect_selected()

    def _connection_changed(self) -> None:
        self._show_connection()
        if self.session.requested_workbook is not None and self.current_step() == CONNECT:
            self.go_to_step(IMPORT)

    # -- view state and closing ----------------------------------------------------------------------------

    def _restore_view_state(self) -> None:
        store = self.view_state
        geometry = store.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        splitter = store.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        for page in self.pages:
            store.beginGroup(f"pages/{type(page).__name__}")
            page.restore_view_state(store)
            store.endGroup()

    def save_view_state(self) -> None:
        store = self.view_state
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/splitter", self.splitter.saveState())
        for page in self.pages:
            store.beginGroup(f"pages/{type(page).__name__}")
            page.save_view_state(store)
            store.endGroup()
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not all(page.confirm_close() for page in self.pages):
            event.ignore()
            return
        for page in self.pages:
            page.shut_down()
        self.save_view_state()
        event.accept()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.step_enabled(IMPORT) and workbook_from_mime(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = workbook_from_mime(event.mimeData())
        if path is not None and self.go_to_step(IMPORT):
            event.acceptProposedAction()
            self.import_page.open_path(path)

    def changeEvent(self, event: QEvent) -> None:
        # Light and dark follow the system: the step icons are drawn from the palette, so redraw them.
        if event.type() == QEvent.Type.PaletteChange:
            self._steps_changed()
        super().changeEvent(event)


def _action(
    window: QMainWindow,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | None,
    slot: Callable[[], object],
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)  # shortcuts work even where the menu bar is hidden
    return action


def _sidebar_list(accessible_name: str) -> QListWidget:
    view = QListWidget()
    view.setAccessibleName(accessible_name)
    view.setIconSize(QSize(ICON_EDGE, ICON_EDGE))
    view.setSpacing(SIDEBAR_SPACING)
    view.setFrameShape(QListWidget.Shape.NoFrame)
    view.viewport().setAutoFillBackground(False)  # the sidebar's own background shows through
    return view


def _sidebar_item(text: str, tooltip: str) -> QListWidgetItem:
    item = QListWidgetItem(text)
    item.setToolTip(tooltip)
    item.setSizeHint(QSize(0, SIDEBAR_ROW))
    return item
