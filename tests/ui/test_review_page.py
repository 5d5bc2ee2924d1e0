"""The Review step through its widgets on a real import: issue navigation, edits checked again in a worker,
filters and search, the summary against the sandbox's balance, the file watcher and Open in Excel."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.domain.edits import apply_edits
from app.domain.issues import Severity
from app.domain.outcomes import ResultStatus, RowOutcome
from app.ui.main_window import IMPORT, REVIEW, MainWindow
from app.ui.models.recipient_model import CHECKING, IssueRole, RowFilter, RowKeyRole, SeverityRole
from app.ui.pages import review_page
from app.ui.pages.review_page import ReviewPage
from tests.ui.conftest import WORKER_DRAIN_MS
from tests.ui.review_fixtures import COMMON_MISTAKES, SAMPLES


@pytest.fixture
def reviewing(connected_window: MainWindow, qtbot: QtBot, tmp_path: Path) -> MainWindow:
    """The window on Review with a copy of the common-mistakes sample read."""
    copy = tmp_path / "common-mistakes.xlsx"
    shutil.copy(COMMON_MISTAKES, copy)
    connected_window.go_to_step(IMPORT)
    connected_window.import_page.open_path(copy)
    qtbot.waitUntil(lambda: connected_window.current_step() == REVIEW, timeout=WORKER_DRAIN_MS)
    return connected_window


def current_cell(page: ReviewPage) -> tuple[str, str]:
    """(row key, column header) of the grid's current cell."""
    index = page.table.currentIndex()
    header = page.proxy.headerData(index.column(), Qt.Orientation.Horizontal)
    return index.data(RowKeyRole), header


