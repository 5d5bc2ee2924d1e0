"""Every folder the app writes, in one place; `GIFTBATCH_HOME` (or `--home`) moves them all."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

HOME_ENV = "GIFTBATCH_HOME"
APP_NAME = "Giftbatch"


@dataclass(frozen=True)
class AppPaths:
    """The folders the app writes to. Created on first use, never in the user's workbook folder."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def under(cls, home: Path) -> AppPaths:
        """Every folder below one home folder (tests, portable installs, `--home`)."""
        home = home.expanduser().resolve()
        return cls(home / "config", home / "data", home / "cache", home / "data" / "logs")

    @classmethod
    def from_environment(cls, home: str | os.PathLike[str] | None = None) -> AppPaths:
        """`home` if given, else `GIFTBATCH_HOME` if set, else the platform's own folders."""
        chosen = home or os.environ.get(HOME_ENV)
        if chosen:
            return cls.under(Path(chosen))
        data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data,
            Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            data / "logs",  # with the journal: what support asks for is in one folder
        )

    def ensure(self) -> AppPaths:
        for folder in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def journal_file(self) -> Path:
        return self.data_dir / "journal.sqlite3"

    @property
    def sandbox_state_file(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "giftbatch.log"

    def catalog_cache_file(self, profile_name: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in profile_name)
        return self.cache_dir / f"catalog-{safe}.json"

    @property
    def folders(self) -> tuple[Path, ...]:
        """Every folder the app writes: its journal, settings, caches and logs, nothing of the user's."""
        return (self.config_dir, self.data_dir, self.cache_dir, self.log_dir)
