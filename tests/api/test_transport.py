"""The client's bounds against real misbehaving servers: deadline, size cap, nesting, redirects, TLS, stop-now."""

from __future__ import annotations

import json
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from app.api import errors
from app.api.client import VendorClient
from app.api.retry import RetryPolicy
from app.domain.errors import UserInputError
from tests.api.hostile import Behaviour, answer, hostile_server, self_signed_tls, trickle

EMAIL = "ops@corp.example"
ACCESS_TOKEN = "acc-5ecret-Do-Not-Leak"
TOKEN = json.dumps({"Value": "bearer", "ExpiresIn": 3600}).encode()
RETRYING = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.02, total_time=60.0, jitter=0.0)


trickle_body = trickle(0.5)


def trickle_headers(handler: BaseHTTPRequestHandler) -> None:
    """The status line and headers themselves, one byte every half second."""
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 1000:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.5)


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A 200 without a length whose body never ends (1 MB chunks until the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Connection", "close")
    handler.end_headers()
    chunk = b"[" + b"1," * (1 << 19)
    while True:
        handler.wfile.write(chunk)


def client_for(base_url: str, **options: object) -> VendorClient:
    return VendorClient(base_url, EMAIL, ACCESS_TOKEN, **options)  # type: ignore[arg-type]


@pytest.fixture
def clients() -> Iterator[list[VendorClient]]:
    made: list[VendorClient] = []
    yield made
    for client in made:
        client.close()


@pytest.mark.parametrize("behaviour", [trickle_body, trickle_headers], ids=["body", "headers"])
def test_a_trickling_server_cannot_stretch_a_request_past_its_deadline(
    behaviour: Behaviour, clients: list[VendorClient]
) -> None:
    with hostile_server(behaviour) as (url, seen):
        client = client_for(url, timeout=1.5, retry=RetryPolicy(max_attempts=1))
        clients.append(client)
        started = time.monotonic()
        with pytest.raises(errors.TransientError, match=r"in time \(timeout: 1.5 s for the whole answer\)"):
            client.authenticate()
        elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 2.5
    assert len(seen.paths) == 1


def test_retries_of_a_slow_request_stay_within_the_calls_total_time(clients: list[VendorClient]) -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=0.01, max_delay=0.01, total_time=2.0, jitter=0.0)
    with hostile_server(trickle_body) as (url, seen):
        client = client_for(url, timeout=0.8, retry=policy)
        clients.append(client)
        started = time.monotonic()
        with pytest.raises(errors.TransientError):
            client.authenticate()
        elapsed = time.monotonic() - started
    assert elapsed < 2.6
    assert len(seen.paths) >= 2  # a timeout is retried, within the call's time


def test_an_endless_answer_stops_at_the_cap_is_not_retried_and_stays_small(
    clients: list[VendorClient],
) -> None:
    with hostile_server(endless) as (url, seen):
        client = client_for(url, max_answer_bytes=4 << 20, retry=RETRYING)
        clients.append(client)
        tracemalloc.start()
        try:
            with pytest.raises(
                errors.AnswerTooLargeError, match="more data than Giftbatch accepts"
            ) as caught:
                client.authenticate()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert not caught.value.retryable
    assert seen.paths == ["/v1/Tokens"]  # asked once, not five times
    assert peak < 16 << 20  # the 4 MB cap and its chunks, nothing like the whole answer


def test_a_declared_length_over_the_cap_is_refused_before_reading(clients: list[VendorClient]) -> None:
    def announces_a_gigabyte(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(1 << 30))
        handler.end_headers()
        handler.wfile.write(b"[" * 1000)

    with hostile_server(announces_a_gigabyte) as (url, _):
        client = client_for(url, retry=RETRYING)
        clients.append(client)
        started = time.monotonic()
        with pytest.raises(errors.AnswerTooLargeError):
            client.authenticate()
    assert time.monotonic() - started < 2


def test_a_large_error_page_is_cut_to_its_start_not_refused(clients: list[VendorClient]) -> None:
    page = b"<html>" + b"x" * (1 << 20)
    with hostile_server(lambda h: answer(h, 403, page, Content_Type="text/html")) as (url, _):
        client = client_for(url, retry=RETRYING)
        clients.append(client)
        with pytest.raises(errors.ForbiddenError, match="HTML page"):
            client.authenticate()


