"""Editing a profile, and keeping one with no keyring (its token then comes from the environment)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config.profiles import ProfileStore
from app.config.secrets import SecretStore
from app.config.settings import SettingsStore
from app.domain.errors import UserInputError
from tests.keyring_fakes import MemoryKeyring


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(SettingsStore(tmp_path / "settings.json"), SecretStore())


def test_update_changes_url_and_email_and_keeps_the_token_when_none_is_given(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    store.add("acme", "https://api.acme.example", "ops@acme.example", "tok-1")

    store.update("acme", "https://staging.acme.example/v1", "hr@acme.example")

    assert store.get("acme").base_url == "https://staging.acme.example"
    assert store.get("acme").email == "hr@acme.example"
    assert store.secrets.load("acme") == "tok-1"


def test_update_with_a_token_replaces_the_stored_one(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    store.add("acme", "https://api.acme.example", "ops@acme.example", "tok-1")

    store.update("acme", "https://api.acme.example", "ops@acme.example", "tok-2")

    assert store.secrets.load("acme") == "tok-2"


def test_update_refuses_the_sandbox_and_unknown_profiles(store: ProfileStore) -> None:
    with pytest.raises(UserInputError, match="sandbox"):
        store.update("sandbox", "https://x.example", "a@b.example")
    with pytest.raises(UserInputError, match="no profile named 'ghost'"):
        store.update("ghost", "https://x.example", "a@b.example")


def test_a_profile_without_token_is_kept_with_no_secret_anywhere(
    store: ProfileStore, no_keyring: None, tmp_path: Path
) -> None:
    store.add_without_token("acme", "https://api.acme.example", "ops@acme.example")

    assert [p.name for p in store.list()] == ["sandbox", "acme"]
    assert store.secrets.load("acme") is None
    with pytest.raises(UserInputError, match="exists already"):
        store.add_without_token("acme", "https://api.acme.example", "ops@acme.example")
