"""What keeps the journal trustworthy as a file: private modes, the same file throughout, damage named.

SQLite keeps writing happily into a journal file that was deleted (the open handle outlives the name) or
replaced under it, and a run would then "complete" into a file nobody can read again, taking the earlier-run
protection with it. So every write first checks that the path still names the very file the journal opened;
if not, the run stops with a clear message. A damaged file (SQLite's "malformed" or "not a database") is
named as such, with the one command that brings back the last backup.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import GiftbatchError

RESTORE_COMMAND = "giftbatch journal restore"
# SQLite's primary result codes for a file that is not (or no longer) a sound database.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


class JournalError(GiftbatchError):
    """The journal cannot be used (a newer version wrote it, an unknown run id, the file is gone or damaged)."""

    exit_code = 2


class JournalGone(JournalError):
    """The journal's file was deleted or replaced while it was open: nothing more may be written to it."""


class JournalDamaged(JournalError):
    """The journal's file is not a sound SQLite database."""


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path named when the journal opened it (device and inode: the same on every platform)."""

    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity | None:
        try:
            found = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(found.st_dev, found.st_ino)


def create_private(path: Path) -> None:
    """Make the journal's folder (0700) and an empty journal file (0600) if missing; tighten them if not.

    SQLite gives the -wal and -shm files the journal file's own mode, so they are private too. On Windows the
    user's profile folder ACLs keep other users out; the mode bits there are not permissions.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if sys.platform != "win32":
        for existing in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if existing.exists() and existing.stat().st_mode & 0o077:
                existing.chmod(0o600)


def check_same_file(path: Path, opened: FileIdentity | None) -> None:
    """Raise JournalGone unless `path` still names the file the journal opened."""
    now = FileIdentity.of(path)
    if now is not None and now == opened:
        return
    what = "deleted" if now is None else "replaced by another file"
    raise JournalGone(
        f"The journal {path} was {what} while Giftbatch was using it, so nothing more can be recorded and "
        f"the run stopped: nothing is sent without its record. If that was not on purpose, bring back the "
        f"last backup with '{RESTORE_COMMAND}', then resume the run: orders already sent are recognised by "
        "their PONumbers and not paid twice."
    )


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file itself is damaged (not: busy, locked, full, or a mistake of ours)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(error)
    return "malformed" in text or "not a database" in text


def damaged(path: Path, error: sqlite3.Error, newest_backup: str | None) -> JournalDamaged:
    """The message for a damaged journal: what is wrong, and the way back."""
    back = (
        f"Bring back the last backup (of {newest_backup}) with '{RESTORE_COMMAND}'; the damaged file is kept "
        "beside it."
        if newest_backup
        else "There is no backup of it yet; keep the file for support. Moving it away lets Giftbatch start a "
        "new journal, without the record of earlier runs."
    )
    return JournalDamaged(f"The journal {path} is damaged ({error}). {back}")
