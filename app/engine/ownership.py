"""One process at a time per run: an OS file lock, released by the OS itself when its process dies.

A lock file beats a pid and a heartbeat in the journal: the operating system drops the lock the instant the
owner exits, even on SIGKILL or a power cut, so a crashed run can be resumed at once, and there is no pid to
be reused or clock to trust. Checking on Windows needs no `os.kill(pid, 0)` either (which would kill there).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType

from app.domain.errors import GiftbatchError


class RunBusyError(GiftbatchError):
    """Another process (or another window of this one) is sending or tracking this run right now."""

    exit_code = 3


class RunLock:
    """Holds `<directory>/<run_id>.lock` exclusively while a run is being sent or tracked."""

    def __init__(self, directory: Path, run_id: str) -> None:
        self.path = directory / f"{run_id}.lock"
        self.run_id = run_id
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            raise RunBusyError(
                f"Run {self.run_id} is being sent or tracked by another Giftbatch process right now. "
                "Wait for it to finish, or stop it first."
            )
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()


def lock_dir_beside(journal_path: Path) -> Path:
    """Where the run locks of the journal at `journal_path` are kept."""
    return journal_path.parent / "locks"


def runs_in_progress(journal_path: Path) -> list[str]:
    """Runs of that journal a live process is sending or tracking now."""
    locks = lock_dir_beside(journal_path)
    if not locks.is_dir():
        return []
    return [lock.stem for lock in sorted(locks.glob("*.lock")) if is_owned(locks, lock.stem)]


def is_owned(directory: Path, run_id: str) -> bool:
    """True when some live process holds the run's lock."""
    path = directory / f"{run_id}.lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        if _try_lock(fd):
            _unlock(fd)
            return False
        return True
    finally:
        os.close(fd)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        # flock, not lockf: flock locks belong to the open file, so a second open in this same process
        # conflicts too (two windows of the app cannot send one run), and the OS drops it when we die.
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
