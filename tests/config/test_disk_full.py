"""A full disk: the log goes quiet (no tracebacks), the user reads one sentence, and the log comes back."""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main, validate_cmd
from app.config import logging_setup
from app.config.logging_setup import QuietFileHandler, configure_logging, log_handlers, log_is_failing
from app.config.paths import AppPaths
from app.domain.errors import DiskFull, disk_full

FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full (a disk that is always full)")


@pytest.fixture
def handler(app_paths: AppPaths) -> Iterator[QuietFileHandler]:
    configure_logging(app_paths.log_file)
    [found] = log_handlers()
    yield found
    logging.getLogger().removeHandler(found)
    found.close()


def _fill(handler: QuietFileHandler) -> None:
    """From now on every write of the handler meets a full disk."""
    handler.stream = FULL.open("w", encoding="utf-8")


@needs_dev_full
def test_a_log_on_a_full_disk_prints_no_tracebacks_and_comes_back_when_there_is_room(
    handler: QuietFileHandler,
    app_paths: AppPaths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fill(handler)
    log = logging.getLogger("app.engine.runner")
    for i in range(300):
        log.info("order %d sent", i)
    assert capsys.readouterr().err == ""
    assert handler.failing and log_is_failing()

    monkeypatch.setattr(logging_setup, "RETRY_SECONDS", 0.0)  # space was freed; the next record tries again
    log.info("carried on")
    handler.flush()
    assert not log_is_failing()
    assert "carried on" in app_paths.log_file.read_text(encoding="utf-8")


def test_a_broken_record_is_still_reported(
    handler: QuietFileHandler, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a failing disk is kept quiet: a record that cannot be formatted is a bug to see."""
    handler.handle(logging.LogRecord("app.test", logging.INFO, __file__, 1, "%d orders", ("many",), None))
    assert "Logging error" in capsys.readouterr().err
    assert not handler.failing


def test_a_librarys_errors_go_to_the_log_not_to_the_terminal(
    handler: QuietFileHandler, app_paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    """The built-in sandbox's web server logs its errors with a traceback; they belong in the file."""
    try:
        raise sqlite3.OperationalError("database or disk is full")
    except sqlite3.OperationalError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("httpx").info("HTTP Request: POST https://vendor.example/orders")  # below WARNING
    handler.flush()
    assert capsys.readouterr().err == ""
    text = app_paths.log_file.read_text(encoding="utf-8")
    assert "Exception in ASGI application" in text and "database or disk is full" in text
    assert "HTTP Request" not in text


@pytest.mark.parametrize(
    "error, names",
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/data/journal.sqlite3-wal"),
            "journal.sqlite3-wal",
        ),
        (sqlite3.OperationalError("database or disk is full"), "the records"),
    ],
)
def test_a_full_disk_is_recognised_however_it_is_raised(error: Exception, names: str) -> None:
    try:
        try:
            raise error
        except Exception as inner:
            raise RuntimeError("while sending") from inner
    except RuntimeError as outer:
        found = disk_full(outer, "the records")
    assert isinstance(found, DiskFull) and names in found.message
    assert "Free some space" in found.message and "\n" not in found.message
    assert disk_full(OSError(errno.EACCES, "Permission denied"), "x") is None
    assert disk_full(ValueError("no"), "x") is None


def _validate_on_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception) -> int:
    """`giftbatch validate` whose work fills the log's disk, then fails with `error`."""

    def fill_and_fail(*_args: object, **_kwargs: object) -> object:
        for handler in log_handlers():
            _fill(handler)
        logging.getLogger("app.engine").warning("about to write")
        raise error

    monkeypatch.setattr(validate_cmd, "import_from_args", fill_and_fail)
    workbook = tmp_path / "x.csv"
    workbook.write_text("Email,Value\na@example.com,5\n")
    return main(["validate", str(workbook)])


@needs_dev_full
def test_the_command_line_says_one_sentence_not_a_pointer_to_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    full = sqlite3.OperationalError("database or disk is full")
    assert _validate_on_a_full_disk(tmp_path, monkeypatch, full) == DiskFull.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("giftbatch: The disk is full")
    assert "Traceback" not in err and "giftbatch.log" not in err


@needs_dev_full
def test_an_unexpected_error_with_a_failing_log_does_not_point_at_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _validate_on_a_full_disk(tmp_path, monkeypatch, RuntimeError("a bug")) == 70
    err = capsys.readouterr().err
    assert "the log could not be written either" in err and err.count("\n") == 1
