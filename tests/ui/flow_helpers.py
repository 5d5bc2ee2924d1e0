"""Driving the main window through a send as a user would: open a workbook, review, send, answer dialogs."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.engine.journal import SubmissionJournal
from app.ui.confirm_send import SendConfirmDialog
from app.ui.main_window import IMPORT, REVIEW, SEND, MainWindow
from tests.engine.helpers import lines_of_run, sandbox_post

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
# Long enough for a run of a few dozen rows against the in-process sandbox with added latency.
RUN_MS = 60_000
MODAL_POLL_MS = 20
MODAL_TRIES = 500


def sample_copy(tmp_path: Path, name: str = "digital-email-sms.xlsx", as_name: str | None = None) -> Path:
    """A copy of a sample workbook in the test's folder (exports and write-backs land beside it)."""
    target = tmp_path / "workbooks" / (as_name or name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / name, target)
    return target


def base_url(window: MainWindow) -> str:
    connection = window.session.connection
    assert connection is not None
    return connection.base_url


def set_sending(window: MainWindow, *, line_items: int, concurrency: int) -> None:
    """Small orders, few at a time: a run long enough to pause, cancel or close in the middle of."""
    settings = window.session.settings
    settings.max_line_items_per_order = line_items
    settings.concurrency = concurrency
    window.session.save_settings(settings)


def slow_sandbox(window: MainWindow, latency_ms: int = 60) -> None:
    sandbox_post(base_url(window), "faults", {"latency_ms": latency_ms})


def open_workbook(
    window: MainWindow, qtbot: QtBot, path: Path, skip_invalid: bool = False, reviewed: bool = True
) -> None:
    """Import: the Open button, the file dialog, then wait for the Review step to be done (ticking "send only
    the valid rows" first when asked)."""
    assert window.go_to_step(IMPORT)
    qtbot.mouseClick(window.import_page.open_button, Qt.MouseButton.LeftButton)
    dialog = window.import_page.findChild(QFileDialog)
    assert dialog is not None
    dialog.selectFile(str(path))
    dialog.accept()
    qtbot.waitUntil(lambda: window.current_step() == REVIEW, timeout=RUN_MS)
    if skip_invalid:
        qtbot.waitUntil(window.review_page.skip_check.isVisible, timeout=RUN_MS)
        window.review_page.skip_check.click()
    if reviewed:
        qtbot.waitUntil(window.review_page.is_complete, timeout=RUN_MS)


def open_send_step(window: MainWindow, qtbot: QtBot) -> None:
    """Next → Send, and wait until the plan is worked out (Send enabled, or a reason shown)."""
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_step() == SEND
    page = window.send_page
    qtbot.waitUntil(
        lambda: not page.planning and (page.rows_label.text() != "—" or page.plan_message.message() != ""),
        timeout=RUN_MS,
    )


def review_and_plan(window: MainWindow, qtbot: QtBot, path: Path, skip_invalid: bool = False) -> None:
    open_workbook(window, qtbot, path, skip_invalid)
    open_send_step(window, qtbot)


def send_workbook(window: MainWindow, qtbot: QtBot, path: Path, skip_invalid: bool = False) -> str:
    """Import, review, send and wait for the end of the run; returns its id."""
    review_and_plan(window, qtbot, path, skip_invalid)
    send_and_confirm(window, qtbot)
    wait_run_end(window, qtbot)
    return current_run(window)


def confirmation(window: MainWindow, qtbot: QtBot) -> SendConfirmDialog:
    """The Send step's confirmation, once the balance is read and it is shown."""
    page = window.send_page
    qtbot.waitUntil(lambda: page._confirming is not None and page._confirming.isVisible(), timeout=RUN_MS)
    assert page._confirming is not None
    return page._confirming


def send_and_confirm(window: MainWindow, qtbot: QtBot, typed_total: str | None = None) -> SendConfirmDialog:
    """Send, then the confirmation's own Send button clicked with the mouse (the total typed first when the
    spending limit asks for it); returns the dialog, closed by then."""
    click(qtbot, window.send_page.send_button)
    dialog = confirmation(window, qtbot)
    if typed_total is not None:
        assert dialog.total_edit is not None
        qtbot.keyClicks(dialog.total_edit, typed_total)
    click(qtbot, dialog.send_button)
    return dialog


def save_dialog_answers(monkeypatch: Any, *answers: Path) -> list[str]:
    """The save dialog answers with these paths in turn; returns the paths it suggested."""
    suggested: list[str] = []
    queue = list(answers)

    def save_as(
        _parent: object, _caption: str, path: str, *_args: object, **_kwargs: object
    ) -> tuple[str, str]:
        suggested.append(path)
        return (str(queue.pop(0)), "") if queue else ("", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    return suggested


def log_has(window: MainWindow, text: str) -> bool:
    return text in window.send_page.log.toPlainText()


def wait_log(window: MainWindow, qtbot: QtBot, text: str) -> None:
    qtbot.waitUntil(lambda: log_has(window, text), timeout=RUN_MS)


def wait_run_end(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: not window.send_page.sending and window.send_page.is_complete(), timeout=RUN_MS)


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def when_modal(handle: Callable[[QWidget], None]) -> None:
    """Call `handle` with the next modal dialog once it shows (tests answer it as the user would)."""
    tries = [0]

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            handle(dialog)
            return
        tries[0] += 1
        if tries[0] < MODAL_TRIES:
            QTimer.singleShot(MODAL_POLL_MS, poll)

    QTimer.singleShot(0, poll)


def answer_message_box(button_text: str) -> list[str]:
    """Click `button_text` on the next modal message box; returns its text once it was shown."""
    seen: list[str] = []

    def answer(box: QWidget) -> None:
        assert isinstance(box, QMessageBox), f"expected a message box, got {box!r}"
        seen.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        box.reject()
        raise AssertionError(f"no button {button_text!r} on {box.text()!r}")

    when_modal(answer)
    return seen


def ledger_counts(window: MainWindow, run_id: str) -> Counter[str]:
    """Line items the vendor holds for this run, by ExternalId (the row's key)."""
    return Counter(line["ExternalId"] for line in lines_of_run(base_url(window), run_id))


def journal(window: MainWindow) -> SubmissionJournal:
    return window.session.runs.journal()


def current_run(window: MainWindow) -> str:
    run_id = window.session.runs.current
    assert run_id is not None
    return run_id
