"""The client's promises: tokens reused and renewed, retries only where safe, orders placed exactly once."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from app.api import errors, wire
from app.api.client import PAGE_SIZE, VendorClient, order_differences
from app.api.retry import RetryPolicy
from app.domain.catalog import DeliveryType
from tests.api.fakes import ACCESS_TOKEN, EMAIL, FakeTime, FakeVendor, order_body, reply


def an_order(po: str = "BULK-1", quantity: int = 3) -> wire.OrderRequest:
    return wire.OrderRequest(
        type=DeliveryType.DIGITAL,
        po_number=po,
        line_items=[
            wire.LineItemRequest(
                product_id="CVS",
                value=Decimal(10),
                quantity=quantity,
                external_id="row-2",
                digital_delivery_address=wire.DigitalDeliveryAddress(email="ana@corp.example"),
            )
        ],
    )


# --- Tokens ---------------------------------------------------------------------------------------


def test_token_request_sends_the_credentials_as_headers_and_no_body(
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    client.authenticate()
    (sent,) = vendor.sent("POST", "/v1/Tokens")
    assert sent.headers["Email"] == EMAIL
    assert sent.headers["AccessToken"] == ACCESS_TOKEN
    assert sent.content == b""
    assert "Authorization" not in sent.headers


def test_one_token_serves_many_requests(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, order_body()))
    for _ in range(20):
        client.get_order("ORD-1")
    assert len(vendor.sent("POST", "/v1/Tokens")) == 1
    assert {r.headers["Authorization"] for r in vendor.sent("GET", "/v1/Orders/ORD-1")} == {
        "Bearer bearer-tok-1"
    }
    assert all("AccessToken" not in r.headers for r in vendor.sent("GET", "/v1/Orders/ORD-1"))


def test_the_token_is_renewed_early(client: VendorClient, vendor: FakeVendor, fake_time: FakeTime) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, order_body()))
    client.get_order("ORD-1")
    fake_time.now += 0.8 * 3600
    client.get_order("ORD-1")
    assert vendor.tokens_issued == 2
    assert vendor.sent("GET", "/v1/Orders/ORD-1")[-1].headers["Authorization"] == "Bearer bearer-tok-2"


def test_a_401_renews_the_token_once_and_the_call_then_succeeds(
    client: VendorClient, vendor: FakeVendor
) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(401, {"Message": "Token expired"}), reply(200, order_body()))
    assert client.get_order("ORD-1").id == "ORD-1"
    calls = vendor.sent("GET", "/v1/Orders/ORD-1")
    assert [c.headers["Authorization"] for c in calls] == ["Bearer bearer-tok-1", "Bearer bearer-tok-2"]


def test_two_401s_in_a_row_are_an_authentication_error(
    client: VendorClient,
    vendor: FakeVendor,
    fake_time: FakeTime,
) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(401, {"Message": "Token rejected"}))
    with pytest.raises(errors.AuthenticationError) as caught:
        client.get_order("ORD-1")
    assert caught.value.attempts == 2
    assert len(vendor.sent("GET", "/v1/Orders/ORD-1")) == 2
    assert vendor.tokens_issued == 2
    assert fake_time.sleeps == []


def test_a_401_on_an_order_renews_the_token_and_sends_the_same_order(
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    vendor.on("POST", "/v1/Orders", reply(401, {}), reply(201, order_body()))
    created = client.create_order(an_order())
    assert not created.was_duplicate
    first, second = vendor.sent("POST", "/v1/Orders")
    assert first.content == second.content


# --- Retries --------------------------------------------------------------------------------------


def test_a_get_is_retried_on_503_with_backoff(
    client: VendorClient, vendor: FakeVendor, fake_time: FakeTime
) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(503, {}), reply(503, {}), reply(200, order_body()))
    assert client.get_order("ORD-1").id == "ORD-1"
    assert len(vendor.sent("GET", "/v1/Orders/ORD-1")) == 3
    assert fake_time.sleeps == [0.5, 1.0]


def test_an_order_is_retried_on_504_with_the_same_po_number_and_body(
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    vendor.on(
        "POST",
        "/v1/Orders",
        reply(504, {"Message": "Gateway Timeout"}),
        httpx.ReadTimeout("slow"),
        reply(201, order_body(po="BULK-77")),
    )
    created = client.create_order(an_order("BULK-77"))
    assert created.order.po_number == "BULK-77" and not created.was_duplicate
    sent = vendor.sent("POST", "/v1/Orders")
    assert len(sent) == 3
    assert len({r.content for r in sent}) == 1
    assert json.loads(sent[0].content)["PONumber"] == "BULK-77"
    assert sent[0].headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, errors.ValidationError),
        (403, errors.ForbiddenError),
        (404, errors.NotFoundError),
        (422, errors.InsufficientFundsError),
    ],
)
def test_refusals_are_never_retried(
    client: VendorClient,
    vendor: FakeVendor,
    fake_time: FakeTime,
    status: int,
    error: type[errors.ApiError],
) -> None:
    vendor.on("POST", "/v1/Orders", reply(status, {"Message": "no"}))
    vendor.on("GET", "/v1/Balance", reply(status, {"Message": "no"}))
    with pytest.raises(error):
        client.create_order(an_order())
    if status != 404:  # a missing balance endpoint is not an error (see below)
        with pytest.raises(error):
            client.get_balance()
        assert len(vendor.sent("GET", "/v1/Balance")) == 1
    assert len(vendor.sent("POST", "/v1/Orders")) == 1
    assert fake_time.sleeps == []


def test_429_waits_as_long_as_retry_after_says(
    client: VendorClient, vendor: FakeVendor, fake_time: FakeTime
) -> None:
    vendor.on(
        "GET",
        "/v1/Orders/ORD-1",
        reply(429, {}, headers={"Retry-After": "2"}),
        reply(429, {}, headers={"Retry-After": "3.5"}),
        reply(200, order_body()),
    )
    client.get_order("ORD-1")
    assert fake_time.sleeps == [2.0, 3.5]


def test_429_without_retry_after_backs_off(
    client: VendorClient, vendor: FakeVendor, fake_time: FakeTime
) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(429, {}), reply(200, order_body()))
    client.get_order("ORD-1")
    assert fake_time.sleeps == [0.5]


def test_a_huge_retry_after_is_capped(
    make_client: Callable[..., VendorClient], vendor: FakeVendor, fake_time: FakeTime
) -> None:
    client = make_client(retry=RetryPolicy(max_retry_after=10.0, total_time=100.0, jitter=0.0))
    vendor.on(
        "GET", "/v1/Orders/ORD-1", reply(429, {}, headers={"Retry-After": "3600"}), reply(200, order_body())
    )
    client.get_order("ORD-1")
    assert fake_time.sleeps == [10.0]


def test_attempts_are_capped_then_the_typed_error_is_raised(
    make_client: Callable[..., VendorClient],
    vendor: FakeVendor,
    fake_time: FakeTime,
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=4, base_delay=0.5, jitter=0.0, total_time=1000.0))
    vendor.on("GET", "/v1/Orders/ORD-1", reply(503, {"Message": "busy"}))
    with pytest.raises(errors.TransientError) as caught:
        client.get_order("ORD-1")
    assert len(vendor.sent("GET", "/v1/Orders/ORD-1")) == 4
    assert fake_time.sleeps == [0.5, 1.0, 2.0]
    assert caught.value.attempts == 4
    assert "gave up after 4 attempts" in caught.value.message


def test_total_time_is_capped(
    make_client: Callable[..., VendorClient], vendor: FakeVendor, fake_time: FakeTime
) -> None:
    client = make_client(
        retry=RetryPolicy(max_attempts=100, base_delay=1.0, max_delay=8.0, jitter=0.0, total_time=20.0)
    )
    vendor.on("GET", "/v1/Orders/ORD-1", reply(500, {}))
    with pytest.raises(errors.TransientError):
        client.get_order("ORD-1")
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 8.0]  # the next 8 s would end after 23 s
    assert sum(fake_time.sleeps) <= 20.0


def test_the_time_a_slow_request_took_counts_against_the_total(
    make_client: Callable[..., VendorClient],
    vendor: FakeVendor,
    fake_time: FakeTime,
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=10, base_delay=1.0, jitter=0.0, total_time=30.0))

    def slow_timeout(request: httpx.Request) -> httpx.Response:
        fake_time.now += 29.5
        raise httpx.ReadTimeout("slow", request=request)

    vendor.on("GET", "/v1/Orders/ORD-1", slow_timeout)
    with pytest.raises(errors.TransientError, match="timeout"):
        client.get_order("ORD-1")
    assert len(vendor.sent("GET", "/v1/Orders/ORD-1")) == 1


def test_a_post_other_than_orders_and_tokens_would_not_be_retried(
    client: VendorClient,
    vendor: FakeVendor,
    fake_time: FakeTime,
) -> None:
    vendor.on("POST", "/v1/Something", reply(503, {}))
    with pytest.raises(errors.TransientError):
        client._call("POST", "/v1/Something", lambda payload: payload, body=b"{}")
    assert len(vendor.sent("POST", "/v1/Something")) == 1


def test_token_fetch_is_retried_on_transient_failures(
    client: VendorClient, vendor: FakeVendor, fake_time: FakeTime
) -> None:
    vendor.on("POST", "/v1/Tokens", reply(503, {}), reply(200, {"Value": "late-token", "ExpiresIn": 3600}))
    client.authenticate()
    assert client.tokens.token() == "late-token"
    assert fake_time.sleeps == [0.5]


# --- Cancel ---------------------------------------------------------------------------------------


def test_cancel_before_sending_sends_nothing(client: VendorClient, vendor: FakeVendor) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(errors.RequestCancelled) as caught:
        client.create_order(an_order(), cancel=cancel)
    assert caught.value.attempts == 0  # nothing went out: the order certainly does not exist
    assert vendor.requests == []


def test_cancel_interrupts_a_retry_wait(
    client: VendorClient, vendor: FakeVendor, fake_time: FakeTime
) -> None:
    cancel = threading.Event()
    fake_time.cancel_on_sleep = cancel
    vendor.on("POST", "/v1/Orders", reply(504, {}))
    with pytest.raises(errors.RequestCancelled) as caught:
        client.create_order(an_order(), cancel=cancel)
    assert caught.value.attempts == 1  # one request went out: the order may exist
    assert len(vendor.sent("POST", "/v1/Orders")) == 1


def test_cancel_also_stops_a_token_fetch_that_is_being_retried(
    client: VendorClient, vendor: FakeVendor, fake_time: FakeTime
) -> None:
    cancel = threading.Event()
    fake_time.cancel_on_sleep = cancel
    vendor.on("POST", "/v1/Tokens", reply(503, {}))
    with pytest.raises(errors.RequestCancelled):
        client.get_order("ORD-1", cancel=cancel)
    assert len(vendor.sent("POST", "/v1/Tokens")) == 1
    assert vendor.sent("GET", "/v1/Orders/ORD-1") == []


def test_cancel_from_another_thread_ends_a_long_real_wait(vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(429, {}, headers={"Retry-After": "3600"}))
    policy = RetryPolicy(max_retry_after=3600.0, total_time=7200.0)
    with (
        httpx.Client(transport=httpx.MockTransport(vendor.handler)) as http,
        VendorClient("https://vendor.test", EMAIL, ACCESS_TOKEN, http=http, retry=policy) as client,
    ):
        cancel = threading.Event()
        threading.Timer(0.05, cancel.set).start()
        with pytest.raises(errors.RequestCancelled):
            client.get_order("ORD-1", cancel=cancel)
    assert len(vendor.sent("GET", "/v1/Orders/ORD-1")) == 1


# --- Orders: exactly once -------------------------------------------------------------------------


def test_a_new_order_is_created(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("POST", "/v1/Orders", reply(201, order_body(po="BULK-1", status="Pending")))
    created = client.create_order(an_order())
    assert created.order.status is wire.OrderStatus.PENDING
    assert not created.was_duplicate and created.differences == ()
    assert vendor.bodies("POST", "/v1/Orders") == [an_order().to_wire()]


def test_409_returns_the_original_order_as_a_duplicate(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on(
        "POST",
        "/v1/Orders",
        reply(409, {"Message": "Duplicate PONumber", "Id": "ORD-5", "PreviousOrderIds": ["ORD-5"]}),
    )
    vendor.on("GET", "/v1/Orders/ORD-5", reply(200, order_body("ORD-5", po="BULK-1")))
    created = client.create_order(an_order())
    assert created.was_duplicate
    assert created.order.id == "ORD-5"
    assert created.differences == ()
    assert len(vendor.sent("POST", "/v1/Orders")) == 1


def test_a_lost_answer_then_409_returns_the_order_the_first_attempt_created(
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    vendor.on("POST", "/v1/Orders", reply(504, {}), reply(409, {"PreviousOrderIds": ["ORD-6"]}))
    vendor.on("GET", "/v1/Orders/ORD-6", reply(200, order_body("ORD-6", po="BULK-1")))
    created = client.create_order(an_order())
    assert created.was_duplicate and created.order.id == "ORD-6"
    assert len(vendor.sent("POST", "/v1/Orders")) == 2


def test_409_without_an_id_looks_the_order_up_by_po_number(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("POST", "/v1/Orders", reply(409, {"Message": "Duplicate"}))
    vendor.on(
        "GET",
        "/v1/Orders",
        reply(
            200,
            {"TotalCount": 2, "Data": [order_body("ORD-X", po="BULK-10"), order_body("ORD-Y", po="BULK-1")]},
        ),
    )
    created = client.create_order(an_order("BULK-1"))
    assert created.was_duplicate and created.order.id == "ORD-Y"
    assert vendor.sent("GET", "/v1/Orders")[0].url.params["poNumber"] == "BULK-1"


def test_409_for_an_order_that_cannot_be_found_is_raised(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("POST", "/v1/Orders", reply(409, {"Message": "Duplicate"}))
    vendor.on("GET", "/v1/Orders", reply(200, {"TotalCount": 0, "Data": []}))
    with pytest.raises(errors.DuplicateOrderError):
        client.create_order(an_order())


def test_409_from_an_api_that_cannot_list_orders_is_raised_as_the_duplicate(
    client: VendorClient, vendor: FakeVendor
) -> None:
    vendor.on("POST", "/v1/Orders", reply(409, {"Message": "Duplicate"}))
    with pytest.raises(errors.DuplicateOrderError):
        client.create_order(an_order())


def test_a_po_number_reused_for_a_different_order_is_reported(
    client: VendorClient, vendor: FakeVendor
) -> None:
    vendor.on("POST", "/v1/Orders", reply(409, {"Id": "ORD-OLD"}))
    vendor.on("GET", "/v1/Orders/ORD-OLD", reply(200, order_body("ORD-OLD", po="BULK-1")))
    created = client.create_order(an_order(quantity=5))
    assert created.was_duplicate
    assert created.differences == ("3 cards instead of 5, or other products or values",)


def test_order_differences_compare_cards_per_product_and_value() -> None:
    request = an_order(quantity=3)
    same = wire.Order.model_validate(order_body(po="BULK-1"))
    assert order_differences(request, same) == ()
    split = wire.Order.model_validate(
        {
            **order_body(po="BULK-1"),
            "LineItems": [
                {"ProductId": "cvs", "Value": 10.0, "Quantity": 1},
                {"ProductId": "CVS", "Value": 10, "Quantity": 2},
            ],
        }
    )
    assert order_differences(request, split) == ()
    other = wire.Order.model_validate({**order_body(po="BULK-2"), "Type": "Links"})
    assert order_differences(request, other) == (
        "PONumber BULK-2 instead of BULK-1",
        "type Links instead of DigitalDelivery",
    )


def test_a_refusal_after_a_lost_answer_finds_the_order_the_first_attempt_made(
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    # The first attempt was committed (and charged) but its answer lost; the retry is then refused for funds.
    vendor.on("POST", "/v1/Orders", reply(503, {}), reply(422, {"Message": "Insufficient funds"}))
    vendor.on("GET", "/v1/Orders", reply(200, [order_body("ORD-3", po="BULK-1")]))
    created = client.create_order(an_order())
    assert created.was_duplicate and created.order.id == "ORD-3"


def test_a_refusal_on_the_first_attempt_is_raised_without_a_lookup(
    client: VendorClient, vendor: FakeVendor
) -> None:
    vendor.on("POST", "/v1/Orders", reply(422, {"Message": "Insufficient funds"}))
    with pytest.raises(errors.InsufficientFundsError):
        client.create_order(an_order())
    assert vendor.sent("GET", "/v1/Orders") == []


def test_an_unreadable_created_answer_is_retried_into_a_409(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("POST", "/v1/Orders", reply(201, text='{"Id": "ORD-4", "Sta'), reply(409, {"Id": "ORD-4"}))
    vendor.on("GET", "/v1/Orders/ORD-4", reply(200, order_body("ORD-4", po="BULK-1")))
    created = client.create_order(an_order())
    assert created.was_duplicate and created.order.id == "ORD-4"


def test_an_unknown_status_is_read_as_unknown(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, order_body(status="AwaitingReview")))
    order = client.get_order("ORD-1")
    assert order.status is wire.OrderStatus.UNKNOWN
    assert not order.status.is_final


def test_order_ids_are_escaped_into_the_path(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Orders/A/B", reply(200, order_body("A/B")))  # httpx shows the path decoded
    assert client.get_order("A/B").id == "A/B"
    assert vendor.requests[-1].url.raw_path == b"/v1/Orders/A%2FB"


# --- Lists ----------------------------------------------------------------------------------------


def product(n: int) -> dict[str, object]:
    return {"Id": f"P{n}", "Denominations": [10], "AvailableDeliveryTypes": ["Links"]}


def test_products_are_read_across_every_page(client: VendorClient, vendor: FakeVendor) -> None:
    total = PAGE_SIZE + 3

    def page(request: httpx.Request) -> httpx.Response:
        index = int(request.url.params["pageIndex"])
        size = int(request.url.params["pageSize"])
        chunk = [product(n) for n in range((index - 1) * size, min(index * size, total))]
        return reply(200, {"Page": index, "PageSize": size, "TotalCount": total, "Data": chunk})

    vendor.on("GET", "/v1/Products", page)
    products = client.list_products()
    assert [p.id for p in products] == [f"P{n}" for n in range(total)]
    assert [r.url.params["pageIndex"] for r in vendor.sent("GET", "/v1/Products")] == ["1", "2"]


def test_pages_smaller_than_asked_for_are_followed_by_total_count(
    client: VendorClient, vendor: FakeVendor
) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        index = int(request.url.params["pageIndex"])
        chunk = [product(n) for n in range((index - 1) * 2, min(index * 2, 5))]
        return reply(200, {"page": index, "pageSize": 2, "totalCount": 5, "data": chunk})

    vendor.on("GET", "/v1/Products", page)
    assert [p.id for p in client.list_products()] == ["P0", "P1", "P2", "P3", "P4"]


def test_a_bare_array_is_one_page(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on(
        "GET",
        "/v1/ShippingMethods",
        reply(
            200,
            [
                {
                    "Id": "STANDARD",
                    "Name": "Standard",
                    "Cost": 0,
                    "Carriers": [{"Id": "DEFAULT"}, {"Id": "USPS"}],
                },
                {"id": "EXPRESS", "name": "Express", "cost": 12.5, "carriers": [{"id": "UPS"}]},
            ],
        ),
    )
    methods = client.list_shipping_methods()
    assert [(m.id, m.cost) for m in methods] == [("STANDARD", Decimal(0)), ("EXPRESS", Decimal("12.5"))]
    assert len(vendor.sent("GET", "/v1/ShippingMethods")) == 1


def test_a_server_that_ignores_paging_is_not_read_forever(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Products", reply(200, [product(n) for n in range(PAGE_SIZE)]))
    assert len(client.list_products()) == PAGE_SIZE
    assert len(vendor.sent("GET", "/v1/Products")) == 2


def test_an_unreadable_product_is_left_out_not_fatal(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Products", reply(200, [product(1), {"Name": "no id"}, product(2)]))
    assert [p.id for p in client.list_products()] == ["P1", "P2"]


def test_list_orders_filters_by_po_number(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Orders", reply(200, {"TotalCount": 1, "Data": [order_body("ORD-1", po="BULK-1")]}))
    assert [o.id for o in client.list_orders("BULK-1")] == ["ORD-1"]
    assert vendor.sent("GET", "/v1/Orders")[0].url.params["poNumber"] == "BULK-1"
    assert client.find_order_by_po_number("BULK-1") is not None
    assert client.find_order_by_po_number("BULK-2") is None  # the vendor's filter is checked, not trusted


def test_balance_is_read_and_a_404_means_not_available(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Balance", reply(200, {"Available": 100000.0, "Pending": 0, "CurrencyCode": "USD"}))
    balance = client.get_balance()
    assert balance is not None and balance.available == Decimal(100000)
    vendor.on("GET", "/v1/Balance", reply(404, {"Message": "Not found"}))
    assert client.get_balance() is None


def test_brandings_are_optional(client: VendorClient, vendor: FakeVendor) -> None:
    assert client.list_brandings() == []
    vendor.on("GET", "/v1/Brandings", reply(200, {"Data": [{"Id": "B1", "Name": "Blue"}], "TotalCount": 1}))
    assert client.list_brandings() == [wire.Branding(id="B1", name="Blue")]


def test_fetch_catalog_builds_the_domain_catalog(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Products", reply(200, [product(1)]))
    vendor.on("GET", "/v1/ShippingMethods", reply(200, [{"Id": "STANDARD", "Carriers": [{"Id": "DEFAULT"}]}]))
    catalog = client.fetch_catalog()
    assert set(catalog.products) == {"P1"}
    assert catalog.shipping_methods["STANDARD"].has_carrier("DEFAULT")
    assert catalog.fetched_at is not None


# --- Threads and logging --------------------------------------------------------------------------


def test_many_threads_share_one_client_and_one_token(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, order_body()))
    threads = [
        threading.Thread(target=lambda: [client.get_order("ORD-1") for _ in range(10)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(vendor.sent("GET", "/v1/Orders/ORD-1")) == 80
    assert vendor.tokens_issued == 1


def test_logs_hold_method_path_and_status_but_no_secret(
    client: VendorClient,
    vendor: FakeVendor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="app")  # the app logger, whatever level an earlier test left it at
    claim = "https://claim.example/claim/SECRET-CLAIM-LINK"
    links_order = order_body(
        LineItems=[{"ClaimData": [{"ClaimLink": claim, "ClaimLinkChallengeAnswer": "4321"}]}]
    )
    vendor.on("POST", "/v1/Orders", reply(503, {"Message": "busy"}), reply(201, links_order))
    vendor.on("GET", "/v1/Orders/ORD-1", reply(401, {}), reply(200, links_order))
    request = an_order().model_copy(
        update={
            "webhook_settings": wire.WebhookSettings(
                fulfillment_complete="https://me.example/hook?k=HOOKSECRET"
            )
        }
    )
    created = client.create_order(request)
    client.get_order("ORD-1")
    assert created.order.line_items[0].claim_data[0].claim_link == claim  # the caller still gets it

    assert "POST /v1/Orders -> 503" in caplog.text
    assert "POST /v1/Orders -> 201" in caplog.text
    assert "GET /v1/Orders/ORD-1 -> 401" in caplog.text
    for secret in (ACCESS_TOKEN, "bearer-tok-1", "bearer-tok-2", "SECRET-CLAIM-LINK", "4321", "HOOKSECRET"):
        assert secret not in caplog.text


def test_an_injected_http_client_is_left_open_and_an_owned_one_is_closed(vendor: FakeVendor) -> None:
    http = httpx.Client(transport=httpx.MockTransport(vendor.handler))
    with VendorClient("https://vendor.test", EMAIL, ACCESS_TOKEN, http=http):
        pass
    assert not http.is_closed
    http.close()
    owned = VendorClient("https://vendor.test/", EMAIL, ACCESS_TOKEN)
    owned.close()
    assert owned._http.is_closed


@pytest.mark.parametrize(("status", "phrase"), [(403, "HTTP 403 Forbidden"), (404, "HTTP 404 Not Found")])
def test_shipping_methods_or_brandings_refused_or_absent_mean_none_offered(
    client: VendorClient, vendor: FakeVendor, status: int, phrase: str
) -> None:
    vendor.on("GET", "/v1/Products", reply(200, [product(1)]))
    vendor.on("GET", "/v1/ShippingMethods", reply(status, {"message": "nope"}))
    vendor.on("GET", "/v1/Brandings", reply(status, {"message": "nope"}))

    catalog = client.fetch_catalog()

    assert set(catalog.products) == {"P1"}
    assert catalog.shipping_methods == {} and catalog.brandings == {}
    assert catalog.shipping_unavailable == f"the vendor answered GET /v1/ShippingMethods with {phrase}"
    assert catalog.brandings_unavailable == f"the vendor answered GET /v1/Brandings with {phrase}"
    assert not catalog.ships
    assert any("offered no shipping methods" in n for n in catalog.notices())
    assert len(vendor.sent("GET", "/v1/ShippingMethods")) == 1  # not worth a second try
    assert client.list_shipping_methods() == []


def test_a_failing_shipping_methods_call_still_fails_the_catalog(
    make_client: Callable[..., VendorClient], vendor: FakeVendor
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=1))
    vendor.on("GET", "/v1/Products", reply(200, [product(1)]))
    vendor.on("GET", "/v1/ShippingMethods", reply(503, {"message": "down"}))

    with pytest.raises(errors.TransientError) as caught:
        client.fetch_catalog()
    assert caught.value.endpoint == "GET /v1/ShippingMethods"  # a 5xx is not "none offered"


def test_products_that_cannot_be_read_are_named_with_their_place_across_pages(
    client: VendorClient, vendor: FakeVendor
) -> None:
    total = PAGE_SIZE + 2

    def page(request: httpx.Request) -> httpx.Response:
        index = int(request.url.params["pageIndex"])
        chunk = [product(n) for n in range((index - 1) * PAGE_SIZE, min(index * PAGE_SIZE, total))]
        if index == 2:
            chunk[1] = {"Id": "BROKEN", "Denominations": None, "Translations": None}
        return reply(200, {"Page": index, "PageSize": PAGE_SIZE, "TotalCount": total, "Data": chunk})

    vendor.on("GET", "/v1/Products", page)
    vendor.on("GET", "/v1/ShippingMethods", reply(200, []))

    catalog = client.fetch_catalog()

    assert len(catalog.products) == total - 1
    [left_out] = catalog.left_out
    assert (left_out.product_id, left_out.reason) == (
        "BROKEN",
        "it lists no denominations, so no value can be checked or sent.",
    )
    unreadable: list[wire.Unreadable] = []
    vendor.on("GET", "/v1/Products", reply(200, [product(1), {"Name": "no id"}]))
    client.list_products(unreadable=unreadable)
    assert [(u.position, u.id) for u in unreadable] == [(1, None)]


def test_a_look_up_the_vendor_refuses_is_never_taken_for_a_refusal_of_the_order(
    client: VendorClient, vendor: FakeVendor
) -> None:
    """A vendor that lists orders only in pages of 20 answers 400 to our look-up; the order itself exists."""
    too_big = reply(400, {"message": "The request is invalid.", "modelState": {"pageSize": ["At most 20."]}})
    vendor.on("GET", "/v1/Orders", too_big)
    vendor.on("GET", "/v1/Orders/ORD-9", too_big)

    vendor.on("POST", "/v1/Orders", reply(409, {"message": "Duplicate", "previousOrderIds": ["ORD-9"]}))
    with pytest.raises(
        errors.DuplicateOrderError
    ):  # the run stops with the order left to settle, not rejected
        client.create_order(an_order())

    vendor.on("POST", "/v1/Orders", reply(504, {}), reply(400, {"message": "The request is invalid."}))
    with pytest.raises(errors.TransientError, match="may exist; send it again under the same PONumber"):
        client.create_order(an_order())
