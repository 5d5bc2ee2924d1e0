"""The sandbox's HTTP face: the vendor's `/v1/` endpoints (with faults) and its own `/_sandbox/` controls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.sandbox.background import BackgroundWork
from app.sandbox.catalog import BRANDINGS, SHIPPING_METHODS
from app.sandbox.constants import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, OPENING_BALANCE
from app.sandbox.faults import FaultSettingError
from app.sandbox.validation import InvalidOrder, validate_order
from app.sandbox.vendor import Created, Duplicate, SandboxVendor
from app.sandbox.wire import Answer, BadJson, problem, read_json, reply, styled_error

Handler = Callable[[Request], Awaitable[Answer]]


class BadQuery(ValueError):
    """A query parameter is out of range; `name` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def build_app(vendor: SandboxVendor) -> Starlette:
    """The ASGI app serving `vendor`; its lifespan runs the background work (completions, webhooks)."""
    work = BackgroundWork(vendor)
    vendor_api = VendorApi(vendor)
    controls = SandboxControls(vendor, work)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await work.start()
        try:
            yield
        finally:
            await work.stop()

    return Starlette(
        routes=vendor_api.routes() + controls.routes(),
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )


async def _http_error(_: Request, error: Exception) -> Response:
    """Unknown paths and methods answer in the vendor's error shape too."""
    assert isinstance(error, HTTPException)
    return JSONResponse({"Message": error.detail}, status_code=error.status_code, headers=error.headers)


