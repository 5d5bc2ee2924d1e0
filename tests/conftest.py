"""Shared fixtures: every folder the app writes goes under the test's own tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config.paths import HOME_ENV, AppPaths


@pytest.fixture(autouse=True)
def giftbatch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point GIFTBATCH_HOME at a fresh folder so no test reads or writes the real user's files."""
    home = tmp_path / "giftbatch-home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.delenv("GIFTBATCH_ACCESS_TOKEN", raising=False)
    return home


@pytest.fixture
def app_paths(giftbatch_home: Path) -> AppPaths:
    return AppPaths.under(giftbatch_home).ensure()
