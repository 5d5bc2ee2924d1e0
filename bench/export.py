"""Time of the exports at 100,000 rows, next to the fastest bare writes of the same cells.

Run: .venv/bin/python bench/export.py [--rows 100000] [--repeat 2]

- results workbook (`write_results_workbook`) vs. a bare xlsxwriter `constant_memory` write of exactly the
  cells of its Results sheet, each with the type's own write call and no formats. Target: within 1.3×.
- write-back (`write_back`) of a workbook with that many rows vs. a bare openpyxl load and save of it (the
  least any copy that keeps the user's formatting must do).
Best of `--repeat` runs each; the files are written to a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.catalog import DeliveryType  # noqa: E402
from app.domain.outcomes import (  # noqa: E402
    ResultStatus,
    RowOutcome,
    RunReport,
    SheetColumn,
    SheetLayout,
)
from app.workbook.export_results import (  # noqa: E402
    SOURCE_HEADERS,
    original_headers,
    result_headers,
    result_values,
    write_results_workbook,
)
from app.workbook.output_file import ExportOptions  # noqa: E402
from app.workbook.write_back import write_back  # noqa: E402

HEADERS = ["First name", "Last name", "Email", "Product", "Amount", "Start date", "Team", "Note"]
STATUSES = [ResultStatus.COMPLETED] * 8 + [ResultStatus.FAILED, ResultStatus.PENDING]


def make_report(rows: int) -> RunReport:
    layout = SheetLayout("Staff", 1, tuple(SheetColumn(chr(65 + i), h) for i, h in enumerate(HEADERS)))
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    outcomes = []
    for n in range(rows):
        status = STATUSES[n % len(STATUSES)]
        values = {
            "First name": f"First{n}",
            "Last name": f"Last{n}",
            "Email": f"person{n}@example.com",
            "Product": "CVS",
            "Amount": 25.0,
            "Start date": date(2020, 1, 1) + timedelta(days=n % 2000),
            "Team": ("Ops", "HR", "IT", "=cmd()")[n % 4],
            "Note": "" if n % 3 else "thanks for a great year",
        }
        outcomes.append(
            RowOutcome(
                key=f"Staff!{n + 2}",
                sheet="Staff",
                row=n + 2,
                status=status,
                values=values,
                order_id=f"ORD-{n // 200:06d}",
                po_number=f"GB-261120-ABCDEF-{n // 200:04d}",
                line_item_id=f"LI-{n:07d}",
                product_id="CVS",
                delivery_type=DeliveryType.DIGITAL,
                face_value=Decimal(25),
                cost=Decimal("25.00"),
                currency="USD",
                failure_reason="The mailbox does not exist" if status is ResultStatus.FAILED else None,
                submitted_at=start + timedelta(seconds=n // 200),
                completed_at=None
                if status is ResultStatus.PENDING
                else start + timedelta(seconds=n // 200 + 3),
            )
        )
    return RunReport("261120-ABCDEF", "/data/staff.xlsx", "sandbox", start, "completed", [layout], outcomes)


def bare_write(report: RunReport, path: Path) -> float:
    """Seconds to write the Results sheet's cells, nothing else: one typed call per cell, constant memory, no
    formats. The cells are gathered first and not timed, so the bare write is as fast as it can be."""
    originals = original_headers(report)
    rows = [
        [*(o.values.get(h) for h in originals), *result_values(o, False), o.sheet, o.row]
        for o in report.outcomes
    ]
    headers = [*originals, *result_headers(False), *SOURCE_HEADERS]
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Results")
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                write_string(r, c, value)
            elif isinstance(value, int | float | Decimal):
                write_number(r, c, float(value))
            elif isinstance(value, datetime):
                write_datetime(r, c, value.replace(tzinfo=None))
            else:
                write_datetime(r, c, value)
    workbook.close()
    return time.perf_counter() - started


def user_workbook(report: RunReport, path: Path) -> None:
    """A user's workbook of the same rows, with a styled header and formatted columns (written fast)."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Staff")
    header = workbook.add_format({"bold": True, "bg_color": "#4472C4", "font_color": "white"})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    money = workbook.add_format({"num_format": '"$"#,##0.00'})
    sheet.set_column(0, 2, 20)
    for col, text in enumerate(HEADERS):
        sheet.write_string(0, col, text, header)
    for r, outcome in enumerate(report.outcomes, start=1):
        v = outcome.values
        for c, h in enumerate(("First name", "Last name", "Email", "Product")):
            sheet.write_string(r, c, str(v[h]))
        sheet.write_number(r, 4, float(v["Amount"]), money)  # type: ignore[arg-type]
        sheet.write_datetime(r, 5, v["Start date"], dates)
        sheet.write_string(r, 6, str(v["Team"]))
        if v["Note"]:
            sheet.write_string(r, 7, str(v["Note"]))
    workbook.close()


def bare_copy(source: Path, target: Path) -> None:
    openpyxl.load_workbook(source).save(target)


def best(run: Callable[[], float], repeat: int) -> float:
    return min(run() for _ in range(repeat))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    report = make_report(args.rows)
    force = ExportOptions(force=True)
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)

        bare_s = best(lambda: bare_write(report, here / "bare.xlsx"), args.repeat)
        results_s = best(
            lambda: timed(lambda: write_results_workbook(report, here / "r.xlsx", force)), args.repeat
        )
        user_workbook(report, here / "staff.xlsx")
        copy_s = best(lambda: timed(lambda: bare_copy(here / "staff.xlsx", here / "copy.xlsx")), args.repeat)
        back_s = best(
            lambda: timed(lambda: write_back(here / "staff.xlsx", report, here / "back.xlsx", force)),
            args.repeat,
        )
    rows = [
        ("bare xlsxwriter constant_memory write", bare_s, 1.0),
        ("results workbook (Results + Summary)", results_s, results_s / bare_s),
        ("bare openpyxl load + save", copy_s, 1.0),
        ("write-back (check parts, load, add, save)", back_s, back_s / copy_s),
    ]
    print(f"{args.rows:,} rows, best of {args.repeat}")
    print(f"{'task':<44}{'seconds':>9}{'ratio':>8}")
    for name, seconds, ratio in rows:
        print(f"{name:<44}{seconds:>9.2f}{ratio:>7.2f}x")
    verdict = "meets" if results_s <= 1.3 * bare_s else "misses"
    print(f"results workbook {verdict} the 1.3x target ({results_s / bare_s:.2f}x of the bare write)")


if __name__ == "__main__":
    main()
