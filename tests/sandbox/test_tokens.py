"""POST /v1/Tokens and the bearer check on every other /v1 call."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import CREDENTIALS, SandboxApi


def test_the_sandbox_credentials_get_a_token_for_an_hour(api: SandboxApi) -> None:
    response = api.http.post("/v1/Tokens", headers=CREDENTIALS)

    assert response.status_code == 200
    body = response.json()
    assert body["ExpiresIn"] == 3600
    assert len(body["Value"]) > 40
    assert (
        api.http.get("/v1/Balance", headers={"Authorization": f"Bearer {body['Value']}"}).status_code == 200
    )


def test_each_call_gets_a_new_token_and_both_stay_valid(api: SandboxApi) -> None:
    first, second = api.login(), api.login()

    assert first != second
    for token in (first, second):
        assert api.http.get("/v1/Balance", headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Email": "sandbox@example.com", "AccessToken": "wrong"},
        {"Email": "someone@example.com", "AccessToken": "sandbox-secret"},
        {"Email": "sandbox@example.com"},
        {"AccessToken": "sandbox-secret"},
        {},
    ],
)
def test_other_credentials_get_401_without_a_token(api: SandboxApi, headers: dict[str, str]) -> None:
    response = api.http.post("/v1/Tokens", headers=headers)

    assert response.status_code == 401
    assert "Value" not in response.json()
    assert response.json()["Message"]
    assert "sandbox-secret" not in response.text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Basic c2FuZGJveDpzZWNyZXQ="],
)
def test_calls_without_a_valid_bearer_token_get_401(api: SandboxApi, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    for path in ("/v1/Products", "/v1/ShippingMethods", "/v1/Brandings", "/v1/Balance", "/v1/Orders"):
        response = api.http.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert api.http.post("/v1/Orders", headers=headers, json={}).status_code == 401
    assert api.ledger()["orders"] == []


def test_tokens_are_forgotten_on_reset(api: SandboxApi) -> None:
    api.http.post("/_sandbox/reset")

    assert api.get("/v1/Balance").status_code == 401
