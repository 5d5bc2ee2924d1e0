"""The History and Results table models: checked by qtmodeltester, and showing what a user reads."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app.domain.outcomes import ResultStatus
from app.engine.states import RowStatus, RunStatus
from app.ui.run_models import KEY_ROLE, RowColumn, RowLinesModel, RunColumn, RunsTableModel
from app.ui.run_summaries import RowLine, RunResults, RunSummary


def summary(run_id: str = "261126-K7QX9M", status: RunStatus = RunStatus.PAUSED) -> RunSummary:
    return RunSummary(
        id=run_id,
        created_at=datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        workbook=Path("/data/Year-end bonus.xlsx"),
        profile="sandbox",
        status=status,
        message="Paused: the balance ran short.",
        orders=5,
        costs={"EUR": Decimal("20"), "USD": Decimal("1234.5")},
        counts={RowStatus.COMPLETED: 120, RowStatus.QUEUED: 378, RowStatus.SKIPPED: 2},
    )


def line(row: int, status: ResultStatus, reason: str = "") -> RowLine:
    return RowLine(
        f"Sheet1!{row}", "Sheet1", row, f"person{row}@example.com", status, "GB-1", "10.00 USD", reason
    )


def test_the_runs_model_passes_the_model_tester_and_shows_each_run(qtmodeltester: Any) -> None:
    model = RunsTableModel()
    model.set_runs([summary(), summary("261125-AAAAAA", RunStatus.COMPLETED)])

    qtmodeltester.check(model)

    def text(column: RunColumn) -> object:
        return model.index(0, column).data()

    assert model.rowCount() == 2
    assert text(RunColumn.RUN) == "261126-K7QX9M"
    assert text(RunColumn.WORKBOOK) == "Year-end bonus.xlsx"
    assert text(RunColumn.STATUS) == "Paused"
    assert text(RunColumn.ROWS) == "500"
    assert text(RunColumn.COST) == "20.00 EUR, 1,234.50 USD"
    assert (
        model.index(0, RunColumn.STATUS).data(Qt.ItemDataRole.ToolTipRole) == "Paused: the balance ran short."
    )
    assert model.index(1, RunColumn.COST).data(KEY_ROLE) == "261125-AAAAAA"
    assert model.headerData(RunColumn.CREATED, Qt.Orientation.Horizontal) == "Created"


def test_the_runs_model_passes_the_model_tester_while_empty(qtmodeltester: Any) -> None:
    model = RunsTableModel()
    qtmodeltester.check(model)
    assert model.run_at(0) is None


def test_the_rows_model_passes_the_model_tester_and_shows_reasons(qtmodeltester: Any) -> None:
    model = RowLinesModel()
    model.set_lines([line(2, ResultStatus.COMPLETED), line(3, ResultStatus.REJECTED, "D3: must be 5 to 500")])

    qtmodeltester.check(model)

    assert model.index(1, RowColumn.STATUS).data() == "Rejected"
    assert model.index(1, RowColumn.REASON).data() == "D3: must be 5 to 500"
    assert model.index(1, RowColumn.REASON).data(Qt.ItemDataRole.ToolTipRole) == "D3: must be 5 to 500"
    assert model.index(1, RowColumn.ROW).data(KEY_ROLE) == "Sheet1!3"


def test_a_summary_counts_what_was_sent_and_asks_to_resume_in_plain_words() -> None:
    paused = summary()
    assert (paused.rows, paused.rows_to_send, paused.rows_sent) == (500, 498, 120)
    assert paused.can_resume
    question = paused.resume_question()
    assert (
        question.startswith("A run from ")
        and "(Year-end bonus.xlsx) was paused with 120 of 498 rows sent." in question
    )
    assert question.endswith("Resume it?")
    assert not summary(status=RunStatus.COMPLETED).can_resume


def test_results_count_by_status_and_list_the_rows_not_paid() -> None:
    results = RunResults(
        summary(),
        [
            line(2, ResultStatus.COMPLETED),
            line(3, ResultStatus.FAILED, "card declined"),
            line(4, ResultStatus.COMPLETED),
            line(5, ResultStatus.SKIPPED, "C5: not an email address"),
        ],
    )
    assert results.counts() == {ResultStatus.COMPLETED: 2, ResultStatus.FAILED: 1, ResultStatus.SKIPPED: 1}
    assert [f.row for f in results.failures()] == [3, 5]


def test_the_columns_no_line_fills_are_found_for_hiding() -> None:
    model = RowLinesModel()
    assert model.empty_columns() == set(RowColumn)
    skipped = RowLine("Sheet1!5", "Sheet1", 5, "", ResultStatus.SKIPPED, "", "", "C5: not an email address")
    model.set_lines([skipped, line(6, ResultStatus.SKIPPED, "C6: not an email address")])
    assert model.empty_columns() == {RowColumn.PAID_AGAIN}  # nobody paid again in this run
    model.set_lines([skipped])
    assert model.empty_columns() == {
        RowColumn.RECIPIENT,
        RowColumn.ORDER,
        RowColumn.COST,
        RowColumn.PAID_AGAIN,
    }
