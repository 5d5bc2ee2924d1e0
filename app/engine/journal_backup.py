"""Online backups of the journal, a few generations kept, and restoring the newest one in one step.

SQLite's backup API copies a consistent snapshot while the journal stays in use (readers and even a writer in
another process go on). The runner takes one when a pass starts (so a run's plan survives the loss of the
journal during the run: restore, then resume, and the PONumbers settle what was sent) and one when it ends.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.engine.journal_guard import JournalError

log = logging.getLogger(__name__)

KEEP = 8
_PREFIX = "journal-"
_SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class Backup:
    """One backup file and when it was taken (UTC)."""

    path: Path
    taken_at: datetime

    def describe(self) -> str:
        return self.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def backup_dir(journal_path: Path) -> Path:
    return journal_path.parent / "backups"


def backups(journal_path: Path) -> list[Backup]:
    """The journal's backups, newest first."""
    folder = backup_dir(journal_path)
    found: list[Backup] = []
    for path in folder.glob(f"{_PREFIX}*{_SUFFIX}") if folder.is_dir() else ():
        stamp = path.name[len(_PREFIX) : -len(_SUFFIX)]
        try:
            taken = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(Backup(path, taken))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def take_backup(source: sqlite3.Connection, journal_path: Path, keep: int = KEEP) -> Backup:
    """Copy the journal (through its open connection `source`) into a new private file; keep `keep`."""
    folder = backup_dir(journal_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    taken = datetime.now(UTC)
    target = folder / f"{_PREFIX}{taken.strftime('%Y%m%dT%H%M%S%fZ')}{_SUFFIX}"
    temporary = target.with_suffix(".tmp")
    _copy(source, temporary)
    os.replace(temporary, target)
    for old in backups(journal_path)[keep:]:
        old.path.unlink(missing_ok=True)
    return Backup(target, taken)


def restore_newest(journal_path: Path, chosen: Path | None = None) -> tuple[Backup, Path | None]:
    """Put the newest sound backup (or `chosen`) in the journal's place; the file it replaces is kept aside.

    Returns the backup used and where the replaced journal was moved (None when there was none). The caller
    makes sure no Giftbatch process is using the journal.
    """
    candidates = [Backup(chosen, _taken_at(chosen))] if chosen is not None else backups(journal_path)
    sound = next((b for b in candidates if _is_sound(b.path)), None)
    if sound is None:
        listed = ", ".join(b.path.name for b in candidates) or "none"
        raise JournalError(
            f"No usable backup of the journal was found in {backup_dir(journal_path)} (backups: {listed})."
        )
    temporary = journal_path.with_name(journal_path.name + ".restoring")
    with closing(sqlite3.connect(f"file:{sound.path}?mode=ro", uri=True)) as source:
        _copy(source, temporary)
    kept: Path | None = None
    if journal_path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = journal_path.with_name(f"{journal_path.name}.replaced-{stamp}")
        os.replace(journal_path, kept)
    for leftover in ("-wal", "-shm"):  # the replaced journal's; they must not be applied to the backup
        sidecar = journal_path.with_name(journal_path.name + leftover)
        if sidecar.exists():
            if kept is not None:
                os.replace(sidecar, kept.with_name(kept.name + leftover))
            else:
                sidecar.unlink()
    os.replace(temporary, journal_path)
    return sound, kept


def _copy(source: sqlite3.Connection, target: Path) -> None:
    target.unlink(missing_ok=True)
    os.close(os.open(target, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        # A backup is a single file: no WAL beside it that could be lost on the way.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
    if sys.platform != "win32":
        target.chmod(0o600)


def _is_sound(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return bool(db.execute("PRAGMA quick_check").fetchone()[0] == "ok")
    except sqlite3.Error as error:
        log.warning("Backup %s is not usable: %s", path, error)
        return False


def _taken_at(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as error:
        raise JournalError(f"There is no backup file at {path} ({error.strerror}).") from None
