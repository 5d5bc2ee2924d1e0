"""`giftbatch submit|resume|status|runs` as a user runs them: separate processes against a separate sandbox.

The submitting process is killed with SIGKILL at seeded moments and resumed; the sandbox's ledger must then
hold exactly one line item per row, as planned.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from app.config.paths import AppPaths
from app.engine.journal import SubmissionJournal
from app.engine.states import OrderState, RowStatus
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL
from tests.engine.helpers import assert_exactly_once, ledger_lines, lines_of_run, sandbox_post

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="SIGKILL and the CLI's signals are POSIX here"
)


@dataclass
class Sandbox:
    url: str
    process: subprocess.Popen[str]


def start_sandbox(state: Path, *options: str) -> Sandbox:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", "serve", "--port", "0", "--state", str(state), *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("Sandbox listening on "), line
    return Sandbox(line.rsplit(" ", 1)[1].strip(), process)


# Each seeded kill test meets the vendor in another error style (the engine's 409s and 429s change shape too).
STYLE_OF_SEED = {
    1: ["--error-style", "pascal"],
    2: ["--observed"],
    3: ["--error-style", "problem"],
    4: ["--error-style", "message-only", "--no-external-id-echo"],
}


@pytest.fixture
def faulty_sandbox(tmp_path: Path, seed: int) -> Iterator[str]:
    """A sandbox process with faults on: 5xx, lost answers, 429 bursts, 2-second tokens; seeded."""
    sandbox = start_sandbox(
        tmp_path / "sandbox.sqlite3",
        *STYLE_OF_SEED[seed],
        "--error-rate",
        "0.1",
        "--lost-response-rate",
        "0.05",
        "--rate-limit-per-s",
        "40",
        "--token-ttl-s",
        "2",
        "--latency-ms",
        "10",
        "--pending-delay-s",
        "0.5",
        "--seed",
        "42",
    )
    yield sandbox.url
    sandbox.process.terminate()
    sandbox.process.wait(10)


@pytest.fixture
def quiet_sandbox(tmp_path: Path) -> Iterator[str]:
    sandbox = start_sandbox(tmp_path / "sandbox.sqlite3", "--pending-delay-s", "0.5")
    yield sandbox.url
    sandbox.process.terminate()
    sandbox.process.wait(10)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "GIFTBATCH_ACCESS_TOKEN": SANDBOX_ACCESS_TOKEN}


def use_profile(home: Path, base_url: str, *, max_line_items: int = 10, email: str = SANDBOX_EMAIL) -> None:
    """settings.json with a profile for the vendor at `base_url` (the sandbox process unless said otherwise);
    its AccessToken comes from the environment."""
    paths = AppPaths.under(home).ensure()
    settings = {
        "schema_version": 1,
        "active_profile": "local",
        "max_line_items_per_order": max_line_items,
        "campaign_prefix": "KILL",
        "profiles": [{"name": "local", "base_url": base_url, "email": email}],
    }
    paths.settings_file.write_text(json.dumps(settings), encoding="utf-8")


def workbook(path: Path, rows: int, *, bad_rows: tuple[int, ...] = ()) -> Path:
    """A sheet of recipients; `bad_rows` (1-based data rows) get an email address that is not one."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Recipients")
    sheet.write_row(0, 0, ["First Name", "Email", "Product", "Value", "Quantity"])
    for n in range(1, rows + 1):
        email = "not-an-address" if n in bad_rows else f"person{n}@example.com"
        sheet.write_row(n, 0, [f"Person {n}", email, "CVS", 10, 1 + n % 2])
    book.close()
    return path


