"""Shared builders for the export tests: run reports, hostile text, and a look at a cell's raw XML."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import msoffcrypto

from app.domain.catalog import DeliveryType
from app.domain.outcomes import Claim, ResultStatus, RowOutcome, RunReport, SheetColumn, SheetLayout

# Text a spreadsheet would run as a formula if it were stored as one.
HOSTILE = (
    '=HYPERLINK("http://evil.example","x")',
    "+1-2",
    "@SUM(A1)",
    "-cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
    "=1+1",
)

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

STAFF = SheetLayout(
    "Staff",
    3,
    (
        SheetColumn("A", "Name"),
        SheetColumn("B", "Email"),
        SheetColumn("C", "Product"),
        SheetColumn("D", "Amount"),
        SheetColumn("E", "Start date"),
        SheetColumn("F", "Team"),
    ),
)
SUBMITTED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
COMPLETED = datetime(2026, 11, 20, 9, 31, 5, tzinfo=UTC)


def completed_link_row(row: int, name: str = "Ana Lima", cards: int = 2) -> RowOutcome:
    return RowOutcome(
        key=f"Staff!{row}",
        sheet="Staff",
        row=row,
        status=ResultStatus.COMPLETED,
        values={
            "Name": name,
            "Email": f"person{row}@example.com",
            "Product": "CVS",
            "Amount": 25.0,
            "Start date": date(2024, 3, 1),
            "Team": "Ops",
        },
        order_id="ORD-1001",
        po_number="GB-261120-ABC-0001",
        line_item_id=f"LI-{row}",
        product_id="CVS",
        delivery_type=DeliveryType.LINKS,
        quantity=cards,
        face_value=Decimal("25.00"),
        cost=Decimal("25.00") * cards,
        currency="USD",
        claims=tuple(
            Claim(f"https://claim.example/claim/{row}-{n}", f"answer-{row}-{n}") for n in range(cards)
        ),
        submitted_at=SUBMITTED,
        completed_at=COMPLETED,
        recipient=name,
    )


def failed_row(row: int, reason: str = "Product out of stock") -> RowOutcome:
    return RowOutcome(
        key=f"Staff!{row}",
        sheet="Staff",
        row=row,
        status=ResultStatus.FAILED,
        values={"Name": "Ben Ode", "Email": "ben@example.com", "Product": "AMZ", "Amount": 50, "Team": "HR"},
        order_id="ORD-1002",
        po_number="GB-261120-ABC-0002",
        line_item_id=f"LI-{row}",
        product_id="AMZ",
        delivery_type=DeliveryType.DIGITAL,
        face_value=Decimal(50),
        cost=Decimal("51.50"),
        currency="USD",
        failure_reason=reason,
        submitted_at=SUBMITTED,
        completed_at=COMPLETED,
    )


def pending_row(row: int) -> RowOutcome:
    return RowOutcome(
        key=f"Staff!{row}",
        sheet="Staff",
        row=row,
        status=ResultStatus.PENDING,
        values={"Name": "Cy Dee", "Email": "cy@example.com", "Product": "EUR1", "Amount": 20, "Team": "IT"},
        order_id="ORD-1003",
        po_number="GB-261120-ABC-0003",
        product_id="EUR1",
        delivery_type=DeliveryType.DIGITAL,
        face_value=Decimal(20),
        cost=Decimal("20.00"),
        currency="EUR",
        submitted_at=SUBMITTED,
    )


def skipped_row(row: int) -> RowOutcome:
    return RowOutcome(
        key=f"Staff!{row}",
        sheet="Staff",
        row=row,
        status=ResultStatus.SKIPPED,
        values={"Name": "Dee Eff", "Email": "not-an-email", "Product": "CVS", "Amount": 25},
        failure_reason="E7: the email address has no @",
    )


def sample_report(
    outcomes: list[RowOutcome] | None = None, sheets: list[SheetLayout] | None = None
) -> RunReport:
    return RunReport(
        run_id="261120-ABCDEF",
        workbook_path="/data/staff.xlsx",
        profile="sandbox",
        created_at=datetime(2026, 11, 20, 9, 29, tzinfo=UTC),
        status="completed",
        sheets=sheets if sheets is not None else [STAFF],
        outcomes=outcomes
        if outcomes is not None
        else [completed_link_row(4), failed_row(5), pending_row(6), skipped_row(7)],
        campaign="Year end",
        finished_at=datetime(2026, 11, 20, 9, 40, tzinfo=UTC),
    )


def as_excel_shows(value: object) -> object:
    """Text as Excel shows it: xlsxwriter stores a carriage return as `_x000D_`; openpyxl leaves it so."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def cell_xml(path: Path | bytes, sheet: str, ref: str) -> ElementTree.Element | None:
    """The `<c>` element of a cell as stored in the file: to see whether it is a string or a formula."""
    data = path if isinstance(path, bytes) else path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _sheet_part(archive, sheet)
        root = ElementTree.fromstring(archive.read(part))
    return root.find(f".//m:c[@r='{ref}']", NS)


def assert_stored_as_text(path: Path | bytes, sheet: str, ref: str) -> None:
    cell = cell_xml(path, sheet, ref)
    assert cell is not None, f"{sheet}!{ref} is not in the file"
    assert cell.get("t") in ("s", "inlineStr"), f"{sheet}!{ref} is stored as t={cell.get('t')!r}"
    assert cell.find("m:f", NS) is None, f"{sheet}!{ref} holds a formula"


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    for element in workbook.iterfind(".//m:sheet", NS):
        if element.get("name") == sheet:
            target = targets[element.get(_REL_NS)] or ""
            return re.sub(r"^/", "", target) if target.startswith("/") else f"xl/{target}"
    raise AssertionError(f"no sheet {sheet!r}")


def decrypt(path: Path, password: str) -> bytes:
    with path.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    return out.getvalue()
