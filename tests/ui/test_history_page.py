"""History: past runs from the journal, a run's rows, its results and files again, and resuming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.engine.states import RowStatus, RunStatus
from app.ui.main_window import RESULTS, SEND, MainWindow
from app.ui.run_models import RowColumn, RunColumn
from tests.engine.helpers import assert_exactly_once
from tests.ui.flow_helpers import (
    RUN_MS,
    base_url,
    click,
    current_run,
    journal,
    review_and_plan,
    sample_copy,
    save_dialog_answers,
    send_and_confirm,
    send_workbook,
    set_sending,
    slow_sandbox,
    wait_log,
    wait_run_end,
)


def open_history(window: MainWindow, qtbot: QtBot, runs: int) -> None:
    window.history_action.trigger()
    page = window.history_page
    qtbot.waitUntil(lambda: page.runs_model.rowCount() == runs, timeout=RUN_MS)
    qtbot.waitUntil(lambda: page.rows_model.rowCount() > 0, timeout=RUN_MS)


def test_history_lists_the_runs_and_shows_the_rows_of_the_one_selected(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    run_id = send_workbook(window, qtbot, sample_copy(tmp_path, as_name="Anniversaries.xlsx"))

    open_history(window, qtbot, runs=1)

    page = window.history_page
    model = page.runs_model
    assert model.index(0, RunColumn.RUN).data() == run_id
    assert model.index(0, RunColumn.WORKBOOK).data() == "Anniversaries.xlsx"
    assert model.index(0, RunColumn.STATUS).data() == "Completed"
    assert model.index(0, RunColumn.ROWS).data() == "20"
    assert page.rows_model.rowCount() == 20
    assert {page.rows_model.index(r, RowColumn.STATUS).data() for r in range(20)} == {"Completed"}
    assert not page.resume_button.isEnabled()


def test_a_run_opened_from_history_shows_its_results_and_saves_its_files_again(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = connected_window
    run_id = send_workbook(window, qtbot, sample_copy(tmp_path))
    open_history(window, qtbot, runs=1)

    click(qtbot, window.history_page.export_button)

    qtbot.waitUntil(lambda: window.current_step() == RESULTS, timeout=RUN_MS)
    results = window.results_page
    assert results.results is not None and results.results.summary.id == run_id
    again = tmp_path / "again.xlsx"
    save_dialog_answers(monkeypatch, again)
    click(qtbot, results.results_button)
    qtbot.waitUntil(again.exists, timeout=RUN_MS)


def test_an_unfinished_run_is_resumed_from_history_and_finishes_once(
    connected_window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window = connected_window
    set_sending(window, line_items=2, concurrency=1)
    slow_sandbox(window)
    review_and_plan(window, qtbot, sample_copy(tmp_path))
    send_and_confirm(window, qtbot)
    wait_log(window, qtbot, "accepted by the vendor")
    click(qtbot, window.send_page.cancel_button)
    wait_run_end(window, qtbot)
    run_id = current_run(window)
    open_history(window, qtbot, runs=1)
    page = window.history_page
    assert page.runs_model.index(0, RunColumn.STATUS).data() == "Stopped before the end"

    click(qtbot, page.resume_button)

    qtbot.waitUntil(lambda: window.current_step() == SEND, timeout=RUN_MS)
    wait_run_end(window, qtbot)
    assert journal(window).run(run_id).status is RunStatus.COMPLETED
    assert journal(window).row_counts(run_id) == {RowStatus.COMPLETED: 20}
    assert_exactly_once(base_url(window), journal(window), run_id)
