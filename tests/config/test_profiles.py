"""Profiles: the sandbox is built in, tokens go to the keyring only, and mistakes get a plain message."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config.profiles import ProfileStore, check_base_url
from app.config.secrets import MissingSecretError, NoKeyringError, SecretStore
from app.config.settings import SettingsStore
from app.domain.errors import UserInputError
from tests.keyring_fakes import MemoryKeyring


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(SettingsStore(tmp_path / "settings.json"), SecretStore())


def test_sandbox_is_built_in_and_active_by_default(store: ProfileStore) -> None:
    assert [p.name for p in store.list()] == ["sandbox"]
    assert store.get().is_sandbox


def test_add_keeps_the_token_in_the_keyring_not_the_settings_file(
    store: ProfileStore, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    store.add("acme", "https://api.acme.example/", "ops@acme.example", "tok-SECRET-123")

    profile = store.get("acme")
    assert profile.base_url == "https://api.acme.example"
    assert store.secrets.load("acme") == "tok-SECRET-123"
    assert "tok-SECRET-123" not in (tmp_path / "settings.json").read_text(encoding="utf-8")


def test_without_a_keyring_nothing_is_saved_and_the_user_is_told(
    store: ProfileStore, no_keyring: None, tmp_path: Path
) -> None:
    with pytest.raises(NoKeyringError, match="GIFTBATCH_ACCESS_TOKEN"):
        store.add("acme", "https://api.acme.example", "ops@acme.example", "tok-SECRET-123")
    assert [p.name for p in store.list()] == ["sandbox"]
    assert (
        not (tmp_path / "settings.json").exists()
        or "tok-SECRET" not in (tmp_path / "settings.json").read_text()
    )


def test_environment_token_is_used_when_there_is_no_keyring(
    store: ProfileStore, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIFTBATCH_ACCESS_TOKEN", "from-env")
    assert store.secrets.require("anything") == "from-env"


def test_missing_token_says_how_to_give_one(store: ProfileStore, no_keyring: None) -> None:
    with pytest.raises(MissingSecretError, match="GIFTBATCH_ACCESS_TOKEN"):
        store.secrets.require("acme")


def test_remove_deletes_profile_and_token(store: ProfileStore, memory_keyring: MemoryKeyring) -> None:
    store.add("acme", "https://api.acme.example", "ops@acme.example", "tok")
    store.set_active("acme")

    store.remove("acme")

    assert [p.name for p in store.list()] == ["sandbox"]
    assert memory_keyring.passwords == {}
    assert store.get().is_sandbox


@pytest.mark.parametrize(
    ("name", "message"),
    [("sandbox", "built-in"), ("bad name", "cannot be a profile name"), ("", "cannot be a profile name")],
)
def test_bad_names_are_refused(
    store: ProfileStore, memory_keyring: MemoryKeyring, name: str, message: str
) -> None:
    with pytest.raises(UserInputError, match=message):
        store.add(name, "https://api.acme.example", "ops@acme.example", "tok")


def test_unknown_profile_lists_the_known_ones(store: ProfileStore) -> None:
    with pytest.raises(UserInputError, match=r"no profile named 'nope'\. Known profiles: sandbox"):
        store.get("nope")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.vendor.example/", "https://api.vendor.example"),
        ("https://api.vendor.example/v1", "https://api.vendor.example"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9000/", "http://localhost:9000"),
    ],
)
def test_base_urls_are_normalised(url: str, expected: str) -> None:
    assert check_base_url(url) == expected


@pytest.mark.parametrize("url", ["http://api.vendor.example", "ftp://x.example", "api.vendor.example", ""])
def test_unsafe_or_malformed_base_urls_are_refused(url: str) -> None:
    with pytest.raises(UserInputError):
        check_base_url(url)
