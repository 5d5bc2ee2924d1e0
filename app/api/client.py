"""The vendor's B2B API for one profile: every endpoint of the contract, retried only where that is safe."""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import TypeVar
from urllib.parse import quote

import httpx

from app.api import transport, wire
from app.api.base_url import check_base_url
from app.api.errors import (
    AnswerTooLargeError,
    ApiError,
    AuthenticationError,
    CertificateError,
    DuplicateOrderError,
    ForbiddenError,
    InsufficientFundsError,
    InvalidAnswerError,
    NotFoundError,
    RateLimitedError,
    RedirectError,
    RequestCancelled,
    TransientError,
    ValidationError,
    error_for_status,
    parse_body,
    parse_retry_after,
    scrub,
    status_text,
)
from app.api.retry import NO_RETRY, RetryPolicy, Sleep, interruptible_sleep
from app.api.tokens import TokenManager
from app.api.transport import Budget
from app.domain.catalog import Catalog
from app.domain.errors import UserInputError
from app.domain.redaction import redact

log = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M", bound=wire.WireModel)

PAGE_SIZE = 500  # the largest page the contract allows
_MAX_PAGES = 10_000  # a server that pages forever must not keep us here forever
_Params = Mapping[str, str | int]


@dataclass(frozen=True)
class CreatedOrder:
    """The answer to `create_order`.

    `was_duplicate` is True when the vendor already had an order with this PONumber (it answered 409, or a
    retry found it): that is the answer to a retry whose first response was lost, and `order` is that
    original order. `differences` lists how the original differs from the request we sent; it is empty when
    they agree, and not empty means the PONumber was used before for another order.
    """

    order: wire.Order
    was_duplicate: bool = False
    differences: tuple[str, ...] = field(default=())


def default_http_client() -> httpx.Client:
    """An HTTP client whose requests honour their deadline, trusting the OS certificate store."""
    return transport.bounded_http_client()


