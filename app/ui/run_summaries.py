"""Past runs and their rows as the pages show them (History, Results, the resume offer); read in workers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from app.domain.outcomes import ResultStatus, RowOutcome
from app.engine.events import Progress
from app.engine.journal import SubmissionJournal
from app.engine.plan import add_costs
from app.engine.report import build_run_report
from app.engine.runner import live_status
from app.engine.states import RowStatus, RunStatus
from app.ui.formatting import format_money, format_time
from app.ui.heap import built_to_last

# Rows whose fate the vendor has given (or is giving): what "sent" means to the user.
_SENT = frozenset(
    {RowStatus.ACCEPTED, RowStatus.PENDING, RowStatus.COMPLETED, RowStatus.FAILED, RowStatus.REJECTED}
)
_RESUMABLE = frozenset({RunStatus.PAUSED, RunStatus.INTERRUPTED, RunStatus.FAILED})
# What the start-up offer proposes: a failed run stopped on something the user must fix first (History
# still resumes it on request).
_OFFERED = frozenset({RunStatus.PAUSED, RunStatus.INTERRUPTED})


@dataclass(frozen=True)
class RunSummary:
    """One run: where it came from, where it stands (live: a run whose process died reads interrupted)."""

    id: str
    created_at: datetime
    workbook: Path
    profile: str
    status: RunStatus
    message: str | None
    orders: int
    costs: Mapping[str, Decimal]
    counts: Mapping[RowStatus, int] = field(default_factory=dict)
    orders_answered: int = 0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_to_send(self) -> int:
        """Rows the run sends (rows left out for errors are not among them)."""
        return self.rows - self.counts.get(RowStatus.SKIPPED, 0)

    @property
    def rows_sent(self) -> int:
        return sum(n for status, n in self.counts.items() if status in _SENT)

    @property
    def skipped(self) -> int:
        return self.counts.get(RowStatus.SKIPPED, 0)

    def progress(self) -> Progress:
        """Where the run stands, as the engine's Progress event counts it (skipped rows count as settled)."""
        waiting = self.counts.get(RowStatus.QUEUED, 0) + self.counts.get(RowStatus.SENDING, 0)
        return Progress(self.id, self.orders_answered, self.orders, self.rows - waiting, self.rows)

    @property
    def can_resume(self) -> bool:
        return self.status in _RESUMABLE

    def resume_question(self) -> str:
        """'A run from 2026-11-26 10:31 stopped with 120 of 500 rows sent. Resume it?'"""
        state = "was paused" if self.status is RunStatus.PAUSED else "stopped"
        return (
            f"A run from {format_time(self.created_at)} ({self.workbook.name}) {state} with "
            f"{self.rows_sent:,} of {self.rows_to_send:,} rows sent. Resume it?"
        )


def load_summary(journal: SubmissionJournal, run_id: str) -> RunSummary:
    run = journal.run(run_id)
    orders = journal.orders(run_id)
    return RunSummary(
        id=run.id,
        created_at=datetime.fromisoformat(run.created_at),
        workbook=Path(run.workbook),
        profile=run.profile,
        status=live_status(journal, run.id),
        message=run.message,
        orders=len(orders),
        costs=add_costs(order.costs for order in orders),
        counts=journal.row_counts(run_id),
        orders_answered=sum(n for state, n in journal.order_counts(run_id).items() if not state.is_unsent),
    )


def load_summaries(journal: SubmissionJournal) -> list[RunSummary]:
    """Every run, newest first."""
    return [load_summary(journal, run.id) for run in journal.runs()]


def run_to_offer(journal: SubmissionJournal, profile: str) -> RunSummary | None:
    """The newest run of `profile` that stopped before its end and is not being sent by anyone now."""
    for run in journal.unfinished_runs():
        if run.profile != profile:
            continue
        summary = load_summary(journal, run.id)
        if summary.status in _OFFERED:
            return summary
    return None


@dataclass(frozen=True)
class RowLine:
    """One row of a run as a table shows it (no claim link: those go only into exports that ask)."""

    key: str
    sheet: str
    row: int
    recipient: str
    status: ResultStatus
    po_number: str
    cost: str
    reason: str
    paid_again: str = ""  # who chose to pay this row again, when and why

    @classmethod
    def of(cls, outcome: RowOutcome) -> RowLine:
        cost = format_money(outcome.cost, outcome.currency or "") if outcome.cost is not None else ""
        return cls(
            key=outcome.key,
            sheet=outcome.sheet,
            row=outcome.row,
            recipient=outcome.recipient or "",
            status=outcome.status,
            po_number=outcome.po_number or "",
            cost=cost,
            reason=outcome.failure_reason or "",
            paid_again=outcome.paid_again or "",
        )


_NOT_SENT = frozenset({ResultStatus.FAILED, ResultStatus.REJECTED, ResultStatus.SKIPPED})


@dataclass(frozen=True)
class RunResults:
    """A run's rows with their outcome, and where the run stands: what the Results page shows."""

    summary: RunSummary
    lines: list[RowLine]

    def counts(self) -> dict[ResultStatus, int]:
        """Rows by status, in the order statuses are listed (only those that occur)."""
        found = {status: 0 for status in ResultStatus}
        for line in self.lines:
            found[line.status] += 1
        return {status: n for status, n in found.items() if n}

    def failures(self) -> list[RowLine]:
        """Rows that were not paid: failed, refused by the vendor, or left out for errors."""
        return [line for line in self.lines if line.status in _NOT_SENT]


@built_to_last  # shown as long as the run is: 70-200 ms full GC passes while reading 30,000 rows otherwise
def load_results(journal: SubmissionJournal, run_id: str) -> RunResults:
    report = build_run_report(journal, run_id, with_secrets=False)  # the table shows no claim link
    return RunResults(load_summary(journal, run_id), [RowLine.of(outcome) for outcome in report.outcomes])
