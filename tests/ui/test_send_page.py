"""The Send step through the window against the in-process sandbox: confirm, send, pause, cancel, close, resume.

Every test ends by reading the sandbox's ledger: exactly one line item per row, by ExternalId.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.config.paths import AppPaths
from app.config.secrets import SecretStore
from app.config.settings import SettingsStore
from app.domain.errors import UserInputError
from app.engine.states import RowStatus, RunStatus
from app.ui.main_window import RESULTS, SEND, MainWindow
from app.ui.pages import send_page as send_page_module
from app.ui.session import Session
from tests.engine.helpers import assert_exactly_once, sandbox_post
from tests.ui.conftest import WORKER_DRAIN_MS
from tests.ui.flow_helpers import (
    RUN_MS,
    answer_message_box,
    base_url,
    click,
    current_run,
    journal,
    ledger_counts,
    log_has,
    review_and_plan,
    sample_copy,
    send_and_confirm,
    set_sending,
    slow_sandbox,
    wait_log,
    wait_run_end,
    when_modal,
)

SAMPLE_ROWS = 20


def test_the_whole_flow_sends_each_row_once_and_exports_what_happened(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = connected_window
    workbook = sample_copy(tmp_path, as_name="Anniversaries.xlsx")
    review_and_plan(window, qtbot, workbook)
    page = window.send_page

    assert page.rows_label.text() == f"{SAMPLE_ROWS} rows"
    assert page.orders_label.text() == f"1 order ({SAMPLE_ROWS} line items, at most 100 per order)"
    assert "USD" in page.cost_label.text()
    assert page.balance_after_label.text().endswith(
        "(100,000.00 USD available); 50.00 CAD charged in USD at the vendor's rate"
    )
    assert page.send_button.text().startswith(f"&Send {SAMPLE_ROWS} rows for ")
    dialog = send_and_confirm(window, qtbot)
    assert (
        dialog.question.text()
        == f"Send {page.cost_label.text().replace(', ', ' and ')} to {SAMPLE_ROWS} recipients?"
    )
    wait_run_end(window, qtbot)

    run_id = current_run(window)
    assert page.state_label.text() == f"Finished. Every order is final: {SAMPLE_ROWS} completed."
    assert page.rows_progress.value() == page.rows_progress.maximum() == SAMPLE_ROWS
    assert log_has(window, f"Order GB-{run_id}-0001 accepted by the vendor")
    model = window.session.recipient_model
    model.flush_statuses()
    assert {model.status_text(row) for row in range(model.rowCount())} == {"Completed"}
    keys = {row.key for row in window.session.imported.result.rows}  # type: ignore[union-attr]
    assert ledger_counts(window, run_id) == {key: 1 for key in keys}
    assert_exactly_once(base_url(window), journal(window), run_id)

    click(qtbot, window.next_button)
    assert window.current_step() == RESULTS
    results = window.results_page
    qtbot.waitUntil(lambda: results.results is not None, timeout=RUN_MS)
    assert results.counts_form.rowCount() == 1
    assert results.none_failed.isVisible() and not results.failures.isVisible()

    suggested: list[str] = []

    def save_as(
        _parent: object, _caption: str, path: str, *_args: object, **_kwargs: object
    ) -> tuple[str, str]:
        suggested.append(path)
        return str(tmp_path / "finance.xlsx"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    click(qtbot, results.results_button)
    qtbot.waitUntil(lambda: results.where_label.text() != "", timeout=RUN_MS)

    assert suggested == [str(workbook.parent / "Anniversaries - results workbook.xlsx")]
    assert "finance.xlsx" in results.where_label.text() and results.folder_button.isEnabled()
    sheet = openpyxl.load_workbook(tmp_path / "finance.xlsx", read_only=True)["Results"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    statuses = [row[header.index("Status")] for row in rows[1:]]
    assert statuses == ["Completed"] * SAMPLE_ROWS
    assert {row[header.index("PONumber")] for row in rows[1:]} == {f"GB-{run_id}-0001"}
    assert "Claim Link(s)" not in header


def test_pause_holds_new_orders_and_resume_finishes_the_run(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    set_sending(window, line_items=2, concurrency=1)
    slow_sandbox(window)
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    page = window.send_page
    send_and_confirm(window, qtbot)
    wait_log(window, qtbot, "accepted by the vendor")

    click(qtbot, page.pause_button)
    qtbot.waitUntil(lambda: "Paused by the user" in page.state_label.text(), timeout=RUN_MS)
    assert page.resume_button.isEnabled() and not page.pause_button.isEnabled()
    qtbot.wait(400)  # orders in flight are answered; nothing new goes out while paused
    sent = page.log.toPlainText().count(" sent: ")
    qtbot.wait(400)
    assert page.log.toPlainText().count(" sent: ") == sent
    run_id = current_run(window)
    assert journal(window).row_counts(run_id).get(RowStatus.QUEUED, 0) > 0

    click(qtbot, page.resume_button)
    wait_run_end(window, qtbot)

    assert journal(window).row_counts(run_id) == {RowStatus.COMPLETED: SAMPLE_ROWS}
    assert log_has(window, "Sending again.")
    assert_exactly_once(base_url(window), journal(window), run_id)
    assert sum(ledger_counts(window, run_id).values()) == SAMPLE_ROWS


def test_cancel_stops_after_the_orders_in_flight_and_resume_sends_the_rest_once(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    set_sending(window, line_items=2, concurrency=2)
    slow_sandbox(window)
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    page = window.send_page
    send_and_confirm(window, qtbot)
    wait_log(window, qtbot, "accepted by the vendor")

    click(qtbot, page.cancel_button)
    wait_run_end(window, qtbot)

    run_id = current_run(window)
    assert journal(window).run(run_id).status is RunStatus.INTERRUPTED
    assert page.state_label.text().startswith("Stopped. Cancelled; nothing is lost.")
    assert page.resume_button.isEnabled() and not page.cancel_button.isEnabled()
    assert max(ledger_counts(window, run_id).values()) == 1

    click(qtbot, page.resume_button)
    wait_run_end(window, qtbot)

    assert journal(window).row_counts(run_id) == {RowStatus.COMPLETED: SAMPLE_ROWS}
    assert_exactly_once(base_url(window), journal(window), run_id)


def test_closing_mid_run_pauses_and_a_new_window_offers_to_resume_it(
    connected_window: MainWindow,
    qtbot: QtBot,
    tmp_path: Path,
    app_paths: AppPaths,
    pool: QThreadPool,
    view_state: QSettings,
) -> None:
    window = connected_window
    set_sending(window, line_items=2, concurrency=1)
    slow_sandbox(window)
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    send_and_confirm(window, qtbot)
    wait_log(window, qtbot, "accepted by the vendor")
    run_id = current_run(window)

    paused_when_asked: list[bool] = []
    when_modal(lambda _box: paused_when_asked.append(window.send_page._submit.paused))  # type: ignore[union-attr]
    asked = answer_message_box("Yes")
    window.close()

    qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_MS)
    assert asked == [send_page_module.CLOSE_QUESTION]
    assert paused_when_asked == [True]  # paused before the question: nothing left while it was open
    assert not window.send_page.sending
    stopped = journal(window).run(run_id)
    assert stopped.status is RunStatus.PAUSED
    assert "Paused" in (stopped.message or "") and "ancel" not in (stopped.message or "")
    sent_before = sum(ledger_counts(window, run_id).values())
    assert 0 < sent_before < SAMPLE_ROWS
    assert pool.waitForDone(WORKER_DRAIN_MS)
    window.session.close()  # as the app does when its window has closed: the sandbox stops

    session = Session(app_paths, SettingsStore(app_paths.settings_file), SecretStore(), pool)
    again = MainWindow(session, view_state)
    qtbot.addWidget(again)
    again.show()
    again.start()
    qtbot.waitUntil(lambda: again.send_page.resume_offer is not None, timeout=RUN_MS)
    offer = again.send_page.resume_offer
    assert offer is not None
    assert offer.text().startswith("A run from ")
    assert f"was paused with {sent_before} of {SAMPLE_ROWS} rows sent. Resume it?" in offer.text()

    resume = next(b for b in offer.buttons() if b.text() == "&Resume it")
    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.current_step() == SEND, timeout=RUN_MS)
    wait_run_end(again, qtbot)

    assert journal(again).row_counts(run_id) == {RowStatus.COMPLETED: SAMPLE_ROWS}
    assert ledger_counts(again, run_id) == {key: 1 for key in journal(again).row_statuses(run_id)}
    assert_exactly_once(base_url(again), journal(again), run_id)
    assert again.step_enabled(RESULTS)  # its results open without importing its workbook again
    session.close()


def test_a_balance_that_does_not_cover_the_run_is_refused_with_the_shortfall(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    sandbox_post(base_url(window), "balance", {"available": 1})
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    page = window.send_page

    message = page.plan_message.message()
    assert message.startswith("The balance does not cover this run: 505.80 USD more needed (needs 506.80 USD")
    assert "Add funds" in message
    assert not page.send_button.isEnabled()
    assert page.balance_after_label.text().startswith("-505.80 USD (1.00 USD available)")


def test_the_balance_running_short_mid_run_pauses_until_it_is_topped_up(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    set_sending(window, line_items=2, concurrency=1)
    slow_sandbox(window)
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    page = window.send_page
    send_and_confirm(window, qtbot)
    wait_log(window, qtbot, "accepted by the vendor")
    sandbox_post(base_url(window), "balance", {"available": 1})
    wait_run_end(window, qtbot)

    run_id = current_run(window)
    assert journal(window).run(run_id).status is RunStatus.PAUSED
    assert page.balance_row.isVisible()
    assert "more is needed to send the rest" in page.balance_message.message()
    assert page.resume_button.isEnabled()

    click(qtbot, page.check_balance_button)
    qtbot.waitUntil(lambda: page.balance_message.message().startswith("Still short: "), timeout=RUN_MS)
    sandbox_post(base_url(window), "balance", {"add": 10_000})
    click(qtbot, page.check_balance_button)
    qtbot.waitUntil(lambda: "Press Resume to send it." in page.balance_message.message(), timeout=RUN_MS)

    click(qtbot, page.resume_button)
    wait_run_end(window, qtbot)

    assert journal(window).row_counts(run_id) == {RowStatus.COMPLETED: SAMPLE_ROWS}
    assert_exactly_once(base_url(window), journal(window), run_id)


def test_a_sent_workbook_is_not_planned_again(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    send_and_confirm(window, qtbot)
    wait_run_end(window, qtbot)
    run_id = current_run(window)

    window.go_back()
    click(qtbot, window.next_button)

    assert window.current_step() == SEND
    assert window.send_page.run_box.isVisible() and not window.send_page.send_button.isVisible()
    assert current_run(window) == run_id
    assert sum(ledger_counts(window, run_id).values()) == SAMPLE_ROWS


def test_a_plan_that_could_not_be_stored_is_kept_and_sent_on_the_next_click(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = connected_window
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    page = window.send_page
    real_store = send_page_module.store_run
    failures = [UserInputError("The journal's disk is full.")]

    def store_once_failing(*args: object, **kwargs: object) -> str:
        if failures:
            raise failures.pop()
        return real_store(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(send_page_module, "store_run", store_once_failing)
    send_and_confirm(window, qtbot)
    qtbot.waitUntil(lambda: page.plan_message.message() == "The journal's disk is full.", timeout=RUN_MS)
    qtbot.waitUntil(page.send_button.isEnabled, timeout=RUN_MS)

    send_and_confirm(window, qtbot)
    wait_run_end(window, qtbot)
    counts = ledger_counts(window, current_run(window))
    assert len(counts) == SAMPLE_ROWS and set(counts.values()) == {1}  # every row paid, once


def test_a_balance_spent_between_the_plan_and_the_click_is_refused_and_sends_nothing(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    page = window.send_page
    sandbox_post(base_url(window), "balance", {"available": 1})

    click(qtbot, page.send_button)
    qtbot.waitUntil(lambda: "balance does not cover" in page.plan_message.message(), timeout=RUN_MS)
    assert not page.send_button.isEnabled()
    assert page.balance_after_label.text().startswith("-505.80 USD (1.00 USD available)")
    assert window.session.runs.current is None
