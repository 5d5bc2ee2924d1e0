"""Step 2, Import: open a workbook (dialog, drag and drop, recent files), pick the sheet, read it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.pages.base import Page
from app.ui.session import Session
from app.ui.widgets import MessageLabel


class ImportPage(Page):
    """The layout of the Import step. Reading is wired when the workbook importer lands: until then its
    controls are shown but disabled, and the step is never complete (so later steps stay closed)."""

    title = "Import"
    summary = (
        "Open the workbook with your recipients as it is: Giftbatch finds the header row, understands your "
        "column names and tells you about anything it repairs."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.drop_zone = QFrame()
        self.drop_zone.setFrameShape(QFrame.Shape.StyledPanel)
        self.drop_zone.setFrameShadow(QFrame.Shadow.Sunken)
        self.drop_zone.setMinimumHeight(140)
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

        self.recent_box = QGroupBox("Recent workbooks")
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName("Recent workbooks")
        self.recent_list.setMaximumHeight(140)
        QVBoxLayout(self.recent_box).addWidget(self.recent_list)
        self.layout_.addWidget(self.recent_box)

        self.sheet_combo = QComboBox()
        self.sheet_combo.setAccessibleName("Sheet")
        self.sheet_combo.setMinimumContentsLength(24)
        sheet_label = QLabel("S&heet:")
        sheet_label.setBuddy(self.sheet_combo)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(sheet_label)
        sheet_row.addWidget(self.sheet_combo)
        sheet_row.addStretch(1)
        self.layout_.addLayout(sheet_row)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Reading progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel reading")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()
        self.layout_.addLayout(progress_row)
        self.message = MessageLabel()
        self.layout_.addWidget(self.message)
        self.layout_.addStretch(1)

        for control in (self.drop_zone, self.recent_list, self.sheet_combo):
            control.setEnabled(False)
        self.session.settings_changed.connect(self._show_recent_files)
        self._show_recent_files()

    def _show_recent_files(self) -> None:
        recent = self.session.settings.recent_files
        self.recent_list.clear()
        self.recent_list.addItems(recent)
        self.recent_box.setVisible(bool(recent))
