"""Faults set through /_sandbox/faults strike /v1/ answers only, as configured and reproducibly."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.sandbox.conftest import CREDENTIALS, SandboxApi, digital_order, line


def test_faults_start_well_behaved_and_report_every_setting(api: SandboxApi) -> None:
    faults = api.http.get("/_sandbox/faults").json()

    assert faults == {
        "latency_ms": 0, "error_rate": 0.0, "lost_response_rate": 0.0, "rate_limit_per_s": 0,
        "token_ttl_s": 3600, "camel_case": False, "pending_delay_s": 0.2, "line_item_failure_rate": 0.0,
        "seed": None, "error_style": "pascal", "shipping_methods_status": 200, "brandings_status": 200,
        "null_lists": False, "echo_external_id": True, "balance_endpoint": True,
    }  # fmt: skip


def test_an_error_rate_of_one_answers_every_call_with_500_or_503_before_doing_anything(
    api: SandboxApi,
) -> None:
    api.set_faults(error_rate=1)

    statuses = {api.post_order(digital_order(f"PO-{n}")).status_code for n in range(8)}
    statuses |= {api.http.post("/v1/Tokens", headers=CREDENTIALS).status_code for _ in range(8)}

    assert statuses <= {500, 503}
    assert api.ledger()["orders"] == []
    assert api.http.get("/_sandbox/ledger").status_code == 200


def test_a_lost_response_commits_the_order_and_the_retry_gets_409_with_the_original(api: SandboxApi) -> None:
    api.set_faults(lost_response_rate=1)

    lost = api.post_order(digital_order("PO-LOST"))
    api.set_faults(lost_response_rate=0)
    retry = api.post_order(digital_order("PO-LOST"))

    assert lost.status_code == 504
    assert retry.status_code == 409
    orders = api.ledger()["orders"]
    assert len(orders) == 1
    assert retry.json()["Id"] == orders[0]["Id"]
    assert api.balance()["Available"] == 100000 - 10


def test_beyond_the_rate_limit_the_answer_is_429_with_retry_after(api: SandboxApi) -> None:
    api.set_faults(rate_limit_per_s=1)

    responses = [api.get("/v1/Balance") for _ in range(5)]

    limited = [r for r in responses if r.status_code == 429]
    assert limited
    retry_after = limited[0].headers["Retry-After"]
    assert retry_after.isdigit()
    assert int(retry_after) >= 1
    time.sleep(int(retry_after))
    assert api.get("/v1/Balance").status_code == 200


def test_a_short_token_lifetime_is_reported_and_the_token_then_expires(api: SandboxApi) -> None:
    api.set_faults(token_ttl_s=1)

    response = api.http.post("/v1/Tokens", headers=CREDENTIALS)
    token = {"Authorization": f"Bearer {response.json()['Value']}"}

    assert response.json()["ExpiresIn"] == 1
    assert api.http.get("/v1/Balance", headers=token).status_code == 200
    time.sleep(1.1)
    expired = api.http.get("/v1/Balance", headers=token)
    assert expired.status_code == 401
    assert "expired" in expired.json()["Message"]


def keys(value: Any) -> set[str]:
    """Every key of every object in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


def test_camel_case_answers_use_camel_case_keys_everywhere(api: SandboxApi) -> None:
    api.set_faults(camel_case=True)

    token = api.http.post("/v1/Tokens", headers=CREDENTIALS).json()
    api.token = token["value"]
    created = api.post_order(digital_order("PO-C", line("CVS", 10, email="a@example.com")))
    duplicate = api.post_order(digital_order("PO-C"))
    invalid = api.post_order(digital_order("PO-D", line("CVS", 11)))
    answers = [
        token,
        created.json(),
        duplicate.json(),
        invalid.json(),
        api.get("/v1/Products").json(),
        api.get("/v1/Balance").json(),
        api.get("/v1/ShippingMethods").json(),
        api.get("/v1/Orders", poNumber="PO-C").json(),
    ]

    assert set(token) == {"value", "expiresIn"}
    assert {"id", "poNumber", "lineItems", "totalCost"} <= set(created.json())
    assert set(duplicate.json()) == {"message", "id", "previousOrderIds"}
    assert "lineItems[0].value" in invalid.json()["errors"]
    assert all(not k[0].isupper() for answer in answers for k in keys(answer))
    assert "Available" in api.ledger()["balance"]  # the sandbox's own endpoints stay as they are


def test_latency_does_not_change_the_answers(api: SandboxApi) -> None:
    api.set_faults(latency_ms=50)

    assert api.get("/v1/Balance").json()["Available"] == 100000.0
    assert api.post_order(digital_order("PO-SLOW")).status_code == 201


def test_the_same_seed_gives_the_same_faults(api: SandboxApi) -> None:
    def run() -> list[int]:
        api.set_faults(seed=42, error_rate=0.5)
        return [api.get("/v1/Brandings").status_code for _ in range(30)]

    first, second = run(), run()

    assert first == second
    assert {200, 500, 503} == set(first)


def test_faults_never_touch_the_sandbox_endpoints(api: SandboxApi) -> None:
    api.set_faults(error_rate=1, rate_limit_per_s=1, latency_ms=1)

    assert all(api.http.get("/_sandbox/ledger").status_code == 200 for _ in range(5))
    assert all(api.http.get("/_sandbox/faults").status_code == 200 for _ in range(5))


