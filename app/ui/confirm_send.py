"""The modal question before money moves: "Send 1,448.85 USD to 40 recipients?", Cancel by default.

Per currency it lists face value, fees, discounts and total, and the balance after with the time the balance
was read. No single keystroke sends: Enter, Space and Escape land on Cancel, the Send button has no
mnemonic, and pressed from the keyboard it only arms itself ("press again to send"). Above the spending
limit the user types the total before Send is enabled.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.engine.confirmation import SendConfirmation, amount_text
from app.ui.formatting import format_money

ARMED_FOR_S = 4.0
MIN_WIDTH = 540
_KEYS = frozenset({Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Select})


class DeliberateButton(QPushButton):
    """A button a click presses at once, but a key only after a second press within a few seconds.

    A key that lands on it by accident (a held Enter, a Space meant for another field) arms it and says
    so; it never sends alone.
    """

    def __init__(self, text: str, armed_text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._text, self._armed_text = text, armed_text
        self._armed_at: float | None = None
        self.setAutoDefault(False)  # Enter elsewhere in the dialog goes to Cancel, never here

    @property
    def armed(self) -> bool:
        return self._armed_at is not None and time.monotonic() - self._armed_at < ARMED_FOR_S

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() not in _KEYS:
            super().keyPressEvent(event)
            return
        event.accept()
        if event.isAutoRepeat():
            return
        if self.armed:
            self._disarm()
            self.click()
        else:
            self._armed_at = time.monotonic()
            self.setText(self._armed_text)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() in _KEYS:
            event.accept()  # QPushButton clicks on Space's release: not here
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._disarm()
        super().focusOutEvent(event)

    def _disarm(self) -> None:
        self._armed_at = None
        self.setText(self._text)


class SendConfirmDialog(QDialog):
    """Asks before a run is stored and sent. `accepted` means the user chose to send; anything else, not."""

    def __init__(self, confirmation: SendConfirmation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.confirmation = confirmation
        self.setWindowTitle("Send the cards?")
        self.setModal(True)
        self.setMinimumWidth(MIN_WIDTH)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.question = QLabel(confirmation.question)
        font = QFont(self.question.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.question.setFont(font)
        self.question.setWordWrap(True)
        layout.addWidget(self.question)
        layout.addLayout(self._cost_table())
        self.balance_label = QLabel(self._balance_text())
        self.balance_label.setWordWrap(True)
        self.balance_label.setAccessibleName("Balance")
        layout.addWidget(self.balance_label)
        self.total_edit: QLineEdit | None = None
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        total = " and ".join(amount_text(c.total, c.currency) for c in confirmation.costs)
        self.send_button = DeliberateButton(f"Send {total}", "Press again to send")
        self.send_button.setAccessibleName("Send the cards")
        self.send_button.setAccessibleDescription(
            "Click to send. From the keyboard, press twice: once arms the button, the second press sends."
        )
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button.setDefault(True)
        self.cancel_button.setAutoDefault(True)
        self._limit_field(layout)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        (self.total_edit or self.cancel_button).setFocus()

    def _cost_table(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        headers = ("", "Face value", "Fees", "Discounts", "Total")
        for column, text in enumerate(headers):
            label = QLabel(f"<b>{text}</b>")
            grid.addWidget(label, 0, column, Qt.AlignmentFlag.AlignRight)
        for row, cost in enumerate(self.confirmation.costs, start=1):
            cells = (
                cost.currency,
                format_money(cost.face_value),
                format_money(cost.fees),
                f"−{format_money(cost.discounts)}" if cost.discounts else format_money(0),
                format_money(cost.total, cost.currency),
            )
            for column, text in enumerate(cells):
                label = QLabel(text)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignRight)
        cards = self.confirmation.cards
        grid.addWidget(
            QLabel(f"{cards:,} {'card' if cards == 1 else 'cards'} in all."),
            len(self.confirmation.costs) + 1,
            0,
            1,
            5,
        )
        return grid

    def _balance_text(self) -> str:
        check = self.confirmation.balance
        if check is None:
            return "This vendor's API does not report the balance; check it in the vendor's portal."
        when = self.confirmation.balance_at
        read = f" (read at {when.astimezone().strftime('%H:%M:%S')})" if when else ""
        text = (
            f"Balance: {format_money(check.available, check.currency)} available{read}; "
            f"{format_money(check.balance_after, check.currency)} after sending."
        )
        for currency, amount in check.unchecked.items():
            text += f" {format_money(amount, currency)} is charged in {check.currency} at the vendor's rate."
        return text

    def _limit_field(self, layout: QVBoxLayout) -> None:
        over = self.confirmation.limit_total
        if over is None:
            return
        limit = format_money(self.confirmation.spending_limit)
        wanted = format_money(over.total)
        note = QLabel(
            f"This is more than your spending limit of {limit}. To confirm, type the total: {wanted} "
            f"{over.currency}."
        )
        note.setWordWrap(True)
        self.total_edit = QLineEdit()
        self.total_edit.setAccessibleName(f"Type the total, {wanted}, to confirm")
        self.total_edit.setPlaceholderText(wanted)
        note.setBuddy(self.total_edit)
        self.total_edit.textChanged.connect(self._typed)
        self.total_edit.installEventFilter(self)
        layout.addWidget(note)
        layout.addWidget(self.total_edit)
        self.send_button.setEnabled(False)

    def _typed(self, text: str) -> None:
        self.send_button.setEnabled(self.confirmation.matches_typed_total(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter after typing the total moves to Send (it would otherwise press Cancel, the default).
        if (
            watched is self.total_edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            if self.send_button.isEnabled():
                self.send_button.setFocus()
            return True
        return super().eventFilter(watched, event)
