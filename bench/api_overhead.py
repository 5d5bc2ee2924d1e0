"""Requests per second of the API client against the sandbox, next to bare httpx and the ideal figure.

Run: .venv/bin/python bench/api_overhead.py [--seconds 1.5] [--in-process]

Each row runs GET /v1/Balance for a fixed time from N threads sharing one VendorClient (and, for comparison,
one bare httpx.Client sending the same request with a fixed token). With added latency L, N requests in
flight can at best finish N / L per second: that is the ideal column. With no latency the bound is the CPU
(client and server share the machine), so no ideal is shown.

By default the sandbox runs in its own process, so the server does not compete with the client for the GIL.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.api.client import VendorClient  # noqa: E402
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL  # noqa: E402
from app.sandbox.server import SandboxServer  # noqa: E402

ROWS = [(0, 1), (0, 4), (0, 8), (50, 1), (50, 4), (50, 8)]


@contextmanager
def sandbox(in_process: bool) -> Iterator[str]:
    """A running sandbox's base URL, in this process or (default) in a child process."""
    if in_process:
        with SandboxServer() as server:
            yield server.base_url
        return
    child = subprocess.Popen(
        [sys.executable, "-m", "app.sandbox", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        if not line.startswith("Sandbox listening on "):
            raise SystemExit(f"The sandbox did not start: {line!r}")
        yield line.removeprefix("Sandbox listening on ")
    finally:
        child.terminate()
        child.wait(10)


def rate(call: Callable[[], object], threads: int, seconds: float) -> float:
    """Calls completed per second by `threads` threads calling `call` in a loop for `seconds`."""
    done = [0] * threads
    start = threading.Barrier(threads + 1)
    stop = threading.Event()

    def work(slot: int) -> None:
        start.wait()
        while not stop.is_set():
            call()
            done[slot] += 1

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement (default 1.5)")
    parser.add_argument("--in-process", action="store_true", help="run the sandbox in this process")
    args = parser.parse_args()

    with sandbox(args.in_process) as base_url, httpx.Client(base_url=base_url) as admin:
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        with httpx.Client(limits=limits) as http, httpx.Client(base_url=base_url, limits=limits) as bare:
            client = VendorClient(base_url, SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN, http=http)
            client.authenticate()
            token = client.tokens.token()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

            def bare_call() -> object:
                return bare.get("/v1/Balance", headers=headers).raise_for_status()

            print(
                f"Sandbox at {base_url} ({'this process' if args.in_process else 'own process'}), "
                f"{args.seconds:g} s per measurement, GET /v1/Balance"
            )
            print()
            print(
                f"| {'latency':>7} | {'in flight':>9} | {'client req/s':>12} | {'bare httpx req/s':>16} "
                f"| {'ideal req/s':>11} | {'client / ideal':>14} |"
            )
            print(f"|{'-' * 9}|{'-' * 11}|{'-' * 14}|{'-' * 18}|{'-' * 13}|{'-' * 16}|")
            for latency_ms, in_flight in ROWS:
                admin.post("/_sandbox/faults", json={"latency_ms": latency_ms}).raise_for_status()
                measured = rate(client.get_balance, in_flight, args.seconds)
                baseline = rate(bare_call, in_flight, args.seconds)
                ideal = in_flight / (latency_ms / 1000) if latency_ms else None
                ideal_text = f"{ideal:11.0f}" if ideal else f"{'—':>11}"
                share = f"{measured / ideal:14.0%}" if ideal else f"{'—':>14}"
                print(
                    f"| {latency_ms:>4} ms | {in_flight:>9} | {measured:>12.0f} | {baseline:>16.0f} "
                    f"| {ideal_text} | {share} |"
                )
            admin.post("/_sandbox/faults", json={"latency_ms": 0})


if __name__ == "__main__":
    main()
