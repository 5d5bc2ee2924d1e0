"""Time of the exports at 100,000 rows, next to the fastest bare writes of the same cells.

Run: .venv/bin/python bench/export.py [--rows 100000] [--repeat 2]

- results workbook (`write_results_workbook`) vs. a bare xlsxwriter `constant_memory` write of exactly the
  cells of its Results sheet, each with the type's own write call and no formats. Target: within 1.3×.
- write-back (`write_back`) of a workbook with that many rows vs. a bare openpyxl load and save of it (the
  least any copy that keeps the user's formatting must do). Target: at most 0.5×, memory that does not
  grow with the rows. Measured on a plain workbook, and on the same rows in an .xlsm that also holds a
  chart, a picture, a pivot table and a VBA project (which a copy must keep).
Best of `--repeat` runs each; the files are written to a temporary folder. "peak MB" is the most memory
Python held during one more, untimed run (tracemalloc), beyond what it held before; the write-back's is
also measured at a tenth of the rows, to show it does not grow with them.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.catalog import DeliveryType  # noqa: E402
from app.domain.errors import UserInputError  # noqa: E402
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
from tests.workbook.rich_workbook import FAKE_VBA, add_pivot_table_and_external_link, png  # noqa: E402

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


def user_workbook(report: RunReport, path: Path, extras: bool = False) -> None:
    """A user's workbook of the same rows, with a styled header and formatted columns (written fast).

    With `extras` (an .xlsm path) it also holds a chart and a picture on a cover sheet, a pivot table and a
    VBA project."""
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
    if extras:
        cover = workbook.add_worksheet("Cover")
        chart = workbook.add_chart({"type": "line"})
        chart.add_series({"values": f"=Staff!$E$2:$E${min(len(report.outcomes), 1000) + 1}"})
        cover.insert_chart("B2", chart)
        cover.insert_image("J2", "logo.png", {"image_data": io.BytesIO(png())})
        lists = workbook.add_worksheet("Lists")
        lists.write_row(0, 0, ["Team", "Amount"])
        lists.write_row(1, 0, ["Ops", 100])
        lists.write_row(2, 0, ["HR", 200])
        workbook.add_vba_project(io.BytesIO(FAKE_VBA), is_stream=True)
    workbook.close()
    if extras:
        add_pivot_table_and_external_link(path)


def bare_copy(source: Path, target: Path) -> None:
    openpyxl.load_workbook(source, keep_vba=source.suffix == ".xlsm").save(target)


def peak_mb(action: Callable[[], object]) -> float:
    """The most memory Python held while `action` ran, beyond what it held before, in MB."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def write_back_or_refused(source: Path, report: RunReport, target: Path, options: ExportOptions) -> bool:
    try:
        write_back(source, report, target, options)
    except UserInputError as refused:
        print(f"write-back of {source.name} refused: {refused.message[:120]}…")
        return False
    return True


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
    small = make_report(args.rows // 10)
    force = ExportOptions(force=True)
    rows: list[tuple[str, float | None, float | None, float | None]] = []
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)

        bare_s = best(lambda: bare_write(report, here / "bare.xlsx"), args.repeat)
        results_s = best(
            lambda: timed(lambda: write_results_workbook(report, here / "r.xlsx", force)), args.repeat
        )
        rows += [
            ("bare xlsxwriter constant_memory write", bare_s, 1.0, None),
            ("results workbook (Results + Summary)", results_s, results_s / bare_s, None),
        ]
        for name, extras in (("staff.xlsx", False), ("extras.xlsm", True)):
            source, copy, back = here / name, here / f"copy{name[-5:]}", here / f"back{name[-5:]}"
            user_workbook(report, source, extras)
            what = "chart, picture, pivot, macro .xlsm" if extras else "plain .xlsx"
            copy_s = best(lambda: timed(lambda: bare_copy(source, copy)), args.repeat)  # noqa: B023
            copy_mb = peak_mb(lambda: bare_copy(source, copy))  # noqa: B023
            rows.append((f"bare openpyxl load + save ({what})", copy_s, 1.0, copy_mb))
            if not write_back_or_refused(source, report, back, force):
                rows.append(("write-back: refused", None, None, None))
                continue
            back_s = best(
                lambda: timed(lambda: write_back(source, report, back, force)),  # noqa: B023
                args.repeat,
            )
            back_mb = peak_mb(lambda: write_back(source, report, back, force))  # noqa: B023
            rows.append((f"write-back ({what})", back_s, back_s / copy_s, back_mb))
        user_workbook(small, here / "small.xlsx")
        small_mb = peak_mb(lambda: write_back(here / "small.xlsx", small, here / "s.xlsx", force))
        rows.append((f"write-back of {args.rows // 10:,} rows (plain .xlsx)", None, None, small_mb))
    print(f"{args.rows:,} rows, best of {args.repeat}")
    print(f"{'task':<62}{'seconds':>9}{'ratio':>8}{'peak MB':>9}")
    for task, seconds, ratio, peak in rows:
        shown_s = f"{seconds:>9.2f}" if seconds is not None else f"{'':>9}"
        shown_r = f"{ratio:>7.2f}x" if ratio is not None else f"{'':>8}"
        shown_m = f"{peak:>9.1f}" if peak is not None else f"{'':>9}"
        print(f"{task:<62}{shown_s}{shown_r}{shown_m}")
    verdict = "meets" if results_s <= 1.3 * bare_s else "misses"
    print(f"results workbook {verdict} the 1.3x target ({results_s / bare_s:.2f}x of the bare write)")


if __name__ == "__main__":
    main()