class VendorApi:
    """`/v1/`: the vendor API of docs/api-contract.md, through the fault gate."""

    def __init__(self, vendor: SandboxVendor) -> None:
        self._vendor = vendor

    def routes(self) -> list[Route]:
        return [
            Route("/v1/Tokens", self._gate(self.tokens, auth=False), methods=["POST"]),
            Route("/v1/Products", self._gate(self.products), methods=["GET"]),
            Route("/v1/ShippingMethods", self._gate(self.shipping_methods), methods=["GET"]),
            Route("/v1/Brandings", self._gate(self.brandings), methods=["GET"]),
            Route("/v1/Balance", self._gate(self.balance), methods=["GET"]),
            Route("/v1/Orders", self._gate(self.create_order), methods=["POST"]),
            Route("/v1/Orders", self._gate(self.list_orders), methods=["GET"]),
            Route("/v1/Orders/{order_id}", self._gate(self.get_order), methods=["GET"]),
        ]

    def _gate(self, handler: Handler, auth: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """Wrap a handler: latency, rate limit and server errors first (before any work), then the token."""

        async def endpoint(request: Request) -> Response:
            dice = self._vendor.dice
            if dice.faults.latency_ms:
                await asyncio.sleep(dice.faults.latency_ms / 1000)
            answer = self._fault_answer()
            if answer is None and auth:
                answer = self._auth_answer(request)
            if answer is None:
                answer = await handler(request)
            status, body, headers = answer
            style = dice.faults.error_style
            if status >= 400 and style != "pascal":
                shaped, content_type = styled_error(body, status, style)
                return reply(shaped, status, {**(headers or {}), "Content-Type": content_type})
            return reply(body, status, headers, camel=dice.faults.camel_case)

        return endpoint

    def _fault_answer(self) -> Answer | None:
        dice = self._vendor.dice
        retry_after = dice.retry_after()
        if retry_after is not None:
            message = f"Too many requests; retry after {retry_after} s."
            return problem(message, 429, headers={"Retry-After": str(retry_after)})
        error = dice.server_error()
        if error == 503:
            return problem("The service is temporarily unavailable (sandbox fault).", 503)
        if error is not None:
            return problem("An internal error occurred (sandbox fault).", 500)
        return None

    def _auth_answer(self, request: Request) -> Answer | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            reason = "A bearer token is required: send Authorization: Bearer <token> from POST /v1/Tokens."
        else:
            reason = self._vendor.token_problem(token.strip()) or ""
        if not reason:
            return None
        return problem(reason, 401, headers={"WWW-Authenticate": "Bearer"})

    async def tokens(self, request: Request) -> Answer:
        email = request.headers.get("Email")
        secret = request.headers.get("AccessToken")
        if not email or not secret:
            return problem("Send the Email and AccessToken headers.", 401)
        token = self._vendor.issue_token(email, secret)
        if token is None:
            return problem("The Email or AccessToken is not valid.", 401)
        return 200, token, None

    async def products(self, request: Request) -> Answer:
        try:
            page, size = _paging(request)
        except BadQuery as error:
            return problem(str(error), 400, {error.name: [str(error)]})
        products = _filtered(self._vendor.products(), request)
        data = products[(page - 1) * size : page * size]
        return 200, {"Page": page, "PageSize": size, "TotalCount": len(products), "Data": data}, None

    async def shipping_methods(self, request: Request) -> Answer:
        return _listing(list(SHIPPING_METHODS), self._vendor.dice.faults.shipping_methods_status, request)

    async def brandings(self, request: Request) -> Answer:
        return _listing(list(BRANDINGS), self._vendor.dice.faults.brandings_status, request)

    async def balance(self, request: Request) -> Answer:
        if not self._vendor.dice.faults.balance_endpoint:
            return _no_such_resource(request)
        return 200, self._vendor.balance(), None

    async def create_order(self, request: Request) -> Answer:
        try:
            order_request = validate_order(await read_json(request))
        except BadJson as error:
            return problem(str(error), 400)
        except InvalidOrder as error:
            return problem(error.message, 400, error.errors)
        result = self._vendor.create_order(order_request)
        if isinstance(result, Duplicate):
            message = f"An order with PONumber '{order_request.po_number}' already exists: {result.order_id}."
            return (
                409,
                {"Message": message, "Id": result.order_id, "PreviousOrderIds": [result.order_id]},
                None,
            )
        if not isinstance(result, Created):
            needed, available = result.required_cents / 100, result.available_cents / 100
            message = (
                f"Insufficient funds: the order costs {needed:.2f} USD and {available:.2f} USD is available."
            )
            return 422, {"Message": message, "Required": needed, "Available": available}, None
        if self._vendor.dice.lose_response():
            return problem("The gateway timed out waiting for the order service.", 504)
        return 201, result.order, {"Location": f"/v1/Orders/{result.order['Id']}"}

    async def get_order(self, request: Request) -> Answer:
        order_id = request.path_params["order_id"]
        order = self._vendor.order(order_id)
        if order is None:
            return problem(f"No order with Id '{order_id}'.", 404)
        return 200, order, None

    async def list_orders(self, request: Request) -> Answer:
        try:
            page, size = _paging(request)
        except BadQuery as error:
            return problem(str(error), 400, {error.name: [str(error)]})
        po_number = _query(request, "poNumber") or None
        total, orders = self._vendor.orders_page(po_number, page, size)
        return 200, {"Page": page, "PageSize": size, "TotalCount": total, "Data": orders}, None


def _listing(items: list[dict[str, Any]], status: int, request: Request) -> Answer:
    """A list endpoint as the account sees it: the list, refused (403) or absent (404)."""
    if status == 403:
        return problem("Authorization has been denied for this request.", 403)
    if status == 404:
        return _no_such_resource(request)
    return 200, items, None


def _no_such_resource(request: Request) -> Answer:
    return problem(f"No HTTP resource was found that matches the request URI '{request.url.path}'.", 404)


# Product filters seen in public clients: name and description match a part, in any case; type the whole.
_PRODUCT_FILTERS = (
    ("productName", ("Name",), False),
    ("productDescription", ("ShortDescription", "LongDescription"), False),
    ("productType", ("Type",), True),
)


def _filtered(products: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    for name, fields, whole in _PRODUCT_FILTERS:
        wanted = (_query(request, name) or "").strip().casefold()
        if wanted:
            products = [p for p in products if any(_matches(p.get(f), wanted, whole) for f in fields)]
    return products


def _matches(value: Any, wanted: str, whole: bool) -> bool:
    text = str(value or "").casefold()
    return text == wanted if whole else wanted in text


def _paging(request: Request) -> tuple[int, int]:
    """(pageIndex, pageSize) from the query: pages are 1-based and hold at most MAX_PAGE_SIZE items."""
    page = _int_query(request, "pageIndex", 1)
    size = _int_query(request, "pageSize", DEFAULT_PAGE_SIZE)
    if page < 1:
        raise BadQuery("pageIndex", "pageIndex starts at 1.")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadQuery("pageSize", f"pageSize must be from 1 to {MAX_PAGE_SIZE}.")
    return page, size


def _query(request: Request, name: str) -> str | None:
    """A query parameter, its name matched without regard to case (as the vendor's framework does)."""
    lowered = name.lower()
    return next((v for k, v in request.query_params.items() if k.lower() == lowered), None)


def _int_query(request: Request, name: str, default: int) -> int:
    text = _query(request, name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise BadQuery(name, f"{name} must be a whole number.") from None


class SandboxControls:
    """`/_sandbox/`: reset, balance, ledger and faults. Not the vendor's; faults never apply here."""

    def __init__(self, vendor: SandboxVendor, work: BackgroundWork) -> None:
        self._vendor = vendor
        self._work = work

    def routes(self) -> list[Route]:
        return [
            Route("/_sandbox/reset", self.reset, methods=["POST"]),
            Route("/_sandbox/balance", self.set_balance, methods=["POST"]),
            Route("/_sandbox/ledger", self.ledger, methods=["GET"]),
            Route("/_sandbox/faults", self.faults, methods=["GET"]),
            Route("/_sandbox/faults", self.set_faults, methods=["POST"]),
        ]

    async def reset(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            balance = _cents(body.get("balance", OPENING_BALANCE), "balance")
        except BadJson as error:
            return _bad(str(error))
        await self._work.cancel_all()
        self._vendor.reset(balance)
        return reply({"balance": self._vendor.balance(), "faults": self._vendor.dice.faults.as_dict()})

    async def set_balance(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            if ("available" in body) == ("add" in body):
                raise BadJson('Send either {"available": n} or {"add": n}.')
            if "available" in body:
                balance = self._vendor.set_available(available_cents=_cents(body["available"], "available"))
            else:
                balance = self._vendor.set_available(add_cents=_cents(body["add"], "add", signed=True))
        except ValueError as error:  # BadJson, or a balance that would go negative
            return _bad(str(error))
        return reply(balance)

    async def ledger(self, _: Request) -> Response:
        return reply(self._vendor.ledger())

    async def faults(self, _: Request) -> Response:
        return reply(self._vendor.dice.faults.as_dict())

    async def set_faults(self, request: Request) -> Response:
        try:
            body = await _json_object(request)
            faults = self._vendor.configure_faults({k: _plain(v) for k, v in body.items()})
        except FaultSettingError as error:
            return _bad(str(error), {error.name: [str(error)]})
        except BadJson as error:
            return _bad(str(error))
        return reply(faults.as_dict())


async def _json_object(request: Request) -> dict[str, Any]:
    body = await read_json(request, optional=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadJson("The request body must be a JSON object.")
    return body


def _cents(raw: Any, name: str, signed: bool = False) -> int:
    """Whole cents of an amount; BadJson when not a number, negative (unless signed) or finer than cents."""
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise InvalidOperation
        amount = Decimal(raw)
        cents = amount * 100
        if cents != cents.to_integral_value() or (amount < 0 and not signed):
            raise InvalidOperation
    except InvalidOperation:
        kind = "an amount" if signed else "an amount of at least 0"
        raise BadJson(f"{name} must be {kind}, in dollars and cents.") from None
    return int(cents)


def _plain(value: Any) -> Any:
    """JSON decimals as floats, for settings that are plain numbers."""
    return float(value) if isinstance(value, Decimal) else value


def _bad(message: str, errors: dict[str, list[str]] | None = None) -> Response:
    status, body, _ = problem(message, 400, errors)
    return reply(body, status)
