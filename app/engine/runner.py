"""Sends a planned run's orders, several at a time, and follows them until the vendor has finished them.

Why every row is ordered exactly once — never twice, never silently skipped
=========================================================================

The invariants:

1. **A row belongs to exactly one order body, fixed before anything is sent.** Planning puts each row in one
   line item (`ExternalId` = the row's key) of one order, with a PONumber. `SubmissionJournal.create_run`
   stores the run, every row and every order's exact request body in ONE transaction; the runner sends
   only bodies read back from the journal. A crash before that commit leaves nothing stored and nothing
   sent (the user submits again and gets a new run). A row moves to another order only after a 400 has
   shown that its order does not exist at the vendor. Rows left out (errors, `--skip-invalid`) are stored
   as `skipped` with the reason, so every row of the workbook is accounted for.
2. **The PONumber is the vendor's idempotency key, and an order's PONumber never changes.** Whatever is
   sent for an order is the same body (only the webhook URL may differ) under the same PONumber, so the
   vendor holds at most one order for it: a second arrival is answered 409 and the client returns the
   original (`was_duplicate`).
3. **The journal says `sending` (committed, `synchronous=FULL`) before a request leaves**, and records the
   vendor's answer after it. Orders still unsent in the journal (`planned` or `sending`) are sent again
   with their own PONumber; nothing else is ever sent. So even an order the journal holds back as
   `planned` while the vendor has it (a 422 for a resend, from a vendor that checks funds before
   duplicates) is settled by a 409, never paid twice.
4. **Only the vendor's answer ends an order**: accepted/pending/completed/partially completed/failed come
   from its answer or a poll; `rejected` only from a 400 (the order does not exist). A run is `completed`
   only when every order is final, so nothing is dropped quietly.

A crash (or SIGKILL, sleep, network loss) at each point, and what resume does:

- *before `create_run` commits*: no run, no request. Nothing to resume; nothing was paid.
- *order `planned`, never marked sending*: it never left this machine; resume sends it — once.
- *after `sending` was committed — before the request left, while in flight, after the vendor committed
  but before its answer arrived, or after the answer arrived but before it was recorded*: resume sends the
  SAME body with the SAME PONumber. If the vendor never got it, it is created now (once); if it did, the
  vendor answers 409 and the original is adopted. Either way exactly one order, paying those rows once.
- *after the answer is recorded* (accepted, pending, final): resume never sends it again; it only polls.
  Answers are committed without waiting for the disk (`synchronous=NORMAL`; see `journal.py`): a crash of
  the process keeps them, a power cut may lose the last few, and then the order reads as `sending` again:
  the case above, settled by a 409. Every commit this argument needs before a request leaves is durable.
- *422 (no funds)*: the order goes back to `planned` with its PONumber; sending it later is the same case.
  The client also looks the PONumber up when a refusal follows an attempt whose answer was lost.
- *cancel, 5xx/timeouts beyond the client's retries, 401/403*: the order stays `sending`; the next pass
  resends it under its PONumber, as after a crash.
- *400 (malformed)*: the order does not exist. The rows the vendor named are rejected; the others move to a
  NEW order (new PONumber) in the same transaction that marks the refused one rejected, before it is sent
  (`SubmissionJournal.reject_order`). A crash before that transaction resends the refused body under its
  old PONumber and gets the same 400; after it, the new order is an ordinary planned order. A 400 that
  names no row (no field, a path we cannot map, the whole order) rejects every row with the vendor's
  message, and a re-planned order is never re-planned again, so a run sends at most two orders for a row
  and can never loop on refusals (`tests/engine/test_any_vendor_answers.py`).
- *a 409 whose original differs from our body*: the PONumber was used before for someone else's order.
  It is never adopted as ours (it pays none of our rows): its rows are marked failed with the reason.

Two processes cannot send the same run at once (`RunLock`, an OS lock the OS drops when its owner dies),
and within one pass an order is in at most one request at a time, so no two bodies for one PONumber race.
`tests/engine/` proves this against the sandbox's ledger: faults on, SIGKILL at seeded points, resume.
"""

