"""Logging to a rotating file under the app's log folder, with secrets redacted from every line."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.domain.redaction import redact


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(log_file: Path, level: int = logging.INFO) -> None:
    """Send the app's log records to a rotating file (5 × 2 MB). Safe to call more than once."""
    root = logging.getLogger("app")
    if any(getattr(h, "giftbatch_file", None) == str(log_file) for h in root.handlers):
        return
    for handler in [h for h in root.handlers if getattr(h, "giftbatch_file", None)]:
        root.removeHandler(handler)
        handler.close()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.giftbatch_file = str(log_file)  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
