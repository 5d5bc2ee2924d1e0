"""A run's report from the journal: each row's outcome, and the user's own columns when at hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.catalog import DeliveryType
from app.domain.issues import Severity
from app.domain.outcomes import Claim, ResultStatus
from app.engine.field_errors import map_field_errors
from app.engine.journal import SubmissionJournal
from app.engine.report import WorkbookChanged, build_run_report, read_source_rows, run_issues
from tests.engine.helpers import digital_row, make_plan, sandbox_catalog, store
from tests.engine.report_helpers import HOSTILE_TEAM, build_run_workbook, finished_run


@pytest.fixture
def journal(tmp_path: Path) -> SubmissionJournal:
    return SubmissionJournal(tmp_path / "journal.sqlite3")


def test_each_row_has_its_outcome_and_the_users_own_columns(
    tmp_path: Path, journal: SubmissionJournal
) -> None:
    workbook = build_run_workbook(tmp_path / "staff.xlsx")
    run_id = finished_run(journal, workbook)
    run = journal.run(run_id)
    source = read_source_rows(workbook, expected_sha256=run.workbook_sha256)

    report = build_run_report(journal, run_id, source)

    assert (report.run_id, report.profile, report.status, report.campaign) == (
        run_id,
        "sandbox",
        "completed",
        "T",
    )
    assert report.finished_at is not None
    assert [s.name for s in report.sheets] == ["Staff", "Links"]
    by_key = {o.key: o for o in report.outcomes}
    assert len(by_key) == 6
    first = by_key["Staff!2"]
    assert first.status is ResultStatus.COMPLETED
    assert first.values == {
        "Name": "Person 1",
        "Email": "person1@example.com",
        "Product": "CVS",
        "Value": 10,
        "Quantity": 1,
        "Team": "Team 1",
    }
    assert first.order_id == "ORD-1" and first.line_item_id == "LI-Staff!2"
    assert first.po_number and first.po_number.startswith("T-")
    assert (first.product_id, first.delivery_type, first.quantity) == ("CVS", DeliveryType.DIGITAL, 1)
    assert first.currency == "USD" and first.cost is not None and first.cost > Decimal(0)
    assert first.submitted_at is not None and first.completed_at is not None
    assert first.recipient == "Person 1"
    assert by_key["Staff!3"].values["Team"] == HOSTILE_TEAM
    failed = by_key["Staff!4"]
    assert (failed.status, failed.failure_reason) == (ResultStatus.FAILED, "The mailbox does not exist")
    links = by_key["Links!2"]
    assert links.delivery_type is DeliveryType.LINKS and links.quantity == 2
    assert links.claims == (
        Claim("https://claim.example/claim/Links!2-0", "answer-0"),
        Claim("https://claim.example/claim/Links!2-1", "answer-1"),
    )
    assert links.values["Note"] == "for the fair"


def test_without_the_workbook_each_row_shows_what_it_sent(tmp_path: Path, journal: SubmissionJournal) -> None:
    run_id = finished_run(journal, build_run_workbook(tmp_path / "staff.xlsx"))

    report = build_run_report(journal, run_id)

    assert report.sheets == []
    first = next(o for o in report.outcomes if o.key == "Staff!2")
    assert first.values["Email"] == "person1@example.com"
    assert first.values["ProductId"] == "CVS"
    assert "ExternalId" not in first.values


def test_a_workbook_changed_since_the_run_is_not_taken_for_it(
    tmp_path: Path, journal: SubmissionJournal
) -> None:
    workbook = build_run_workbook(tmp_path / "staff.xlsx")
    run = journal.run(finished_run(journal, workbook))
    workbook.write_bytes(workbook.read_bytes() + b"\0")

    with pytest.raises(WorkbookChanged, match="changed since the run"):
        read_source_rows(workbook, expected_sha256=run.workbook_sha256)


def test_what_still_needs_fixing_becomes_issues(tmp_path: Path, journal: SubmissionJournal) -> None:
    run_id = finished_run(journal, build_run_workbook(tmp_path / "staff.xlsx"))

    issues = run_issues(journal, run_id)

    assert [(i.severity, i.code, i.sheet, i.row, i.message) for i in issues] == [
        (Severity.ERROR, "row.failed", "Staff", 4, "The mailbox does not exist")
    ]


def test_an_order_refused_as_a_whole_says_so_at_every_row_of_the_export_and_error_report(
    journal: SubmissionJournal,
) -> None:
    plan = make_plan([digital_row(i) for i in range(1, 4)], sandbox_catalog())
    run_id = store(journal, plan)
    po = plan.orders[0].po_number
    keys = [r.key for r in plan.orders[0].rows]
    journal.mark_sending(po)
    message = "The vendor at v.test refused the request as malformed (HTTP 400 Bad Request): The request is invalid."
    journal.reject_order(po, message, map_field_errors({}, keys, {}))

    report = build_run_report(journal, run_id)
    issues = run_issues(journal, run_id)

    assert [o.status for o in report.outcomes] == [ResultStatus.REJECTED] * 3
    assert all("The request is invalid." in (o.failure_reason or "") for o in report.outcomes)
    assert [(i.row, i.code) for i in issues] == [
        (2, "row.rejected"),
        (3, "row.rejected"),
        (4, "row.rejected"),
    ]
    assert all("the vendor named no row" in i.message for i in issues)
