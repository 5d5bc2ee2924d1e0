"""Work the sandbox does after answering: completing pending orders on time and delivering webhooks.

Everything runs as asyncio tasks on the server's own event loop, so stopping the server cancels it all and
no thread is left behind. Pending orders and owed webhooks are re-scheduled from the state at start-up, so a
restart loses neither.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine
from typing import Any

import httpx

from app.sandbox.constants import WEBHOOK_ATTEMPTS, WEBHOOK_FIRST_BACKOFF_S, WEBHOOK_TIMEOUT_S
from app.sandbox.vendor import SandboxVendor
from app.sandbox.wire import camelize

log = logging.getLogger(__name__)

# Past an order's deadline by this much before looking again, so clock rounding never leaves it pending.
COMPLETION_MARGIN_S = 0.01


class BackgroundWork:
    """Completes orders and delivers webhooks for one vendor; attach with `start()`, detach with `stop()`."""

    def __init__(self, vendor: SandboxVendor) -> None:
        self._vendor = vendor
        self._tasks: set[asyncio.Task[None]] = set()
        self._delivering: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Take over the vendor's events and pick up whatever the state still owes."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        # Webhook targets are the caller's own receivers: never send them through an environment proxy.
        self._client = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S, trust_env=False)
        self._vendor.events = self
        for order_id, complete_at in self._vendor.open_orders():
            self.order_pending(order_id, complete_at)
        for order_id in self._vendor.due_webhooks():
            self.order_final(order_id)

    async def stop(self) -> None:
        await self.cancel_all()
        if self._client is not None:
            await self._client.aclose()

    async def cancel_all(self) -> None:
        """Drop every scheduled completion and delivery (the state was reset, or the server stops)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def order_pending(self, order_id: str, complete_at: float) -> None:
        self._spawn(self._complete_when_due(order_id, complete_at))

    def order_final(self, order_id: str) -> None:
        if order_id not in self._delivering:
            self._delivering.add(order_id)
            self._spawn(self._deliver(order_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` on the server's loop, whichever thread asks."""
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
        elif threading.get_ident() == self._loop_thread:
            self._track(work)
        else:
            loop.call_soon_threadsafe(self._track, work)

    def _track(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _complete_when_due(self, order_id: str, complete_at: float) -> None:
        remaining: float | None = max(0.0, complete_at - time.time())
        while remaining is not None:
            await asyncio.sleep(remaining + COMPLETION_MARGIN_S)
            remaining = self._vendor.complete_due(order_id)

    async def _deliver(self, order_id: str) -> None:
        """POST the FulfillmentComplete event; retry with doubling waits until a 2xx or attempts run out."""
        try:
            wait = WEBHOOK_FIRST_BACKOFF_S
            for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
                target = self._vendor.webhook(order_id)
                if target is None:
                    return
                if await self._post(*target):
                    self._vendor.record_webhook(order_id, "delivered", attempt)
                    return
                final = attempt == WEBHOOK_ATTEMPTS
                self._vendor.record_webhook(order_id, "failed" if final else "due", attempt)
                if not final:
                    await asyncio.sleep(wait)
                    wait *= 2
            log.warning("Webhook for order %s not delivered after %d attempts", order_id, WEBHOOK_ATTEMPTS)
        finally:
            self._delivering.discard(order_id)

    async def _post(self, url: str, payload: dict[str, Any]) -> bool:
        assert self._client is not None
        body = camelize(payload) if self._vendor.dice.faults.camel_case else payload
        try:
            response = await self._client.post(url, json=body)
        except httpx.HTTPError:
            return False
        return response.is_success
