"""Every folder the app writes, in one place; `GIFTBATCH_HOME` (or `--home`) moves them all.

What the app writes is the user's alone: folders 0700 and files 0600 (the journal holds who got which card,
the log and settings name accounts). `ensure()` makes the folders so and tightens what an earlier version
left readable by others; `keep_new_files_private()` sets the process's umask so that every file made later —
by us, SQLite (the journal's -wal and -shm), the log's rotation or an export — is created private too. On
Windows the mode bits are not permissions: the user's profile folders, where these live, are private by ACL.
"""

from __future__ import annotations

import os
import sys
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
        """Make the folders (private), and make private whatever an earlier version left in them."""
        for folder in self.folders:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _make_private(folder)
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


def keep_new_files_private() -> None:
    """Files and folders this process makes from now on are its user's alone (umask 077).

    Called by the composition roots (the command line and the desktop app): the umask is process-wide.
    """
    if sys.platform != "win32":
        os.umask(0o077)


def _make_private(folder: Path) -> None:
    """Take group and other access off `folder` and everything in it (the app's own folders only)."""
    if sys.platform == "win32":
        return
    for root, dirs, files in os.walk(folder):
        for name, private in [(".", 0o700), *((d, 0o700) for d in dirs), *((f, 0o600) for f in files)]:
            path = os.path.join(root, name)
            try:
                mode = os.lstat(path).st_mode
                if mode & 0o077 and not os.path.islink(path):
                    os.chmod(path, mode & private)
            except OSError:
                continue  # gone meanwhile, or not ours to change: the next start tries again
