"""Runs the sandbox: in-process on a free loopback port (`SandboxServer`), or in the foreground (`serve`)."""

from __future__ import annotations

import errno
import signal
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO

import uvicorn

from app.sandbox.constants import OPENING_BALANCE
from app.sandbox.faults import Faults
from app.sandbox.routes import build_app
from app.sandbox.store import SandboxStore
from app.sandbox.vendor import SandboxVendor

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


class SandboxStartError(RuntimeError):
    """The sandbox could not start (the port is taken, the address is wrong); the message says which."""


class SandboxServer:
    """The sandbox as a real HTTP server on a daemon thread of this process.

    `start()` returns once it accepts connections; `stop()` shuts it down and joins its thread. `faults` takes
    the keys of `POST /_sandbox/faults`; they and `camel_case` are what `/_sandbox/reset` returns to.
    """

    def __init__(
        self,
        state_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: dict[str, Any] | None = None,
        camel_case: bool = False,
    ) -> None:
        self._state_path = state_path
        self._host = host
        self._port = port
        self._faults = dict(faults or {})
        if camel_case:
            self._faults["camel_case"] = True
        Faults().updated(self._faults)  # refuse bad settings here, not on the server's thread
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._store: SandboxStore | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("The sandbox is not running; call start() first.")
        return self._base_url

    def start(self) -> str:
        """Start serving and return the base URL, such as `http://127.0.0.1:54321`."""
        if self._thread is not None:
            return self.base_url
        sock = _bind(self._host, self._port)
        port = sock.getsockname()[1]
        try:
            self._store = SandboxStore(self._state_path, int(OPENING_BALANCE * 100))
        except (sqlite3.Error, OSError) as error:
            sock.close()
            raise SandboxStartError(
                f"Cannot keep the sandbox state in {self._state_path}: {error}."
            ) from None
        vendor = SandboxVendor(self._store, self._faults)
        config = uvicorn.Config(
            build_app(vendor),
            lifespan="on",
            loop="asyncio",
            http="h11",
            ws="none",
            log_config=None,  # leave the host app's logging alone
            log_level="warning",
            access_log=False,  # request lines could carry order references; the ledger is the record
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="giftbatch-sandbox", daemon=True
        )
        self._thread.start()
        self._wait_started(sock)
        host = f"[{self._host}]" if ":" in self._host else self._host
        self._base_url = f"http://{host}:{port}"
        return self._base_url

    def _wait_started(self, sock: socket.socket) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server.should_exit = True
                self._thread.join(STOP_TIMEOUT_S)
                sock.close()
                self._release()
                raise SandboxStartError("The sandbox server did not start.")
            time.sleep(0.005)

    def stop(self) -> None:
        """Stop serving, cancel background work and close the state; safe to call twice."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(STOP_TIMEOUT_S)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(STOP_TIMEOUT_S)
        self._release()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _release(self) -> None:
        if self._store is not None:
            self._store.close()
        self._server = self._thread = self._store = None
        self._base_url = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (0: any free port), or SandboxStartError saying what is wrong."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they are TCP,
    # and without it every answer waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if sys.platform != "win32":
        # Lets a restarted sandbox reuse its port at once; on Windows this option would allow sharing it.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise SandboxStartError(
                f"Port {port} on {host} is already in use; choose another with --port."
            ) from None
        raise SandboxStartError(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from None
    return sock


def serve(
    state_path: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: dict[str, Any] | None = None,
    camel_case: bool = False,
    out: TextIO | None = None,
) -> int:
    """Serve in the foreground until Ctrl-C or SIGTERM; print one `Sandbox listening on URL` line first."""
    server = SandboxServer(state_path, host, port, faults, camel_case)
    url = server.start()
    stopping = threading.Event()
    previous = _on_stop_signals(lambda *_: stopping.set())
    try:
        print(f"Sandbox listening on {url}", file=out or sys.stdout, flush=True)
        # Poll rather than block, so a signal handler never has to wake a waiting lock.
        while not stopping.is_set() and server.running:
            time.sleep(0.1)
    finally:
        _restore_signals(previous)
        crashed = not server.running
        server.stop()
    return 1 if crashed and not stopping.is_set() else 0


SignalHandler = Callable[[int, FrameType | None], None]


def _on_stop_signals(handler: SignalHandler) -> dict[signal.Signals, Any]:
    """Install `handler` for SIGINT and SIGTERM (main thread only); returns the handlers it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def _restore_signals(previous: dict[signal.Signals, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
