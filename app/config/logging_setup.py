"""Logging to a rotating file under the app's log folder, readable by its owner only, with secrets redacted
from every line.

The file handler sits on the root logger: the app's own records (from INFO) and every library's warnings
and errors (the built-in sandbox's web server, asyncio) go to the file. Without it, a library's errors find
no handler and Python prints each one, traceback and all, on stderr.

A log that cannot be written (a full disk, a folder removed, a read-only mount) is not the user's problem
to read about: the handler goes quiet instead of printing a traceback for every record, as logging does by
default, and tries again a little later — once space is freed, the log carries on by itself.
"""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path

from app.domain.redaction import redact

RETRY_SECONDS = 30.0


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their owner can read (0600, whatever the process's umask), and that
    rests for RETRY_SECONDS after a write fails for want of room or access."""

    def __init__(self, log_file: Path) -> None:
        super().__init__(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True)
        self.failed_at: float | None = None

    def _open(self) -> io.TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)

    @property
    def failing(self) -> bool:
        """True while the last write failed less than RETRY_SECONDS ago."""
        return self.failed_at is not None and time.monotonic() - self.failed_at < RETRY_SECONDS

    def emit(self, record: logging.LogRecord) -> None:
        if self.failing:
            return
        self.failed_at = None
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            self.failed_at = time.monotonic()
            self._drop_stream()
            return
        super().handleError(record)  # a record that cannot be formatted is a bug: still said

    def _drop_stream(self) -> None:
        """Forget the file (reopened on the next write); its buffer cannot be flushed anyway."""
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def configure_logging(log_file: Path, level: int = logging.INFO) -> None:
    """Send log records to a rotating file (5 × 2 MB): the app's from `level`, other libraries' from
    WARNING (the root logger's level). Safe to call more than once."""
    root = logging.getLogger()
    logging.getLogger("app").setLevel(level)
    if any(getattr(h, "giftbatch_file", None) == str(log_file) for h in root.handlers):
        return
    for handler in log_handlers():
        root.removeHandler(handler)
        handler.close()
    log_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = QuietFileHandler(log_file)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.giftbatch_file = str(log_file)  # type: ignore[attr-defined]
    root.addHandler(handler)


def log_handlers() -> list[QuietFileHandler]:
    """The app's log file handlers (one, once logging is configured)."""
    return [h for h in logging.getLogger().handlers if isinstance(h, QuietFileHandler)]


def log_is_failing() -> bool:
    """True when the app's log file could not be written lately (pointing the user at it would not help)."""
    return any(handler.failing for handler in log_handlers())
