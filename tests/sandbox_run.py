"""Fixtures for tests that send to a real sandbox: a sandbox on loopback, a client for it, a journal in tmp_path.

Loaded for every test folder through `pytest_plugins` in tests/conftest.py (the engine and the GUI's submit
worker both use them); a folder's own fixture of the same name takes precedence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.api.client import VendorClient
from app.domain.catalog import Catalog
from app.engine.journal import SubmissionJournal
from app.sandbox.server import SandboxServer
from tests.engine.helpers import client_for


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    """A sandbox server in this process (pending orders finish after 0.3 s); yields its base URL."""
    server = SandboxServer(state_path=tmp_path / "sandbox.sqlite3", faults={"pending_delay_s": 0.3})
    base_url = server.start()
    yield base_url
    server.stop()


@pytest.fixture
def client(sandbox: str) -> Iterator[VendorClient]:
    with client_for(sandbox) as made:
        yield made


@pytest.fixture
def catalog(client: VendorClient) -> Catalog:
    return client.fetch_catalog()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[SubmissionJournal]:
    made = SubmissionJournal(tmp_path / "data" / "journal.sqlite3")
    yield made
    made.close()
