"""Time and peak memory of `giftbatch` against servers that misbehave on purpose.

Run: .venv/bin/python bench/hostile_servers.py [--checkout DIR] [--only NAME ...] [--limit SECONDS]

Each case starts a small hostile server in this process, points a profile at it (by writing settings.json
by hand, as a user could), runs one command in a child process (`python -m app` from `--checkout`, default
this one, so the same script measures main before a change and the branch after it) and prints a table:
wall time, the child's peak memory (its own rusage, from wait4), its exit status, its last line of stderr,
what the server sent and whether an AccessToken reached it. A child still running after `--limit` seconds
is killed and shown as such.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.api.hostile import Behaviour, answer, hostile_server, self_signed_tls, trickle  # noqa: E402

TOKEN_JSON = b'{"Value": "bench-token", "ExpiresIn": 3600}'


def huge(handler: BaseHTTPRequestHandler) -> None:
    """A 200 whose JSON body is 500 MB, sent without a length until the connection closes."""
    handler.send_response(200)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(b'{"Value": "')
    chunk = b"A" * (1 << 20)
    for _ in range(500):
        handler.wfile.write(chunk)
    handler.wfile.write(b'", "ExpiresIn": 3600}')


def huge_catalog(handler: BaseHTTPRequestHandler) -> None:
    """Tokens as usual; every other answer 500 MB (the catalog's first page, say)."""
    if handler.path.startswith("/v1/Tokens"):
        answer(handler, 200, TOKEN_JSON)
    elif handler.path.startswith("/v1/Balance"):
        answer(handler, 200, b'{"Available": 100, "Pending": 0, "CurrencyCode": "USD"}')
    else:
        huge(handler)


def deep(handler: BaseHTTPRequestHandler) -> None:
    """A 200 whose JSON is nested 200,000 deep."""
    answer(handler, 200, b"[" * 200_000 + b"]" * 200_000)


def redirect(handler: BaseHTTPRequestHandler) -> None:
    """Every answer a 302 to another host."""
    answer(handler, 302, b"", Location="https://elsewhere.example/v1/Tokens")


def vendor_ok(handler: BaseHTTPRequestHandler) -> None:
    """A plain token answer (the server only matters for what reaches it)."""
    answer(handler, 200, TOKEN_JSON)


def outside_address() -> str:
    """An address of this machine that is not loopback (what `http://` must never be used for)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        return str(probe.getsockname()[0])


@dataclass
class Result:
    seconds: float
    peak_mb: float
    rc: str
    last_line: str


def run_child(checkout: Path, home: Path, argv: list[str], limit: float) -> Result:
    env = {
        **os.environ,
        "GIFTBATCH_HOME": str(home),
        "GIFTBATCH_ACCESS_TOKEN": "bench-access-token",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "app", *argv],
            cwd=checkout,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        killer = threading.Timer(limit, lambda: child.send_signal(signal.SIGKILL))
        killer.start()
        _, status, usage = os.wait4(child.pid, 0)
        killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        err.seek(0)
        lines = [line for line in err.read().decode(errors="replace").splitlines() if line.strip()]
    rc = "killed" if child.returncode == -signal.SIGKILL else str(child.returncode)
    return Result(seconds, usage.ru_maxrss / 1024, rc, lines[-1] if lines else "")


def write_profile(home: Path, base_url: str) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    settings = {
        "schema_version": 1,
        "active_profile": "hostile",
        "profiles": [{"name": "hostile", "base_url": base_url, "email": "bench@example.org"}],
    }
    (config / "settings.json").write_text(json.dumps(settings), encoding="utf-8")


CASES: dict[str, tuple[Behaviour, str, list[str]]] = {
    # name: (server behaviour, where it listens, the command)
    "trickle 1 B/5 s": (trickle(5.0), "loopback", ["profile", "test"]),
    "500 MB token answer": (huge, "loopback", ["profile", "test"]),
    "500 MB catalog page": (huge_catalog, "loopback", ["profile", "test"]),
    "JSON 200,000 deep": (deep, "loopback", ["profile", "test"]),
    "redirect: profile test": (redirect, "loopback", ["profile", "test"]),
    "redirect: submit": (redirect, "loopback", ["submit", "SAMPLE", "--yes"]),
    "self-signed: profile test": (vendor_ok, "tls", ["profile", "test"]),
    "self-signed: submit": (vendor_ok, "tls", ["submit", "SAMPLE", "--yes"]),
    "http:// to another host": (vendor_ok, "outside", ["profile", "test"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose app to run")
    parser.add_argument("--only", nargs="*", help="run only cases whose name starts with these")
    parser.add_argument("--limit", type=float, default=300.0, help="kill a child after this many seconds")
    args = parser.parse_args()
    sample = ROOT / "sample_workbooks" / "links.xlsx"
    print(f"checkout: {args.checkout}")
    print(f"{'case':<28} {'time s':>8} {'peak MB':>8} {'rc':>6} {'sent MB':>8} {'token?':>6}  last line")
    with tempfile.TemporaryDirectory() as scratch:
        tls = self_signed_tls(Path(scratch))
        for name, (behaviour, where, command) in CASES.items():
            if args.only and not any(name.startswith(prefix) for prefix in args.only):
                continue
            host = outside_address() if where == "outside" else "127.0.0.1"
            home = Path(tempfile.mkdtemp(dir=scratch))
            with hostile_server(behaviour, host=host, tls=tls if where == "tls" else None) as (url, seen):
                write_profile(home, url)
                argv = [str(sample) if part == "SAMPLE" else part for part in command]
                result = run_child(args.checkout, home, argv, args.limit)
            print(
                f"{name:<28} {result.seconds:>8.1f} {result.peak_mb:>8.0f} {result.rc:>6} "
                f"{seen.bytes_sent / 1e6:>8.1f} {'YES' if seen.access_tokens else 'no':>6}  "
                f"{result.last_line[:150]}",
                flush=True,
            )


if __name__ == "__main__":
    main()
