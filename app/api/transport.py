"""HTTP with bounds a hostile or broken server cannot stretch: a deadline, a size cap, and stop-now.

A per-read timeout alone does not bound a request: a server that sends one byte every few seconds never
trips it. So every request here carries a `Budget` — a deadline on the monotonic clock and an optional
abort event — and the sockets under the HTTP client honour it on every connect, TLS handshake, write and
read: a read waits in short slices, and between slices it gives up once the deadline has passed or the
abort event is set. The answer is read as a stream and given up as soon as it outgrows the cap, so a
500 MB answer costs at most the cap in memory and is never downloaded whole.

The budget travels in a context variable of the calling thread: httpx's synchronous client does all its
socket work in the thread that sent the request, so each thread sees its own request's budget.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx
import truststore

# How long one socket wait may last before the deadline and the abort event are looked at again.
_SLICE_S = 0.2
# Connecting and the TLS handshake get at most this much of a request's time.
CONNECT_TIMEOUT_S = 10.0
# Answers we read whole; the largest contract answer (a page of 500 products) is a few MB.
MAX_ANSWER_BYTES = 16 * 1024 * 1024
# Of an error answer read at most this much and drop the rest: enough for a 400 naming every field of a
# 100-line order (tens of KB), small enough that a hostile error page costs nothing.
MAX_ERROR_BYTES = 1024 * 1024
# No answer of the contract nests deeper than about 6; a deeper one is not the vendor's data.
MAX_JSON_DEPTH = 64


@dataclass(frozen=True)
class Budget:
    """How long a request may take in all (a `time.monotonic()` deadline) and what stops it early."""

    deadline: float
    abort: threading.Event | None = None

    @property
    def aborted(self) -> bool:
        return self.abort is not None and self.abort.is_set()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


_budget: ContextVar[Budget | None] = ContextVar("giftbatch_request_budget", default=None)


@contextmanager
def budget(spent: Budget) -> Iterator[Budget]:
    """Hold every socket operation of this thread to `spent` until the block ends."""
    token = _budget.set(spent)
    try:
        yield spent
    finally:
        _budget.reset(token)


class AnswerTooLarge(Exception):
    """The answer outgrew the cap; it was not read further."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit // (1024 * 1024)} MB")
        self.limit = limit


class TooDeep(ValueError):
    """JSON nested deeper than any answer of the contract: not the vendor's data."""


class BudgetSpent(Exception):
    """The request's deadline passed, or its abort event was set, while the answer was being read."""


@dataclass(frozen=True)
class Answer:
    """A whole answer, read within its budget: status, headers and at most the cap of body bytes."""

    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def send(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    params: Mapping[str, str | int] | None,
    content: bytes | None,
    headers: Mapping[str, str],
    spent: Budget,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """One request within `spent`: raises httpx's errors, `BudgetSpent` or `AnswerTooLarge`.

    The deadline is also enforced between chunks here, for HTTP clients whose sockets are not ours (an
    injected client, a proxy): there a read already waiting can only be as long as the per-read timeout.
    """
    left = max(spent.remaining(), 0.001)
    timeout = httpx.Timeout(left, connect=min(CONNECT_TIMEOUT_S, left))
    with (
        budget(spent),
        http.stream(
            method, url, params=params, content=content, headers=headers, timeout=timeout
        ) as response,
    ):
        limit = max_bytes if response.is_success else MAX_ERROR_BYTES
        declared = _declared_length(response.headers)
        if response.is_success and declared is not None and declared > limit:
            raise AnswerTooLarge(limit)
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                if response.is_success:
                    raise AnswerTooLarge(limit)
                del body[limit:]  # of an error page the start is enough
                break
            if spent.expired or spent.aborted:
                raise BudgetSpent()
        return Answer(response.status_code, response.headers, bytes(body))


def _declared_length(headers: httpx.Headers) -> int | None:
    try:
        return int(headers["Content-Length"])
    except (KeyError, ValueError):
        return None


def load_json(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> object:
    """The body as JSON; ValueError when it is not JSON, `TooDeep` (a ValueError) when it nests deeper than
    `max_depth`: deep nesting would otherwise exhaust the stack of whatever walks the data next."""
    try:
        data = json.loads(body)
    except RecursionError:  # the decoder's own guard, at about a thousand levels
        raise TooDeep(f"JSON nested more than {max_depth} levels deep") from None
    if _deeper_than(data, max_depth):
        raise TooDeep(f"JSON nested more than {max_depth} levels deep")
    return data


def _deeper_than(data: object, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep; without recursion, and cheap for flat data."""
    stack: list[tuple[Iterable[Any], int]] = []
    if isinstance(data, dict | list):
        stack.append((data.values() if isinstance(data, dict) else data, 1))
    while stack:
        items, depth = stack.pop()
        if depth > limit:
            return True
        for item in items:
            if isinstance(item, dict):
                stack.append((item.values(), depth + 1))
            elif isinstance(item, list):
                stack.append((item, depth + 1))
    return False


# --- Sockets that honour the budget ---------------------------------------------------------------------


def _clamp(timeout: float | None, kind: type[Exception]) -> float | None:
    """`timeout` cut to what the current budget has left; `kind` raised when nothing is left."""
    current = _budget.get()
    if current is None:
        return timeout
    if current.aborted:
        raise httpcore.ReadError("stopped: the request was cancelled")
    left = current.remaining()
    if left <= 0:
        raise kind("the request's time is up")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    """A socket whose every wait ends at the budget's deadline, and within a slice of its abort."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            left = _clamp(None if end is None else end - time.monotonic(), httpcore.ReadTimeout)
            if left is not None and left <= 0:
                raise httpcore.ReadTimeout("no data within the read timeout")
            try:
                return self._inner.read(max_bytes, _SLICE_S if left is None else min(left, _SLICE_S))
            except httpcore.ReadTimeout:
                continue  # a slice passed with nothing to read: look at the deadline and abort again

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        limit = _clamp(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._inner.start_tls(ssl_context, server_hostname, limit))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _clamp(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._inner.connect_tcp(host, port, limit, local_address, socket_options))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        limit = _clamp(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._inner.connect_unix_socket(path, limit, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bounded_http_client() -> httpx.Client:
    """An HTTP client whose requests honour their budget, trusting the OS certificate store (so a company's
    own certificate authority works), through the proxy the environment names if any. Redirects are not
    followed: see `app.api.errors.RedirectError`."""
    client = httpx.Client(
        verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        headers={"User-Agent": "giftbatch"},
        follow_redirects=False,
    )
    _bound_sockets(client)
    return client


def _bound_sockets(client: httpx.Client) -> None:
    """Put our sockets under every connection pool of `client`: the direct one and each proxy's.

    httpx takes no network backend, so each pool's is replaced (httpcore's own `network_backend`, set after
    the fact) before any connection exists. This reaches into both libraries; a version that moved these
    names fails here, loudly, and `tests/api/test_transport.py` proves the deadline holds.
    """
    backend = _BoundedBackend()
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        if transport is None:
            continue  # a host the environment exempts from its proxy: served by `client._transport`
        pool = getattr(transport, "_pool", None)
        if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
            raise RuntimeError(
                f"Cannot bound the sockets of {type(transport).__name__}: httpx or httpcore changed"
            )
        pool._network_backend = backend
