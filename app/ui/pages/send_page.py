"""Step 4, Send: confirm the totals, then watch orders and rows go out, with pause, resume and cancel."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from app.ui.pages.base import Page
from app.ui.session import Session


class SendPage(Page):
    """The layout of the Send step: what will be sent and paid, and the run's progress; the engine's
    runner is wired when it lands."""

    title = "Send"
    summary = (
        "Check the totals, then send. You can pause or cancel at any time; an interrupted run resumes "
        "where it stopped, and nobody is paid twice."
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        plan_box = QGroupBox("What will be sent")
        self.rows_label = _value("Rows to send")
        self.orders_label = _value("Orders")
        self.cost_label = _value("Total cost")
        self.balance_after_label = _value("Balance after sending")
        plan = QFormLayout(plan_box)
        plan.addRow("Rows:", self.rows_label)
        plan.addRow("Orders:", self.orders_label)
        plan.addRow("Total cost:", self.cost_label)
        plan.addRow("Balance after:", self.balance_after_label)
        self.layout_.addWidget(plan_box)

        progress_box = QGroupBox("Progress")
        self.orders_progress = QProgressBar()
        self.orders_progress.setAccessibleName("Orders sent")
        self.rows_progress = QProgressBar()
        self.rows_progress.setAccessibleName("Rows sent")
        self.rate_label = _value("Throughput")
        self.time_left_label = _value("Time left")
        progress = QFormLayout(progress_box)
        progress.addRow("Orders:", self.orders_progress)
        progress.addRow("Rows:", self.rows_progress)
        progress.addRow("Speed:", self.rate_label)
        progress.addRow("Time left:", self.time_left_label)
        self.layout_.addWidget(progress_box)

        self.send_button = QPushButton("&Send")
        self.send_button.setAccessibleName("Send the cards")
        self.pause_button = QPushButton("&Pause")
        self.pause_button.setAccessibleName("Pause sending")
        self.cancel_button = QPushButton("Ca&ncel")
        self.cancel_button.setAccessibleName("Cancel sending")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.send_button, self.pause_button, self.cancel_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        self.layout_.addLayout(buttons)
        self.layout_.addStretch(1)


def _value(accessible_name: str) -> QLabel:
    label = QLabel("—")
    label.setAccessibleName(accessible_name)
    return label
