"""Running the sandbox: in-process start and stop, state across restarts, and the command line."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from app.sandbox.faults import OBSERVED, FaultSettingError
from app.sandbox.options import add_serve_arguments, faults_from_arguments
from app.sandbox.server import SandboxServer, SandboxStartError
from tests.sandbox.conftest import CREDENTIALS, SandboxApi, WebhookReceiver, digital_order, line, links_order

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Sandbox listening on (http://127\.0\.0\.1:(\d+))")


def test_start_returns_a_loopback_url_and_stop_leaves_no_thread_behind() -> None:
    before = set(threading.enumerate())
    server = SandboxServer()

    url = server.start()

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
    assert server.base_url == url
    assert httpx.post(f"{url}/v1/Tokens", headers=CREDENTIALS).status_code == 200
    server.stop()
    server.stop()
    assert set(threading.enumerate()) == before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_sandbox/ledger")


def test_background_work_leaves_no_thread_behind(webhook_receiver: Callable[..., WebhookReceiver]) -> None:
    receiver = webhook_receiver()
    before = set(threading.enumerate())

    with SandboxServer(faults={"pending_delay_s": 30}) as server:
        api = SandboxApi(server.base_url)
        api.login()
        hooks = {"FulfillmentComplete": receiver.url}
        api.post_order(links_order("PO-1", WebhookSettings=hooks))
        api.post_order(links_order("PO-2", line("CVS", 10, quantity=60), WebhookSettings=hooks))
        receiver.wait_for(1)
        api.close()

    assert set(threading.enumerate()) == before


def test_a_restart_with_the_same_state_file_keeps_orders_balance_and_tokens(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.sqlite3"
    with SandboxServer(state_path=state) as server:
        api = SandboxApi(server.base_url)
        token = api.login()
        created = api.post_order(digital_order("PO-KEEP", line("CVS", 25, email="a@example.com"))).json()
        api.http.post("/_sandbox/faults", json={"latency_ms": 3})
        ledger = api.ledger()
        api.close()

    with SandboxServer(state_path=state) as server:
        api = SandboxApi(server.base_url)
        api.token = token
        assert api.ledger() == ledger
        assert api.order(created["Id"]) == created
        assert api.post_order(digital_order("PO-KEEP")).status_code == 409
        assert api.http.get("/_sandbox/faults").json()["latency_ms"] == 3
        api.close()


def test_a_pending_order_completes_and_calls_its_webhook_after_a_restart(
    tmp_path: Path, webhook_receiver: Callable[..., WebhookReceiver]
) -> None:
    state = tmp_path / "sandbox.sqlite3"
    receiver = webhook_receiver()
    body = links_order(
        "PO-P", line("CVS", 10, quantity=50), WebhookSettings={"FulfillmentComplete": receiver.url}
    )
    with SandboxServer(state_path=state, faults={"pending_delay_s": 600}) as server:
        api = SandboxApi(server.base_url)
        api.login()
        order_id = api.post_order(body).json()["Id"]
        api.close()
    # While the sandbox is down, bring the order's deadline to just after the restart.
    with sqlite3.connect(state) as db:
        db.execute("UPDATE orders SET processing_at = 0, complete_at = ?", (time.time() + 0.2,))
    db.close()

    with SandboxServer(state_path=state):
        events = receiver.wait_for(1)  # nobody reads the order: the restarted server completes it on its own

    assert events[0]["OrderId"] == order_id
    assert events[0]["Status"] == "Completed"


def test_the_camel_case_option_survives_a_reset() -> None:
    with SandboxServer(camel_case=True) as server:
        http = httpx.Client(base_url=server.base_url)
        http.post("/_sandbox/reset")
        assert set(http.post("/v1/Tokens", headers=CREDENTIALS).json()) == {"value", "expiresIn"}
        http.close()


@pytest.fixture
def busy_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


def test_a_port_in_use_is_a_clear_error(busy_port: int) -> None:
    with pytest.raises(SandboxStartError, match=f"Port {busy_port} .* already in use"):
        SandboxServer(port=busy_port).start()


def test_a_state_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "notes.txt"
    state.write_text("shopping list: milk, eggs, bread, coffee, and a great deal more text " * 20)

    with pytest.raises(SandboxStartError, match="Cannot keep the sandbox state in"):
        SandboxServer(state_path=state).start()


def test_bad_fault_settings_are_refused_before_starting() -> None:
    with pytest.raises(FaultSettingError):
        SandboxServer(faults={"error_rate": 2})


def start_process(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_command_line_serves_until_interrupted_and_exits_cleanly(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    state = tmp_path / "cli.sqlite3"
    process = start_process(
        "-m",
        "app",
        "sandbox",
        "serve",
        "--port",
        "0",
        "--state",
        str(state),
        "--token-ttl-s",
        "120",
        "--camel-case",
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        match = LISTENING.fullmatch(first_line.strip())
        assert match, first_line
        response = httpx.post(f"{match.group(1)}/v1/Tokens", headers=CREDENTIALS)
        assert response.json()["expiresIn"] == 120
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()

    assert process.returncode == 0, err
    assert out == ""
    assert state.exists()


def test_python_dash_m_app_sandbox_serves_the_same_way(busy_port: int) -> None:
    process = start_process("-m", "app.sandbox", "--error-rate", "1")
    try:
        assert process.stdout is not None
        match = LISTENING.fullmatch(process.stdout.readline().strip())
        assert match
        assert httpx.get(f"{match.group(1)}/v1/Balance").status_code in (500, 503)
        process.terminate()
        process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0


@pytest.mark.parametrize("module", [("-m", "app", "sandbox", "serve"), ("-m", "app.sandbox")])
def test_a_port_in_use_on_the_command_line_is_one_line_and_exit_2(
    busy_port: int, module: tuple[str, ...]
) -> None:
    process = start_process(*module, "--port", str(busy_port))
    out, err = process.communicate(timeout=30)

    assert process.returncode == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "already in use" in err


def test_a_bad_fault_option_on_the_command_line_is_one_line_and_exit_2() -> None:
    process = start_process("-m", "app", "sandbox", "serve", "--error-rate", "7")
    _, err = process.communicate(timeout=30)

    assert process.returncode == 2
    assert len(err.strip().splitlines()) == 1
    assert "error_rate" in err


def test_the_observed_option_answers_as_public_clients_show_the_engine() -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)

    args = parser.parse_args(["--observed", "--shipping-methods-status", "404", "--error-style", "problem"])

    assert faults_from_arguments(args) == {
        **OBSERVED,
        "error_style": "problem",  # an option given beside --observed still applies
        "shipping_methods_status": 404,
    }
    assert faults_from_arguments(parser.parse_args(["--no-external-id-echo", "--null-lists"])) == {
        "echo_external_id": False,
        "null_lists": True,
    }
    with SandboxServer(faults=faults_from_arguments(args)) as server:
        http = httpx.Client(base_url=server.base_url)
        token = http.post("/v1/Tokens", headers=CREDENTIALS).json()["value"]
        auth = {"Authorization": f"Bearer {token}"}
        assert http.get("/v1/Balance", headers=auth).status_code == 404
        assert http.get("/v1/ShippingMethods", headers=auth).status_code == 404
        assert http.get("/v1/Products", headers=auth).json()["data"][0]["translations"] is None
        http.close()
