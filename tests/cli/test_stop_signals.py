"""Ctrl-C during `giftbatch submit`, as a user presses it: once stops sending and waits a bounded time for the
answers in flight; twice stops now. Either way the journal is consistent and resuming pays each row once.

The vendor is the sandbox behind a proxy that forwards every order to it and then holds the answer back, so
the orders in flight exist at the vendor while the app has no answer: the case a stop must not get wrong.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.engine.states import OrderState, RunStatus
from tests.api.hostile import hostile_server
from tests.engine.helpers import assert_exactly_once
from tests.engine.test_submit_cli import (
    ROOT,
    _env,
    giftbatch,
    journal_of,
    start_sandbox,
    use_profile,
    workbook,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX here")


class HoldingProxy:
    """Forwards to the sandbox; answers to POST /v1/Orders come `hold_s` after the sandbox gave them."""

    def __init__(self, sandbox_url: str, hold_s: float) -> None:
        self.sandbox_url = sandbox_url
        self.hold_s = hold_s
        self.released = threading.Event()
        self.http = httpx.Client(base_url=sandbox_url, timeout=30, trust_env=False)

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        forwarded = {
            k: v for k, v in handler.headers.items() if k.casefold() not in ("host", "content-length")
        }
        answer = self.http.request(handler.command, handler.path, content=handler.body, headers=forwarded)
        if handler.command == "POST" and handler.path.startswith("/v1/Orders"):
            self.released.wait(self.hold_s)  # the order exists at the vendor; its answer is late
        handler.send_response(answer.status_code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer.content)))
        handler.end_headers()
        handler.wfile.write(answer.content)


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    sandbox = start_sandbox(tmp_path / "sandbox.sqlite3")
    yield sandbox.url
    sandbox.process.terminate()
    sandbox.process.wait(10)


def submit_until_sent(
    home: Path, book: Path, orders_sent: int
) -> tuple[subprocess.Popen[str], str, list[Any]]:
    """Start `submit --json`; return once it has said `order_sent` `orders_sent` times."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--home", str(home), "submit", str(book), "--yes", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    assert process.stdout is not None
    events: list[Any] = []
    run_id = ""
    for line in process.stdout:
        event = json.loads(line)
        events.append(event)
        run_id = run_id or event.get("run_id", "")
        if sum(e["event"] == "order_sent" for e in events) >= orders_sent:
            break
    return process, run_id, events


@dataclass
class Stopped:
    """How a `submit` stopped by Ctrl-C ended: its exit status, output, and seconds from the last press."""

    home: Path
    run_id: str
    code: int
    out: str
    err: str
    took: float


def submit_then_press_ctrl_c(tmp_path: Path, sandbox_url: str, *, hold_s: float, presses: int) -> Stopped:
    """`submit` 60 rows through a proxy holding each order's answer `hold_s`; Ctrl-C `presses` times once four
    orders are on the wire."""
    proxy = HoldingProxy(sandbox_url, hold_s=hold_s)
    with hostile_server(proxy) as (proxy_url, _):
        home = tmp_path / "home"
        use_profile(home, proxy_url, max_line_items=5)
        process, run_id, _ = submit_until_sent(home, workbook(tmp_path / "people.xlsx", 60), orders_sent=4)
        for press in range(presses):
            if press:
                time.sleep(0.3)
            process.send_signal(signal.SIGINT)
        stopped_at = time.monotonic()
        out, err = process.communicate(timeout=60)
        took = time.monotonic() - stopped_at
        proxy.released.set()
    return Stopped(home, run_id, process.returncode, out, err, took)


@pytest.mark.slow
def test_one_ctrl_c_stops_sending_and_waits_for_the_answers_in_flight(
    tmp_path: Path, sandbox_url: str
) -> None:
    stopped = submit_then_press_ctrl_c(tmp_path, sandbox_url, hold_s=2.0, presses=1)
    assert stopped.code == 3, stopped.err
    assert stopped.took < 8  # the answers came within the grace; nothing waited for the whole grace
    assert "Press Ctrl-C again to stop now" in stopped.err
    journal = journal_of(stopped.home)
    orders = journal.orders(stopped.run_id)
    answered = [o for o in orders if o.state not in (OrderState.PLANNED, OrderState.SENDING)]
    assert len(answered) >= 4  # every order on the wire got its answer recorded
    assert not [o for o in orders if o.state is OrderState.SENDING]
    assert [o for o in orders if o.state is OrderState.PLANNED]  # and nothing new was sent
    assert journal.run(stopped.run_id).status is RunStatus.INTERRUPTED
    journal.close()
    assert_resumed_once(stopped.home, sandbox_url, stopped.run_id)


@pytest.mark.slow
def test_a_ctrl_c_whose_grace_runs_out_cuts_the_requests_short(tmp_path: Path, sandbox_url: str) -> None:
    stopped = submit_then_press_ctrl_c(tmp_path, sandbox_url, hold_s=120.0, presses=1)
    assert stopped.code == 3, stopped.err
    assert 9 < stopped.took < 15  # the grace (10 s), then the held requests were cut short
    assert_consistent_then_resumed_once(stopped.home, sandbox_url, stopped.run_id)


@pytest.mark.slow
def test_two_ctrl_c_stop_now_and_resume_pays_every_row_once(tmp_path: Path, sandbox_url: str) -> None:
    stopped = submit_then_press_ctrl_c(tmp_path, sandbox_url, hold_s=120.0, presses=2)
    assert stopped.code == 3, stopped.err
    assert stopped.took < 3  # two presses are enough; no third is needed
    assert "Stopping now" in stopped.err and "Traceback" not in stopped.err
    summary = json.loads(stopped.out.splitlines()[-1])
    assert summary["event"] == "summary" and summary["status"] == "interrupted"
    assert_consistent_then_resumed_once(stopped.home, sandbox_url, stopped.run_id)


def assert_consistent_then_resumed_once(home: Path, sandbox_url: str, run_id: str) -> None:
    """The held orders are `sending` (the vendor has them; the app does not know), the run is interrupted."""
    journal = journal_of(home)
    sending = [o for o in journal.orders(run_id) if o.state is OrderState.SENDING]
    assert sending, "the orders whose answers were held back stay `sending`"
    assert journal.run(run_id).status is RunStatus.INTERRUPTED
    journal.close()
    assert_resumed_once(home, sandbox_url, run_id)


def assert_resumed_once(home: Path, sandbox_url: str, run_id: str) -> None:
    """Resume against the vendor directly: every row ends paid exactly once, as planned."""
    use_profile(home, sandbox_url, max_line_items=5)
    resumed = giftbatch("--home", str(home), "resume", run_id, "--yes")
    assert resumed.returncode == 0, resumed.stderr
    journal = journal_of(home)
    assert_exactly_once(sandbox_url, journal, run_id)
    journal.close()
