"""`giftbatch` against servers that misbehave, as a user meets them: the real cause named, nothing sent where
it must not go, and nothing unbounded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.api.hostile import answer, hostile_server, self_signed_tls, trickle

ROOT = Path(__file__).resolve().parents[2]
LINKS_BOOK = ROOT / "sample_workbooks" / "links.xlsx"
TOKEN = json.dumps({"Value": "bearer", "ExpiresIn": 3600}).encode()


def giftbatch(home: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GIFTBATCH_ACCESS_TOKEN": "acc-5ecret-Do-Not-Leak",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    return subprocess.run(
        [sys.executable, "-m", "app", "--home", str(home), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def profile_for(home: Path, base_url: str) -> None:
    """settings.json written by hand, as a user (or a script) could."""
    (home / "config").mkdir(parents=True, exist_ok=True)
    settings = {
        "schema_version": 1,
        "active_profile": "vendor",
        "profiles": [{"name": "vendor", "base_url": base_url, "email": "ops@corp.example"}],
    }
    (home / "config" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")


def outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # picks the outgoing interface; nothing is sent
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_an_http_base_url_in_settings_is_refused_before_any_credential_is_sent(tmp_path: Path) -> None:
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    with hostile_server(lambda h: answer(h, 200, TOKEN), host=address) as (url, seen):
        profile_for(tmp_path, url)
        tested = giftbatch(tmp_path, "profile", "test")
        sent = giftbatch(tmp_path, "submit", str(LINKS_BOOK), "--yes")
    assert tested.returncode == sent.returncode == 2
    assert "is not encrypted (http)" in tested.stderr and "is not encrypted (http)" in sent.stderr
    assert seen.paths == [] and seen.access_tokens == []


def test_submit_through_a_redirect_names_the_redirect(tmp_path: Path) -> None:
    def moved(handler: BaseHTTPRequestHandler) -> None:
        answer(handler, 302, b"", Location="https://elsewhere.example/v1/Tokens")

    with hostile_server(moved) as (url, _):
        profile_for(tmp_path, url)
        sent = giftbatch(tmp_path, "submit", str(LINKS_BOOK), "--yes")
    assert sent.returncode == 1
    assert "redirected POST /v1/Tokens to https://elsewhere.example/v1/Tokens" in sent.stderr
    assert "not in the vendor's catalog" not in sent.stderr


def test_submit_to_an_untrusted_certificate_names_the_certificate(tmp_path: Path) -> None:
    with hostile_server(lambda h: answer(h, 200, TOKEN), tls=self_signed_tls(tmp_path)) as (url, seen):
        profile_for(tmp_path / "home", url)
        sent = giftbatch(tmp_path / "home", "submit", str(LINKS_BOOK), "--yes")
    assert sent.returncode == 1
    assert "certificate this computer does not trust" in sent.stderr
    assert "not in the vendor's catalog" not in sent.stderr
    assert seen.access_tokens == []


def test_json_nested_absurdly_deep_is_an_invalid_answer_not_a_crash(tmp_path: Path) -> None:
    with hostile_server(lambda h: answer(h, 200, b"[" * 200_000 + b"]" * 200_000)) as (url, seen):
        profile_for(tmp_path, url)
        tested = giftbatch(tmp_path, "profile", "test")
    assert tested.returncode == 1
    assert "data that is not valid (JSON nested more than 64 levels deep)" in tested.stderr
    assert len(seen.paths) == 1  # not retried


@pytest.mark.slow
def test_a_server_trickling_one_byte_every_5_s_cannot_keep_profile_test_past_its_deadline(
    tmp_path: Path,
) -> None:
    with hostile_server(trickle(5.0)) as (url, _):
        profile_for(tmp_path, url)
        started = time.monotonic()
        tested = giftbatch(tmp_path, "profile", "test", timeout=200)
        took = time.monotonic() - started
    assert tested.returncode == 1
    assert "in time (timeout: 30 s for the whole answer)" in tested.stderr
    assert took < 75  # two attempts of 30 s at most, within the call's 60 s
