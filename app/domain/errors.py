"""The base of every error a user can cause or meet: each carries a plain-language message."""

from __future__ import annotations

import errno


class GiftbatchError(Exception):
    """An error with a message fit to show a user as it is.

    The command line prints `message` on one line and exits with `exit_code`; the GUI shows it in a dialog.
    The message never holds a secret (access token, bearer token, claim link).
    """

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UserInputError(GiftbatchError):
    """Something the user gave us (a file, a name, an option) cannot be used; the message says how to fix it."""

    exit_code = 2


# errno values that mean "no room left": the disk is full, or the user's quota is used up.
_NO_SPACE = frozenset(code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code is not None)
_SQLITE_FULL = 13


class DiskFull(GiftbatchError):
    """A file could not be written for want of space. Said in one sentence, with the way on."""

    exit_code = 74  # EX_IOERR

    def __init__(self, where: str) -> None:
        super().__init__(
            f"The disk is full: {where} could not be written. Nothing is sent before it is recorded, so nothing "
            "was lost or sent twice. Free some space on that disk, then do the same again: a send carries on "
            "where it stopped."
        )


def disk_full(error: BaseException, fallback: str) -> DiskFull | None:
    """DiskFull when `error`, or an error it was raised from or while handling, says there is no space left
    (an OSError, or SQLite's "database or disk is full"); `fallback` names what could not be written when
    the error does not. None otherwise."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _NO_SPACE:
            return DiskFull(f"“{current.filename}”" if current.filename else fallback)
        if getattr(current, "sqlite_errorcode", None) == _SQLITE_FULL or "database or disk is full" in str(
            current
        ):
            return DiskFull(fallback)
        current = current.__cause__ or current.__context__
    return None
