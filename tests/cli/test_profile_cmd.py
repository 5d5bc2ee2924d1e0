"""The profile, products and balance commands, as a user at a terminal or a scheduled job runs them."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL
from app.sandbox.faults import OBSERVED
from app.sandbox.server import SandboxServer
from tests.keyring_fakes import MemoryKeyring


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    with SandboxServer(state_path=tmp_path / "vendor.sqlite3") as server:
        yield server.base_url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_balance_of_the_builtin_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "balance", "--json")
    assert code == 0
    assert json.loads(out) == {"available": 100000.0, "pending": 0.0, "currency": "USD"}


def test_products_lists_the_sandbox_catalog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "products", "--json")
    assert code == 0
    products = {p["id"]: p for p in json.loads(out)}
    assert products["CVS"]["denominations"] == [10.0, 25.0, 50.0, 100.0]
    assert products["VISA-VAR"]["denomination_type"] == "Variable"
    assert products["TIMS-CA"]["currency"] == "CAD"


def test_products_table_names_when_the_catalog_was_fetched(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "products")
    assert code == 0
    assert "CVS Pharmacy" in out
    assert "catalog fetched 20" in out


def test_add_without_keyring_stores_no_token_and_says_how_to_give_one(
    capsys: pytest.CaptureFixture[str],
    no_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
    giftbatch_home: Path,
) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", "tok-SECRET-42")
    code, out, _ = _run(
        capsys,
        "profile",
        "add",
        "acme",
        "--base-url",
        "https://api.acme.example",
        "--email",
        "ops@acme.example",
    )
    assert code == 0
    assert "NOT stored" in out and "GIFTBATCH_ACCESS_TOKEN" in out
    for file in giftbatch_home.rglob("*"):
        if file.is_file():
            assert b"tok-SECRET-42" not in file.read_bytes(), file

    code, out, _ = _run(capsys, "profile", "list", "--json")
    assert [p["name"] for p in json.loads(out)] == ["sandbox", "acme"]


def test_add_with_keyring_keeps_the_token_there(
    capsys: pytest.CaptureFixture[str], memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", "tok-SECRET-42")
    code, _out, _ = _run(
        capsys,
        "profile",
        "add",
        "acme",
        "--base-url",
        "https://api.acme.example",
        "--email",
        "ops@acme.example",
    )
    assert code == 0
    assert list(memory_keyring.passwords.values()) == ["tok-SECRET-42"]

    code, _, _ = _run(capsys, "profile", "remove", "acme")
    assert code == 0
    assert memory_keyring.passwords == {}


def test_a_user_profile_reaches_a_separate_sandbox(
    capsys: pytest.CaptureFixture[str], sandbox: str, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", SANDBOX_ACCESS_TOKEN)
    assert _run(capsys, "profile", "add", "local", "--base-url", sandbox, "--email", SANDBOX_EMAIL)[0] == 0

    code, out, err = _run(capsys, "profile", "test", "local")

    assert code == 0, err
    assert "100,000.00 USD available" in out
    assert "14 products" in out


def test_wrong_credentials_are_one_clear_line(
    capsys: pytest.CaptureFixture[str], sandbox: str, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", "not-the-secret")
    _run(capsys, "profile", "add", "local", "--base-url", sandbox, "--email", SANDBOX_EMAIL)

    code, _, err = _run(capsys, "balance", "--profile", "local")

    assert code != 0
    assert "Traceback" not in err
    assert "not-the-secret" not in err
    assert len(err.strip().splitlines()) == 1
    assert "did not accept" in err


def test_unreachable_host_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again at once: nothing listens there
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", "tok")
    _run(capsys, "profile", "add", "gone", "--base-url", f"http://127.0.0.1:{port}", "--email", "a@b.example")

    code, _, err = _run(capsys, "balance", "--profile", "gone")

    assert code != 0
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in err or "127.0.0.1" in err


def test_unknown_profile_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "products", "--profile", "nope")
    assert code == 2
    assert err.startswith("giftbatch: There is no profile named 'nope'")


def test_home_option_moves_the_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", "tok")
    code, *_ = _run(
        capsys,
        "--home",
        str(tmp_path / "elsewhere"),
        "profile",
        "add",
        "acme",
        "--base-url",
        "https://api.acme.example",
        "--email",
        "ops@acme.example",
    )
    assert code == 0
    assert (tmp_path / "elsewhere" / "config" / "settings.json").exists()


@pytest.fixture
def observed_vendor(tmp_path: Path) -> Iterator[str]:
    """A vendor answering as public clients show the engine: no balance, no shipping methods, null lists."""
    faults = {**OBSERVED, "shipping_methods_status": 404, "brandings_status": 403}
    with SandboxServer(state_path=tmp_path / "observed.sqlite3", faults=faults) as server:
        yield server.base_url


def _use_local(capsys: pytest.CaptureFixture[str], base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", SANDBOX_ACCESS_TOKEN)
    assert _run(capsys, "profile", "add", "local", "--base-url", base_url, "--email", SANDBOX_EMAIL)[0] == 0
    assert _run(capsys, "profile", "use", "local")[0] == 0


@pytest.fixture
def observed_profile(
    capsys: pytest.CaptureFixture[str],
    observed_vendor: str,
    no_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The active profile is a user profile on the observed vendor."""
    _use_local(capsys, observed_vendor, monkeypatch)