from __future__ import annotations

import gc
import logging
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from app.api import wire
from app.api.client import CreatedOrder
from app.api.errors import (
    ApiError,
    AuthenticationError,
    CertificateError,
    ForbiddenError,
    InsufficientFundsError,
    RateLimitedError,
    RequestCancelled,
    ValidationError,
)
from app.domain.redaction import redact
from app.engine.events import (
    BalanceShort,
    EngineEvent,
    OrderAccepted,
    OrderFinished,
    OrderProblem,
    OrderRejected,
    OrderSent,
    Progress,
    RowStatusChanged,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from app.engine.field_errors import map_field_errors
from app.engine.journal import Attempt, OrderRecord, RowChange, SubmissionJournal
from app.engine.journal_guard import JournalGone
from app.engine.ownership import RunLock, is_owned, lock_dir_beside
from app.engine.plan import BalanceCheck, add_costs, check_balance
from app.engine.states import OrderState, RowStatus, RunStatus
from app.engine.tracking import PollPolicy, Tracker
from app.engine.webhook_listener import WebhookListener

log = logging.getLogger(__name__)

# How often the loop looks at cancel and pause while it waits on the network.
_TICK_S = 0.1
# After a cancel, how long answers already on their way may take before their requests are cut short.
CANCEL_GRACE_S = 10.0
# A 429 that outlasts the client's own retries puts the order back; after this many, the run stops.
_MAX_RATE_LIMITED_SENDS = 8
_DEFAULT_RETRY_AFTER_S = 1.0


class OrderClient(Protocol):
    """What the runner needs from the vendor client (`app.api.client.VendorClient` is one)."""

    def create_order(
        self, request: wire.OrderRequest, *, cancel: threading.Event | None = None
    ) -> CreatedOrder: ...

    def get_order(self, order_id: str, *, cancel: threading.Event | None = None) -> wire.Order: ...

    def get_balance(self, *, cancel: threading.Event | None = None) -> wire.Balance | None: ...

    def abort_requests(self) -> None:
        """Cut the requests on the wire short (each then ends in `RequestCancelled`)."""


@dataclass(frozen=True)
class _Task:
    action: Literal["create", "poll"]
    po_number: str


@dataclass(frozen=True)
class _Outcome:
    """What a worker thread brings back: the answer or the error, and how long the call took."""

    value: CreatedOrder | wire.Order | None
    error: BaseException | None
    latency_s: float


@dataclass(frozen=True)
class _Stop:
    status: RunStatus
    message: str
    balance_short: bool = False


class SubmissionRunner:
    """Runs one run at a time: `run()` is a generator of events; iterate it to do the work.

    Several orders are in flight at once (`concurrency`, lowered while the vendor answers 429 and raised
    again as calls succeed), over one shared client. Waits never block for more than a tick, so `cancel`,
    `stop_now` and `pause` are noticed at once.

    `cancel` stops sending: nothing new goes out, and the answers to requests already sent get up to
    `grace_s` to arrive and be recorded; requests still unanswered then are cut short. `stop_now` cuts them
    short at once. Either way an order whose answer did not come stays `sending` in the journal and is
    settled on resume by resending its PONumber (never paid twice), and the run reads `interrupted`.
    """

    def __init__(
        self,
        journal: SubmissionJournal,
        client: OrderClient,
        *,
        concurrency: int = 4,
        poll_policy: PollPolicy | None = None,
        webhook: WebhookListener | None = None,
        clock: Callable[[], float] = time.monotonic,
        lock_dir: Path | None = None,
        grace_s: float = CANCEL_GRACE_S,
    ) -> None:
        self.journal = journal
        self.client = client
        self.grace_s = grace_s
        self.concurrency = max(1, concurrency)
        self.poll_policy = poll_policy or PollPolicy()
        self.webhook = webhook
        self.clock = clock
        self.lock_dir = lock_dir or default_lock_dir(journal)

    def status_of(self, run_id: str) -> RunStatus:
        return live_status(self.journal, run_id, self.lock_dir)

    def run(
        self,
        run_id: str,
        *,
        cancel: threading.Event,
        pause: threading.Event | None = None,
        send: bool = True,
        stop_now: threading.Event | None = None,
    ) -> Iterator[EngineEvent]:
        """Send what is unsent (unless `send` is False: then only follow orders already accepted) and follow
        accepted orders until they are final, their deadline passes, or the run stops; yields as it goes."""
        self.journal.run(run_id)  # an unknown run is the user's mistake: say so before taking any lock
        controls = _Controls(cancel, pause or threading.Event(), stop_now or threading.Event())
        with RunLock(self.lock_dir, run_id), _older_objects_frozen():
            yield from _Pass(self, run_id, controls, send).events()


@dataclass(frozen=True)
class _Controls:
    """What the user can do to a pass while it runs: cancel it, stop it now, pause it."""

    cancel: threading.Event
    pause: threading.Event
    stop_now: threading.Event


class _FrozenObjects:
    """How many runs of this process hold the garbage collector's older objects frozen."""

    lock = threading.Lock()
    runs = 0


@contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """Keep the objects that exist when a run starts out of the garbage collector's full passes until it ends.

    They outlive the run (the workbook, the plan, a window). A full pass walks every one of them — 150 ms for
    a 10,000-row plan, usually due during the run from the allocations that made the plan — and on the loop
    thread that holds up every order in flight. Objects made during the run are collected as always; cycles
    among the frozen ones that die meanwhile are collected once the last run of the process ends.
    """
    with _FrozenObjects.lock:
        if _FrozenObjects.runs == 0:
            gc.freeze()
        _FrozenObjects.runs += 1
    try:
        yield
    finally:
        with _FrozenObjects.lock:
            _FrozenObjects.runs -= 1
            if _FrozenObjects.runs == 0:
                gc.unfreeze()


def live_status(journal: SubmissionJournal, run_id: str, lock_dir: Path | None = None) -> RunStatus:
    """The run's status now: one stored as `running` whose process is gone is `interrupted`."""
    stored = journal.run(run_id).status
    if stored is RunStatus.RUNNING and not is_owned(lock_dir or default_lock_dir(journal), run_id):
        return RunStatus.INTERRUPTED
    return stored


def default_lock_dir(journal: SubmissionJournal) -> Path:
    """Run locks live next to the journal, so every process using that journal sees them."""
    return lock_dir_beside(journal.path)


class _Pass:
    """One pass over a run by `SubmissionRunner.run`; lives in the thread that iterates the generator."""

    def __init__(
        self,
        runner: SubmissionRunner,
        run_id: str,
        controls: _Controls,
        send: bool,
    ) -> None:
        self.r = runner
        self.journal = runner.journal
        self.run_id = run_id
        self.cancel = controls.cancel
        self.pause = controls.pause
        self.stop_now = controls.stop_now
        self.send = send
        self.cancelled_at: float | None = None
        self.aborted = False
        self.queue: deque[str] = deque()
        self.in_flight: dict[Future[_Outcome], _Task] = {}
        self.tracker = Tracker(runner.poll_policy, runner.clock)
        self.limit = runner.concurrency
        self.successes_since_429 = 0
        self.not_before = 0.0
        self.rate_limited: dict[str, int] = {}
        self.stop: _Stop | None = None
        self.paused_by_user = False
        self.out: list[EngineEvent] = []
        # Kept here rather than asked of the journal on every event: at 8 orders in flight the loop thread's
        # time per order is what limits throughput (bench/submit_throughput.py).
        self.order_states: dict[str, OrderState] = {}
        self.cards: dict[str, int] = {}
        self.row_status: dict[str, RowStatus] = {}
        self.row_counts: Counter[RowStatus] = Counter()
        # Events and attempts are history, not state: written in one transaction per loop turn.
        self.unsaved_events: list[tuple[str, dict[str, Any]]] = []
        self.unsaved_attempts: list[Attempt] = []
        self.executor = ThreadPoolExecutor(max_workers=runner.concurrency, thread_name_prefix=f"run-{run_id}")

    # --- The loop ----------------------------------------------------------------------------------------

    def events(self) -> Iterator[EngineEvent]:
        finished = gone = False
        try:
            self._prepare()
            # The plan as it stands, kept aside: should the journal be lost during the pass, restoring this and
            # resuming settles every order by its PONumber (an order sent meanwhile is answered 409).
            self.journal.backup()
            while True:
                yield from self._flush()
                self._check_controls()
                self._take_webhooks()
                if not self._holding():
                    self._dispatch()
                if not self.in_flight and (self.stop is not None or self._nothing_left()):
                    break
                self._wait()
            end = self._finish()
            yield from self._flush()
            finished = True
            yield end
        except JournalGone:
            gone = True
            raise
        finally:
            # Also on an exception or a consumer that stopped iterating: requests already sent are cut short
            # (nothing is waiting for them any more) and what did come back is recorded, so the journal ends
            # as close to the vendor's view as it can be; the rest stays `sending`, for resume to settle.
            if not finished:
                self._abort_in_flight()
            if gone:
                self._abandon_in_flight()  # nothing can be recorded any more; these stay `sending`
            else:
                self._drain_quietly()
                self.executor.shutdown(wait=True)
                self._save_history()
                if not finished:
                    self.journal.set_run_status(self.run_id, RunStatus.INTERRUPTED, "Stopped before the end.")
            # After every pass; when the file was deleted under us, this saves its last state from the open
            # connection, where `giftbatch journal restore` finds it.
            self.journal.backup()

    def _prepare(self) -> None:
        self.journal.set_run_status(self.run_id, RunStatus.RUNNING)
        orders = self.journal.orders(self.run_id)
        self.order_states = {o.po_number: o.state for o in orders}
        self.cards = {o.po_number: o.cards for o in orders}
        self.row_status = self.journal.row_statuses(self.run_id)
        self.row_counts = Counter(self.row_status.values())
        if self.send:
            # Orders left `sending` go first: they may exist at the vendor, and resending settles them.
            unsent = [o for o in orders if o.state is OrderState.SENDING]
            unsent += [o for o in orders if o.state is OrderState.PLANNED]
            self.queue.extend(o.po_number for o in unsent)
        for order in orders:
            if order.state.is_tracked and order.vendor_order_id:
                self.tracker.watch(order.po_number, order.vendor_order_id, order.cards)
        self._emit(RunStarted(self.run_id, orders_to_send=len(self.queue), orders_to_track=len(self.tracker)))

    def _flush(self) -> Iterator[EngineEvent]:
        self._save_history()
        while self.out:
            yield self.out.pop(0)

    def _save_history(self) -> None:
        self.journal.add_history(self.run_id, self.unsaved_events, self.unsaved_attempts)
        self.unsaved_events.clear()
        self.unsaved_attempts.clear()

    def _emit(self, *events: EngineEvent) -> None:
        for event in events:
            if isinstance(event, RowStatusChanged):
                self._count_rows(event.rows)
            elif not isinstance(event, Progress):
                self.unsaved_events.append((event.kind, event.as_dict()))
            self.out.append(event)

    def _count_rows(self, changes: Iterable[RowChange]) -> None:
        for change in changes:
            old = self.row_status.get(change.key)
            if old is not None:
                self.row_counts[old] -= 1
            self.row_status[change.key] = change.status
            self.row_counts[change.status] += 1

    def _check_controls(self) -> None:
        if self.stop_now.is_set():
            self.cancel.set()
        if self.cancel.is_set() and self.cancelled_at is None:
            self.cancelled_at = self.r.clock()
            # Stopped while paused (the app closing: it pauses, asks, then stops): the run is paused, and
            # says so everywhere (status, History, the resume offer), never "cancelled".
            self._stop(
                _Stop(
                    RunStatus.PAUSED, "Paused by the user; nothing is lost. Resume the run to send the rest."
                )
                if self.pause.is_set()
                else _Stop(
                    RunStatus.INTERRUPTED, "Cancelled; nothing is lost. Resume the run to send the rest."
                )
            )
        if (
            self.in_flight
            and self.cancelled_at is not None
            and not self.aborted
            and (self.stop_now.is_set() or self.r.clock() - self.cancelled_at >= self.r.grace_s)
        ):
            log.info("Cutting short %d requests still unanswered after a cancel", len(self.in_flight))
            self._abort_in_flight()
        # A pause held by a live process leaves the run `running` in the journal (with a note), so that if the
        # process dies while paused, the run reads as interrupted, as it then is.
        if self.pause.is_set() and not self.paused_by_user and self.stop is None:
            self.paused_by_user = True
            self.journal.set_run_status(self.run_id, RunStatus.RUNNING, "Paused by the user.")
            self._emit(
                RunPaused(self.run_id, reason="Paused by the user; orders already sent are finishing.")
            )
        elif not self.pause.is_set() and self.paused_by_user:
            self.paused_by_user = False
            self.journal.set_run_status(self.run_id, RunStatus.RUNNING)
            self._emit(RunResumed(self.run_id))

    def _abort_in_flight(self) -> None:
        """Cut the requests on the wire short; their orders stay `sending` and are settled on resume."""
        if self.in_flight and not self.aborted:
            self.aborted = True
            self.r.client.abort_requests()

    def _holding(self) -> bool:
        # The events themselves, not only what the last turn saw: a pause asked between two turns holds
        # the very next order (a window asking "close?" must not see another one leave meanwhile).
        return self.stop is not None or self.paused_by_user or self.pause.is_set() or self.cancel.is_set()

    def _nothing_left(self) -> bool:
        return not self.queue and (len(self.tracker) == 0 or self.tracker.all_expired())

    def _dispatch(self) -> None:
        while len(self.in_flight) < self.limit and self.r.clock() >= self.not_before and not self._holding():
            po_number = self.tracker.take_due()
            if po_number is not None:
                self._submit(_Task("poll", po_number), self._poll_call(self.tracker.order_id(po_number)))
            elif self.queue:
                self._send(self.queue.popleft())
            else:
                return

    def _wait(self) -> None:
        timeout = _TICK_S
        next_poll = self.tracker.seconds_to_next()
        if next_poll is not None and not self._holding():
            timeout = min(timeout, next_poll)
        if self.r.clock() < self.not_before:
            timeout = min(timeout, self.not_before - self.r.clock())
        if not self.in_flight:
            self.cancel.wait(timeout)
            return
        done, _ = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            self._handle(self.in_flight.pop(future), future.result())

    def _abandon_in_flight(self) -> None:
        for future in list(self.in_flight):
            future.result()  # `_timed` returns every error as a value
        self.in_flight.clear()
        self.out.clear()
        self.executor.shutdown(wait=True)

    def _drain_quietly(self) -> None:
        for future in list(self.in_flight):
            task = self.in_flight.pop(future)
            try:
                self._handle(task, future.result())
            except Exception:
                log.exception("Could not record the answer for order %s", task.po_number)
        self.out.clear()

    # --- Sending -----------------------------------------------------------------------------------------

    def _send(self, po_number: str) -> None:
        order = self.journal.order(po_number)
        if not order.state.is_unsent:
            return  # settled meanwhile (a duplicate queue entry); never send an order twice
        resend = order.state is OrderState.SENDING
        changes = self.journal.mark_sending(po_number)  # committed before the request exists
        self.order_states[po_number] = OrderState.SENDING
        self._emit(
            OrderSent(self.run_id, po_number=po_number, rows=len(changes), cards=order.cards, resend=resend),
            RowStatusChanged(self.run_id, tuple(changes)),
        )
        request = order.request
        if self.r.webhook is not None:
            # Added at send time, not stored in the plan: the listener's port and secret are this process's.
            # The vendor keys idempotency on the PONumber alone: a resend with another URL is still one order.
            request = request.model_copy(
                update={"webhook_settings": wire.WebhookSettings(fulfillment_complete=self.r.webhook.url)}
            )
        self._submit(_Task("create", po_number), self._create_call(request))

    def _create_call(self, request: wire.OrderRequest) -> Callable[[], CreatedOrder | wire.Order | None]:
        return lambda: self.r.client.create_order(request, cancel=self.cancel)

    def _poll_call(self, order_id: str) -> Callable[[], CreatedOrder | wire.Order | None]:
        return lambda: self.r.client.get_order(order_id, cancel=self.cancel)

    def _submit(self, task: _Task, call: Callable[[], CreatedOrder | wire.Order | None]) -> None:
        self.in_flight[self.executor.submit(_timed, call)] = task

    def _handle(self, task: _Task, outcome: _Outcome) -> None:
        error = outcome.error
        status_code = getattr(error, "status", None) if error else 200
        kind = type(error).__name__ if error else None
        self.unsaved_attempts.append(
            Attempt(task.po_number, task.action, status_code, kind, outcome.latency_s)
        )
        if task.action == "create":
            self._handle_create(task.po_number, outcome)
        else:
            self._handle_poll(task.po_number, outcome)
        self._emit(self._progress())

    def _handle_create(self, po_number: str, outcome: _Outcome) -> None:
        if isinstance(outcome.value, CreatedOrder):
            self._accepted(po_number, outcome.value)
            return
        error = outcome.error
        if isinstance(error, ValidationError):
            self._rejected(po_number, error)
        elif isinstance(error, InsufficientFundsError):
            self._row_changes(self.journal.mark_planned(po_number, error.message))
            self.order_states[po_number] = OrderState.PLANNED
            self.queue.appendleft(po_number)
            self._stop(_Stop(RunStatus.PAUSED, "The balance ran short.", balance_short=True))
        elif isinstance(error, RateLimitedError):
            self._rate_limited(po_number, error)
        else:
            self._send_failed(po_number, error)

    def _accepted(self, po_number: str, created: CreatedOrder) -> None:
        self.successes_since_429 += 1
        if self.successes_since_429 >= self.limit and self.limit < self.r.concurrency:
            self.limit += 1
            self.successes_since_429 = 0
        if created.differences:
            message = (
                f"The vendor already holds another order ({created.order.id}) under PONumber {po_number}: "
                f"{'; '.join(created.differences)}. These rows were not sent; submit them again."
            )
            self._row_changes(self.journal.mark_foreign(po_number, message))
            self.order_states[po_number] = OrderState.FAILED
            self._emit(OrderProblem(self.run_id, po_number=po_number, message=message))
            return
        state, changes = self.journal.record_order(po_number, created.order)
        self.order_states[po_number] = state
        self._emit(
            OrderAccepted(
                self.run_id,
                po_number=po_number,
                order_id=created.order.id,
                state=state.value,
                was_duplicate=created.was_duplicate,
            )
        )
        self._row_changes(changes)
        self._follow(po_number, created.order.id, state)

    def _follow(self, po_number: str, order_id: str, state: OrderState) -> None:
        if state.is_final:
            self.tracker.forget(po_number)
            self._emit(OrderFinished(self.run_id, po_number=po_number, state=state.value))
        elif po_number in self.tracker:
            self.tracker.polled(po_number)
        else:
            self.tracker.watch(po_number, order_id, self.cards[po_number])

    def _rejected(self, po_number: str, error: ValidationError) -> None:
        order = self.journal.order(po_number)
        cells = {row.key: dict(row.cells) for row in self.journal.rows_of_order(po_number)}
        mapped = map_field_errors(error.field_errors, order.row_keys, cells)
        rejection = self.journal.reject_order(po_number, error.message, mapped)
        self.order_states[po_number] = OrderState.REJECTED
        errors = tuple(e for found in mapped.by_row.values() for e in found) + tuple(mapped.order_level)
        self._emit(
            OrderRejected(
                self.run_id,
                po_number=po_number,
                message=redact(error.message),
                errors=errors,
                retry_po_number=rejection.retry_po_number,
            )
        )
        self._row_changes(rejection.rejected)
        if rejection.retry_po_number is not None:
            retry = self.journal.order(rejection.retry_po_number)
            self.order_states[retry.po_number] = retry.state
            self.cards[retry.po_number] = retry.cards
            self._row_changes(self.journal.changes_of_order(retry.po_number))
            self.queue.append(retry.po_number)

    def _rate_limited(self, po_number: str, error: RateLimitedError) -> None:
        """The vendor still says 429 after the client's own waits: slow every worker down, then send again."""
        self.journal.note_error(po_number, error.message)
        self.limit = max(1, self.limit // 2)
        self.successes_since_429 = 0
        wait_s = error.retry_after or _DEFAULT_RETRY_AFTER_S
        self.not_before = max(self.not_before, self.r.clock() + wait_s)
        self.rate_limited[po_number] = self.rate_limited.get(po_number, 0) + 1
        self._emit(  # said to the user (the GUI's log, the CLI): the run is slowing down, not stuck
            OrderProblem(
                self.run_id,
                po_number=po_number,
                message="The vendor is limiting our requests; slowing down and sending it again in "
                f"{max(1, math.ceil(wait_s))} s.",
            )
        )
        if self.rate_limited[po_number] > _MAX_RATE_LIMITED_SENDS:
            self._stop(
                _Stop(RunStatus.INTERRUPTED, f"The vendor keeps limiting our requests: {error.message}")
            )
        self.queue.appendleft(po_number)  # still `sending`: resending the same PONumber is always safe

    def _send_failed(self, po_number: str, error: BaseException | None) -> None:
        """No answer that settles the order: it stays `sending` (the vendor may have it) for the next pass."""
        message = error.message if isinstance(error, ApiError) else "an unexpected error (details in the log)"
        if error is not None and not isinstance(error, ApiError):
            log.error("Sending order %s failed unexpectedly", po_number, exc_info=error)
        self.journal.note_error(po_number, message)
        self._emit(OrderProblem(self.run_id, po_number=po_number, message=redact(message)))
        if isinstance(error, RequestCancelled):
            # Left `sending` even when this request never left: the cancel may have cut a retry, or the
            # look-up after a 409, short, so the vendor may hold the order. Resending settles it either way.
            return
        if isinstance(error, AuthenticationError | ForbiddenError | CertificateError) or (
            isinstance(error, ApiError) and not error.retryable and error.status is not None
        ):
            self._stop(_Stop(RunStatus.FAILED, message))
        else:
            self._stop(
                _Stop(RunStatus.INTERRUPTED, f"{message} Nothing is lost: resume the run to carry on.")
            )

    # --- Following ---------------------------------------------------------------------------------------

    def _handle_poll(self, po_number: str, outcome: _Outcome) -> None:
        if isinstance(outcome.value, wire.Order):
            current = self.order_states[po_number]
            if current.is_final:
                self.tracker.forget(po_number)
                return
            state, changes = self.journal.record_order(po_number, outcome.value)
            self.order_states[po_number] = state
            if state is not current:
                self._row_changes(changes)
            self._follow(po_number, outcome.value.id, state)
            return
        error = outcome.error
        if isinstance(error, AuthenticationError | ForbiddenError):
            self._stop(_Stop(RunStatus.FAILED, error.message))
        elif isinstance(error, RateLimitedError):
            self.not_before = max(
                self.not_before, self.r.clock() + (error.retry_after or _DEFAULT_RETRY_AFTER_S)
            )
        elif error is not None and not isinstance(error, RequestCancelled):
            log.info("Polling order %s failed; trying later: %s", po_number, redact(str(error)))
        self.tracker.polled(po_number)

    def _take_webhooks(self) -> None:
        if self.r.webhook is None:
            return
        for signal in self.r.webhook.drain():
            if self.tracker.nudge(signal.order_id, signal.po_number):
                log.info("Webhook: order %s finished; reading it now", signal.po_number or signal.order_id)

    # --- The end -----------------------------------------------------------------------------------------

    def _stop(self, stop: _Stop) -> None:
        # The first reason wins, except that a failure outranks a pause or an interruption.
        if self.stop is None or (
            stop.status is RunStatus.FAILED and self.stop.status is not RunStatus.FAILED
        ):
            self.stop = stop

    def _finish(self) -> RunFinished:
        orders = self.journal.orders(self.run_id)
        unsent = [o for o in orders if o.state.is_unsent]
        unfinished = [o for o in orders if o.state.is_tracked]
        if self.stop is not None and self.stop.status is not RunStatus.FAILED and not (unsent or unfinished):
            self.stop = None  # stopped once there was nothing left to do: the run is complete, not paused
        if self.stop is not None and self.stop.balance_short:
            status, message = RunStatus.PAUSED, self._balance_message(unsent)
        elif self.stop is not None:
            status, message = self.stop.status, self.stop.message
        elif unsent:
            status, message = (
                RunStatus.INTERRUPTED,
                f"{_orders_are(len(unsent))} not sent yet; resume the run.",
            )
        elif unfinished:
            status = RunStatus.INTERRUPTED
            message = (
                f"{_orders_are(len(unfinished))} still being processed by the vendor; track the run to follow "
                "them to the end."
            )
        else:
            status, message = RunStatus.COMPLETED, _summary(self.journal.row_counts(self.run_id))
        self.journal.set_run_status(self.run_id, status, message)
        counts = {s.value: n for s, n in self.journal.row_counts(self.run_id).items()}
        finished = RunFinished(self.run_id, status=status, message=message, counts=counts)
        self.unsaved_events.append((finished.kind, finished.as_dict()))
        return finished

    def _balance_message(self, unsent: list[OrderRecord]) -> str:
        """'17.50 USD more needed …': what the orders still to send cost, against the balance now."""
        check: BalanceCheck | None = None
        try:
            balance = self.r.client.get_balance()
        except ApiError as error:
            log.info("Could not read the balance after a 422: %s", redact(error.message))
            balance = None
        if balance is not None:
            check = check_balance(add_costs(o.costs for o in unsent), balance)
        if check is not None and check.shortfall > 0:
            shortfall = f"{check.shortfall:,.2f} {check.currency}"
            message = f"Paused: the balance ran short: {check.describe_shortfall()}. Add funds, then resume."
            self._emit(
                BalanceShort(
                    self.run_id,
                    currency=check.currency,
                    needed=str(check.needed),
                    available=str(check.available),
                    shortfall=str(check.shortfall),
                )
            )
        else:
            shortfall = None
            message = "Paused: the vendor refused an order for lack of funds. Add funds, then resume the run."
        self._emit(RunPaused(self.run_id, reason=message, shortfall=shortfall))
        return message

    def _emit_now(self, event: EngineEvent) -> None:
        self._emit(event)

    def _row_changes(self, changes: list[RowChange]) -> None:
        if changes:
            self._emit(RowStatusChanged(self.run_id, tuple(changes)))

    def _progress(self) -> Progress:
        waiting_rows = (RowStatus.QUEUED, RowStatus.SENDING)
        return Progress(
            self.run_id,
            orders_done=sum(1 for state in self.order_states.values() if not state.is_unsent),
            orders_total=len(self.order_states),
            rows_done=sum(n for status, n in self.row_counts.items() if status not in waiting_rows),
            rows_total=len(self.row_status),
        )


def _timed(call: Callable[[], CreatedOrder | wire.Order | None]) -> _Outcome:
    """Run one vendor call in a worker thread; every exception comes back as a value, none escapes."""
    started = time.perf_counter()
    try:
        value = call()
    except BaseException as error:  # reported to the loop thread, which decides what it means
        return _Outcome(None, error, time.perf_counter() - started)
    return _Outcome(value, None, time.perf_counter() - started)


def _orders_are(count: int) -> str:
    return "1 order is" if count == 1 else f"{count} orders are"


def _summary(counts: dict[RowStatus, int]) -> str:
    shown = ", ".join(f"{n} {s.value}" for s, n in sorted(counts.items()) if n)
    return f"Every order is final: {shown}."
