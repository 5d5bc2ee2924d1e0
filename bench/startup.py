"""Launch to first painted window, for the built app and the source tree; prints a table against the 1.0 s target.

Run: `.venv/bin/python bench/startup.py [--runs 5]` after `packaging/build.sh`. Uses the X display in $DISPLAY
when there is one (e.g. under `xvfb-run -a`), else Qt's offscreen platform.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0


def launch_to_paint(command: list[str]) -> float:
    """Seconds from just before the process starts to the window's first paint (written by the app)."""
    with tempfile.TemporaryDirectory() as home:
        probe = Path(home) / "painted"
        env = dict(os.environ, GIFTBATCH_HOME=home, GIFTBATCH_STARTUP_PROBE=str(probe))
        env.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
        started = time.time()
        subprocess.run(command, env=env, check=True, timeout=60, capture_output=True)
        return float(probe.read_text(encoding="utf-8")) - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    candidates = {
        "built app (dist/giftbatch)": [str(ROOT / "dist" / "giftbatch" / "giftbatch")],
        "source (python -m app)": [sys.executable, "-m", "app"],
    }
    platform = "xcb" if os.environ.get("DISPLAY") else "offscreen"
    print(
        f"Launch to first painted window, {args.runs} runs each, platform {platform}, target {TARGET_S:.1f} s\n"
    )
    print(f"{'what':<30} {'median s':>9} {'worst s':>8} {'target':>7} {'median/target':>14}")
    for name, command in candidates.items():
        if not Path(command[0]).exists():
            print(f"{name:<30} {'(not built: run packaging/build.sh)':>40}")
            continue
        launch_to_paint(command)  # warm the disk cache once; users start the app more than once too
        times = [launch_to_paint(command) for _ in range(args.runs)]
        median = statistics.median(times)
        print(f"{name:<30} {median:9.3f} {max(times):8.3f} {TARGET_S:7.1f} {median / TARGET_S:13.2f}x")


if __name__ == "__main__":
    main()