class VendorClient:
    """One profile's connection to the vendor. Thread-safe: many threads may share one client.

    Every call takes an optional `cancel` event; setting it stops waits at once and raises `RequestCancelled`
    (a request already on the wire is allowed to finish, or cut short by `abort_requests`). GETs and order
    creation are retried on transient failures; nothing is retried on 400, 403, 404, 409 or 422, nor on a
    redirect, an untrusted certificate or an answer that is too large or not valid, and a 401 renews the
    token once.

    `timeout` (seconds) bounds each request whole — connecting, sending, and every byte of the answer — and a
    call with its retries never lasts longer than the retry policy's `total_time`. An answer larger than
    `max_answer_bytes` is given up as it streams in. The base URL must be https (http only to this machine).
    The client closes the HTTP client only if it built it; an injected one belongs to whoever passed it in.
    `sleep` and `clock` are the waits between retries and the monotonic clock (tests pass fakes);
    `profile_name` names the profile in messages.
    """

    def __init__(
        self,
        base_url: str,
        email: str,
        access_token: str,
        *,
        http: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        max_answer_bytes: int = transport.MAX_ANSWER_BYTES,
        sleep: Sleep = interruptible_sleep,
        clock: Callable[[], float] = time.monotonic,
        profile_name: str | None = None,
    ) -> None:
        self._base_url, self.host = _checked(base_url)
        self._email = email
        self._access_token = access_token
        self._owns_http = http is None
        self._http = http if http is not None else default_http_client()
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._max_answer_bytes = max_answer_bytes
        # Set by `abort_requests` to cut the requests on the wire short; each is replaced by a fresh one then.
        self._abort = threading.Event()
        self._sleep = sleep
        self._clock = clock
        self._account = f"profile '{profile_name}' ({email})" if profile_name else email
        # A 429's Retry-After asks the whole account to slow down: every thread sharing this client waits it
        # out before its next request, not only the one that was told (the engine sends several at once).
        self._hold_until = 0.0
        self.tokens = TokenManager(self._fetch_token, clock=clock)

    # --- Lifetime -------------------------------------------------------------------------------------

    def abort_requests(self) -> None:
        """Cut every request now on the wire short; each ends with `RequestCancelled` within moments.

        For "stop now" (a second Ctrl-C, or a cancel whose grace for the answers in flight ran out). An order
        whose request is cut short may exist at the vendor: it is settled by resending its PONumber. Requests
        sent after this call are not affected.
        """
        aborted, self._abort = self._abort, threading.Event()
        aborted.set()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> VendorClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # --- Endpoints ------------------------------------------------------------------------------------

    def authenticate(self, *, cancel: threading.Event | None = None) -> None:
        """Check the Email and AccessToken by fetching a new token; AuthenticationError when refused."""
        self._check_cancel(cancel, 0)
        self.tokens.refresh(cancel)

    def list_products(
        self, *, cancel: threading.Event | None = None, unreadable: list[wire.Unreadable] | None = None
    ) -> list[wire.Product]:
        """Every product, across all pages. A product that cannot be read is left out (and added to
        `unreadable` when given, so that it can be named to the user)."""
        left_out = unreadable if unreadable is not None else []
        return self._list("/v1/Products", wire.Product, cancel=cancel, unreadable=left_out)

    def list_shipping_methods(self, *, cancel: threading.Event | None = None) -> list[wire.ShippingMethod]:
        """Shipping methods; none when the vendor refuses (403) or does not have (404) this list."""
        return self._offered("/v1/ShippingMethods", wire.ShippingMethod, cancel)[0]

    def list_brandings(self, *, cancel: threading.Event | None = None) -> list[wire.Branding]:
        """Brandings; none when the vendor refuses (403) or does not have (404) this list."""
        return self._offered("/v1/Brandings", wire.Branding, cancel)[0]

    def fetch_catalog(self, *, cancel: threading.Event | None = None) -> Catalog:
        """Products, shipping methods and brandings, as the domain sees them, stamped with the time now.

        Only the products are required: an account that sends no physical cards may be refused, or not have,
        the shipping methods (and brandings); the catalog then says it is offered none, and why. Products that
        cannot be read are named in the catalog's `left_out`.
        """
        unreadable: list[wire.Unreadable] = []
        products = self.list_products(cancel=cancel, unreadable=unreadable)
        methods, no_methods = self._offered("/v1/ShippingMethods", wire.ShippingMethod, cancel)
        brandings, no_brandings = self._offered("/v1/Brandings", wire.Branding, cancel)
        return wire.to_domain_catalog(
            products,
            methods,
            brandings,
            fetched_at=datetime.now(UTC),
            unreadable=unreadable,
            shipping_unavailable=no_methods,
            brandings_unavailable=no_brandings,
        )

    def get_balance(self, *, cancel: threading.Event | None = None) -> wire.Balance | None:
        """The account's balance, or None when this API does not report it (404): the app then says so."""
        try:
            return self._call("GET", "/v1/Balance", wire.Balance.model_validate, cancel=cancel)
        except NotFoundError:
            log.info("GET /v1/Balance answered 404: balance not available from this API")
            return None

    def create_order(
        self,
        request: wire.OrderRequest,
        *,
        cancel: threading.Event | None = None,
    ) -> CreatedOrder:
        """Place an order, exactly once however many times it is sent.

        The PONumber makes a retry safe: when an earlier attempt did create the order but its answer was lost,
        the vendor answers the retry with 409 and we return the original order with `was_duplicate=True`.
        A TransientError or a RequestCancelled with `attempts > 0` means the order may exist: call again with
        the same request, or look it up with `find_order_by_po_number`.
        """
        body = request.model_dump_json(by_alias=True, exclude_none=True).encode()
        try:
            order = self._call("POST", "/v1/Orders", wire.Order.model_validate, body=body, cancel=cancel)
        except DuplicateOrderError as duplicate:
            return self._original_of(request, duplicate, cancel)
        except (ValidationError, InsufficientFundsError) as refusal:
            # An earlier attempt whose answer was lost may have created the order; then this refusal is about
            # the retry (say, the balance now that the order is paid) and the order itself stands.
            if refusal.attempts > 1:
                try:
                    found = self.find_order_by_po_number(request.po_number, cancel=cancel)
                except ValidationError as failed:  # the look-up was refused, not the order: it may exist
                    raise TransientError(
                        f"{refusal.message} An earlier attempt's answer was lost, and looking the order up "
                        f"failed too ({failed.message}), so it may exist; send it again under the same PONumber.",
                        status=refusal.status,
                    ) from None
                if found is not None:
                    return _as_duplicate(request, found)
            raise
        log.info("Order %s created as %s (%s)", request.po_number, order.id, order.status.value)
        return CreatedOrder(order)

    def get_order(self, order_id: str, *, cancel: threading.Event | None = None) -> wire.Order:
        path = f"/v1/Orders/{quote(order_id, safe='')}"
        return self._call("GET", path, wire.Order.model_validate, cancel=cancel)

    def list_orders(
        self,
        po_number: str | None = None,
        *,
        cancel: threading.Event | None = None,
    ) -> list[wire.Order]:
        """Every order (all pages), or those the vendor files under `po_number`."""
        params = {"poNumber": po_number} if po_number is not None else {}
        return self._list("/v1/Orders", wire.Order, params=params, cancel=cancel)

    def find_order_by_po_number(
        self,
        po_number: str,
        *,
        cancel: threading.Event | None = None,
    ) -> wire.Order | None:
        """The order with exactly this PONumber, or None. Filters again here in case the vendor ignores it."""
        return next((o for o in self.list_orders(po_number, cancel=cancel) if o.po_number == po_number), None)

    # --- Orders: the duplicate case -------------------------------------------------------------------

    def _original_of(
        self,
        request: wire.OrderRequest,
        duplicate: DuplicateOrderError,
        cancel: threading.Event | None,
    ) -> CreatedOrder:
        original: wire.Order | None = None
        # A look-up the vendor refuses (400) is no refusal of the order, which exists: it must never be taken
        # for one, or the order's rows would be called rejected (and sent again) while the vendor has them.
        if duplicate.original_order_id:
            try:
                original = self.get_order(duplicate.original_order_id, cancel=cancel)
            except (NotFoundError, ValidationError):
                log.warning("The order id named by a 409 could not be read; looking it up by PONumber")
        if original is None:
            try:
                original = self.find_order_by_po_number(request.po_number, cancel=cancel)
            except (NotFoundError, ValidationError):
                raise duplicate from None  # this API cannot list orders: the 409 is all we know
        if original is None:
            raise duplicate
        return _as_duplicate(request, original)

    # --- Plumbing -------------------------------------------------------------------------------------

    def _offered(
        self, path: str, model: type[M], cancel: threading.Event | None
    ) -> tuple[list[M], str | None]:
        """An optional list, and why the account is offered none when the vendor refused it or lacks it."""
        try:
            return self._list(path, model, cancel=cancel, unreadable=[]), None
        except (ForbiddenError, NotFoundError) as refused:
            why = f"the vendor answered GET {path} with {status_text(refused.status)}"
            log.info("%s: taken as none offered", why)
            return [], why

    def _fetch_token(self, cancel: threading.Event | None) -> wire.TokenResponse:
        headers = {"Email": self._email, "AccessToken": self._access_token}
        parse = wire.TokenResponse.model_validate
        return self._call("POST", "/v1/Tokens", parse, headers=headers, cancel=cancel, auth=False)

    def _list(
        self,
        path: str,
        model: type[M],
        *,
        params: _Params | None = None,
        cancel: threading.Event | None = None,
        unreadable: list[wire.Unreadable] | None = None,
    ) -> list[M]:
        """Every item across all pages. With `unreadable` given, an item that cannot be read is left out and
        listed there (its position across pages); without it, such an item fails the call."""
        skip_invalid = unreadable is not None
        items: list[M] = []
        previous: list[M] | None = None
        seen = 0
        for index in range(1, _MAX_PAGES + 1):
            query = {**(params or {}), "pageIndex": index, "pageSize": PAGE_SIZE}
            page = self._call(
                "GET",
                path,
                lambda payload: wire.read_list(payload, model, skip_invalid=skip_invalid),
                params=query,
                cancel=cancel,
            )
            if page.raw_count and page.items == previous:
                log.info("GET %s returned the same page twice: it does not page; stopping", path)
                break
            items.extend(page.items)
            if unreadable is not None:
                unreadable.extend(replace(u, position=seen + u.position) for u in page.unreadable)
            seen += page.raw_count
            if not _has_more(page, seen):
                break
            previous = page.items
        return items

    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[object], T],
        *,
        params: _Params | None = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        cancel: threading.Event | None = None,
        auth: bool = True,
    ) -> T:
        """Send a request until it succeeds or must not be tried again, and parse its answer.

        Only idempotent calls are retried: GETs change nothing, `POST /v1/Tokens` only issues a token, and
        `POST /v1/Orders` carries its PONumber. Any other call is sent once.
        """
        request = _Request(method, path, params, body, headers or {})
        policy = self._retry if method == "GET" or path in _IDEMPOTENT_POSTS else NO_RETRY
        started = self._clock()
        # Sockets keep real time whatever clock the retries use: the whole call ends by this instant.
        call_deadline = time.monotonic() + max(policy.total_time, self._timeout)
        sent = failures = 0
        renewed = False
        while True:
            self._check_cancel(cancel, sent)
            self._wait_for_hold(cancel, sent)
            token = self.tokens.token(cancel) if auth else None
            sent += 1
            spent = Budget(min(time.monotonic() + self._timeout, call_deadline), self._abort)
            outcome = self._attempt(request, parse, token, spent)
            if isinstance(outcome, RequestCancelled):
                raise outcome.gave_up_after(sent)
            if not isinstance(outcome, ApiError):
                return outcome
            if isinstance(outcome, AuthenticationError) and token is not None and not renewed:
                # A token can expire between our check and the vendor's: renew it once and try again.
                renewed = True
                self.tokens.invalidate(token)
                log.info("%s %s answered 401; renewing the token and trying once more", method, path)
                continue
            failures += 1
            delay = self._delay_before_retry(outcome, policy, failures, started)
            if delay is None:
                outcome.endpoint = f"{method} {path}"
                raise outcome.gave_up_after(sent)
            log.info("Trying again in %.2f s after: %s", delay, redact(outcome.message))
            if isinstance(outcome, RateLimitedError):
                self._hold_until = max(self._hold_until, self._clock() + delay)
            if self._sleep(delay, cancel):
                raise self._cancelled(sent)

    def _wait_for_hold(self, cancel: threading.Event | None, sent: int) -> None:
        """Wait until a Retry-After another thread was given has passed."""
        wait = self._hold_until - self._clock()
        if wait > 0 and self._sleep(wait, cancel):
            raise self._cancelled(sent)

    def _delay_before_retry(
        self,
        error: ApiError,
        policy: RetryPolicy,
        failures: int,
        started: float,
    ) -> float | None:
        """How long to wait before trying again, or None when we must not try again."""
        if not error.retryable:
            return None
        retry_after = error.retry_after if isinstance(error, RateLimitedError) else None
        delay = policy.delay_for(failures, retry_after)
        return delay if policy.allows_another(failures, self._clock() - started, delay) else None

    def _attempt(
        self, request: _Request, parse: Callable[[object], T], token: str | None, spent: Budget
    ) -> T | ApiError:
        """One request: the parsed answer, or the error it came to (returned, so the caller decides)."""
        headers = {"Accept": "application/json", **request.headers}
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        try:
            answer = transport.send(
                self._http,
                request.method,
                self._base_url + request.path,
                params=request.params,
                content=request.body,
                headers=headers,
                spent=spent,
                max_bytes=self._max_answer_bytes,
            )
        except transport.AnswerTooLarge as too_large:
            self._log_request(request, "too large", started)
            return AnswerTooLargeError(
                f"The vendor at {self.host} answered {request.method} {request.path} with more data than "
                f"Giftbatch accepts ({too_large}); it stopped reading. This is not an answer the vendor's API "
                "gives: check the profile's base URL, or ask the vendor."
            )
        except (httpx.TransportError, transport.BudgetSpent) as failure:
            self._log_request(request, type(failure).__name__, started)
            return self._failed_attempt(request, failure, spent)
        self._log_request(request, str(answer.status), started)
        if answer.is_success:
            return self._parse_success(request, answer, parse)
        if answer.is_redirect:
            return self._redirect_error(request, answer)
        return self._error_from(request, answer, token)

    def _parse_success(
        self, request: _Request, answer: transport.Answer, parse: Callable[[object], T]
    ) -> T | ApiError:
        what = f"{request.method} {request.path}"
        try:
            return parse(transport.load_json(answer.body))
        except transport.TooDeep as problem:
            return InvalidAnswerError(
                f"The vendor at {self.host} answered {what} with data that is not valid ({problem}); "
                "this is not an answer the vendor's API gives.",
                status=answer.status,
            )
        except ValueError as problem:  # not JSON, or the wrong shape: pydantic's errors are ValueErrors
            reason = wire.describe_problem(problem)
            # Retrying is right: a cut-off answer reads like this, and a retried order gets a 409 with its id.
            return TransientError(
                f"The vendor at {self.host} answered {what} with data we could not read ({reason}).",
                status=answer.status,
            )

    def _redirect_error(self, request: _Request, answer: transport.Answer) -> ApiError:
        target = _shown_location(answer.headers.get("Location"))
        to = f" to {target}" if target else ""
        return RedirectError(
            f"The vendor at {self.host} redirected {request.method} {request.path}{to} (HTTP {answer.status}). "
            "Giftbatch does not follow redirects, so that the AccessToken never goes to an address the "
            "profile does not name: check the profile's base URL (the vendor may have moved its API).",
            status=answer.status,
        )

    def _error_from(self, request: _Request, answer: transport.Answer, token: str | None) -> ApiError:
        secrets = (self._access_token, token or "")
        body = parse_body(scrub(answer.text(), secrets))
        retry_after = parse_retry_after(answer.headers.get("Retry-After"))
        return error_for_status(
            answer.status,
            body,
            host=self.host,
            account=self._account,
            retry_after=retry_after,
            endpoint=f"{request.method} {httpx.URL(self._base_url + request.path).path}",
        )

    def _failed_attempt(
        self, request: _Request, failure: httpx.TransportError | transport.BudgetSpent, spent: Budget
    ) -> ApiError:
        """The error for a request that got no whole answer: cancelled, out of time, or the network's."""
        if spent.aborted:
            return RequestCancelled(f"Stopped talking to the vendor at {self.host}: cancelled.")
        if spent.expired or isinstance(failure, httpx.TimeoutException | transport.BudgetSpent):
            return TransientError(
                f"The vendor at {self.host} did not answer {request.method} {request.path} in time "
                f"(timeout: {self._timeout:g} s for the whole answer); this is usually temporary."
            )
        assert isinstance(failure, httpx.TransportError)
        return self._transport_error(failure)

    def _transport_error(self, failure: httpx.TransportError) -> ApiError:
        if isinstance(failure, httpx.UnsupportedProtocol):
            return ApiError(f"The base URL for {self.host} is not an http:// or https:// address.")
        tls = _tls_problem(failure)
        if isinstance(tls, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(failure):
            why = getattr(tls, "verify_message", None)
            reason = f" ({why})" if why else ""
            return CertificateError(
                f"The vendor at {self.host} presented a certificate this computer does not trust{reason}. "
                "Nothing was sent. If your company uses its own certificate authority, add it to the "
                "system's trust store; otherwise check the profile's base URL."
            )
        if tls is not None:
            return TransientError(
                f"The secure (TLS) connection to the vendor at {self.host} failed ({tls.reason or tls}); "
                "check the profile's base URL and the network."
            )
        if isinstance(failure, httpx.ConnectError):
            return TransientError(
                f"The vendor at {self.host} did not answer (could not connect); check the network and the "
                "profile's base URL."
            )
        return TransientError(
            f"The vendor at {self.host} did not answer (the connection broke off: {type(failure).__name__}); "
            "this is usually temporary."
        )

    def _check_cancel(self, cancel: threading.Event | None, sent: int) -> None:
        if cancel is not None and cancel.is_set():
            raise self._cancelled(sent)

    def _cancelled(self, sent: int) -> RequestCancelled:
        cancelled = RequestCancelled(f"Stopped talking to the vendor at {self.host}: cancelled.")
        return cancelled.gave_up_after(sent)

    def _log_request(self, request: _Request, status: str, started: float) -> None:
        if log.isEnabledFor(logging.DEBUG):
            elapsed_ms = (time.perf_counter() - started) * 1000
            query = "?" + "&".join(f"{k}={v}" for k, v in request.params.items()) if request.params else ""
            line = f"{request.method} {request.path}{query} -> {status} in {elapsed_ms:.0f} ms"
            log.debug("%s", redact(line))


_IDEMPOTENT_POSTS = frozenset({"/v1/Tokens", "/v1/Orders"})


@dataclass(frozen=True)
class _Request:
    """What to send; the same bytes go out on every attempt, so a retried order keeps its PONumber."""

    method: str
    path: str
    params: _Params | None
    body: bytes | None
    headers: Mapping[str, str]


def _checked(base_url: str) -> tuple[str, str]:
    """The base URL as `check_base_url` allows it, and its host[:port] for messages."""
    checked = check_base_url(base_url)
    try:
        url = httpx.URL(checked)
    except httpx.InvalidURL:
        raise UserInputError(
            f"'{checked}' is not a web address such as https://api.vendor.example."
        ) from None
    return str(url).rstrip("/"), url.netloc.decode("ascii")


def _shown_location(location: str | None) -> str:
    """Where a redirect pointed, for a message: scheme, host and path only (a query may hold a secret)."""
    if not location:
        return ""
    try:
        url = httpx.URL(location.strip())
    except httpx.InvalidURL:
        return ""
    if not url.host:
        return redact(url.path)[:200]
    return redact(f"{url.scheme}://{url.netloc.decode('ascii', errors='replace')}{url.path}")[:200]


def _tls_problem(failure: BaseException) -> ssl.SSLError | None:
    """The TLS error behind a connection failure, if one caused it (httpx wraps httpcore wraps ssl)."""
    seen: BaseException | None = failure
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _has_more(page: wire.ListPage[M], seen: int) -> bool:
    """Whether another page may follow, from what this page said about paging."""
    if page.raw_count == 0:
        return False
    if page.total_count is not None:
        return seen < page.total_count
    return page.raw_count >= (page.page_size or PAGE_SIZE)


def _as_duplicate(request: wire.OrderRequest, original: wire.Order) -> CreatedOrder:
    differences = order_differences(request, original)
    if differences:
        log.warning("Order %s already existed with other contents: %s", original.id, "; ".join(differences))
    else:
        log.info("Order %s already existed as %s: returning it", request.po_number, original.id)
    return CreatedOrder(original, was_duplicate=True, differences=differences)


def order_differences(request: wire.OrderRequest, order: wire.Order) -> tuple[str, ...]:
    """How an order the vendor holds differs from a request (PONumber, type, cards per product and value).

    An order reported without line items cannot be compared line by line and is taken as it is.
    """
    found: list[str] = []
    if order.po_number is not None and order.po_number != request.po_number:
        found.append(f"PONumber {order.po_number} instead of {request.po_number}")
    if order.type is not None and order.type.casefold() != request.type.value.casefold():
        found.append(f"type {order.type} instead of {request.type.value}")
    if order.line_items:
        wanted = Counter[tuple[str, object]]()
        for line in request.line_items:
            wanted[(line.product_id.casefold(), line.value)] += line.quantity
        held = Counter[tuple[str, object]]()
        for item in order.line_items:
            held[((item.product_id or "").casefold(), item.value)] += item.quantity or 1
        if wanted != held:
            found.append(f"{held.total()} cards instead of {wanted.total()}, or other products or values")
    return tuple(found)
