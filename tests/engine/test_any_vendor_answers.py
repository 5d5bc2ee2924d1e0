"""Whatever a vendor answers, and in whatever order, a run ends, sends a bounded number of orders, and pays no
row twice; each row it refuses says why.

The vendor here is scripted: each POST /v1/Orders for an order it does not hold takes the next answer of a
generated script (cycled for ever, so a vendor that refuses every order the same way is covered). It stays
consistent where a real one must: an order it holds is answered 409 (or a gateway fault), never refused.
"""

from __future__ import annotations

import itertools
import json
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.client import VendorClient
from app.api.retry import RetryPolicy
from app.engine.events import RunFinished
from app.engine.journal import SubmissionJournal
from app.engine.runner import _MAX_RATE_LIMITED_SENDS, SubmissionRunner
from app.engine.states import ROW_STATUS_OF_ORDER, RowStatus, RunStatus
from app.engine.tracking import PollPolicy
from tests.engine.helpers import digital_row, make_plan, sandbox_catalog, store

BASE_URL = "https://vendor.test"
RETRY = RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0, total_time=60.0, max_retry_after=0.0)
# A clock 200 times faster than the wall's: the runner's waits (Retry-After, polls, deadlines) pass at once.
FAST_CLOCK_FACTOR = 200.0
POLLS = PollPolicy(first_s=0.5, per_card_s=0.0, cap_s=2.0, deadline_s=30.0)

# What the vendor may answer to an order it does not hold yet.
ANSWERS = (
    "created",  # 201, Completed
    "pending",  # 201, Pending; Completed when read
    "short",  # 201, Completed, one line item missing (the answer cannot settle every row)
    "lost",  # the order is made, the answer is a 504
    "conflict",  # 409 naming no order
    "400-none",  # {"message": "The request is invalid."}
    "400-line",  # Web API 2 model state naming a line item
    "400-problem",  # RFC 7807 naming a line item in JSONPath
    "400-unknown",  # a path that names no line item
    "400-text",  # not JSON at all
    "401",
    "422",
    "429",
    "500",
    "503",
)
GATEWAY = frozenset({"429", "500", "503"})  # faults of the way in, which may strike any request
# What the 400s below say: a refused row must carry the vendor's own words.
VENDOR_SAID = ("The request is invalid.", "Not allowed.", "No.", "Unknown.", "Bad Request")


