"""How fast the engine sends a big run: 10,000 rows, a sandbox answering after 100 ms, 1, 4 and 8 in flight.

Run: .venv/bin/python bench/submit_throughput.py [--rows 10000] [--per-order 100] [--latency-ms 100]

The sandbox runs in its own process, so the client's CPU time (time.process_time) is the engine's own:
planning excluded, journal writes (SQLite, synchronous=FULL), JSON and HTTP included. The time measured is
from the first request to the last order accepted; following the orders to completion afterwards is left
out (it depends on the vendor's processing time, not on us). The ideal is orders × latency ÷ in flight; the
target is within 15% of it at 8 in flight.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.api import wire  # noqa: E402
from app.api.client import VendorClient  # noqa: E402
from app.domain.catalog import DeliveryType  # noqa: E402
from app.engine.events import OrderAccepted, RunFinished  # noqa: E402
from app.engine.journal import SubmissionJournal  # noqa: E402
from app.engine.plan import PlanRow, new_run_id, plan_orders  # noqa: E402
from app.engine.runner import SubmissionRunner  # noqa: E402
from app.engine.tracking import PollPolicy  # noqa: E402
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL  # noqa: E402

IN_FLIGHT = (1, 4, 8)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used so far, from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def sandbox(latency_ms: int) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of a sandbox process answering every /v1 call after `latency_ms`."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.sandbox",
            "--port",
            "0",
            "--latency-ms",
            str(latency_ms),
            "--pending-delay-s",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        if not line.startswith("Sandbox listening on "):
            raise SystemExit(f"The sandbox did not start: {line!r}")
        yield line.removeprefix("Sandbox listening on "), child.pid
    finally:
        child.terminate()
        child.wait(10)


def rows(count: int) -> list[PlanRow]:
    return [
        PlanRow(
            key=f"Sheet1!{n + 1}",
            sheet="Sheet1",
            row=n + 1,
            delivery_type=DeliveryType.DIGITAL,
            line_item=wire.LineItemRequest(
                product_id="CVS",
                value=Decimal(10),
                digital_delivery_address=wire.DigitalDeliveryAddress(email=f"person{n}@example.com"),
            ),
            fingerprint=f"fp{n}",
        )
        for n in range(1, count + 1)
    ]


def measure(
    base_url: str, folder: Path, count: int, per_order: int, in_flight: int
) -> tuple[float, float, int]:
    """(seconds from start to the last order accepted, client CPU seconds over that time, orders).

    The first poll is set far out so that polls do not share the in-flight slots while sending; once every
    order is accepted the run is cancelled (the orders stay accepted in the journal, nothing is lost).
    """
    httpx.post(f"{base_url}/_sandbox/balance", json={"available": 100_000_000}, timeout=30).raise_for_status()
    with VendorClient(base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN) as client:
        client.authenticate()  # the token fetch is not part of sending
        catalog = client.fetch_catalog()
        plan = plan_orders(
            rows(count), run_id=new_run_id(), catalog=catalog, prefix="BENCH", max_line_items=per_order
        )
        journal = SubmissionJournal(folder / f"journal-{in_flight}.sqlite3")
        journal.create_run(
            plan, workbook="bench", workbook_sha256="0" * 64, profile="bench", settings={}, campaign="BENCH"
        )
        runner = SubmissionRunner(
            journal, client, concurrency=in_flight, poll_policy=PollPolicy(first_s=3600)
        )
        cancel = threading.Event()
        accepted = 0
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        elapsed = cpu = 0.0
        for event in runner.run(plan.run_id, cancel=cancel):
            if isinstance(event, OrderAccepted):
                accepted += 1
                if accepted == len(plan.orders):
                    elapsed, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
                    cancel.set()
            if isinstance(event, RunFinished) and accepted < len(plan.orders):
                raise SystemExit(f"The run ended {event.status.value}: {event.message}")
        journal.close()
        return elapsed, cpu, len(plan.orders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--per-order", type=int, default=100, help="line items per order")
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    print(
        f"{args.rows:,} rows, {args.per_order} line items per order, {args.latency_ms} ms added latency "
        "per request; sandbox in its own process."
    )
    print(
        f"Load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (others' work shares them)."
    )
    print(
        f"{'in flight':>9}  {'orders':>6}  {'time s':>7}  {'ideal s':>7}  {'vs ideal':>8}  "
        f"{'client CPU ms/order':>19}  {'sandbox CPU ms/order':>20}"
    )
    with sandbox(args.latency_ms) as (base_url, pid), tempfile.TemporaryDirectory() as folder:
        for in_flight in IN_FLIGHT:
            before = cpu_seconds(pid)
            elapsed, cpu, orders = measure(base_url, Path(folder), args.rows, args.per_order, in_flight)
            after = cpu_seconds(pid)
            server = "-" if before is None or after is None else f"{(after - before) / orders * 1000:.2f}"
            ideal = orders * latency / in_flight
            versus = f"{elapsed / ideal - 1:+.1%}" if ideal else "-"
            print(
                f"{in_flight:>9}  {orders:>6}  {elapsed:>7.2f}  {ideal:>7.2f}  {versus:>8}  "
                f"{cpu / orders * 1000:>19.2f}  {server:>20}"
            )


if __name__ == "__main__":
    main()
