"""Logging to a rotating file under the app's log folder, with secrets redacted from every line."""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

from app.domain.redaction import redact


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their owner can read (0600), whatever the process's umask."""

    def _open(self) -> io.TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)


def configure_logging(log_file: Path, level: int = logging.INFO) -> None:
    """Send the app's log records to a rotating file (5 × 2 MB). Safe to call more than once."""
    root = logging.getLogger("app")
    if any(getattr(h, "giftbatch_file", None) == str(log_file) for h in root.handlers):
        return
    for handler in [h for h in root.handlers if getattr(h, "giftbatch_file", None)]:
        root.removeHandler(handler)
        handler.close()
    log_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = PrivateRotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.giftbatch_file = str(log_file)  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
