"""The Settings dialog: how runs are sent, what goes on every card, the webhook listener, where files go."""

from __future__ import annotations

import phonenumbers
from PySide6.QtCore import QLocale
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.config.settings import Settings
from app.domain.catalog import MAX_LINE_ITEMS_PER_ORDER
from app.domain.emails import read_email
from app.domain.errors import GiftbatchError
from app.engine.secrets_at_rest import ClaimSealer
from app.ui.session import Session
from app.ui.widgets import MessageLabel, push_button

MAX_CONCURRENCY = 32
MAX_LINE_ITEMS = MAX_LINE_ITEMS_PER_ORDER
MAX_SPENDING_LIMIT = 10_000_000
MAX_PORT = 65535


def phone_regions() -> list[tuple[str, str]]:
    """(code, 'United States (US)') for every region whose phone numbers the app can read, by name."""
    named = []
    for code in phonenumbers.SUPPORTED_REGIONS:
        territory = QLocale.codeToTerritory(code)
        name = QLocale.territoryToString(territory) if territory != QLocale.Country.AnyTerritory else code
        named.append((code, f"{name} ({code})"))
    return sorted(named, key=lambda pair: pair[1].casefold())


class SettingsDialog(QDialog):
    """Edits a copy of the session's settings and saves it through the session when the user presses Save."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(self._sending_box())
        layout.addWidget(self._personalization_box())
        layout.addWidget(self._webhook_box())
        layout.addWidget(self._files_box())
        _align_labels(self)
        self.error = MessageLabel()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        defaults = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.clicked.connect(lambda: self.show_settings(Settings()))
        layout.addWidget(self.buttons)
        self.show_settings(session.settings)

    # -- layout --------------------------------------------------------------------------------------------

    def _sending_box(self) -> QGroupBox:
        box = QGroupBox("Sending")
        self.concurrency_spin = _spin(1, MAX_CONCURRENCY, "Orders in flight")
        self.concurrency_spin.setToolTip("How many orders are sent to the vendor at the same time.")
        self.line_items_spin = _spin(1, MAX_LINE_ITEMS, "Line items per order")
        self.line_items_spin.setToolTip("Larger runs are split into orders of at most this many rows.")
        self.region_combo = QComboBox()
        self.region_combo.setAccessibleName("Default phone region")
        self.region_combo.setToolTip(
            "Phone numbers without a country code are read as numbers of this region."
        )
        for code, label in phone_regions():
            self.region_combo.addItem(label, code)
        self.limit_spin = _spin(0, MAX_SPENDING_LIMIT, "Spending limit")
        self.limit_spin.setSingleStep(500)
        self.limit_spin.setToolTip(
            "A run costing more than this (in the balance's currency) is confirmed by typing its total."
        )
        form = QFormLayout(box)
        form.addRow("&Orders in flight:", self.concurrency_spin)
        form.addRow("&Line items per order:", self.line_items_spin)
        form.addRow("Default phone &region:", self.region_combo)
        form.addRow("Spending &limit:", self.limit_spin)
        return box

    def _personalization_box(self) -> QGroupBox:
        box = QGroupBox("On every card (unless a row says otherwise)")
        self.from_name_edit = _line("From name", "e.g. The People Team")
        self.from_email_edit = _line("From email", "e.g. people@company.example")
        self.message_edit = QPlainTextEdit()
        self.message_edit.setAccessibleName("Message")
        self.message_edit.setPlaceholderText("e.g. Thank you for a great year!")
        self.message_edit.setTabChangesFocus(True)
        self.message_edit.setFixedHeight(self.message_edit.fontMetrics().lineSpacing() * 4)
        form = QFormLayout(box)
        form.addRow("From &name:", self.from_name_edit)
        form.addRow("From &email:", self.from_email_edit)
        form.addRow("&Message:", self.message_edit)
        return box

    def _webhook_box(self) -> QGroupBox:
        box = QGroupBox("Webhook listener")
        self.webhook_check = QCheckBox("&Listen for the vendor's “order complete” calls")
        self.webhook_check.setAccessibleName("Webhook listener on")
        self.webhook_check.setToolTip(
            "Only useful when the vendor can reach this computer. Without it, Giftbatch asks the vendor "
            "for each order's status instead."
        )
        self.port_spin = _spin(0, MAX_PORT, "Webhook port")
        self.port_spin.setSpecialValueText("any free port")
        self.public_url_edit = _line(
            "Webhook public address", "this computer's own address (enough for the sandbox)"
        )
        self.public_url_edit.setToolTip(
            "The address the vendor can reach this listener at, such as a tunnel or reverse proxy."
        )
        self.webhook_check.toggled.connect(self._webhook_toggled)
        form = QFormLayout(box)
        form.addRow(self.webhook_check)
        form.addRow("&Port:", self.port_spin)
        form.addRow("&Public address:", self.public_url_edit)
        return box

    def _files_box(self) -> QGroupBox:
        box = QGroupBox("Files")
        self.export_dir_edit = _line("Export folder", "next to the workbook")
        browse = push_button("&Browse…", "Choose the export folder", self._choose_export_dir)
        row = QHBoxLayout()
        row.addWidget(self.export_dir_edit, 1)
        row.addWidget(browse)
        label = QLabel("E&xports go to:")
        label.setBuddy(self.export_dir_edit)
        form = QFormLayout()
        form.addRow(label, row)
        column = QVBoxLayout(box)
        column.addLayout(form)
        self.key_note = MessageLabel()
        place = ClaimSealer(self.session.paths.journal_file).place()
        if place.note is None:
            self.key_note.show_info(
                "Claim links kept in the journal are encrypted; the key is in the OS keyring."
            )
        else:
            self.key_note.show_warning(place.note)
        column.addWidget(self.key_note)  # in a box layout, not the form: so the dialog is tall enough for it
        return box

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        super().showEvent(event)
        # Qt sizes a dialog by its layout's minimum, which misses how tall wrapped notes are at its width.
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > self.height():
            self.resize(self.width(), needed)

    # -- values --------------------------------------------------------------------------------------------

    def show_settings(self, settings: Settings) -> None:
        self.concurrency_spin.setValue(settings.concurrency)
        self.line_items_spin.setValue(settings.max_line_items_per_order)
        self.limit_spin.setValue(round(settings.spending_limit))
        index = self.region_combo.findData(settings.default_phone_region)
        self.region_combo.setCurrentIndex(max(index, 0))
        self.from_name_edit.setText(settings.personalization.from_name)
        self.from_email_edit.setText(settings.personalization.from_email)
        self.message_edit.setPlainText(settings.personalization.message)
        self.webhook_check.setChecked(settings.webhook.enabled)
        self.port_spin.setValue(settings.webhook.port)
        self.public_url_edit.setText(settings.webhook.public_url)
        self.export_dir_edit.setText(settings.export_dir)
        self._webhook_toggled(settings.webhook.enabled)

    def edited_settings(self) -> Settings:
        """The session's settings with this dialog's values put in (profiles and recent files kept)."""
        settings = self.session.settings
        settings.concurrency = self.concurrency_spin.value()
        settings.max_line_items_per_order = self.line_items_spin.value()
        settings.spending_limit = float(self.limit_spin.value())
        settings.default_phone_region = str(self.region_combo.currentData())
        settings.personalization.from_name = self.from_name_edit.text().strip()
        settings.personalization.from_email = self.from_email_edit.text().strip()
        settings.personalization.message = self.message_edit.toPlainText().strip()
        settings.webhook.enabled = self.webhook_check.isChecked()
        settings.webhook.port = self.port_spin.value()
        settings.webhook.public_url = self.public_url_edit.text().strip()
        settings.export_dir = self.export_dir_edit.text().strip()
        return Settings.model_validate(settings.model_dump())

    def problem(self, settings: Settings) -> str | None:
        """What stops these settings from working, in words; None when they are fine."""
        from_email = settings.personalization.from_email
        if from_email and read_email(from_email).normalized is None:
            reason = read_email(from_email).problem or "it is not an email address"
            return f"The From email “{from_email}” cannot be used: {reason}."
        return None

    def save(self) -> None:
        settings = self.edited_settings()
        problem = self.problem(settings)
        if problem:
            self.error.show_error(problem)
            return
        try:
            self.session.save_settings(settings)
        except GiftbatchError as error:
            self.error.show_error(error.message)
            return
        self.accept()

    def _webhook_toggled(self, enabled: bool) -> None:
        self.port_spin.setEnabled(enabled)
        self.public_url_edit.setEnabled(enabled)

    def _choose_export_dir(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Where exports go", self.export_dir_edit.text())
        if chosen:
            self.export_dir_edit.setText(chosen)


def _align_labels(dialog: QDialog) -> None:
    """Give every form's labels the widest one's width, so the fields of all groups line up."""
    labels: list[QWidget] = []
    for form in dialog.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if label is not None:
                labels.append(label)
    width = max(label.sizeHint().width() for label in labels)
    for label in labels:
        label.setMinimumWidth(width)


def _spin(low: int, high: int, accessible_name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setMinimumWidth(140)
    spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    spin.setAccessibleName(accessible_name)
    return spin


def _line(accessible_name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible_name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit
