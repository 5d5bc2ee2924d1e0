"""Following accepted orders to the end: polling scaled to each order's size, and a webhook listener.

The vendor finishes large orders asynchronously. Each unfinished order is polled (`GET /v1/Orders/{id}`)
first after `first_s + per_card_s × cards` (a big order takes longer, so asking early only wastes calls),
then at doubling intervals up to `cap_s`, until it is final or `deadline_s` has passed since it was
accepted. The `FulfillmentComplete` webhook, when the listener is on, only moves the next poll to now: the
event is a signal, the order is always read from the API, and duplicates change nothing.
"""

from __future__ import annotations

import hmac
import json
import logging
import queue
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)

_HOOK_PATH = "/hooks/"
_MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class PollPolicy:
    """When to ask the vendor about an unfinished order again."""

    first_s: float = 1.0
    per_card_s: float = 0.02
    cap_s: float = 30.0
    deadline_s: float = 900.0

    def delay(self, cards: int, polls_done: int) -> float:
        """Seconds from one poll (or the acceptance, for the first) to the next."""
        first = self.first_s + self.per_card_s * max(cards, 0)
        return min(first * 2.0**polls_done, self.cap_s)


@dataclass
class _Watch:
    po_number: str
    order_id: str
    cards: int
    accepted_at: float
    next_at: float
    polls: int = 0


@dataclass
class Tracker:
    """Which unfinished orders to poll, and when. Used by the runner's single loop thread only."""

    policy: PollPolicy
    clock: Callable[[], float]
    _watches: dict[str, _Watch] = field(default_factory=dict)

    def watch(self, po_number: str, order_id: str, cards: int) -> None:
        """Start following an order (again, after a restart: the deadline counts from now)."""
        now = self.clock()
        self._watches[po_number] = _Watch(po_number, order_id, cards, now, now + self.policy.delay(cards, 0))

    def forget(self, po_number: str) -> None:
        self._watches.pop(po_number, None)

    def polled(self, po_number: str) -> None:
        """Schedule the next poll after one that did not find the order final."""
        watch = self._watches.get(po_number)
        if watch is not None:
            watch.polls += 1
            watch.next_at = self.clock() + self.policy.delay(watch.cards, watch.polls)

    def nudge(self, order_id: str | None, po_number: str | None) -> bool:
        """Poll this order at once (the webhook said it finished); False when we do not follow it."""
        for watch in self._watches.values():
            if (order_id and watch.order_id == order_id) or (po_number and watch.po_number == po_number):
                watch.next_at = min(watch.next_at, self.clock())
                return True
        return False

    def take_due(self) -> str | None:
        """The PONumber of an order due for a poll (and not past its deadline), taken off the schedule."""
        now = self.clock()
        for watch in self._watches.values():
            if watch.next_at <= now and not self._expired(watch, now):
                watch.next_at = float("inf")  # in flight; `polled` or `forget` sets what comes next
                return watch.po_number
        return None

    def order_id(self, po_number: str) -> str:
        return self._watches[po_number].order_id

    def seconds_to_next(self) -> float | None:
        now = self.clock()
        waiting = [w.next_at for w in self._watches.values() if not self._expired(w, now)]
        return max(min(waiting) - now, 0.0) if waiting else None

    def all_expired(self) -> bool:
        now = self.clock()
        return all(self._expired(w, now) for w in self._watches.values())

    def _expired(self, watch: _Watch, now: float) -> bool:
        return now - watch.accepted_at > self.policy.deadline_s

    def __len__(self) -> int:
        return len(self._watches)

    def __contains__(self, po_number: object) -> bool:
        return po_number in self._watches


@dataclass(frozen=True)
class WebhookSignal:
    """A `FulfillmentComplete` call: which order the vendor says is finished (to be confirmed by a GET)."""

    order_id: str | None
    po_number: str | None


class WebhookListener:
    """A small HTTP server on this machine for the vendor's `FulfillmentComplete` calls.

    Its URL carries a random secret (the vendor documents no signature): a call without it is answered 403
    and ignored. A valid call is queued as a `WebhookSignal` and answered 204 at once, as the vendor asks.
    `public_url`, when set, is the address the vendor can reach (a tunnel or reverse proxy to this listener).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, public_url: str = "") -> None:
        self._secret = secrets.token_urlsafe(24)
        self._public_url = public_url.rstrip("/")
        self.signals: queue.SimpleQueue[WebhookSignal] = queue.SimpleQueue()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self._secret, self.signals))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The URL to give the vendor, secret included: treat it as a secret (it is never logged)."""
        host = str(self._server.server_address[0])
        base = self._public_url or f"http://{host}:{self.port}"
        return f"{base}{_HOOK_PATH}{self._secret}"

    def start(self) -> WebhookListener:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="webhook-listener",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

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


def _handler_for(secret: str, signals: queue.SimpleQueue[WebhookSignal]) -> type[BaseHTTPRequestHandler]:
    expected = f"{_HOOK_PATH}{secret}".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            path = self.path.split("?", 1)[0].encode()
            if not hmac.compare_digest(path, expected):
                self._answer(HTTPStatus.FORBIDDEN)
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > _MAX_BODY_BYTES:
                self._answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
                return
            payload = _read_json(self.rfile.read(length))
            signals.put(WebhookSignal(_text(payload, "OrderId"), _text(payload, "PONumber")))
            self._answer(HTTPStatus.NO_CONTENT)

        def do_GET(self) -> None:
            self._answer(HTTPStatus.METHOD_NOT_ALLOWED)

        def _answer(self, status: HTTPStatus) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # http.server's own signature
            # The request line holds the secret of the URL: log only that a call came and how it was answered.
            log.debug("Webhook call answered %s", args[1] if len(args) > 1 else "")

    return Handler


def _read_json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _text(payload: dict[str, Any], name: str) -> str | None:
    wanted = name.casefold()
    value = next((v for k, v in payload.items() if str(k).casefold() == wanted), None)
    return str(value) if isinstance(value, str | int) and str(value) else None