def giftbatch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=240,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def kill_after(args: list[str], events: int, kind: str = "order_sent") -> tuple[str | None, int]:
    """Start a giftbatch command printing JSON lines; SIGKILL it at the first `kind` event from the
    `events`-th line on (or let it end). Returns the run id it printed and how many lines it printed.

    Killed just after it says `order_sent`, the process dies with that order's request on the wire (the
    sandbox takes 10 ms to answer): the journal says `sending`, and the vendor may or may not have the order.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    assert process.stdout is not None
    run_id: str | None = None
    seen = 0
    for line in process.stdout:
        event = json.loads(line)
        run_id = run_id or event.get("run_id")
        seen += 1
        if seen >= events and event["event"] == kind:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(60)
    return run_id, seen


def journal_of(home: Path) -> SubmissionJournal:
    return SubmissionJournal(AppPaths.under(home).journal_file)


def test_submit_sends_every_row_and_reports_it(
    giftbatch_home: Path, quiet_sandbox: str, tmp_path: Path
) -> None:
    use_profile(giftbatch_home, quiet_sandbox)
    book = workbook(tmp_path / "people.xlsx", 25)

    done = giftbatch("submit", str(book), "--yes", "--json")

    assert done.returncode == 0, done.stderr
    events = json_lines(done.stdout)
    plan, summary = events[0], events[-1]
    assert (plan["event"], plan["rows"], plan["orders"], plan["costs"]) == ("plan", 25, 3, {"USD": "380.00"})
    assert summary == {
        "event": "summary",
        "run_id": plan["run_id"],
        "status": "completed",
        "message": summary["message"],
        "counts": {"completed": 25},
        "exit_code": 0,
    }
    assert_exactly_once(quiet_sandbox, journal_of(giftbatch_home), plan["run_id"])
    listed = json.loads(giftbatch("runs", "--json").stdout)
    assert [(r["id"], r["status"], r["rows"], r["orders"]) for r in listed] == [
        (plan["run_id"], "completed", 25, 3)
    ]
    status = giftbatch("status", plan["run_id"], "--json")
    assert status.returncode == 0
    assert json.loads(status.stdout)["rows"] == {"completed": 25}

    again = giftbatch("submit", str(book))  # the same people again, no --yes and no terminal to ask on
    assert again.returncode == 2
    assert "25 rows pay what an earlier run already paid" in again.stderr
    assert "--pay-again ROWS --reason TEXT" in again.stderr
    assert len(ledger_lines(quiet_sandbox)) == 25  # nothing more was sent


def test_rows_with_errors_stop_the_submit_unless_skipped(
    giftbatch_home: Path, quiet_sandbox: str, tmp_path: Path
) -> None:
    use_profile(giftbatch_home, quiet_sandbox)
    book = workbook(tmp_path / "people.xlsx", 12, bad_rows=(4,))

    refused = giftbatch("submit", str(book), "--yes")
    assert refused.returncode == 2
    assert (
        "Recipients!B5" in refused.stderr and "1 of 12 rows have errors; nothing was sent" in refused.stderr
    )
    assert giftbatch("runs", "--json").stdout.strip() == "[]"

    sent = giftbatch("submit", str(book), "--yes", "--json", "--skip-invalid")
    assert sent.returncode == 0, sent.stderr
    run_id = json_lines(sent.stdout)[0]["run_id"]
    journal = journal_of(giftbatch_home)
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 11, RowStatus.SKIPPED: 1}
    assert_exactly_once(quiet_sandbox, journal, run_id)


def test_a_balance_too_small_is_refused_with_the_shortfall(
    giftbatch_home: Path, quiet_sandbox: str, tmp_path: Path
) -> None:
    use_profile(giftbatch_home, quiet_sandbox)
    sandbox_post(quiet_sandbox, "balance", {"available": 100})
    done = giftbatch("submit", str(workbook(tmp_path / "people.xlsx", 10)), "--yes")  # 150.00 USD
    assert done.returncode == 1
    assert "50.00 USD more needed" in done.stderr
    assert ledger_lines(quiet_sandbox) == []


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_killed_at_seeded_moments_then_resumed_every_row_is_paid_once(
    giftbatch_home: Path, faulty_sandbox: str, tmp_path: Path, seed: int
) -> None:
    use_profile(giftbatch_home, faulty_sandbox)
    book = workbook(tmp_path / "people.xlsx", 200)
    dice = random.Random(seed)

    run_id, _ = kill_after(["submit", str(book), "--yes", "--json"], dice.randint(3, 60))
    assert run_id is not None
    assert OrderState.SENDING in journal_of(giftbatch_home).order_counts(run_id)
    status = giftbatch("status", run_id, "--json")
    assert json.loads(status.stdout)["status"] == "interrupted" and status.returncode == 3
    kill_after(["resume", run_id, "--yes", "--json"], dice.randint(2, 40))

    done = giftbatch("resume", run_id, "--yes", "--json")

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    journal = journal_of(giftbatch_home)
    assert journal.row_counts(run_id) == {RowStatus.COMPLETED: 200}
    assert len(lines_of_run(faulty_sandbox, run_id)) == 200
    assert_exactly_once(faulty_sandbox, journal, run_id)
    assert any(order.sends > 1 for order in journal.orders(run_id)), "an order was resent after a kill"
