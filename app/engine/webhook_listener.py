"""The local listener for the vendor's `FulfillmentComplete` webhook, on the sandbox's server stack.

uvicorn (with h11) parses HTTP, as for the sandbox: a malformed request — a `Content-Length` that is not a
number, headers too large — is answered 400 by the parser itself, and every connection is a coroutine on one
event-loop thread, so a client that stops halfway holds no thread. On top of that: only POST to the secret
path is accepted (compared in constant time); bodies are capped and must arrive within a few seconds;
connections are limited in number. A call is only ever a signal — the order is read from the API — so
anything refused here costs at most an earlier poll.

uvicorn and Starlette are imported when a listener starts, not when this module is imported, so that
commands and windows that never listen do not pay for loading them.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import queue
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from app.domain.errors import GiftbatchError

if TYPE_CHECKING:
    import uvicorn
    from starlette.requests import Request
    from starlette.responses import Response

log = logging.getLogger(__name__)

HOOK_PATH = "/hooks/"
MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_S = 5.0
MAX_CONNECTIONS = 32
_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0


class WebhookListenerError(GiftbatchError):
    """The listener could not start (the port is taken, the address is not this machine's)."""

    exit_code = 2


@dataclass(frozen=True)
class WebhookSignal:
    """A `FulfillmentComplete` call: which order the vendor says is finished (to be confirmed by a GET)."""

    order_id: str | None
    po_number: str | None


class WebhookListener:
    """A small HTTP server on this machine for the vendor's `FulfillmentComplete` calls.

    Its URL carries a random secret (the vendor documents no signature): a call to any other path is
    answered 404 and ignored. A valid call is queued as a `WebhookSignal` and answered 204 at once, as the
    vendor asks. `public_url`, when set, is the address the vendor can reach (a tunnel or reverse proxy to
    this listener). The socket is bound when the listener is made, so `port` and `url` are known before
    `start()`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, public_url: str = "") -> None:
        self._secret = secrets.token_urlsafe(24)
        self._public_url = public_url.rstrip("/")
        self.signals: queue.SimpleQueue[WebhookSignal] = queue.SimpleQueue()
        self._host = host
        self._socket = _bind(host, port)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        """The URL to give the vendor, secret included: treat it as a secret (it is never logged)."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        base = self._public_url or f"http://{host}:{self.port}"
        return f"{base}{HOOK_PATH}{self._secret}"

    def start(self) -> WebhookListener:
        import uvicorn  # noqa: PLC0415 (see the module docstring)

        config = uvicorn.Config(
            _app(f"{HOOK_PATH}{self._secret}", self.signals),
            lifespan="off",
            loop="asyncio",
            http="h11",
            ws="none",
            log_config=None,  # leave the host app's logging alone
            log_level="error",  # a malformed call is answered 400; it is not worth a line on the terminal
            access_log=False,  # the request line holds the secret of the URL
            limit_concurrency=MAX_CONNECTIONS,
            timeout_keep_alive=5,
            timeout_graceful_shutdown=1,
            h11_max_incomplete_event_size=16 * 1024,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="webhook-listener", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise WebhookListenerError("The webhook listener did not start.")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and join the server's thread; safe to call twice."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(_STOP_TIMEOUT_S)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(_STOP_TIMEOUT_S)
        self._server = self._thread = None
        self._socket.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def drain(self) -> list[WebhookSignal]:
        found: list[WebhookSignal] = []
        while True:
            try:
                found.append(self.signals.get_nowait())
            except queue.Empty:
                return found

    def __enter__(self) -> WebhookListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if sys.platform != "win32":
        # A restarted listener may reuse its port at once; on Windows this option would allow sharing it.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(64)
    except OSError as error:
        sock.close()
        raise WebhookListenerError(
            f"The webhook listener cannot listen on {host}:{port} ({error.strerror or error}). Choose another "
            "port in Settings, or turn the listener off (orders are then followed by polling alone)."
        ) from None
    return sock


def _app(path: str, signals: queue.SimpleQueue[WebhookSignal]) -> Any:
    """The ASGI app: one route, the secret path, POST only."""
    from starlette.applications import Starlette  # noqa: PLC0415
    from starlette.responses import Response  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    expected = path.encode()

    async def hook(request: Request) -> Response:
        refused = _refusal(request, expected)
        if refused is not None:
            return Response(status_code=refused, headers=_CLOSE if refused >= 400 else None)
        try:
            body = await asyncio.wait_for(_read_body(request), BODY_TIMEOUT_S)
        except _TooLarge:
            return Response(status_code=HTTPStatus.REQUEST_ENTITY_TOO_LARGE, headers=_CLOSE)
        except TimeoutError:
            return Response(status_code=HTTPStatus.REQUEST_TIMEOUT, headers=_CLOSE)
        payload = _read_json(body)
        signals.put(WebhookSignal(_text(payload, "OrderId"), _text(payload, "PONumber")))
        return Response(status_code=HTTPStatus.NO_CONTENT)

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(routes=[Route("/{rest:path}", hook, methods=methods)])


_CLOSE = {"Connection": "close"}


def _refusal(request: Request, expected: bytes) -> HTTPStatus | None:
    """Why a call is refused before its body is read: wrong path, wrong method, a length not allowed."""
    if not hmac.compare_digest(request.url.path.encode(), expected):
        return HTTPStatus.NOT_FOUND
    if request.method != "POST":
        return HTTPStatus.METHOD_NOT_ALLOWED
    declared = request.headers.get("Content-Length", "0")
    if not declared.isdigit():  # h11 refuses these first; this holds whatever parser is underneath
        return HTTPStatus.BAD_REQUEST
    if int(declared) > MAX_BODY_BYTES:
        return HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    return None


class _TooLarge(Exception):
    pass


async def _read_body(request: Request) -> bytes:
    """The body as it streams in, refused as soon as it outgrows the cap (a length may be absent or lie)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _TooLarge()
    return bytes(body)


def _read_json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _text(payload: dict[str, Any], name: str) -> str | None:
    wanted = name.casefold()
    value = next((v for k, v in payload.items() if str(k).casefold() == wanted), None)
    return str(value) if isinstance(value, str | int) and str(value) else None
