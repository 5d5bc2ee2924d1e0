"""The Review grid at 10,000 and 100,000 rows: what runs on the GUI thread, and how long it stalls.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/review_grid.py [--rows 10000 100000]

Rows are built in memory (no file is read), one in 1,000 with an invalid email. For each size it prints:
- worker jobs (off the GUI thread): validating every row, and checking one edited row again with the
  whole-file checks and the Review facts;
- GUI-thread work: showing the workbook (model reset, issues tree, column sizes), the "Rows with errors"
  filter, a search, painting the visible grid, and applying 5,000 send-time statuses in one tick;
- the longest gap between 10 ms heartbeats of a GUI-thread timer while each worker job runs (the target is
  no stall over 100 ms).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QThreadPool, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.config.paths import AppPaths  # noqa: E402
from app.config.secrets import SecretStore  # noqa: E402
from app.config.settings import SettingsStore  # noqa: E402
from app.ui.imported import ImportChoices, ImportedWorkbook, validate_workbook  # noqa: E402
from app.ui.models.recipient_model import RowFilter  # noqa: E402
from app.ui.pages.review_page import ReviewPage  # noqa: E402
from app.ui.session import Session  # noqa: E402
from app.ui.workers import run_in_background  # noqa: E402
from tests.domain.conftest import sandbox_like_catalog  # noqa: E402
from tests.ui.review_fixtures import options, synthetic_read  # noqa: E402

HEARTBEAT_MS = 10


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return (time.perf_counter() - start) * 1000, value


def with_heartbeat(start: Callable[[], Any], done: Callable[[], bool]) -> tuple[float, float]:
    """Call `start`, then let the event loop run until `done()`, while a GUI-thread timer ticks every
    HEARTBEAT_MS: (elapsed ms, longest extra gap between two ticks in ms)."""
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]
    longest = [0]

    def beat() -> None:
        now = clock.elapsed()
        longest[0] = max(longest[0], now - last[0] - HEARTBEAT_MS)
        last[0] = now

    timer = QTimer()
    timer.setInterval(HEARTBEAT_MS)
    timer.timeout.connect(beat)
    timer.start()
    started = time.perf_counter()
    start()
    while not done():
        QCoreApplication.processEvents()
        time.sleep(0.001)
    elapsed = (time.perf_counter() - started) * 1000
    timer.stop()
    return elapsed, float(max(longest[0], 0))


def measure(rows: int, page: ReviewPage, session: Session, pool: QThreadPool) -> list[tuple[str, float]]:
    read = synthetic_read(rows, bad_every=1000)
    results: list[tuple[str, float]] = []

    def validate() -> ImportedWorkbook:
        return validate_workbook(read, ImportChoices(), catalog=sandbox_like_catalog(), options=options())

    loaded: list[ImportedWorkbook] = []
    job_ms, stall = with_heartbeat(
        lambda: run_in_background(pool, validate, on_success=loaded.append), lambda: bool(loaded)
    )
    workbook = loaded[0]
    results += [("worker: validate every row", job_ms), ("  longest GUI stall while validating", stall)]

    ms, _ = timed(lambda: session.set_import(workbook))
    results.append(("GUI: show the workbook", ms))

    model = session.recipient_model
    row = workbook.positions["Recipients!502"]
    job_ms, stall = with_heartbeat(
        lambda: model.setData(model.index(row, 1), "fixed@example.com"), lambda: not page.checking
    )
    results += [("edit a cell until checked again", job_ms), ("  longest GUI stall while checking", stall)]

    ms, _ = timed(lambda: page.proxy.set_row_filter(RowFilter.ERRORS))
    results.append(("GUI: filter rows with errors", ms))
    page.proxy.set_row_filter(RowFilter.ALL)
    ms, _ = timed(lambda: page.proxy.set_search("person77777@"))
    results.append(("GUI: search every cell", ms))
    page.proxy.set_search("")
    ms, _ = timed(page.table.grab)
    results.append(("GUI: paint the visible grid", ms))

    model.set_row_statuses({key: "Sending" for key in workbook.keys[:5000]})
    ms, _ = timed(model.flush_statuses)
    results.append(("GUI: 5,000 statuses in one tick", ms))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    home = Path(tempfile.mkdtemp(prefix="giftbatch-bench-"))
    paths = AppPaths.under(home).ensure()
    pool = QThreadPool()
    session = Session(paths, SettingsStore(paths.settings_file), SecretStore(), pool)
    page = ReviewPage(session)
    page.resize(1200, 700)
    page.show()
    table: dict[str, list[float]] = {}
    for rows in args.rows:
        for name, ms in measure(rows, page, session, pool):
            table.setdefault(name, []).append(ms)
    width = max(len(name) for name in table)
    print(f"{'ms':<{width}}  " + "  ".join(f"{rows:>10,}" for rows in args.rows))
    for name, values in table.items():
        print(f"{name:<{width}}  " + "  ".join(f"{value:>10.1f}" for value in values))
    pool.waitForDone()
    session.close()
    del app


if __name__ == "__main__":
    main()
