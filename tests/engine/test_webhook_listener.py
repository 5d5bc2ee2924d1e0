"""The webhook listener as an attacker or a broken proxy would meet it: only the secret path, bounded bodies,
bad lengths answered 400, and no thread left blocked by a client that stops halfway."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from app.engine import webhook_listener
from app.engine.webhook_listener import WebhookListener, WebhookListenerError, WebhookSignal


@pytest.fixture
def listener() -> Iterator[WebhookListener]:
    with WebhookListener() as started:
        yield started


def raw(listener: WebhookListener, request: bytes, *, wait_s: float = 5.0) -> bytes:
    """Send bytes as they are and return what came back before the server closed or `wait_s` passed."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=wait_s) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
        except TimeoutError:
            pass
        return answer


def secret_path(listener: WebhookListener) -> str:
    return urlsplit(listener.url).path


def test_only_a_post_to_the_secret_path_is_taken(listener: WebhookListener) -> None:
    good = httpx.post(
        listener.url,
        json={
            "EventType": "FulfillmentComplete",
            "OrderId": "ORD-1",
            "PONumber": "PO-1",
            "Status": "Completed",
        },
    )
    again = httpx.post(listener.url, json={"OrderId": "ORD-1", "PONumber": "PO-1"})
    base = listener.url.rsplit("/", 1)[0]
    wrong = httpx.post(f"{base}/not-the-secret", json={"OrderId": "ORD-2"})
    longer = httpx.post(f"{listener.url}x", json={"OrderId": "ORD-3"})
    bare = httpx.post(base, json={"OrderId": "ORD-4"})
    read = httpx.get(listener.url)
    assert good.status_code == again.status_code == 204
    assert wrong.status_code == longer.status_code == bare.status_code == 404
    assert read.status_code == 405
    assert listener.drain() == [WebhookSignal("ORD-1", "PO-1"), WebhookSignal("ORD-1", "PO-1")]


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1e3", b"5, 6"])
def test_a_bad_content_length_is_answered_400_and_nothing_is_left_waiting(
    listener: WebhookListener, length: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    path = secret_path(listener).encode()
    answer = raw(
        listener, b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n{}"
    )
    assert answer.startswith(b"HTTP/1.1 400")
    assert listener.drain() == []
    assert httpx.post(listener.url, json={"OrderId": "ORD-1"}).status_code == 204  # still serving
    assert "Traceback" not in capfd.readouterr().err


def test_a_body_over_the_cap_is_refused_whatever_its_length_says(listener: WebhookListener) -> None:
    path = secret_path(listener).encode()
    declared = raw(listener, b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n{")
    streamed = httpx.post(listener.url, content=iter([b"x" * 40_000] * 3))  # chunked: no length at all
    assert declared.startswith(b"HTTP/1.1 413")
    assert streamed.status_code == 413
    assert listener.drain() == []


def test_a_client_that_stops_halfway_is_timed_out_and_blocks_nobody(
    listener: WebhookListener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_listener, "BODY_TIMEOUT_S", 0.5)
    path = secret_path(listener).encode()
    stalled = socket.create_connection(("127.0.0.1", listener.port), timeout=5)
    stalled.sendall(b"POST " + path + b' HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"Or')
    idle = [socket.create_connection(("127.0.0.1", listener.port), timeout=5) for _ in range(10)]
    for sock in idle:
        sock.sendall(b"POST " + path + b" HTTP/1.1\r\n")  # headers never finished
    try:
        started = time.monotonic()
        assert httpx.post(listener.url, json={"OrderId": "ORD-9"}, timeout=5).status_code == 204
        assert time.monotonic() - started < 1.0
        assert stalled.recv(1024).startswith(b"HTTP/1.1 408")
    finally:
        for sock in [stalled, *idle]:
            sock.close()
    assert listener.drain() == [WebhookSignal("ORD-9", None)]


def test_stopping_leaves_no_thread_behind_even_with_a_stalled_client() -> None:
    listener = WebhookListener().start()
    stalled = socket.create_connection(("127.0.0.1", listener.port), timeout=5)
    stalled.sendall(b"POST " + secret_path(listener).encode() + b" HTTP/1.1\r\nContent-Length: 50\r\n\r\n{")
    time.sleep(0.1)
    started = time.monotonic()
    listener.stop()
    stalled.close()
    assert time.monotonic() - started < 3
    assert not listener.running
    assert not [t for t in threading.enumerate() if t.name == "webhook-listener"]


def test_the_webhook_url_uses_the_public_address_when_one_is_set() -> None:
    listener = WebhookListener(public_url="https://hooks.example.org/giftbatch/")
    try:
        assert listener.url.startswith("https://hooks.example.org/giftbatch/hooks/")
        assert len(listener.url.rsplit("/", 1)[1]) >= 32
    finally:
        listener.stop()


def test_a_port_in_use_is_a_clear_error() -> None:
    with (
        WebhookListener() as first,
        pytest.raises(WebhookListenerError, match=r"cannot listen on 127\.0\.0\.1"),
    ):
        WebhookListener(port=first.port)