def test_reset_puts_faults_back_to_how_the_server_started(api: SandboxApi) -> None:
    api.set_faults(error_rate=1, camel_case=True, pending_delay_s=9)

    api.http.post("/_sandbox/reset")

    faults = api.http.get("/_sandbox/faults").json()
    assert (faults["error_rate"], faults["camel_case"], faults["pending_delay_s"]) == (0.0, False, 0.2)


def test_a_null_puts_one_setting_back_to_its_default(api: SandboxApi) -> None:
    api.set_faults(error_rate=0.5, latency_ms=5)

    faults = api.set_faults(error_rate=None)

    assert (faults["error_rate"], faults["latency_ms"]) == (0.0, 5)


@pytest.mark.parametrize(
    "setting",
    [{"error_rate": 1.5}, {"error_rate": "high"}, {"token_ttl_s": 0}, {"latency_ms": -1}, {"camel_case": 1},
     {"rate_limit_per_s": 2.5}, {"no_such_fault": 1}, {"error_style": "xml"}, {"error_style": 1},
     {"shipping_methods_status": 500}, {"shipping_methods_status": "404"}, {"brandings_status": True},
     {"echo_external_id": "no"}, {"null_lists": 1}, {"balance_endpoint": "off"}],
)  # fmt: skip
def test_a_bad_fault_setting_is_a_400_and_changes_nothing(api: SandboxApi, setting: dict[str, Any]) -> None:
    before = api.http.get("/_sandbox/faults").json()

    response = api.http.post("/_sandbox/faults", json={"latency_ms": 7, **setting})

    assert response.status_code == 400
    assert list(response.json()["Errors"]) == list(setting)
    assert api.http.get("/_sandbox/faults").json() == before


def test_error_answers_take_the_shape_of_the_chosen_style(api: SandboxApi) -> None:
    invalid = digital_order("PO-S", line("CVS", 11, email="a@example.com"))

    api.set_faults(error_style="webapi")
    webapi = api.post_order(invalid).json()
    api.set_faults(error_style="problem")
    problem = api.post_order(invalid)
    api.set_faults(error_style="message-only")
    bare = api.post_order(invalid).json()
    api.set_faults(error_style="pascal")
    ours = api.post_order(invalid).json()

    assert webapi["message"] == "The request is invalid."
    assert list(webapi["modelState"]) == ["order.LineItems[0].Value"]
    assert problem.headers["Content-Type"] == "application/problem+json"
    assert problem.json()["title"] == "One or more validation errors occurred."
    assert problem.json()["status"] == 400
    assert list(problem.json()["errors"]) == ["$.lineItems[0].value"]
    assert bare == {"message": "The order is not valid."}
    assert list(ours["Errors"]) == ["LineItems[0].Value"]
    assert api.ledger()["orders"] == []


def test_web_api_style_puts_the_original_in_previous_order_ids_and_a_429_in_a_json_string(
    api: SandboxApi,
) -> None:
    api.set_faults(error_style="webapi")
    created = api.post_order(digital_order("PO-W"))
    duplicate = api.post_order(digital_order("PO-W"))
    api.set_faults(rate_limit_per_s=1)
    limited = next(r for r in (api.get("/v1/Brandings") for _ in range(5)) if r.status_code == 429)

    assert set(duplicate.json()) == {"message", "previousOrderIds"}
    assert duplicate.json()["previousOrderIds"] == [created.json()["Id"]]
    assert isinstance(limited.json(), str) and "Too many requests" in limited.json()
    assert limited.headers["Retry-After"].isdigit()


@pytest.mark.parametrize("status", [403, 404])
def test_shipping_methods_and_brandings_can_be_refused_or_absent(api: SandboxApi, status: int) -> None:
    api.set_faults(shipping_methods_status=status, brandings_status=status)

    assert api.get("/v1/ShippingMethods").status_code == status
    assert api.get("/v1/Brandings").status_code == status
    assert api.get("/v1/Products").status_code == 200


def test_without_a_balance_endpoint_or_an_echo_orders_still_work(api: SandboxApi) -> None:
    api.set_faults(balance_endpoint=False, echo_external_id=False)

    created = api.post_order(
        digital_order("PO-E", line("CVS", 10, email="a@example.com", ExternalId="row-2"))
    )

    assert api.get("/v1/Balance").status_code == 404
    assert created.status_code == 201
    assert "ExternalId" not in created.json()["LineItems"][0]
    assert "ExternalId" not in api.order(created.json()["Id"])["LineItems"][0]
    assert api.ledger()["orders"][0]["LineItems"][0]["ExternalId"] == "row-2"  # the ledger keeps it


def test_null_lists_leave_products_whole_otherwise(api: SandboxApi) -> None:
    api.set_faults(null_lists=True)

    products = api.get("/v1/Products").json()["Data"]

    assert {p["Translations"] for p in products} == {None}
    assert {(p["Media"], p["Meta"], p["CultureCodes"]) for p in products} == {(None, None, None)}
    assert all(p["Denominations"] and p["Id"] for p in products)