@pytest.mark.parametrize("depth", [65, 5_000, 200_000])
def test_json_nested_absurdly_deep_is_an_invalid_answer(clients: list[VendorClient], depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    with hostile_server(lambda h: answer(h, 200, body)) as (url, seen):
        client = client_for(url, retry=RETRYING)
        clients.append(client)
        with pytest.raises(errors.InvalidAnswerError, match="not valid \\(JSON nested more than 64 levels"):
            client.authenticate()
    assert len(seen.paths) == 1


def test_a_deep_error_body_still_gives_the_statuss_message(clients: list[VendorClient]) -> None:
    body = b'{"Message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with hostile_server(lambda h: answer(h, 401, body)) as (url, _):
        client = client_for(url, retry=RETRYING)
        clients.append(client)
        with pytest.raises(errors.AuthenticationError, match="did not accept the Email and AccessToken"):
            client.authenticate()


def test_a_redirect_is_named_and_not_followed(clients: list[VendorClient]) -> None:
    def moved(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 302, b"", Location="https://elsewhere.example/v1/Tokens?key=abc")

    with hostile_server(moved) as (url, seen):
        client = client_for(url, retry=RETRYING)
        clients.append(client)
        with pytest.raises(errors.RedirectError) as caught:
            client.authenticate()
    message = caught.value.message
    assert "redirected POST /v1/Tokens to https://elsewhere.example/v1/Tokens (HTTP 302)" in message
    assert "base URL" in message and "key=abc" not in message
    assert len(seen.paths) == 1


def test_an_untrusted_certificate_is_named_and_nothing_is_sent(
    tmp_path: Path, clients: list[VendorClient]
) -> None:
    with hostile_server(lambda h: answer(h, 200, TOKEN), tls=self_signed_tls(tmp_path)) as (url, seen):
        client = client_for(url, retry=RETRYING)
        clients.append(client)
        with pytest.raises(
            errors.CertificateError, match="certificate this computer does not trust"
        ) as caught:
            client.authenticate()
    assert "self-signed" in caught.value.message or "self signed" in caught.value.message
    assert seen.access_tokens == []


def test_abort_requests_ends_a_request_on_the_wire_at_once(clients: list[VendorClient]) -> None:
    with hostile_server(trickle_body) as (url, _):
        client = client_for(url, timeout=30, retry=RETRYING)
        clients.append(client)
        outcome: list[BaseException] = []

        def call() -> None:
            try:
                client.authenticate()
            except errors.ApiError as error:
                outcome.append(error)

        worker = threading.Thread(target=call)
        worker.start()
        time.sleep(0.5)
        aborted_at = time.monotonic()
        client.abort_requests()
        worker.join(5)
        assert not worker.is_alive()
        assert time.monotonic() - aborted_at < 1.0
    assert isinstance(outcome[0], errors.RequestCancelled)
    assert outcome[0].attempts == 1  # a request went out: its effect is unknown


def test_requests_after_an_abort_are_not_affected(clients: list[VendorClient]) -> None:
    with hostile_server(lambda h: answer(h, 200, TOKEN)) as (url, _):
        client = client_for(url)
        clients.append(client)
        client.abort_requests()
        client.authenticate()
        assert client.tokens.fetch_count == 1


@pytest.mark.parametrize(
    "base_url",
    [
        "http://192.0.2.10",
        "http://api.vendor.example",
        "http://127.0.0.1.nip.io",
        "https://user:pass@api.vendor.example",
        "ftp://api.vendor.example",
        "http://[::1",
    ],
)
def test_a_base_url_that_is_not_https_or_loopback_is_refused_before_anything_is_sent(base_url: str) -> None:
    with pytest.raises(UserInputError):
        VendorClient(base_url, EMAIL, ACCESS_TOKEN)


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_to_this_machine_is_allowed(base_url: str) -> None:
    VendorClient(base_url, EMAIL, ACCESS_TOKEN).close()


def test_a_trickling_proxy_named_by_the_environment_is_held_to_the_deadline_too(
    clients: list[VendorClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    with hostile_server(trickle_headers) as (proxy_url, seen):
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        client = client_for("http://localhost:9", timeout=1.5, retry=RetryPolicy(max_attempts=1))
        clients.append(client)
        started = time.monotonic()
        with pytest.raises(errors.TransientError, match="in time"):
            client.authenticate()
        elapsed = time.monotonic() - started
    assert seen.paths == ["http://localhost:9/v1/Tokens"]  # it went through the proxy
    assert elapsed < 2.5
