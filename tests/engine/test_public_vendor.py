"""`giftbatch` end to end against a vendor that answers as public clients show the real engine answering.

Not the sandbox: `tests/engine/public_vendor.py` is written from the public evidence alone. camelCase answers,
no ExternalId echoed, no balance endpoint, null lists, a product that cannot be read, ShippingMethods that may
be absent, and 400s in every error style. The commands run as a user runs them, in their own process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from app.engine.states import RowStatus
from tests.engine.public_vendor import ACCESS_TOKEN, EMAIL, STYLES, PublicVendor
from tests.engine.test_submit_cli import journal_of, json_lines, use_profile

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["First Name", "Last Name", "Email", "Delivery", "Product", "Amount", "Qty", "Address 1", "City",
          "State", "Zip", "Country", "Shipping Method"]  # fmt: skip
EMAILED = [["Ana", "Ortiz", f"ana{n}@example.org", "email", "GC-DIGI", 25, 1, None, None, None, None, None, None]
           for n in range(3)]  # fmt: skip
LINKED = [
    [None, None, None, "link", "GC-DIGI", value, 2, None, None, None, None, None, None] for value in (10, 25)
]
MAILED = [["Bo", "Lind", None, "mail", "GC-PLASTIC", 50, 1, f"{n} Main St", "Boston", "MA", "02134", "US",
           "STANDARD"] for n in (1, 2)]  # fmt: skip


@pytest.fixture
def vendor() -> Iterator[PublicVendor]:
    made = PublicVendor()
    served = made.serve()
    made.base_url = served.base_url
    yield made
    served.stop()


def use(home: Path, vendor: PublicVendor, max_line_items: int = 100) -> None:
    use_profile(home, vendor.base_url, max_line_items=max_line_items, email=EMAIL)


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Gifts")
    sheet.write_row(0, 0, HEADER)
    for n, row in enumerate(rows, start=1):
        sheet.write_row(n, 0, row)
    book.close()
    return path


def giftbatch(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GIFTBATCH_ACCESS_TOKEN": ACCESS_TOKEN}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def summary(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return next(line for line in json_lines(done.stdout) if line["event"] == "summary")


def test_all_three_delivery_types_are_sent_once_with_camel_case_answers_and_no_echo(
    giftbatch_home: Path, vendor: PublicVendor, tmp_path: Path
) -> None:
    use(giftbatch_home, vendor)
    book = workbook(tmp_path / "gifts.xlsx", EMAILED + LINKED + MAILED)

    done = giftbatch("submit", str(book), "--yes", "--json")

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    end = summary(done)
    assert end["counts"] == {"completed": 7}
    assert "Product GC-BROKEN is in the vendor's catalog but cannot be used" in done.stderr  # named, not lost
    keys = [key for _, key in vendor.created]
    assert sorted(keys) == sorted(f"Gifts!{n}" for n in range(2, 9))  # every row exactly once
    assert set(vendor.posts.values()) == {1}
    journal = journal_of(giftbatch_home)
    claims = {r.external_id: r.claim_data for r in journal.line_results(end["run_id"])}
    assert [len(claims[f"Gifts!{n}"]) for n in (5, 6)] == [2, 2]  # matched to their rows by position
    assert {r.line_item_id for r in journal.rows(end["run_id"])} >= {"ORD-00001-LI0"}


def test_without_shipping_methods_mail_rows_are_refused_before_sending_and_the_rest_go(
    giftbatch_home: Path, vendor: PublicVendor, tmp_path: Path
) -> None:
    vendor.shipping_status = 404
    use(giftbatch_home, vendor)
    book = workbook(tmp_path / "gifts.xlsx", EMAILED + LINKED + MAILED)

    checked = giftbatch("validate", str(book), "--json")
    done = giftbatch("submit", str(book), "--yes", "--json", "--skip-invalid")

    assert checked.returncode == 1
    errors = [i for i in json.loads(checked.stdout)["issues"] if i["severity"] == "error"]
    assert [(i["row"], i["code"]) for i in errors] == [
        (7, "shipping_method.none_offered"),
        (8, "shipping_method.none_offered"),
    ]
    assert "GET /v1/ShippingMethods with HTTP 404 Not Found" in errors[0]["message"]
    assert done.returncode == 0, done.stderr
    assert summary(done)["counts"] == {"completed": 5, "skipped": 2}
    assert len(vendor.created) == 5


@pytest.mark.parametrize("style", STYLES)
def test_a_refused_row_in_any_error_style_ends_the_run_with_the_vendors_message_at_each_row(
    giftbatch_home: Path, vendor: PublicVendor, tmp_path: Path, style: str
) -> None:
    vendor.error_style = style
    vendor.withdrawn = {Decimal(50)}  # the catalog still lists 50: only the order is refused
    use(giftbatch_home, vendor)
    bad = ["Cy", "Moss", "cy@example.org", "email", "GC-DIGI", 50, 1, *[None] * 6]
    book = workbook(tmp_path / "gifts.xlsx", [*EMAILED[:2], bad, EMAILED[2]])

    done = giftbatch("submit", str(book), "--yes", "--json")

    assert done.returncode == 1, done.stdout[-3000:] + done.stderr
    rows = {r.key: r for r in journal_of(giftbatch_home).rows(summary(done)["run_id"])}
    refused = rows["Gifts!4"]
    assert refused.status is RowStatus.REJECTED
    if style in ("webapi", "problem", "pascal"):  # the vendor named the row: only it is refused
        assert refused.detail == "F4: The value is not one of the product's denominations."
        assert Counter(r.status for r in rows.values()) == {RowStatus.COMPLETED: 3, RowStatus.REJECTED: 1}
        assert sum(vendor.posts.values()) == 2  # the order, then its three good rows once more
    else:  # it named no row: the whole order is refused, with its message at every row
        said = "Bad Request: the order is not valid." if style == "text" else "The request is invalid."
        assert {r.status for r in rows.values()} == {RowStatus.REJECTED}
        assert all(said in (r.detail or "") for r in rows.values())
        assert sum(vendor.posts.values()) == 1
    assert len(vendor.created) == sum(r.status is RowStatus.COMPLETED for r in rows.values())


@pytest.mark.parametrize(("style", "naming"), [(s, False) for s in STYLES] + [("webapi", True)])
def test_a_vendor_refusing_every_order_ends_the_run_at_once(
    giftbatch_home: Path, vendor: PublicVendor, tmp_path: Path, style: str, naming: bool
) -> None:
    vendor.error_style, vendor.refuse_all, vendor.refuse_naming_a_line = style, True, naming
    use(giftbatch_home, vendor, max_line_items=2)
    book = workbook(tmp_path / "gifts.xlsx", EMAILED + LINKED)  # orders of 2, 1 and 2 rows

    done = giftbatch("submit", str(book), "--yes", "--json")

    assert done.returncode == 1
    assert summary(done)["counts"] == {"rejected": 5}
    planned = 3
    assert sum(vendor.posts.values()) <= 2 * planned
    assert vendor.created == []
    status = giftbatch("status", summary(done)["run_id"])
    assert status.returncode == 1
    listed = [line for line in status.stdout.splitlines() if line.startswith("  Gifts row ")]
    assert "Rows not paid (5):" in status.stdout and len(listed) == 5
    assert all(", rejected: " in line and "refused" in line.casefold() for line in listed), listed
