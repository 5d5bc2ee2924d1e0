"""The results workbook, read back: each row's values and outcome, the Summary, the claim links, safety."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.exceptions import InvalidKeyError

from app.domain.outcomes import Claim, ResultStatus, SheetColumn, SheetLayout
from app.workbook.export_results import RESULT_HEADERS, write_results_workbook
from app.workbook.output_file import ExportOptions, SecretsNeedProtection
from app.workbook.reader import read_workbook
from tests.workbook.export_helpers import (
    HOSTILE,
    STAFF,
    as_excel_shows,
    assert_stored_as_text,
    completed_link_row,
    decrypt,
    failed_row,
    sample_report,
    skipped_row,
)

ORIGINAL = ["Name", "Email", "Product", "Amount", "Start date", "Team"]
WITH_SECRETS = ExportOptions(with_secrets=True, unprotected_secrets_ok=True)


def _rows(path: Path | bytes, sheet: str) -> list[tuple[object, ...]]:
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    workbook = openpyxl.load_workbook(source)
    return list(workbook[sheet].iter_rows(values_only=True))


def _as_dicts(path: Path, sheet: str = "Results") -> list[dict[str, object]]:
    header, *rows = _rows(path, sheet)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_each_row_has_its_original_columns_then_its_outcome(tmp_path: Path) -> None:
    out = write_results_workbook(sample_report(), tmp_path / "results.xlsx")

    header = _rows(out, "Results")[0]
    no_secrets = [h for h in RESULT_HEADERS if h not in ("Claim Link(s)", "Challenge Answer")]
    assert list(header) == [*ORIGINAL, *no_secrets, "Source Sheet", "Source Row"]
    done, failed, pending, skipped = _as_dicts(out)
    assert done["Name"] == "Ana Lima"
    assert done["Email"] == "person4@example.com"
    assert done["Amount"] == 25
    assert done["Start date"] == datetime(2024, 3, 1)
    assert done["Status"] == "Completed"
    assert done["Order Id"] == "ORD-1001"
    assert done["PONumber"] == "GB-261120-ABC-0001"
    assert done["Line Item Id"] == "LI-4"
    assert done["Cost"] == 50
    assert done["Currency"] == "USD"
    assert done["Failure Reason"] is None
    assert done["Submitted At"] == datetime(2026, 11, 20, 9, 30)
    assert done["Completed At"] == datetime(2026, 11, 20, 9, 31, 5)
    assert (done["Source Sheet"], done["Source Row"]) == ("Staff", 4)
    assert (failed["Status"], failed["Failure Reason"], failed["Cost"]) == (
        "Failed",
        "Product out of stock",
        51.5,
    )
    assert (pending["Status"], pending["Currency"], pending["Completed At"]) == ("Pending", "EUR", None)
    assert (skipped["Status"], skipped["Order Id"], skipped["Source Row"]) == ("Skipped", None, 7)
    assert skipped["Failure Reason"] == "E7: the email address has no @"


def test_without_secrets_no_claim_link_is_anywhere_in_the_file(tmp_path: Path) -> None:
    out = write_results_workbook(sample_report(), tmp_path / "results.xlsx")

    assert "Claim Links" not in openpyxl.load_workbook(out).sheetnames
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"claim.example" not in everything
    assert b"answer-4" not in everything


def test_a_failure_reason_quoting_a_claim_link_is_redacted_without_secrets(tmp_path: Path) -> None:
    row = failed_row(5, reason="Card https://claim.example/claim/SECRET123 was void")
    out = write_results_workbook(sample_report([row]), tmp_path / "results.xlsx")

    (only,) = _as_dicts(out)
    assert "SECRET123" not in str(only["Failure Reason"])


def test_with_secrets_each_row_has_its_links_and_the_claim_sheet_one_row_per_card(tmp_path: Path) -> None:
    report = sample_report([completed_link_row(4, cards=2), completed_link_row(9, name="Eve", cards=1)])
    out = write_results_workbook(report, tmp_path / "results.xlsx", WITH_SECRETS)

    first, second = _as_dicts(out)
    assert first["Claim Link(s)"] == "https://claim.example/claim/4-0\nhttps://claim.example/claim/4-1"
    assert first["Challenge Answer"] == "answer-4-0\nanswer-4-1"
    assert second["Claim Link(s)"] == "https://claim.example/claim/9-0"
    cards = _as_dicts(out, "Claim Links")
    assert [(c["Source Row"], c["Card"], c["Claim Link"], c["Challenge Answer"]) for c in cards] == [
        (4, 1, "https://claim.example/claim/4-0", "answer-4-0"),
        (4, 2, "https://claim.example/claim/4-1", "answer-4-1"),
        (9, 1, "https://claim.example/claim/9-0", "answer-9-0"),
    ]
    assert cards[2]["Recipient"] == "Eve"
    assert (cards[0]["Order Id"], cards[0]["Product"], cards[0]["Value"]) == ("ORD-1001", "CVS", 25)


def test_digital_orders_claim_data_stays_off_the_claim_links_sheet(tmp_path: Path) -> None:
    digital = failed_row(5)
    digital.status = ResultStatus.COMPLETED
    digital.claims = (Claim("https://claim.example/claim/digital"),)
    out = write_results_workbook(sample_report([digital]), tmp_path / "results.xlsx", WITH_SECRETS)

    assert _as_dicts(out, "Claim Links") == []
    assert _as_dicts(out)[0]["Claim Link(s)"] == "https://claim.example/claim/digital"


def test_secrets_need_a_password_or_an_explicit_yes(tmp_path: Path) -> None:
    with pytest.raises(SecretsNeedProtection, match="--password-from-env"):
        write_results_workbook(sample_report(), tmp_path / "results.xlsx", ExportOptions(with_secrets=True))
    assert not (tmp_path / "results.xlsx").exists()


def test_the_summary_counts_rows_and_adds_up_costs(tmp_path: Path) -> None:
    report = sample_report([completed_link_row(4), completed_link_row(8), failed_row(5), skipped_row(7)])
    report.outcomes.append(sample_report().outcomes[2])  # pending, EUR
    out = write_results_workbook(report, tmp_path / "results.xlsx")
    rows = _rows(out, "Summary")
    details = {r[0]: r[1] for r in rows if r[0] and r[1] is not None}

    assert details["Run"] == "261120-ABCDEF"
    assert details["Profile"] == "sandbox"
    assert details["Campaign"] == "Year end"
    assert details["Started"] == datetime(2026, 11, 20, 9, 29)
    assert _table(rows, "Rows by status") == [
        ("Pending", 1, 1),
        ("Completed", 2, 4),
        ("Failed", 1, 1),
        ("Skipped", 1, 1),
        ("Total", 5, 7),
    ]
    assert _table(rows, "Totals by product") == [
        ("(none)", "", 1, 0, 0, 0),
        ("AMZ", "USD", 1, 0, 0, 0),
        ("CVS", "USD", 2, 4, 100, 0),
        ("EUR1", "EUR", 1, 0, 0, 20),
    ]
    assert _table(rows, "Totals by delivery type") == [
        ("(none)", "", 1, 0, 0, 0),
        ("DigitalDelivery", "EUR", 1, 0, 0, 20),
        ("DigitalDelivery", "USD", 1, 0, 0, 0),
        ("Links", "USD", 2, 4, 100, 0),
    ]
    assert _table(rows, "Totals by currency") == [
        ("", 1, 0, 0, 0),
        ("EUR", 1, 0, 0, 20),
        ("USD", 3, 4, 100, 0),
    ]


def _table(rows: list[tuple[object, ...]], title: str) -> list[tuple[object, ...]]:
    """The body of the Summary table under `title` (cells up to the first empty one, blanks as '')."""
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 2
    body = []
    for row in rows[start:]:
        if row[0] is None and row[1] is None:
            break
        width = sum(1 for cell in rows[start - 1] if cell is not None)
        body.append(tuple("" if cell is None else cell for cell in row[:width]))
    return body


def test_header_frozen_filter_on_and_formats_set(tmp_path: Path) -> None:
    out = write_results_workbook(sample_report(), tmp_path / "results.xlsx")
    sheet = openpyxl.load_workbook(out)["Results"]

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:R5"
    header = [c.value for c in sheet[1]]
    cost, submitted, start = (header.index(h) + 1 for h in ("Cost", "Submitted At", "Start date"))
    assert sheet.cell(2, cost).number_format == "#,##0.00"
    assert sheet.cell(2, submitted).number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.cell(2, start).number_format == "yyyy-mm-dd"
    assert sheet.cell(1, 1).font.b
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQ"]
    assert all(8 <= w <= 50 for w in widths)


def test_formula_looking_text_is_stored_as_text_wherever_it_comes_from(tmp_path: Path) -> None:
    outcomes = []
    for n, text in enumerate(HOSTILE, start=4):
        row = completed_link_row(n, name=text, cards=1)
        row.values["Team"] = text
        row.order_id = text
        row.failure_reason = text
        row.claims = (Claim(text, text),)
        outcomes.append(row)
    out = write_results_workbook(sample_report(outcomes), tmp_path / "results.xlsx", WITH_SECRETS)

    results = openpyxl.load_workbook(out)["Results"]
    header = [c.value for c in results[1]]
    columns = [
        header.index(h) + 1 for h in ("Name", "Team", "Order Id", "Failure Reason", "Challenge Answer")
    ]
    for row, text in enumerate(HOSTILE, start=2):
        for col in columns:
            cell = results.cell(row, col)
            assert as_excel_shows(cell.value) == text
            assert cell.quotePrefix, f"{cell.coordinate} would turn into a formula when edited"
            assert_stored_as_text(out, "Results", cell.coordinate)
    for row in range(2, 2 + len(HOSTILE)):
        for col in ("K", "L"):  # Claim Link, Challenge Answer on the Claim Links sheet
            assert_stored_as_text(out, "Claim Links", f"{col}{row}")


def test_a_hostile_header_stays_text_too(tmp_path: Path) -> None:
    layout = SheetLayout("Staff", 1, (SheetColumn("A", "=cmd()"),))
    report = sample_report([skipped_row(2)], sheets=[layout])
    report.outcomes[0].values = {"=cmd()": "x"}
    out = write_results_workbook(report, tmp_path / "results.xlsx")

    assert_stored_as_text(out, "Results", "A1")


def test_rows_of_several_sheets_share_one_header_in_workbook_order(tmp_path: Path) -> None:
    second = SheetLayout("Contractors", 1, (SheetColumn("A", "Email"), SheetColumn("B", "Agency")))
    contractor = skipped_row(2)
    contractor.sheet, contractor.key, contractor.values = (
        "Contractors",
        "Contractors!2",
        {
            "Email": "c@example.com",
            "Agency": "Acme",
        },
    )
    report = sample_report([contractor, failed_row(5)], sheets=[STAFF, second])
    out = write_results_workbook(report, tmp_path / "results.xlsx")

    rows = _as_dicts(out)
    assert list(rows[0])[:7] == [*ORIGINAL, "Agency"]
    assert [(r["Source Sheet"], r["Email"], r["Agency"]) for r in rows] == [
        ("Staff", "ben@example.com", None),
        ("Contractors", "c@example.com", "Acme"),
    ]


def test_values_as_sent_are_what_the_export_shows(tmp_path: Path) -> None:
    row = completed_link_row(4)
    row.values["Email"] = "fixed@example.com"  # the user corrected it in the grid before sending
    row.edited = frozenset({"Email"})
    out = write_results_workbook(sample_report([row]), tmp_path / "results.xlsx")

    assert _as_dicts(out)[0]["Email"] == "fixed@example.com"


def test_an_encrypted_export_opens_with_its_password_only(tmp_path: Path) -> None:
    options = ExportOptions(with_secrets=True, password="s3cret-Pass")
    out = write_results_workbook(sample_report(), tmp_path / "results.xlsx", options)

    with pytest.raises(zipfile.BadZipFile):
        openpyxl.load_workbook(out)
    with pytest.raises(InvalidKeyError):
        decrypt(out, "wrong password")
    plain = decrypt(out, "s3cret-Pass")
    header, first, *_ = _rows(plain, "Results")
    assert dict(zip(header, first, strict=True))["Claim Link(s)"].startswith("https://claim.example/claim/4-")
    assert b"claim.example" not in out.read_bytes()


def test_an_empty_run_still_makes_a_readable_workbook(tmp_path: Path) -> None:
    out = write_results_workbook(sample_report([]), tmp_path / "results.xlsx")

    assert _as_dicts(out) == []
    assert ("Total", 0, 0) in [r[:3] for r in _rows(out, "Summary")]


def test_dates_values_and_booleans_keep_their_types(tmp_path: Path) -> None:
    row = skipped_row(4)
    row.values = {"Name": True, "Amount": Decimal("12.50"), "Start date": date(2025, 1, 31), "Team": 7}
    out = write_results_workbook(sample_report([row]), tmp_path / "results.xlsx")

    got = _as_dicts(out)[0]
    assert (got["Name"], got["Amount"], got["Start date"], got["Team"]) == (
        True,
        12.5,
        datetime(2025, 1, 31),
        7,
    )


def test_the_summary_and_claim_links_sheets_are_never_read_as_recipients(tmp_path: Path) -> None:
    out = write_results_workbook(sample_report(), tmp_path / "results.xlsx", WITH_SECRETS)

    read = read_workbook(out)

    assert [sheet.name for sheet in read.sheets] == ["Results"]
    assert len(read.records) == 4