def test_products_survive_a_missing_shipping_methods_endpoint_and_null_lists(
    capsys: pytest.CaptureFixture[str], observed_profile: None
) -> None:

    code, out, err = _run(capsys, "products")

    assert code == 0, err
    assert "14 products" in out and "CVS Pharmacy" in out
    assert (
        "note: This account is offered no shipping methods (the vendor answered GET /v1/ShippingMethods "
        in err
    )
    assert "with HTTP 404 Not Found): physical cards cannot be sent through it." in err


def test_profile_test_names_what_the_account_lacks_without_blaming_the_credentials(
    capsys: pytest.CaptureFixture[str], observed_profile: None
) -> None:

    code, out, err = _run(capsys, "profile", "test")

    assert code == 0, err
    assert "Balance: this vendor API does not report it" in out
    assert "Catalog: 14 products, 0 shipping methods, 0 brandings." in out
    assert "GET /v1/ShippingMethods with HTTP 404 Not Found" in err
    assert "did not accept" not in out + err


@pytest.mark.parametrize(
    ("suffix", "token", "said"),
    [
        (
            "",
            "not-the-secret",
            "Sign-in (POST /v1/Tokens) failed: the Email and AccessToken were not accepted.",
        ),
        (
            "/api",
            SANDBOX_ACCESS_TOKEN,
            "Sign-in (POST /v1/Tokens) failed: this server does not have that endpoint (check the profile's base "
            "URL).",
        ),
    ],
)
def test_profile_test_says_which_call_failed_and_why(
    capsys: pytest.CaptureFixture[str],
    sandbox: str,
    no_keyring: None,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    token: str,
    said: str,
) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", token)
    _run(capsys, "profile", "add", "local", "--base-url", sandbox + suffix, "--email", SANDBOX_EMAIL)

    code, _, err = _run(capsys, "profile", "test", "local")

    assert code == 1
    assert err.startswith(f"giftbatch: {said}")
    assert len(err.strip().splitlines()) == 1 and token not in err


def test_balance_exits_non_zero_when_the_vendor_does_not_report_it(
    capsys: pytest.CaptureFixture[str], observed_profile: None
) -> None:

    code, out, err = _run(capsys, "balance", "--json")

    assert code == 1
    assert json.loads(out)["available"] is None
    assert "does not report the balance" in err


def test_products_exit_non_zero_when_the_catalog_cannot_be_fetched(
    capsys: pytest.CaptureFixture[str], sandbox: str, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_local(capsys, sandbox + "/wrong-prefix", monkeypatch)  # every call answers 404

    code, out, err = _run(capsys, "products")

    assert code == 1
    assert "0 products; catalog fetched never." in out
    assert "The catalog could not be fetched:" in err and "No catalog has been fetched yet." in err
    assert "found nothing for POST /wrong-prefix/v1/Tokens" in err
