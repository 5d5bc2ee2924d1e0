"""Every way the vendor says no becomes a typed error whose plain message names the host, never a secret."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from app.api import errors
from app.api.client import VendorClient
from app.api.retry import RetryPolicy
from app.api.wire import DigitalDeliveryAddress, LineItemRequest, OrderRequest
from app.domain.catalog import DeliveryType
from app.domain.errors import GiftbatchError, UserInputError
from tests.api.fakes import ACCESS_TOKEN, HOST, FakeVendor, reply

ONCE = RetryPolicy(max_attempts=1)


def an_order(po: str = "BULK-1") -> OrderRequest:
    return OrderRequest(
        type=DeliveryType.DIGITAL,
        po_number=po,
        line_items=[
            LineItemRequest(
                product_id="CVS",
                value=Decimal(10),
                quantity=1,
                digital_delivery_address=DigitalDeliveryAddress(email="a@corp.example"),
            )
        ],
    )


def assert_plain(error: errors.ApiError) -> None:
    """What every error owes the user: the host named, no secret, one line."""
    assert isinstance(error, GiftbatchError)
    assert HOST in error.message
    assert ACCESS_TOKEN not in error.message
    assert "bearer-tok" not in error.message
    assert ACCESS_TOKEN not in str(error.body)
    assert "\n" not in error.message
    assert str(error) == error.message


def test_bad_credentials_name_the_profile_and_never_the_token(
    make_client: Callable[..., VendorClient],
    vendor: FakeVendor,
) -> None:
    client = make_client(access_token="wrong-" + ACCESS_TOKEN, profile_name="acme")
    vendor.on("POST", "/v1/Tokens", reply(401, {"Message": "Invalid credentials for wrong-" + ACCESS_TOKEN}))
    with pytest.raises(errors.AuthenticationError) as caught:
        client.authenticate()
    error = caught.value
    assert error.status == 401
    assert "did not accept the Email and AccessToken of profile 'acme' (ops@corp.example)" in error.message
    assert "wrong-" not in error.message and "wrong-" not in str(error.body)
    assert_plain(error)
    assert len(vendor.sent("POST", "/v1/Tokens")) == 1  # bad credentials are not worth a second try


def test_forbidden_is_not_retried(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Products", reply(403, {"Message": "API access disabled"}))
    with pytest.raises(errors.ForbiddenError) as caught:
        client.list_products()
    assert "API access disabled" in caught.value.message
    assert_plain(caught.value)
    assert len(vendor.sent("GET", "/v1/Products")) == 1


def test_validation_error_carries_the_field_errors(client: VendorClient, vendor: FakeVendor) -> None:
    body = {
        "Message": "The order is invalid.",
        "Errors": {
            "LineItems[3].Value": ["Value 12 is not allowed for CVS."],
            "LineItems[0].DigitalDeliveryAddress.Email": "missing",
        },
    }
    vendor.on("POST", "/v1/Orders", reply(400, body))
    with pytest.raises(errors.ValidationError) as caught:
        client.create_order(an_order())
    error = caught.value
    assert error.field_errors == {
        "LineItems[3].Value": ["Value 12 is not allowed for CVS."],
        "LineItems[0].DigitalDeliveryAddress.Email": ["missing"],
    }
    assert "LineItems[3].Value: Value 12 is not allowed for CVS." in error.message
    assert error.body == body
    assert_plain(error)
    assert len(vendor.sent("POST", "/v1/Orders")) == 1


def test_insufficient_funds_is_not_retried(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on(
        "POST", "/v1/Orders", reply(422, {"Message": "Insufficient funds: 30.00 needed, 5.00 available"})
    )
    with pytest.raises(errors.InsufficientFundsError) as caught:
        client.create_order(an_order())
    assert "balance cannot cover it" in caught.value.message
    assert "30.00 needed" in caught.value.message
    assert_plain(caught.value)
    assert len(vendor.sent("POST", "/v1/Orders")) == 1


@pytest.mark.parametrize(
    ("body", "original"),
    [
        ({"Message": "Duplicate", "Id": "ORD-7", "PreviousOrderIds": ["ORD-7"]}, "ORD-7"),
        ({"Message": "Duplicate", "PreviousOrderIds": ["ORD-8"]}, "ORD-8"),
        ({"message": "Duplicate", "id": "ORD-9"}, "ORD-9"),
        ({"Message": "Duplicate"}, None),
        ("Duplicate PONumber", None),
    ],
)
def test_duplicate_reads_the_original_id_from_either_field(body: object, original: str | None) -> None:
    error = errors.error_for_status(409, body, host=HOST, account="me")
    assert isinstance(error, errors.DuplicateOrderError)
    assert error.original_order_id == original
    assert_plain(error)


def test_not_found(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Orders/ORD-404", reply(404, {"Message": "Order not found"}))
    with pytest.raises(errors.NotFoundError) as caught:
        client.get_order("ORD-404")
    assert_plain(caught.value)
    assert len(vendor.sent("GET", "/v1/Orders/ORD-404")) == 1


def test_rate_limited_carries_retry_after(
    make_client: Callable[..., VendorClient], vendor: FakeVendor
) -> None:
    client = make_client(retry=ONCE)
    vendor.on("GET", "/v1/Products", reply(429, {"Message": "Slow down"}, headers={"Retry-After": "7"}))
    with pytest.raises(errors.RateLimitedError) as caught:
        client.list_products()
    assert caught.value.retry_after == 7.0
    assert "wait 7 s" in caught.value.message
    assert_plain(caught.value)


def test_a_non_json_500_still_gives_a_clear_message(
    make_client: Callable[..., VendorClient],
    vendor: FakeVendor,
) -> None:
    client = make_client(retry=ONCE)
    vendor.on("GET", "/v1/Products", reply(500, text="Internal error: NullReferenceException at Foo.Bar()"))
    with pytest.raises(errors.TransientError) as caught:
        client.list_products()
    error = caught.value
    assert error.status == 500
    assert error.message.startswith(f"The vendor at {HOST} did not answer (HTTP 500 Internal Server Error)")
    assert "NullReferenceException" in error.message
    assert error.body == "Internal error: NullReferenceException at Foo.Bar()"
    assert_plain(error)


def test_an_html_502_says_a_gateway_answered(
    make_client: Callable[..., VendorClient], vendor: FakeVendor
) -> None:
    client = make_client(retry=ONCE)
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>\n</body></html>"
    vendor.on("GET", "/v1/Balance", reply(502, text=page, headers={"Content-Type": "text/html"}))
    with pytest.raises(errors.TransientError) as caught:
        client.get_balance()
    assert "HTTP 502 Bad Gateway" in caught.value.message
    assert "an HTML page, not JSON" in caught.value.message
    assert "<html>" not in caught.value.message
    assert_plain(caught.value)


def test_504_is_transient(make_client: Callable[..., VendorClient], vendor: FakeVendor) -> None:
    client = make_client(retry=ONCE)
    vendor.on("GET", "/v1/Orders/ORD-1", reply(504, {"Message": "Gateway Timeout"}))
    with pytest.raises(errors.TransientError) as caught:
        client.get_order("ORD-1")
    assert caught.value.retryable and caught.value.status == 504
    assert_plain(caught.value)


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (httpx.ReadTimeout("timed out"), "did not answer GET /v1/Products in time (timeout: 30 s"),
        (httpx.ConnectTimeout("timed out"), "did not answer GET /v1/Products in time (timeout: 30 s"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "did not answer (could not connect)"),
        (httpx.RemoteProtocolError("Server disconnected"), "did not answer (the connection broke off"),
        (httpx.ReadError("reset by peer"), "did not answer (the connection broke off"),
    ],
)
def test_network_failures_are_transient(
    make_client: Callable[..., VendorClient],
    vendor: FakeVendor,
    failure: Exception,
    said: str,
) -> None:
    client = make_client(retry=ONCE)
    vendor.on("GET", "/v1/Products", failure)
    with pytest.raises(errors.TransientError) as caught:
        client.list_products()
    assert caught.value.status is None
    assert said in caught.value.message
    assert_plain(caught.value)


def test_an_untrusted_certificate_is_not_retried_and_says_what_to_do(
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    vendor.on(
        "GET",
        "/v1/Products",
        httpx.ConnectError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate"
        ),
    )
    with pytest.raises(errors.CertificateError) as caught:
        client.list_products()
    assert "trust store" in caught.value.message
    assert_plain(caught.value)
    assert len(vendor.sent("GET", "/v1/Products")) == 1


def test_an_unexpected_status_is_a_plain_api_error(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("GET", "/v1/Products", reply(418, text="teapot"))
    with pytest.raises(errors.ApiError) as caught:
        client.list_products()
    assert type(caught.value) is errors.ApiError
    assert "HTTP 418" in caught.value.message
    assert_plain(caught.value)


def test_secrets_the_vendor_echoes_back_are_scrubbed_from_the_body_and_message(
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    echo = {
        "Message": "Bad header AccessToken: " + ACCESS_TOKEN + " and Authorization: Bearer bearer-tok-1",
        "Errors": {"Authorization": ["Bearer bearer-tok-1 was malformed"]},
    }
    vendor.on("GET", "/v1/Products", reply(400, echo))
    with pytest.raises(errors.ValidationError) as caught:
        client.list_products()
    assert_plain(caught.value)
    assert "bearer-tok-1" not in str(caught.value.body)
    assert "bearer-tok-1" not in str(caught.value.field_errors)


def test_unreadable_success_answer_is_reported_plainly(
    make_client: Callable[..., VendorClient],
    vendor: FakeVendor,
) -> None:
    client = make_client(retry=ONCE)
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, text="<html>maintenance</html>"))
    with pytest.raises(errors.TransientError) as caught:
        client.get_order("ORD-1")
    assert "data we could not read (not valid JSON)" in caught.value.message
    vendor.on("GET", "/v1/Orders/ORD-1", reply(200, {"NoId": True}))
    with pytest.raises(errors.TransientError, match="Id: Field required"):
        client.get_order("ORD-1")


def test_a_base_url_that_is_not_a_web_address_is_a_user_error() -> None:
    for bad in ("vendor.example", "ftp://vendor.example", "https://", ""):
        with pytest.raises(UserInputError, match="not a web address"):
            VendorClient(bad, "e", "t", http=httpx.Client())


@pytest.mark.parametrize(
    ("body", "said", "fields"),
    [
        (  # ours (docs/api-contract.md)
            {"Message": "The order is invalid.", "Errors": {"LineItems[1].Value": ["Not allowed."]}},
            "The order is invalid.",
            {"LineItems[1].Value": ["Not allowed."]},
        ),
        (  # ASP.NET Web API 2, camelCase
            {
                "message": "The request is invalid.",
                "modelState": {"order.LineItems[1].Value": ["Not allowed."]},
            },
            "The request is invalid.",
            {"order.LineItems[1].Value": ["Not allowed."]},
        ),
        (  # RFC 7807 ProblemDetails
            {
                "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
                "title": "One or more validation errors occurred.",
                "status": 400,
                "errors": {"$.lineItems[1].value": ["Not allowed."]},
            },
            "One or more validation errors occurred.",
            {"$.lineItems[1].value": ["Not allowed."]},
        ),
        ({"message": "The request is invalid."}, "The request is invalid.", {}),  # names no field
        (
            {"title": "Bad Request", "detail": "Quantity is too large."},
            "Bad Request. Quantity is too large.",
            {},
        ),
        ("The request is invalid.", "The request is invalid.", {}),  # a bare JSON string
        (
            {
                "errors": [
                    {"propertyName": "LineItems[0].Value", "errorMessage": "Not allowed."},
                    "Also this.",
                ]
            },
            "Not allowed.",
            {"LineItems[0].Value": ["Not allowed."], "": ["Also this."]},
        ),
        ({"error": {"message": "Order rejected by policy."}}, "Order rejected by policy.", {}),
        ({"Message": None, "Errors": None}, "no reason given", {}),
    ],
)
def test_every_error_body_the_engine_may_send_is_read(
    client: VendorClient, vendor: FakeVendor, body: object, said: str, fields: dict[str, list[str]]
) -> None:
    vendor.on("POST", "/v1/Orders", reply(400, body))
    with pytest.raises(errors.ValidationError) as caught:
        client.create_order(an_order())
    error = caught.value
    assert error.field_errors == fields
    assert said in error.message
    assert error.endpoint == "POST /v1/Orders"
    assert_plain(error)
    assert len(vendor.sent("POST", "/v1/Orders")) == 1


def test_a_non_json_400_is_still_a_refusal_with_its_text(client: VendorClient, vendor: FakeVendor) -> None:
    vendor.on("POST", "/v1/Orders", reply(400, text="Bad Request - Invalid Header"))
    with pytest.raises(errors.ValidationError) as caught:
        client.create_order(an_order())
    assert caught.value.field_errors == {}
    assert "Bad Request - Invalid Header" in caught.value.message


def test_a_429_whose_body_is_a_json_string_is_read(
    make_client: Callable[..., VendorClient], vendor: FakeVendor
) -> None:
    client = make_client(retry=ONCE)
    vendor.on(
        "GET", "/v1/Products", reply(429, "API calls quota exceeded! maximum admitted 5 per Second.",
                                     headers={"Retry-After": "1"})
    )  # fmt: skip
    with pytest.raises(errors.RateLimitedError) as caught:
        client.list_products()
    assert caught.value.retry_after == 1.0
    assert "quota exceeded" in caught.value.message


def test_a_body_naming_endless_fields_is_read_only_as_far_as_anyone_can_act_on(
    client: VendorClient, vendor: FakeVendor
) -> None:
    body = {"modelState": {f"order.LineItems[{i}].Value": ["bad"] for i in range(20_000)}}
    vendor.on("POST", "/v1/Orders", reply(400, body))
    with pytest.raises(errors.ValidationError) as caught:
        client.create_order(an_order())
    assert len(caught.value.field_errors) == 1000
    assert "(and 997 more)" in caught.value.message


@pytest.mark.parametrize(("status", "kind"), [(403, errors.ForbiddenError), (404, errors.NotFoundError)])
def test_a_refused_or_absent_endpoint_is_named_in_the_message(
    client: VendorClient, vendor: FakeVendor, status: int, kind: type[errors.ApiError]
) -> None:
    vendor.on("GET", "/v1/Balance", reply(status, {"message": "nope"}))
    vendor.on("GET", "/v1/Orders/ORD-1", reply(status, {"message": "nope"}))
    with pytest.raises(kind) as caught:
        client.get_order("ORD-1")
    assert "GET /v1/Orders/ORD-1" in caught.value.message
    assert caught.value.endpoint == "GET /v1/Orders/ORD-1"
    assert_plain(caught.value)
