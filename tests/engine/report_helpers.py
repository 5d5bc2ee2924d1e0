"""A finished run in a journal, and the workbook it read, built without a vendor: for the export tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from app.api import wire
from app.engine.journal import SubmissionJournal
from app.engine.report import file_sha256
from app.engine.states import RunStatus
from tests.engine.helpers import digital_row, links_row, make_plan, sandbox_catalog

STAFF_HEADER = ["Name", "Email", "Product", "Value", "Quantity", "Team"]
LINKS_HEADER = ["Product", "Value", "Quantity", "Note"]
BOUNCING = 3  # the third staff row fails at the vendor
HOSTILE_TEAM = '=HYPERLINK("http://evil.example","x")'


def build_run_workbook(path: Path) -> Path:
    """Sheets "Staff" (rows 2–5) and "Links" (rows 2–3), each with a column nobody maps (Team, Note)."""
    workbook = openpyxl.Workbook()
    staff = workbook.active
    staff.title = "Staff"
    staff.append(STAFF_HEADER)
    for number in range(1, 5):
        staff.append([f"Person {number}", f"person{number}@example.com", "CVS", 10, 1, f"Team {number}"])
    staff["F3"] = HOSTILE_TEAM
    staff["F3"].data_type = "s"  # text the user typed, not a formula
    staff["A1"].font = openpyxl.styles.Font(bold=True)
    links = workbook.create_sheet("Links")
    links.append(LINKS_HEADER)
    links.append(["CVS", 10, 2, "for the fair"])
    links.append(["CVS", 10, 1, "spare"])
    workbook.save(path)
    return path


def finished_run(journal: SubmissionJournal, workbook: Path) -> str:
    """Send the workbook's rows in a journal as if the vendor answered: all completed but one failed."""
    rows = [digital_row(n, sheet="Staff") for n in range(1, 5)] + [links_row(1, quantity=2), links_row(2)]
    plan = make_plan(rows, sandbox_catalog(), max_line_items=3)
    journal.create_run(
        plan,
        workbook=str(workbook.resolve()),
        workbook_sha256=file_sha256(workbook),
        profile="sandbox",
        settings={},
        campaign="T",
    )
    for order in plan.orders:
        journal.mark_sending(order.po_number)
        journal.record_attempt(order.po_number, "create", status_code=201, error_kind=None, latency_s=0.1)
        lines = [_line(row.key, row.line_item.quantity) for row in order.rows]
        answer = {
            "Id": f"ORD-{order.seq}",
            "PONumber": order.po_number,
            "Status": "Completed",
            "LineItems": lines,
        }
        journal.record_order(order.po_number, wire.Order.model_validate(answer))
    journal.set_run_status(plan.run_id, RunStatus.COMPLETED)
    return plan.run_id


def _line(key: str, quantity: int) -> dict[str, Any]:
    failed = key == f"Staff!{BOUNCING + 1}"
    return {
        "Id": f"LI-{key}",
        "ExternalId": key,
        "Status": "Failed" if failed else "Completed",
        "FailureReason": "The mailbox does not exist" if failed else None,
        "ClaimData": [
            {
                "Id": f"C-{key}-{n}",
                "ClaimLink": f"https://claim.example/claim/{key}-{n}",
                "ClaimLinkChallengeAnswer": f"answer-{n}",
            }
            for n in range(quantity)
        ]
        if key.startswith("Links!")
        else [],
    }
