"""Test doubles for the API client: a scripted vendor behind httpx.MockTransport and a fake clock."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.api.retry import RetryPolicy

BASE_URL = "https://vendor.test"
HOST = "vendor.test"
EMAIL = "ops@corp.example"
ACCESS_TOKEN = "acc-5ecret-Do-Not-Leak"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def reply(
    status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None, text: str | None = None
) -> httpx.Response:
    """A canned answer: JSON when `body` is given, else `text` as it is."""
    if text is not None:
        return httpx.Response(status, text=text, headers=headers)
    return httpx.Response(status, json=body if body is not None else {}, headers=headers)


@dataclass
class FakeTime:
    """A monotonic clock that only moves when the client 'sleeps'; every wait is recorded."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)
    cancel_on_sleep: threading.Event | None = None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float, cancel: threading.Event | None) -> bool:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.cancel_on_sleep is not None:
            self.cancel_on_sleep.set()
        return cancel is not None and cancel.is_set()


class FakeVendor:
    """Answers requests from per-route queues; a route's last answer repeats. Tokens are issued by default."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._routes: dict[tuple[str, str], deque[Answer]] = {}
        self._lock = threading.Lock()
        self.tokens_issued = 0
        self.token_lifetime = 3600

    def on(self, method: str, path: str, *answers: Answer) -> FakeVendor:
        self._routes[(method, path)] = deque(answers)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            key = (request.method, request.url.path)
            queue = self._routes.get(key)
            if queue is None:
                if key == ("POST", "/v1/Tokens"):
                    return self._issue_token(request)
                return reply(404, {"Message": f"no route {key}"})
            answer = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def _issue_token(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("AccessToken") != ACCESS_TOKEN or request.headers.get("Email") != EMAIL:
            return reply(401, {"Message": "Invalid credentials"})
        self.tokens_issued += 1
        return reply(200, {"Value": f"bearer-tok-{self.tokens_issued}", "ExpiresIn": self.token_lifetime})

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def bodies(self, method: str, path: str) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.sent(method, path)]


NO_JITTER = RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=8.0, total_time=60.0, jitter=0.0)


def order_body(
    order_id: str = "ORD-1",
    po: str = "BULK-1",
    status: str = "Completed",
    **extra: Any,
) -> dict[str, Any]:
    """An order as the vendor answers it (PascalCase)."""
    return {
        "Id": order_id,
        "PONumber": po,
        "Type": "DigitalDelivery",
        "Status": status,
        "CreatedAt": "2026-11-26T10:00:00Z",
        "TotalCost": 30.0,
        "LineItems": [
            {
                "Id": "LI-1",
                "ExternalId": "row-2",
                "ProductId": "CVS",
                "Value": 10,
                "Quantity": 3,
                "Cost": 30.0,
                "Status": status,
                "FailureReason": None,
                "ClaimData": [],
            }
        ],
        **extra,
    }
