"""Nobody is paid twice, through the window's widgets against the in-process sandbox's ledger: the confirmation
no keystroke gets past, the spending limit, pay-again in the grid, rows paid by another run meanwhile, and a
balance that is never the old one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.engine.plan import plan_with_settings, rows_from_import
from app.engine.states import RowStatus
from app.ui.main_window import REVIEW, SEND, MainWindow
from app.ui.pay_again_dialog import PayAgainDialog
from app.ui.run_models import RowColumn
from tests.engine.helpers import assert_exactly_once, ledger_lines, sandbox_post
from tests.ui.conftest import WORKER_DRAIN_MS
from tests.ui.flow_helpers import (
    RUN_MS,
    base_url,
    click,
    confirmation,
    current_run,
    journal,
    open_workbook,
    review_and_plan,
    sample_copy,
    send_and_confirm,
    send_workbook,
    wait_run_end,
    when_modal,
)

SAMPLE_ROWS = 20


def activate(window: QWidget, qtbot: QtBot) -> None:
    """Keys reach a window's shortcuts and focus only while it is the active one."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=RUN_MS)


def nothing_stored(window: MainWindow) -> bool:
    return journal(window).runs() == [] and ledger_lines(base_url(window)) == []


def test_no_single_keystroke_sends_and_the_dialog_shows_what_is_paid(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    page = window.send_page
    activate(window, qtbot)
    page.send_button.setFocus()
    qtbot.keyClick(page.send_button, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # only asks
    dialog = confirmation(window, qtbot)
    activate(dialog, qtbot)
    assert dialog.cancel_button.hasFocus()

    assert dialog.question.text() == f"Send 50.00 CAD and 506.80 USD to {SAMPLE_ROWS} recipients?"
    assert dialog.cancel_button.isDefault() and not dialog.send_button.isDefault()
    assert not dialog.send_button.autoDefault() and "&" not in dialog.send_button.text()
    texts = [label.text() for label in dialog.findChildren(type(dialog.question))]
    assert {"<b>Face value</b>", "<b>Fees</b>", "<b>Discounts</b>", "<b>Total</b>"} <= set(texts)
    assert (
        "available (read at " in dialog.balance_label.text()
        and "after sending" in dialog.balance_label.text()
    )

    for key in (Qt.Key.Key_Return, Qt.Key.Key_Space, Qt.Key.Key_Escape):
        asked = dialog
        qtbot.keyClick(QApplication.focusWidget() or asked, key)
        qtbot.waitUntil(lambda shown=asked: not shown.isVisible(), timeout=RUN_MS)
        assert nothing_stored(window)
        click(qtbot, page.send_button)
        dialog = confirmation(window, qtbot)
        activate(dialog, qtbot)

    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    dialog.send_button.setFocus()
    qtbot.keyClick(dialog.send_button, Qt.Key.Key_Return)  # one key on the focused Send: it only arms
    qtbot.keyClick(dialog.send_button, Qt.Key.Key_Tab)
    dialog.send_button.setFocus()
    qtbot.keyClick(dialog.send_button, Qt.Key.Key_Space)
    assert dialog.isVisible() and dialog.send_button.text() == "Press again to send"
    assert nothing_stored(window)

    qtbot.keyClick(dialog.send_button, Qt.Key.Key_Space)  # the second, deliberate press sends
    wait_run_end(window, qtbot)
    assert journal(window).row_counts(current_run(window)) == {RowStatus.COMPLETED: SAMPLE_ROWS}
    assert_exactly_once(base_url(window), journal(window), current_run(window))


def test_above_the_spending_limit_the_total_is_typed_before_send_is_enabled(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    settings = window.session.settings
    settings.spending_limit = 100
    window.session.save_settings(settings)
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    click(qtbot, window.send_page.send_button)
    dialog = confirmation(window, qtbot)
    activate(dialog, qtbot)
    assert dialog.total_edit is not None and dialog.total_edit.hasFocus()
    assert not dialog.send_button.isEnabled()

    qtbot.keyClicks(dialog.total_edit, "506")
    assert not dialog.send_button.isEnabled()
    qtbot.keyClick(dialog.total_edit, Qt.Key.Key_Return)  # neither sends nor cancels
    assert dialog.isVisible() and nothing_stored(window)
    dialog.total_edit.clear()
    qtbot.keyClicks(dialog.total_edit, "506.80")
    assert dialog.send_button.isEnabled()
    click(qtbot, dialog.send_button)
    wait_run_end(window, qtbot)
    assert sum(Counter(line["ExternalId"] for line in ledger_lines(base_url(window))).values()) == SAMPLE_ROWS


def test_a_workbook_sent_before_is_blocked_and_rows_paid_again_carry_their_reason(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    book = sample_copy(tmp_path)
    first = send_workbook(window, qtbot, book)

    open_workbook(window, qtbot, book, reviewed=False)
    review = window.review_page
    qtbot.waitUntil(lambda: "0 ready" in review.counts_label.text(), timeout=RUN_MS)
    assert f"{SAMPLE_ROWS} with errors" in review.counts_label.text()
    assert not review.is_complete() and not review.skip_check.isVisible()
    workbook = window.session.imported
    assert workbook is not None
    codes = {i.code for row in workbook.result.rows for i in row.all_issues if i.is_error}
    assert codes == {"duplicate.earlier_run"}

    review.select_cell(1, 0)
    review.table.selectionModel().select(
        review.proxy.mapFromSource(review.model.index(2, 0)),
        review.table.selectionModel().SelectionFlag.Select,
    )
    assert review.pay_again_button.isEnabled()

    def give_reason(dialog: object) -> None:
        assert isinstance(dialog, PayAgainDialog)
        assert not dialog.ok_button.isEnabled()
        dialog.reason_edit.setText("their first cards bounced")
        dialog.ok_button.click()

    when_modal(give_reason)
    click(qtbot, review.pay_again_button)
    qtbot.waitUntil(lambda: "2 ready" in review.counts_label.text(), timeout=WORKER_DRAIN_MS)
    paid_again = [workbook.keys[1], workbook.keys[2]]
    assert review.undo_pay_again_button.isEnabled()
    review.skip_check.setChecked(True)
    assert review.is_complete()

    click(qtbot, window.next_button)
    assert window.current_step() == SEND
    page = window.send_page
    qtbot.waitUntil(lambda: not page.planning and page.send_button.isEnabled(), timeout=RUN_MS)
    assert "2 rows paid again on purpose" in page.plan_message.message()
    assert "18 rows left out: already paid by an earlier run" in page.plan_message.message()
    send_and_confirm(window, qtbot)
    wait_run_end(window, qtbot)

    second = current_run(window)
    assert second != first
    records = journal(window).paid_again(second)
    assert sorted(records) == sorted(paid_again)
    assert {r.reason for r in records.values()} == {"their first cards bounced"}
    sent = Counter(line["ExternalId"] for line in ledger_lines(base_url(window)))
    assert sent == Counter({key: 2 if key in paid_again else 1 for key in workbook.keys})

    window.history_action.trigger()
    history = window.history_page
    qtbot.waitUntil(lambda: history.rows_model.rowCount() == SAMPLE_ROWS, timeout=RUN_MS)
    assert not history.rows_view.isColumnHidden(RowColumn.PAID_AGAIN)
    noted = {
        history.rows_model.index(r, RowColumn.PAID_AGAIN).data()
        for r in range(SAMPLE_ROWS)
        if history.rows_model.index(r, RowColumn.PAID_AGAIN).data()
    }
    assert len(noted) == 2 and all(n.count("their first cards bounced") == 1 for n in noted)


def test_rows_another_run_paid_meanwhile_are_refused_and_review_marks_them(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    result = window.session.import_result
    assert result is not None and window.session.catalog is not None
    rows, skipped = rows_from_import(result)  # as a scheduled job of the same workbook would store it
    other = plan_with_settings(rows, skipped, window.session.catalog, window.session.settings)
    journal(window).create_run(
        other,
        workbook="elsewhere.xlsx",
        workbook_sha256="0" * 64,
        profile="sandbox",
        settings={},
        campaign="GB",
    )

    click(qtbot, window.send_page.send_button)
    qtbot.waitUntil(lambda: window.current_step() == REVIEW, timeout=RUN_MS)
    assert (
        "Nothing was sent: 20 rows are already paid by another run" in window.send_page.plan_message.message()
    )
    review = window.review_page
    qtbot.waitUntil(lambda: "0 ready" in review.counts_label.text(), timeout=RUN_MS)
    assert ledger_lines(base_url(window)) == []
    assert [run.id for run in journal(window).runs()] == [other.run_id]


def test_the_balance_shown_is_read_again_after_a_run_and_when_review_opens(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    assert window.connect_page.available_label.text() == "100,000.00 USD"
    send_workbook(window, qtbot, sample_copy(tmp_path))
    charged = sum(line["ChargedUSD"] for line in ledger_lines(base_url(window)))
    after = f"{100_000 - charged:,.2f} USD"
    qtbot.waitUntil(lambda: window.connect_page.available_label.text() == after, timeout=RUN_MS)
    assert f"{after} available" in window.connection_label.text()

    sandbox_post(base_url(window), "balance", {"available": 1234})
    window.go_to_step(REVIEW)
    qtbot.waitUntil(lambda: "1,234.00 USD" in window.connection_label.text(), timeout=RUN_MS)
    assert "balance 1,234.00 USD" in window.review_page.cost_label.text()
