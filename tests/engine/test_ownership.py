"""One process per run: the lock refuses a second owner and is freed when its owner dies, even by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.engine.ownership import RunBusyError, RunLock, is_owned

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_owner_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    with RunLock(tmp_path, "R1"):
        assert is_owned(tmp_path, "R1")
        with pytest.raises(RunBusyError, match="R1"):
            RunLock(tmp_path, "R1").acquire()
        with RunLock(tmp_path, "R2"):  # other runs are free
            pass
    assert not is_owned(tmp_path, "R1")
    assert not is_owned(tmp_path, "never-run")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_owner_frees_the_run_at_once(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from app.engine.ownership import RunLock;"
            f"RunLock(Path({str(tmp_path)!r}), 'R1').acquire(); print('held', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert is_owned(tmp_path, "R1")
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 5
    while is_owned(tmp_path, "R1") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not is_owned(tmp_path, "R1")