def test_f8_and_shift_f8_walk_the_issues_in_reading_order(reviewing: MainWindow, qtbot: QtBot) -> None:
    page = reviewing.review_page
    page.table.setFocus()

    qtbot.keyClick(page.table, Qt.Key.Key_F8)
    assert current_cell(page) == ("Gifts Q4!6", "E-mail Address")  # B6: stray spaces
    qtbot.keyClick(page.table, Qt.Key.Key_F8)
    assert current_cell(page) == ("Gifts Q4!6", "Amount ($)")
    qtbot.keyClick(page.table, Qt.Key.Key_F8)
    assert current_cell(page) == ("Gifts Q4!7", "E-mail Address")
    tree_issue = page.issues.currentIndex().data(IssueRole)
    assert tree_issue.code == "email.invalid"
    qtbot.keyClick(page.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert current_cell(page) == ("Gifts Q4!6", "Amount ($)")
    qtbot.keyClick(page.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(page.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert current_cell(page) == ("Gifts Q4!20", "How to send")  # wrapped round to the last one


def test_f8_skips_the_issues_of_rows_the_filter_hides(reviewing: MainWindow, qtbot: QtBot) -> None:
    page = reviewing.review_page
    page.filter_combo.setCurrentText(RowFilter.ERRORS.value)
    page.table.setFocus()
    keys = set()
    for _ in range(12):
        qtbot.keyClick(page.table, Qt.Key.Key_F8)
        keys.add(current_cell(page)[0])
    # The rows with errors only (row 14 repeats row 13 cell for cell: blocked until paid again).
    assert keys == {"Gifts Q4!7", "Gifts Q4!9", "Gifts Q4!10", "Gifts Q4!12", "Gifts Q4!14"}

    page.search_edit.setText("nobody has this")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 0)
    with qtbot.waitSignal(page.status_posted) as posted:
        qtbot.keyClick(page.table, Qt.Key.Key_F8)
    assert posted.args == ["No problem left in the rows shown."]


def test_clicking_an_issue_selects_its_cell(reviewing: MainWindow, qtbot: QtBot) -> None:
    page = reviewing.review_page
    model = page.issue_model
    group = next(r for r in range(model.rowCount()) if model.group_at(r).code == "product.unknown")
    child = model.index(0, 0, model.index(group, 0))

    page.issues.clicked.emit(child)

    assert current_cell(page) == ("Gifts Q4!9", "Card")
    assert page.table.currentIndex().data(SeverityRole) == Severity.ERROR


def test_fixing_an_invalid_email_in_place_removes_its_error_and_updates_the_counts(
    reviewing: MainWindow, qtbot: QtBot
) -> None:
    page = reviewing.review_page
    session = reviewing.session
    assert "5 with errors" in page.counts_label.text()
    assert not page.is_complete()
    page.filter_combo.setCurrentText(RowFilter.ERRORS.value)
    index = next(
        page.proxy.index(r, 1)
        for r in range(page.proxy.rowCount())
        if page.proxy.index(r, 1).data(RowKeyRole) == "Gifts Q4!7"
    )
    page.table.setCurrentIndex(index)

    page.table.edit(index)
    editor = page.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "chloe.dubois.example.com"
    editor.selectAll()
    qtbot.keyClicks(editor, "chloe.dubois@example.com")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop

    qtbot.waitUntil(lambda: index.data() == "chloe.dubois@example.com")
    status = page.proxy.index(index.row(), page.model.status_column)
    qtbot.waitUntil(lambda: status.data() != CHECKING, timeout=WORKER_DRAIN_MS)
    assert index.data(SeverityRole) is None
    assert status.data() == "Ready"
    assert "4 with errors" in page.counts_label.text()
    assert session.edits == {"Gifts Q4!7": {"E-mail Address": "chloe.dubois@example.com"}}
    result = session.import_result
    assert result is not None and result.row("Gifts Q4!7").is_valid
    assert result.row("Gifts Q4!7").recipient.email == "chloe.dubois@example.com"
    codes = [page.issue_model.group_at(r).code for r in range(page.issue_model.rowCount())]
    assert "email.invalid" not in codes
    assert page.proxy.rowCount() == 5  # the fixed row stays in view until the filter is chosen again


def test_the_edits_reach_the_exports(reviewing: MainWindow, qtbot: QtBot) -> None:
    page = reviewing.review_page
    workbook = reviewing.session.imported
    assert workbook is not None
    row = workbook.positions["Gifts Q4!7"]
    page.model.setData(page.model.index(row, 1), "chloe.dubois@example.com")
    qtbot.waitUntil(lambda: not page.checking, timeout=WORKER_DRAIN_MS)

    outcome = RowOutcome("Gifts Q4!7", "Gifts Q4", 7, ResultStatus.COMPLETED, values={"E-mail Address": "x"})
    apply_edits([outcome], reviewing.session.edits)
    assert outcome.values["E-mail Address"] == "chloe.dubois@example.com"
    assert outcome.edited == frozenset({"E-mail Address"})
    record = workbook.record(row)
    assert record.unmapped["Notes"] == workbook.record(row).unmapped["Notes"]
    assert [c.value for f, c in record.cells.items() if c.column == "B"] == ["chloe.dubois@example.com"]


def test_review_is_complete_without_errors_or_when_skipping_them(reviewing: MainWindow, qtbot: QtBot) -> None:
    page = reviewing.review_page
    assert not page.is_complete()
    assert page.skip_check.isVisible()
    assert page.skip_check.text() == "Send only the valid rows (skip 5 rows with errors)"

    page.skip_check.setChecked(True)

    assert page.is_complete()
    assert reviewing.step_enabled(REVIEW + 1)

    reviewing.go_to_step(IMPORT)
    reviewing.import_page.open_path(SAMPLES / "links.xlsx")
    qtbot.waitUntil(lambda: reviewing.current_step() == REVIEW, timeout=WORKER_DRAIN_MS)
    assert not page.skip_check.isChecked()  # the choice was about the other workbook


def test_filters_and_a_debounced_search(reviewing: MainWindow, qtbot: QtBot) -> None:
    page = reviewing.review_page
    page.filter_combo.setCurrentText(RowFilter.WARNINGS.value)
    warned = page.proxy.rowCount()
    assert 0 < warned < 16
    assert page.shown_label.text() == f"{warned} of 16 rows shown"
    page.filter_combo.setCurrentText(RowFilter.ALL.value)

    qtbot.keyClicks(page.search_edit, "STARBUCKS")
    assert page.proxy.rowCount() == 16  # not yet: the search waits for typing to pause
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1)
    assert page.proxy.index(0, 0).data(RowKeyRole) == "Gifts Q4!9"


def test_the_summary_shows_a_shortfall_against_the_balance(reviewing: MainWindow, qtbot: QtBot) -> None:
    page = reviewing.review_page
    session = reviewing.session
    assert not page.shortfall_label.isVisible()
    assert "balance 100,000.00 USD, " in page.cost_label.text()
    connection = session.connection
    assert connection is not None
    httpx.post(f"{connection.base_url}/_sandbox/balance", json={"available": 100}).raise_for_status()

    reviewing.connect_page.connect_selected()

    qtbot.waitUntil(page.shortfall_label.isVisible, timeout=WORKER_DRAIN_MS)
    workbook = session.imported
    assert workbook is not None
    needed = workbook.facts.costs["USD"]
    short = f"{needed - 100:,.2f} USD"
    assert page.shortfall_label.text() == f"Short by {short} — top up the account or remove rows."
    assert page.cost_label.text() == (
        f"Cost {needed:,.2f} USD + 25.00 CAD · balance 100.00 USD · CAD is not compared with the USD balance"
    )


def test_a_rewritten_file_offers_a_reload_that_replaces_the_edits(
    reviewing: MainWindow, qtbot: QtBot
) -> None:
    page = reviewing.review_page
    session = reviewing.session
    workbook = session.imported
    assert workbook is not None
    page.model.setData(page.model.index(0, 0), "Someone Else")
    qtbot.waitUntil(lambda: not page.checking, timeout=WORKER_DRAIN_MS)

    shutil.copy(SAMPLES / "digital-email-sms.xlsx", workbook.path)  # saved over in "Excel"
    stamp = workbook.path.stat()
    os.utime(workbook.path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))

    qtbot.waitUntil(page.banner.isVisible, timeout=WORKER_DRAIN_MS)
    assert "was changed on disk" in page.banner_text.text()
    assert "The 1 cell you changed here would be replaced" in page.banner_text.text()

    qtbot.mouseClick(page.reload_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: session.imported is not workbook, timeout=WORKER_DRAIN_MS)
    assert not page.banner.isVisible()
    reloaded = session.imported
    assert reloaded is not None and reloaded.edits == {}
    assert reloaded.headers != workbook.headers  # the other workbook's columns


def test_open_in_excel_hands_the_file_to_the_system(
    reviewing: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(review_page, "open_with_system", lambda path: opened.append(path) or True)

    qtbot.mouseClick(reviewing.review_page.excel_button, Qt.MouseButton.LeftButton)

    workbook = reviewing.session.imported
    assert workbook is not None and opened == [workbook.path]
