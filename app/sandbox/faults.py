"""Faults the sandbox can inject into `/v1/` answers, and the seeded dice that decide when they strike."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from app.sandbox.constants import DEFAULT_PENDING_DELAY_S, DEFAULT_TOKEN_TTL_S

# How error answers are shaped: ours (`{"Message", "Errors"}`), ASP.NET Web API 2 (`{"message", "modelState"}`,
# a 429 whose body is a JSON string), RFC 7807 ProblemDetails (`{"title", "status", "errors"}`), or a bare
# `{"message"}` that names no field.
ERROR_STYLES = ("pascal", "webapi", "problem", "message-only")
# What `GET /v1/ShippingMethods` and `GET /v1/Brandings` may answer: the list, refused, or absent.
LIST_STATUSES = (200, 403, 404)

# The vendor as public clients of its engine show it answering (docs/api-contract.md, "observed").
OBSERVED: dict[str, Any] = {
    "camel_case": True,
    "error_style": "webapi",
    "echo_external_id": False,
    "balance_endpoint": False,
    "null_lists": True,
}


class FaultSettingError(ValueError):
    """A fault setting that cannot be used; `name` is the setting, the message says why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Faults:
    """What goes wrong, and how often. The defaults are a well-behaved vendor."""

    latency_ms: int = 0
    error_rate: float = 0.0
    lost_response_rate: float = 0.0
    rate_limit_per_s: int = 0  # 0: no limit
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S
    camel_case: bool = False
    pending_delay_s: float = DEFAULT_PENDING_DELAY_S
    line_item_failure_rate: float = 0.0
    seed: int | None = None
    error_style: str = "pascal"
    shipping_methods_status: int = 200
    brandings_status: int = 200
    null_lists: bool = False  # products' Translations, CultureCodes, Media and Meta are null
    echo_external_id: bool = True
    balance_endpoint: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> Faults:
        """These faults with `changes` applied; a null value puts that setting back to its default."""
        known = {f.name: f for f in fields(self)}
        values: dict[str, Any] = {}
        for name, raw in changes.items():
            if name not in known:
                raise FaultSettingError(name, f"Unknown fault '{name}'; known: {', '.join(known)}.")
            values[name] = known[name].default if raw is None else _checked(name, raw)
        return replace(self, **values)


_RATES = ("error_rate", "lost_response_rate", "line_item_failure_rate")
_SWITCHES = ("camel_case", "null_lists", "echo_external_id", "balance_endpoint")
# Settings that take one of a few values: the values, as a message lists them.
_CHOICES: dict[str, tuple[object, ...]] = {
    "error_style": ERROR_STYLES,
    "shipping_methods_status": LIST_STATUSES,
    "brandings_status": LIST_STATUSES,
}


def _checked(name: str, raw: Any) -> Any:
    """The setting's value if it is the right kind and in range, else FaultSettingError."""
    if name in _SWITCHES:
        if not isinstance(raw, bool):
            raise FaultSettingError(name, f"{name} must be true or false.")
        return raw
    if name in _CHOICES:
        allowed = _CHOICES[name]
        if isinstance(raw, bool) or raw not in allowed or type(raw) is not type(allowed[0]):
            raise FaultSettingError(name, f"{name} must be one of {', '.join(map(str, allowed))}.")
        return raw
    return _number(name, raw)


def _number(name: str, raw: Any) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise FaultSettingError(name, f"{name} must be a number.")
    if name in _RATES:
        if not 0 <= raw <= 1:
            raise FaultSettingError(name, f"{name} is a share of requests, from 0 to 1.")
        return float(raw)
    if name == "pending_delay_s":
        if not 0 <= raw <= 3600:
            raise FaultSettingError(name, "pending_delay_s must be from 0 to 3600 seconds.")
        return float(raw)
    if raw != int(raw):
        raise FaultSettingError(name, f"{name} must be a whole number.")
    value = int(raw)
    lowest = 1 if name == "token_ttl_s" else 0
    if name != "seed" and value < lowest:
        raise FaultSettingError(name, f"{name} must be at least {lowest}.")
    return value


class FaultDice:
    """Decides, reproducibly when seeded, which requests a fault strikes. Safe to use from any thread."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults
        self._random = random.Random(faults.seed)
        self._recent: deque[float] = deque()

    @property
    def faults(self) -> Faults:
        return self._faults

    def configure(self, faults: Faults) -> None:
        """Use new settings; a seed given in them restarts the dice so the next draws are reproducible."""
        with self._lock:
            if faults.seed is not None:
                self._random.seed(faults.seed)
            self._faults = faults
            self._recent.clear()

    def server_error(self) -> int | None:
        """500 or 503 for a share `error_rate` of requests, else None."""
        with self._lock:
            if self._random.random() >= self._faults.error_rate:
                return None
            return self._random.choice((500, 503))

    def lose_response(self) -> bool:
        with self._lock:
            return self._random.random() < self._faults.lost_response_rate

    def line_item_fails(self) -> bool:
        with self._lock:
            return self._random.random() < self._faults.line_item_failure_rate

    def retry_after(self) -> int | None:
        """Whole seconds to wait when this request is over `rate_limit_per_s` (over the last second)."""
        with self._lock:
            limit = self._faults.rate_limit_per_s
            if not limit:
                return None
            now = time.monotonic()
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) < limit:
                self._recent.append(now)
                return None
            return max(1, math.ceil(self._recent[0] + 1.0 - now))
