"""What the Send page runs in workers before and between passes: plan, check the balance, store the run.

The same sequence as `giftbatch submit` (import → plan → check → store → run), with the import already done
by the Import and Review pages. Plain Python: no Qt, tested without a window.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.config.run_options import run_settings
from app.config.settings import Settings
from app.domain.catalog import Catalog
from app.domain.errors import UserInputError
from app.domain.import_result import ImportResult
from app.engine.journal import SubmissionJournal
from app.engine.plan import (
    BalanceCheck,
    BalanceShortError,
    Plan,
    add_costs,
    check_balance,
    plan_with_settings,
    rows_from_import,
)
from app.engine.report import file_sha256
from app.engine.runner import OrderClient
from app.engine.states import OrderState
from app.ui.heap import building_to_last

EARLIER_RUN_CODE = "duplicate.earlier_run"


@dataclass(frozen=True)
class SendPlan:
    """A plan ready to confirm: its orders, what it costs against the balance, and what to tell the user.

    `check` is None when the vendor's API does not report a balance. `earlier_run_rows` counts rows that give
    someone a card an earlier run already gave them (validation warned; the confirmation says it again).
    """

    plan: Plan
    max_line_items: int
    check: BalanceCheck | None
    earlier_run_rows: int = 0

    @property
    def fits(self) -> bool:
        return self.check is None or self.check.fits

    @property
    def costs(self) -> dict[str, Decimal]:
        return self.plan.costs

    @property
    def shape(self) -> tuple[int, int, int]:
        """Orders, rows to send and rows left out."""
        return len(self.plan.orders), self.plan.row_count, len(self.plan.skipped)

    def bulk(self) -> Iterator[object]:
        """The pieces most of its memory is in, for `app.ui.heap.release_in_pieces`: orders, rows left out."""
        yield from self.plan.orders
        yield from self.plan.skipped


def make_plan(
    result: ImportResult,
    catalog: Catalog,
    settings: Settings,
    client: OrderClient,
    cancel: threading.Event | None = None,
) -> SendPlan:
    """Plan the reviewed rows into orders and check their cost against the balance (one request)."""
    file_errors = [issue for issue in result.general_issues if issue.is_error]
    if file_errors:
        raise UserInputError(f"The workbook cannot be sent: {file_errors[0].message}")
    with building_to_last():  # the plan is kept until it is sent: 150-200 ms full GC passes otherwise
        rows, skipped = rows_from_import(result)
        if not rows:
            raise UserInputError("There is no valid row to send: fix the rows marked red in Review first.")
        plan = plan_with_settings(rows, skipped, catalog, settings)
    balance = client.get_balance(cancel=cancel)
    again = sum(1 for issue in result.issues if issue.code == EARLIER_RUN_CODE)
    return SendPlan(
        plan,
        settings.max_line_items_per_order,
        check_balance(plan.costs, balance) if balance is not None else None,
        again,
    )


def store_run(
    journal: SubmissionJournal,
    planned: SendPlan,
    *,
    workbook: Path,
    profile: str,
    settings: Settings,
    client: OrderClient,
    cancel: threading.Event | None = None,
) -> str:
    """Check the balance once more (time has passed since the plan was shown), then store the whole plan.

    Raises BalanceShortError when it no longer fits. Nothing is ever sent before this returns: the runner
    sends only what the journal holds.
    """
    balance = client.get_balance(cancel=cancel)
    if balance is not None:
        check = check_balance(planned.costs, balance)
        if not check.fits:
            raise BalanceShortError(check)
    journal.create_run(
        planned.plan,
        workbook=str(workbook.resolve()),
        workbook_sha256=file_sha256(workbook),
        profile=profile,
        settings=run_settings(settings),
        campaign=planned.plan.prefix,
    )
    return planned.plan.run_id


def check_remaining(
    journal: SubmissionJournal, run_id: str, client: OrderClient, cancel: threading.Event | None = None
) -> BalanceCheck | None:
    """What the run's orders not sent yet cost, against the balance now (None: the vendor reports none)."""
    balance = client.get_balance(cancel=cancel)
    if balance is None:
        return None
    unsent = journal.orders(run_id, [state for state in OrderState if state.is_unsent])
    return check_balance(add_costs(order.costs for order in unsent), balance)
