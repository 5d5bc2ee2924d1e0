"""Shared fixtures: every folder the app writes goes under the test's own tmp_path."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.config.paths import HOME_ENV, AppPaths
from app.workbook import sources
from tests.keyring_fakes import MemoryKeyring

SANDBOX_THREAD = "giftbatch-sandbox"

# sandbox, client, catalog and journal fixtures shared by the engine and GUI tests that send to a sandbox.
pytest_plugins = ("tests.sandbox_run",)

# Qt tests draw nothing on screen; set before any test imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def giftbatch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point GIFTBATCH_HOME at a fresh folder so no test reads or writes the real user's files."""
    home = tmp_path / "giftbatch-home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.delenv("GIFTBATCH_ACCESS_TOKEN", raising=False)
    # Subprocesses see a machine with no keyring, as CI is; in-process tests pick a backend by fixture.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return home


@pytest.fixture(autouse=True)
def files_read_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read the workbooks they have just written: no waiting for a file to settle (its own test
    turns the wait back on)."""
    monkeypatch.setattr(sources, "SETTLE_SECONDS", 0.0)


@pytest.fixture
def app_paths(giftbatch_home: Path) -> AppPaths:
    return AppPaths.under(giftbatch_home).ensure()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An OS keyring that works, kept in memory."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A machine with no keyring backend, as headless Linux is."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def no_sandbox_left_running() -> Iterator[None]:
    """Every test stops the sandboxes it starts: a leaked server would serve the next test's requests."""
    before = {t.ident for t in threading.enumerate() if t.name == SANDBOX_THREAD}
    yield
    leaked = [t for t in threading.enumerate() if t.name == SANDBOX_THREAD and t.ident not in before]
    for thread in leaked:
        thread.join(timeout=5)
    assert not [t for t in leaked if t.is_alive()], "a sandbox started by this test is still running"