class ScriptedVendor:
    """A vendor behind httpx.MockTransport answering POST /v1/Orders from `script`."""

    def __init__(self, script: list[str], echo: bool, give_up_after: int, cancel: threading.Event) -> None:
        self.answers = itertools.cycle(script)
        # A run that would loop is cancelled here, so that the bound fails the test instead of hanging it.
        self.give_up_after = give_up_after
        self.cancel = cancel
        self.echo = echo
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, Any]] = {}  # by id
        self.posts: Counter[str] = Counter()  # POST /v1/Orders by PONumber
        self.paid: Counter[str] = Counter()  # row keys in orders the vendor made

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        with self.lock:
            if path == "/v1/Tokens":
                return httpx.Response(200, json={"value": "tok", "expiresIn": 3600})
            if request.method == "POST" and path == "/v1/Orders":
                return self._create(json.loads(request.content))
            if request.method == "GET" and path == "/v1/Orders":  # no poNumber filter, as publicly seen
                listed = [self._read(i) for i in self.orders]
                return httpx.Response(200, json={"totalCount": len(listed), "data": listed})
            order_id = path.rsplit("/", 1)[-1]
            if request.method == "GET" and order_id in self.orders:
                return httpx.Response(200, json=self._read(order_id))
            return httpx.Response(404, json={"message": "No HTTP resource was found."})

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        po, lines = body["PONumber"], body["LineItems"]
        self.posts[po] += 1
        if self.posts.total() > self.give_up_after:
            self.cancel.set()
        answer = next(self.answers)
        held = next((o for o in self.orders.values() if o["poNumber"] == po), None)
        if held is not None and answer not in GATEWAY:
            return httpx.Response(409, json={"message": "Duplicate.", "previousOrderIds": [held["id"]]})
        if answer in ("created", "pending", "short", "lost"):
            order = self._make(po, lines, answer)
            if answer == "lost":
                return httpx.Response(504, text="Gateway Timeout")
            return httpx.Response(201, json=order)
        index = len(lines) - 1
        return {
            "conflict": httpx.Response(409, json={"message": "Duplicate PONumber."}),
            "400-none": httpx.Response(400, json={"message": "The request is invalid."}),
            "400-line": httpx.Response(
                400,
                json={
                    "message": "The request is invalid.",
                    "modelState": {f"order.LineItems[{index}].Value": ["Not allowed."]},
                },
            ),
            "400-problem": httpx.Response(
                400,
                json={
                    "title": "One or more validation errors occurred.",
                    "errors": {"$.lineItems[0].value": ["No."]},
                },
            ),
            "400-unknown": httpx.Response(
                400, json={"Message": "Bad.", "Errors": {"Order.Foo": ["Unknown."]}}
            ),
            "400-text": httpx.Response(400, text="Bad Request"),
            "401": httpx.Response(401, json={"message": "Authorization has been denied for this request."}),
            "422": httpx.Response(422, json={"message": "Insufficient funds."}),
            "429": httpx.Response(429, json="Too many requests.", headers={"Retry-After": "0"}),
            "500": httpx.Response(500, json={"message": "An error has occurred."}),
            "503": httpx.Response(503, text="<html>Service Unavailable</html>"),
        }[answer]

    def _make(self, po: str, lines: list[dict[str, Any]], answer: str) -> dict[str, Any]:
        order_id = f"ORD-{len(self.orders) + 1}"
        shown = lines[:-1] if answer == "short" else lines
        items = []
        for n, line in enumerate(shown):
            item = {"id": f"{order_id}-{n}", "productId": line["ProductId"], "value": line["Value"]}
            item.update({"quantity": line["Quantity"], "status": "Completed"})
            if self.echo:
                item["externalId"] = line["ExternalId"]
            items.append(item)
        status = "Pending" if answer == "pending" else "Completed"
        self.orders[order_id] = {"id": order_id, "poNumber": po, "status": status, "lineItems": items}
        self.paid.update(line["ExternalId"] for line in lines)
        return dict(self.orders[order_id])

    def _read(self, order_id: str) -> dict[str, Any]:
        order = self.orders[order_id]
        shown = dict(order)
        order["status"] = "Completed"  # a pending order is done by the next read
        return shown


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    script=st.lists(st.sampled_from(ANSWERS), min_size=1, max_size=10),
    rows=st.integers(min_value=1, max_value=7),
    chunk=st.integers(min_value=1, max_value=3),
    echo=st.booleans(),
)
def test_any_vendor_answers_end_the_run_with_bounded_orders_and_no_row_paid_twice(
    script: list[str], rows: int, chunk: int, echo: bool
) -> None:
    plan = make_plan([digital_row(i) for i in range(1, rows + 1)], sandbox_catalog(), max_line_items=chunk)
    planned = len(plan.orders)
    per_send = RETRY.max_attempts + 1  # the client's attempts, and one more after renewing a token
    sends = (
        1 if "429" not in script else _MAX_RATE_LIMITED_SENDS + 1
    )  # a 429 puts the order back, a few times
    bound = 2 * planned * per_send * sends  # each order and at most one re-plan of it
    cancel = threading.Event()
    vendor = ScriptedVendor(script, echo, bound, cancel)
    with tempfile.TemporaryDirectory() as folder:
        journal = SubmissionJournal(Path(folder) / "journal.sqlite3")
        run_id = store(journal, plan)
        http = httpx.Client(transport=httpx.MockTransport(vendor.handle))
        client = VendorClient(BASE_URL, "ops@corp.example", "secret", http=http, retry=RETRY, sleep=_no_wait)
        runner = SubmissionRunner(
            journal,
            client,
            concurrency=2,
            poll_policy=POLLS,
            clock=lambda: time.monotonic() * FAST_CLOCK_FACTOR,
        )

        events = list(runner.run(run_id, cancel=cancel))

        assert isinstance(events[-1], RunFinished)  # the run ended
        assert journal.run(run_id).status is not RunStatus.RUNNING
        assert len(vendor.posts) <= 2 * planned  # each order, and at most one re-plan of it
        assert vendor.posts.total() <= bound, vendor.posts
        assert [key for key, n in vendor.paid.items() if n > 1] == []  # no row paid twice
        _rows_say_where_they_stand(journal, run_id)
        journal.close()
        http.close()


def _rows_say_where_they_stand(journal: SubmissionJournal, run_id: str) -> None:
    orders = {o.po_number: o.state for o in journal.orders(run_id)}
    for row in journal.rows(run_id):
        state = orders[row.po_number or ""]
        if row.status is RowStatus.REJECTED:
            assert any(said in (row.detail or "") for said in VENDOR_SAID), f"{row.key}: {row.detail!r}"
        elif state.is_final:
            assert row.status in (RowStatus.COMPLETED, RowStatus.FAILED), (row.key, state, row.status)
        else:
            assert row.status is ROW_STATUS_OF_ORDER[state], (row.key, state, row.status)


def _no_wait(_seconds: float, cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()
