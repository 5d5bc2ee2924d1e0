"""What the Send page runs in workers before and between passes: plan, check the balance, store the run.

The same sequence as `giftbatch submit` (import → plan → check → store → run), with the import already done
by the Import and Review pages. Plain Python: no Qt, tested without a window.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from app.api.wire import Balance
from app.config.run_options import run_settings
from app.config.settings import Settings
from app.domain.catalog import Catalog
from app.domain.errors import UserInputError
from app.domain.import_result import ImportResult
from app.domain.payments import BLOCKING_CODES
from app.engine.confirmation import SendConfirmation
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

# What the confirmation needs, read right before it is shown: the figures, the balance and when it was read.
Prepared = tuple[SendConfirmation, Balance | None, datetime]


@dataclass(frozen=True)
class SendPlan:
    """A plan ready to confirm: its orders, what it costs against the balance, and what to tell the user.

    `check` is None when the vendor's API does not report a balance. `blocked_rows` counts the rows left out
    because they pay what an earlier run paid or repeat a row of the file; `paid_again_rows` the rows sent
    although they do, because the user chose so.
    """

    plan: Plan
    max_line_items: int
    check: BalanceCheck | None
    blocked_rows: int = 0
    paid_again_rows: int = 0

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
    blocked = {(i.sheet, i.row) for i in result.issues if i.code in BLOCKING_CODES}
    return SendPlan(
        plan,
        settings.max_line_items_per_order,
        check_balance(plan.costs, balance) if balance is not None else None,
        len(blocked),
        sum(1 for order in plan.orders for row in order.rows if row.paid_again is not None),
    )


def prepare_confirmation(
    journal: SubmissionJournal,
    planned: SendPlan,
    catalog: Catalog,
    client: OrderClient,
    *,
    spending_limit: Decimal,
    cancel: threading.Event | None = None,
) -> Prepared:
    """What the confirmation shows, right before it is shown: the balance read again (with its time), and
    the rows checked again against the journal (PaymentsTaken when another run paid some meanwhile)."""
    journal.check_not_taken(planned.plan)
    balance, at = read_balance(client, cancel)
    check = check_balance(planned.costs, balance) if balance is not None else None
    return SendConfirmation.of(planned.plan, catalog, check, at, spending_limit), balance, at


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


def read_balance(
    client: OrderClient, cancel: threading.Event | None = None
) -> tuple[Balance | None, datetime]:
    """The balance and when it was read (None: this vendor's API does not report it); runs in a worker."""
    return client.get_balance(cancel=cancel), datetime.now(UTC)


def check_remaining(
    journal: SubmissionJournal, run_id: str, client: OrderClient, cancel: threading.Event | None = None
) -> BalanceCheck | None:
    """What the run's orders not sent yet cost, against the balance now (None: the vendor reports none)."""
    balance = client.get_balance(cancel=cancel)
    if balance is None:
        return None
    unsent = journal.orders(run_id, [state for state in OrderState if state.is_unsent])
    return check_balance(add_costs(order.costs for order in unsent), balance)
