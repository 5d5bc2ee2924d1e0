"""Settings survive a restart, a damaged file is set aside instead of lost, and GIFTBATCH_HOME moves everything."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config.logging_setup import configure_logging, log_handlers
from app.config.paths import AppPaths
from app.config.settings import ProfileConfig, Settings, SettingsStore


def test_settings_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    settings = Settings(concurrency=8, default_phone_region="CA")
    settings.profiles.append(
        ProfileConfig(name="acme", base_url="https://api.acme.example", email="a@b.example")
    )
    store.save(settings)

    loaded = store.load()

    assert loaded.concurrency == 8
    assert loaded.default_phone_region == "CA"
    assert loaded.profile("acme") is not None
    assert loaded.schema_version == 1


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "nothing.json").load()
    assert settings.active_profile == "sandbox"
    assert settings.max_line_items_per_order == 100
    assert settings.concurrency == 4


def test_damaged_file_is_kept_aside_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")

    settings = SettingsStore(path).load()

    assert settings == Settings()
    assert (tmp_path / "settings.damaged.json").read_text(encoding="utf-8") == "{not json"


def test_home_moves_every_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIFTBATCH_HOME", str(tmp_path / "h"))
    paths = AppPaths.from_environment().ensure()
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert folder.is_dir()
        assert folder.is_relative_to(tmp_path / "h")
    assert paths.journal_file.is_relative_to(tmp_path / "h")


def test_explicit_home_beats_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIFTBATCH_HOME", str(tmp_path / "env"))
    paths = AppPaths.from_environment(tmp_path / "flag")
    assert paths.settings_file.is_relative_to(tmp_path / "flag")


def test_logs_rotate_under_the_data_folder(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "h").ensure()
    configure_logging(paths.log_file)
    logging.getLogger("app.test").info("hello with Bearer abcdef.ghijkl.mnop")

    assert paths.log_file.is_relative_to(paths.data_dir)
    [handler] = log_handlers()
    handler.flush()
    text = paths.log_file.read_text(encoding="utf-8")
    assert "hello with Bearer ***" in text
    assert handler.maxBytes > 0 and handler.backupCount > 0  # type: ignore[attr-defined]


def test_line_items_per_order_are_capped_at_the_vendors_limit(tmp_path: Path) -> None:
    assert Settings(max_line_items_per_order=100).max_line_items_per_order == 100
    for refused in (0, 101, 1000):
        with pytest.raises(ValidationError, match="max_line_items_per_order"):
            Settings(max_line_items_per_order=refused)


def test_a_file_saved_when_a_thousand_were_allowed_is_read_at_the_limit_and_nothing_else_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps({"schema_version": 1, "max_line_items_per_order": 1000, "concurrency": 8}),
        encoding="utf-8",
    )

    settings = SettingsStore(path).load()

    assert (settings.max_line_items_per_order, settings.concurrency) == (100, 8)
    assert not (tmp_path / "settings.damaged.json").exists()
    assert "lowered from 1000 to 100" in caplog.text
