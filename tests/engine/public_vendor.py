"""A vendor written only from what public clients of the engine show, not from our sandbox.

docs/api-contract.md, "What public clients of the same engine show": answers in camelCase, ASP.NET Web API 2
error bodies (or another style, to test each), no `ExternalId` echoed, no balance endpoint, `null` lists in
products, a 409 naming the original in `previousOrderIds`, no `poNumber` filter on the order list, and only
`Pending` and `Completed` statuses. The app must work against it end to end; it shares no code with
`app.sandbox`, so an assumption the sandbox and the client share cannot hide here.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

EMAIL = "ops@acme.example"
ACCESS_TOKEN = "acme-access-token"
BEARER = "eyJ0ZXN0In0.public-vendor.token"
# Orders of this many cards or more are answered Pending and completed on a later read.
PENDING_CARDS = 4

PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "GC-DIGI", "name": "Digital Gift", "shortDescription": None, "longDescription": None,
        "denominations": [10, 25, 50], "denominationType": "Fixed",
        "availableDeliveryTypes": ["DigitalDelivery", "Links"], "type": "Digital", "currencyCode": "USD",
        "cost": {"fee": 0, "discountPercentage": 0}, "terms": None, "disclaimer": None, "redemptionNote": None,
        "media": None, "meta": None, "translations": None, "cultureCodes": None,
    },
    {
        "id": "GC-PLASTIC", "name": "Plastic Gift Card", "shortDescription": "Mailed.", "longDescription": None,
        "denominations": [25, 50], "denominationType": "Fixed", "availableDeliveryTypes": ["PhysicalShipment"],
        "type": "Physical", "currencyCode": "USD", "cost": {"fee": 3.5, "discountPercentage": None},
        "media": {"faceplates": None, "logo": "https://cdn.acme.example/logo.png"},
        "meta": {"colors": None, "supportsApiBalanceChecks": False, "website": None,
                 "shippingConfiguration": None},
        "translations": None, "cultureCodes": None,
    },
    {"id": "GC-BROKEN", "name": "Listed but unusable", "denominations": None, "translations": None},
]  # fmt: skip
SHIPPING_METHODS = [
    {"id": "STANDARD", "name": "Standard", "cost": 0, "carriers": [{"id": "DEFAULT", "name": "Any"}]}
]
STYLES = ("webapi", "problem", "message-only", "pascal", "text")


@dataclass
class PublicVendor:
    """The vendor's state and behaviour; `serve()` puts it on a loopback port.

    `error_style`: how a 400 is written (STYLES). `refuse_all`: every order is refused, naming `LineItems[0]`
    (`refuse_naming_a_line`) or nothing. `withdrawn`: values the vendor refuses in orders although its catalog
    still lists them (a catalog changed since the app cached it). `shipping_status`: what GET
    /v1/ShippingMethods answers.
    """

    error_style: str = "webapi"
    shipping_status: int = 200
    refuse_all: bool = False
    refuse_naming_a_line: bool = False
    withdrawn: set[Decimal] = field(default_factory=set)
    base_url: str = ""
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[tuple[str, str | None]] = field(default_factory=list)  # (poNumber, ExternalId) per line
    posts: Counter[str] = field(default_factory=Counter)  # POST /v1/Orders by poNumber
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: Any
    ) -> tuple[int, Any]:
        if (method, path) == ("POST", "/v1/Tokens"):
            if headers.get("Email") == EMAIL and headers.get("AccessToken") == ACCESS_TOKEN:
                return 200, {"value": BEARER, "expiresIn": 3600}
            return 401, {"message": "Invalid credentials."}
        if headers.get("Authorization") != f"Bearer {BEARER}":
            return 401, {"message": "Authorization has been denied for this request."}
        if (method, path) == ("GET", "/v1/Products"):
            size = int(query.get("pageSize", "20"))
            page = int(query.get("pageIndex", "1"))
            data = PRODUCTS[(page - 1) * size : page * size]
            return 200, {"page": page, "pageSize": size, "totalCount": len(PRODUCTS), "data": data}
        if (method, path) == ("GET", "/v1/ShippingMethods") and self.shipping_status == 200:
            return 200, SHIPPING_METHODS
        if (method, path) == ("POST", "/v1/Orders"):
            return self._create(body)
        if (method, path) == ("GET", "/v1/Orders"):  # no poNumber filter is seen in public clients
            with self.lock:
                listed = [self._read(order_id) for order_id in self.orders]
            return 200, {"page": 1, "pageSize": len(listed), "totalCount": len(listed), "data": listed}
        found = re.fullmatch(r"/v1/Orders/([^/]+)", path)
        if method == "GET" and found and found.group(1) in self.orders:
            with self.lock:
                return 200, self._read(found.group(1))
        return 404, {"message": f"No HTTP resource was found that matches the request URI '{path}'."}

    def _create(self, body: Any) -> tuple[int, Any]:
        po = str(_get(body, "poNumber") or "")
        lines = _get(body, "lineItems") or []
        with self.lock:
            self.posts[po] += 1
            existing = next((o["id"] for o in self.orders.values() if o["poNumber"] == po), None)
            if existing is not None:
                return 409, {"message": f"PONumber {po} was used before.", "previousOrderIds": [existing]}
            problems = self._problems(str(_get(body, "type")), lines)
            if problems is not None:
                return 400, problems
            order_id = f"ORD-{len(self.orders) + 1:05d}"
            cards = sum(int(_get(line, "quantity") or 1) for line in lines)
            order = {
                "id": order_id,
                "poNumber": po,
                "type": _get(body, "type"),
                "status": "Pending" if cards >= PENDING_CARDS else "Completed",
                "lineItems": [
                    self._line(order_id, n, line, _get(body, "type")) for n, line in enumerate(lines)
                ],
            }
            self.orders[order_id] = order
            self.created += [(po, _get(line, "externalId")) for line in lines]
            return 201, order

    def _problems(self, kind: str, lines: list[Any]) -> Any | None:
        """The 400 body for an order this vendor refuses, in `error_style`; None when it takes the order."""
        named: dict[str, list[str]] = {}
        for n, line in enumerate(lines):
            product = next((p for p in PRODUCTS if p["id"] == _get(line, "productId")), None)
            if product is None or kind not in (product["availableDeliveryTypes"] or []):
                named[f"LineItems[{n}].ProductId"] = ["The product cannot be sent this way."]
            elif (value := Decimal(str(_get(line, "value")))) in self.withdrawn or value not in [
                Decimal(str(d)) for d in product["denominations"]
            ]:
                named[f"LineItems[{n}].Value"] = ["The value is not one of the product's denominations."]
        if self.refuse_all:
            named = {"LineItems[0].Value": ["Refused."]} if self.refuse_naming_a_line else {}
        elif not named:
            return None
        return _error_body(self.error_style, named)

    def _line(self, order_id: str, n: int, line: Any, kind: Any) -> dict[str, Any]:
        quantity = int(_get(line, "quantity") or 1)
        claims = [
            {
                "id": f"{order_id}-{n}-{card}",
                "claimLink": f"https://claim.acme.example/{order_id}/{n}/{card}",
                "claimLinkChallengeAnswer": f"ANSWER{card}",
                "barcodePath": None,
                "barcodeType": None,
            }
            for card in range(quantity)
        ]
        return {  # no externalId: public clients never see it echoed
            "id": f"{order_id}-LI{n}",
            "productId": _get(line, "productId"),
            "value": _get(line, "value"),
            "quantity": quantity,
            "cost": float(Decimal(str(_get(line, "value"))) * quantity),
            "status": "Pending",
            "culture": None,
            "theme": None,
            "brandingId": None,
            "personalization": _get(line, "personalization"),
            "claimData": claims if kind == "Links" else None,
        }

    def _read(self, order_id: str) -> dict[str, Any]:
        """The order now; a Pending order completes once it has been read (as a slow vendor eventually does)."""
        order = self.orders[order_id]
        if order["status"] == "Pending":
            order["status"] = "Completed"
            for line in order["lineItems"]:
                line["status"] = "Completed"
            return {**order, "status": "Pending"}
        for line in order["lineItems"]:
            line["status"] = "Completed"
        return order

    def serve(self) -> Served:
        vendor = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, answer = vendor.answer(self.command, url.path, query, self.headers, body)
                text = (
                    answer if isinstance(answer, str) and vendor.error_style == "text" else json.dumps(answer)
                )
                data = text.encode()
                self.send_response(status)
                kind = (
                    "application/problem+json" if vendor.error_style == "problem" and status >= 400 else None
                )
                self.send_header(
                    "Content-Type", kind or ("text/plain" if text is answer else "application/json")
                )
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, name="public-vendor", daemon=True)
        thread.start()
        return Served(server, thread, f"http://127.0.0.1:{server.server_address[1]}")


@dataclass
class Served:
    server: ThreadingHTTPServer
    thread: threading.Thread
    base_url: str

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _get(obj: Any, name: str) -> Any:
    """A member of a JSON object whatever the case of its name (the engine takes camelCase and PascalCase)."""
    if not isinstance(obj, dict):
        return None
    return next((v for k, v in obj.items() if k.casefold() == name.casefold()), None)


def _error_body(style: str, named: dict[str, list[str]]) -> Any:
    """A 400 as a framework of that style writes it; `named` maps our field paths to their problems."""
    if style == "webapi":
        body: dict[str, Any] = {"message": "The request is invalid."}
        if named:
            body["modelState"] = {f"order.{path}": problems for path, problems in named.items()}
        return body
    if style == "problem":
        camel = {f"$.{path[0].lower()}{path[1:]}".replace(".Value", ".value"): p for path, p in named.items()}
        return {
            "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
            "title": "One or more validation errors occurred.",
            "status": 400,
            "errors": camel or {"$": ["The order could not be read."]},
        }
    if style == "pascal":
        return {"Message": "The order is not valid.", "Errors": named}
    if style == "text":
        return "Bad Request: the order is not valid."
    return {"message": "The request is invalid."}  # message-only: names no field at all
