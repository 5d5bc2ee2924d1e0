"""`giftbatch --self-test`: the whole job, headless, against the built-in sandbox — proof that a build works.

Each step runs the real commands in-process under a throw-away home folder (the user's settings, journal and
sandbox are never touched), prints one line with its time, and the exit status is 0 only when every step
passed. Built apps run it in CI; support can ask a user to run it.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import openpyxl

from app.workbook.reader import read_workbook

SAMPLE = "mixed-all-three.xlsx"


class SelfTestFailure(Exception):
    """A step did not do what it must; the message says what was seen."""


@dataclass
class _State:
    home: Path
    cli: Callable[[list[str]], int]
    run_id: str = ""
    rows: int = 0


def samples_dir() -> Path:
    """`sample_workbooks/` in the source tree, or beside the code in a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if bundle else Path(__file__).resolve().parents[2]
    return base / "sample_workbooks"


def run_self_test(cli: Callable[[list[str]], int], out: Callable[[str], None] = print) -> int:
    """Run every step through `cli` (the command line's `main`), in order; stop at the first failure."""
    with tempfile.TemporaryDirectory(prefix="giftbatch-selftest-") as folder:
        state = _State(Path(folder), cli)
        started = time.perf_counter()
        for name, step in _STEPS:
            began = time.perf_counter()
            try:
                detail = step(state)
            except Exception as error:  # a self-test reports every failure as a line, never a traceback
                out(f"FAIL  {name:<10} {time.perf_counter() - began:6.2f} s  {type(error).__name__}: {error}")
                return 1
            out(f"ok    {name:<10} {time.perf_counter() - began:6.2f} s  {detail}")
        out(f"Self-test passed in {time.perf_counter() - started:.2f} s.")
        return 0


def _cli(state: _State, *argv: str) -> tuple[int, str]:
    """Run one giftbatch command in-process under the self-test's home; return its exit status and output."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = state.cli(["--home", str(state.home), *argv])
    return code, output.getvalue()


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


def _template(state: _State) -> str:
    target = state.home / "template.xlsx"
    code, output = _cli(state, "template", "--out", str(target))
    _expect(code == 0, f"template exited {code}: {output.strip()}")
    sheets = read_workbook(target).sheets
    unmapped = [h for s in sheets for h in s.unmapped_headers]
    _expect(bool(sheets) and not unmapped, f"template columns not understood: {unmapped}")
    return f"{target.name}, {len(sheets[0].headers)} columns, all mapped"


def _validate(state: _State) -> str:
    code, output = _cli(state, "validate", str(samples_dir() / SAMPLE), "--json")
    _expect(code == 0, f"validate exited {code}: {output.strip()[:300]}")
    report = json.loads(output)
    state.rows = int(report["rows"])
    _expect(
        state.rows > 0 and report["errors"] == 0, f"expected a clean sample, got {report['errors']} errors"
    )
    return f"{SAMPLE}: {state.rows} rows, 0 errors, cost {report['cost']}"


def _send(state: _State) -> str:
    code, output = _cli(state, "submit", str(samples_dir() / SAMPLE), "--yes", "--json")
    _expect(code == 0, f"submit exited {code}: {output.strip()[-300:]}")
    events = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    run_ids = {e.get("run_id") for e in events if e.get("run_id")}
    _expect(len(run_ids) == 1, f"expected one run, saw {run_ids}")
    state.run_id = run_ids.pop()
    return f"run {state.run_id}: {len(events)} events"


def _track(state: _State) -> str:
    code, output = _cli(state, "track", state.run_id)
    _expect(code == 0, f"track exited {code}: {output.strip()[-300:]}")
    code, output = _cli(state, "status", state.run_id, "--json")
    status = json.loads(output)
    _expect(
        code == 0 and status["status"] == "completed", f"run is {status['status']}, rows {status['rows']}"
    )
    _expect(status["rows"] == {"completed": state.rows}, f"rows by status: {status['rows']}")
    return f"{state.rows} rows completed"


def _ledger(state: _State) -> str:
    """Read the sandbox's own books: exactly one line item per row, nothing charged twice."""
    from app.sandbox.server import SandboxServer  # noqa: PLC0415 (loaded only when the self-test runs)

    with SandboxServer(state_path=state.home / "data" / "sandbox.sqlite3") as server:
        ledger = httpx.get(f"{server.base_url}/_sandbox/ledger", timeout=10).json()
    external_ids = [li["ExternalId"] for o in ledger["orders"] for li in o["LineItems"]]
    _expect(
        len(external_ids) == state.rows, f"ledger has {len(external_ids)} line items for {state.rows} rows"
    )
    _expect(len(set(external_ids)) == len(external_ids), "a row was ordered twice")
    return f"{len(ledger['orders'])} orders, {len(external_ids)} line items, each row once"


def _export(state: _State) -> str:
    target = state.home / "results.xlsx"
    code, output = _cli(state, "export", state.run_id, "--out", str(target))
    _expect(code == 0, f"export exited {code}: {output.strip()}")
    sheet = openpyxl.load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    status_column = rows[0].index("Status")
    statuses = [row[status_column] for row in rows[1:]]
    _expect(statuses == ["Completed"] * state.rows, f"statuses read back: {sorted(set(map(str, statuses)))}")
    return f"{target.name}: {len(statuses)} rows read back, all Completed"


_STEPS: tuple[tuple[str, Callable[[_State], str]], ...] = (
    ("template", _template),
    ("validate", _validate),
    ("send", _send),
    ("track", _track),
    ("ledger", _ledger),
    ("export", _export),
)
