"""Claims: a run stored takes its payments; another run paying the same is refused in the same transaction."""

from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.api import wire
from app.domain.payments import PaidAgain
from app.engine.claims import PaymentsTaken, os_user
from app.engine.journal import SubmissionJournal
from app.engine.plan import PlanRow
from tests.engine.helpers import digital_row, links_row, make_plan, sandbox_catalog, store

CATALOG = sandbox_catalog()


@pytest.fixture
def journal(tmp_path: Path) -> SubmissionJournal:
    return SubmissionJournal(tmp_path / "journal.sqlite3")


def claiming(row: PlanRow, *claims: str) -> PlanRow:
    return dataclasses.replace(row, claims=claims)


def vendor_order(po: str, keys: list[str], failed: tuple[str, ...] = ()) -> wire.Order:
    lines = [
        {"Id": f"LI-{i}", "ExternalId": key, "ProductId": "CVS", "Value": 10, "Quantity": 1,
         "Status": "Failed" if key in failed else "Completed"}
        for i, key in enumerate(keys)
    ]  # fmt: skip
    status = "PartiallyCompleted" if failed else "Completed"
    return wire.Order.model_validate(
        {"Id": f"ORD-{po}", "PONumber": po, "Status": status, "LineItems": lines}
    )


def test_a_stored_run_holds_its_payments_until_a_row_fails(journal: SubmissionJournal) -> None:
    plan = make_plan([claiming(links_row(n), f"c{n}") for n in (1, 2, 3)], CATALOG)
    run_id = store(journal, plan)
    earlier = journal.earlier_payments()
    # Planned, not sent yet: resuming the run would pay them, so they count already.
    found = earlier.find(["c1"])
    assert found is not None and (found.run_id, found.row, found.status) == (run_id, 2, "queued")
    assert found.po_number == plan.orders[0].po_number
    po, keys = plan.orders[0].po_number, [r.key for r in plan.orders[0].rows]
    journal.mark_sending(po)
    journal.record_order(po, vendor_order(po, keys, failed=(keys[2],)))
    earlier = journal.earlier_payments()
    assert earlier.find(["c1"]) is not None and earlier.find(["c2"]) is not None
    assert earlier.find(["c3"]) is None  # failed: that person got nothing
    assert "row 2 of “test.xlsx”" in (earlier.find(["x", "c1"]) or pytest.fail()).describe()


def test_a_second_run_paying_the_same_is_refused_and_stores_nothing(journal: SubmissionJournal) -> None:
    first = make_plan([claiming(digital_row(1), "ana"), claiming(digital_row(2), "bo")], CATALOG)
    store(journal, first)
    second = make_plan([claiming(digital_row(1), "zed", "ana"), claiming(digital_row(3), "cy")], CATALOG)
    with pytest.raises(PaymentsTaken) as refused:
        store(journal, second)
    assert [row.key for row, _ in refused.value.taken] == ["Sheet1!2"]
    assert refused.value.exit_code == 1
    assert f"row 2 of “Sheet1” in run {first.run_id}" in refused.value.message
    assert [run.id for run in journal.runs()] == [first.run_id]
    assert journal.earlier_payments().find(["cy"]) is None  # its claims were not taken either


def test_a_row_paid_again_on_purpose_goes_through_and_says_who_and_why(journal: SubmissionJournal) -> None:
    first = make_plan([claiming(digital_row(1), "ana")], CATALOG)
    store(journal, first)
    again = PaidAgain("second card promised in the offer letter", "Row 2: ana already got CVS 10 USD.")
    second = make_plan([dataclasses.replace(claiming(digital_row(1), "ana"), paid_again=again)], CATALOG)
    run_id = store(journal, second)
    (record,) = journal.paid_again(run_id).values()
    assert (record.key, record.os_user, record.reason) == ("Sheet1!2", os_user(), again.reason)
    assert record.overrides.startswith("Row 2: ana already got CVS 10 USD.")
    assert f"run {first.run_id}" in record.overrides  # the run it pays again, as found when stored
    assert record.describe().startswith(f"Paid again on purpose by {os_user()} on {record.at[:10]}")
    assert journal.paid_again(first.run_id) == {}


def test_a_journal_from_before_claims_counts_its_rows_fingerprints(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = SubmissionJournal(path)
    run_id = store(journal, make_plan([digital_row(1)], CATALOG))  # fingerprint "fp-1", no claims given
    journal.close()
    with sqlite3.connect(path) as db:  # as an older Giftbatch left it: no claims table
        db.execute("DROP TABLE claims")
    reopened = SubmissionJournal(path)
    found = reopened.earlier_payments().find(["fp-1"])
    assert found is not None and found.run_id == run_id


def _store_in_another_process(path: str, start: Any) -> str:
    journal = SubmissionJournal(Path(path))
    plan = make_plan([claiming(digital_row(n), f"person-{n}") for n in range(1, 201)], sandbox_catalog())
    start.wait(10)
    try:
        store(journal, plan)
    except PaymentsTaken as refused:
        return f"taken {len(refused.taken)}"
    return "stored"


def test_of_two_processes_storing_the_same_rows_at_once_exactly_one_stores(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.sqlite3")
    SubmissionJournal(Path(path)).close()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(2) as pool:
        start = manager.Event()
        results = [pool.apply_async(_store_in_another_process, (path, start)) for _ in range(2)]
        start.set()
        outcomes = sorted(result.get(60) for result in results)
    assert outcomes == ["stored", "taken 200"]
    assert len(SubmissionJournal(Path(path)).runs()) == 1
