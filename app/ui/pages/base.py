"""The base class of every page in the main window: completion, status messages and view state."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.session import Session


class Page(QWidget):
    """One page of the main window (the interface is described in `app.ui.pages`).

    Signals:
        completion_changed(bool): the page's step became done (True) or not done (False).
        next_requested(): the page asks the window to move to the next step.
        status_posted(str): a short message for the status bar.
        show_requested(): the page asks the window to show it now (a run resumed or opened from History).
    """

    completion_changed = Signal(bool)
    next_requested = Signal()
    status_posted = Signal(str)
    show_requested = Signal()

    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._complete = False
        self.setAccessibleName(f"{self.title} page")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 20, 24, 20)
        self.layout_.setSpacing(14)
        heading = QLabel(self.title)
        heading.setObjectName("pageHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        self.layout_.addWidget(heading)
        if self.summary:
            intro = QLabel(self.summary)
            intro.setWordWrap(True)
            self.layout_.addWidget(intro)

    def is_complete(self) -> bool:
        return self._complete

    def set_complete(self, done: bool) -> None:
        if done != self._complete:
            self._complete = done
            self.completion_changed.emit(done)

    def opens_on_its_own(self) -> bool:
        """True while the page has something to show without the steps before it being done: the Send and
        Results steps of a run resumed at start or opened from History (its workbook is not imported)."""
        return False

    def page_entered(self) -> None:
        """The window has just shown this page."""

    def confirm_close(self) -> bool:
        """The app is about to quit: return False to keep it open."""
        return True

    def shut_down(self) -> None:
        """The app is closing (after confirm_close): cancel background jobs so they end within moments."""

    def save_view_state(self, store: QSettings) -> None:
        """Remember splitters, column widths and the like; `store` is already in this page's group."""

    def restore_view_state(self, store: QSettings) -> None:
        """Put back what save_view_state remembered."""
