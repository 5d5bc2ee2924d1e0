"""Opening a file the user chose: what it really is (whatever its name says), its password, its encoding."""

from __future__ import annotations

import csv
import io
import os
import stat
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import msoffcrypto
from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError

from app.workbook import limits
from app.workbook.errors import (
    FileTooLarge,
    NotARegularFile,
    NotAWorkbook,
    WorkbookChanging,
    WorkbookCorrupt,
    WorkbookIsFolder,
    WorkbookMissing,
    WorkbookPasswordRequired,
    WorkbookPasswordWrong,
    WorkbookUnreadable,
)


class WorkbookFormat(StrEnum):
    XLSX = "xlsx"
    XLSM = "xlsm"
    XLSB = "xlsb"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"


@dataclass(frozen=True)
class Source:
    """A file ready for a reader: its real format and its bytes (decrypted when it had a password)."""

    path: Path
    format: WorkbookFormat
    data: bytes
    encrypted: bool = False


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
# What a file that is not a workbook usually is, by its first bytes; named so the message can say it.
_KNOWN_OTHERS = (
    (b"%PDF", "it is a PDF document"),
    (b"\x89PNG", "it is a PNG picture"),
    (b"\xff\xd8\xff", "it is a JPEG picture"),
    (b"GIF8", "it is a GIF picture"),
    (b"{\\rtf", "it is a Rich Text document"),
    (b"\x1f\x8b", "it is a gzip archive"),
    (b"Rar!", "it is a RAR archive"),
    (b"7z\xbc\xaf", "it is a 7-Zip archive"),
)
# Excel encrypts "read-only recommended" workbooks with this published default password.
_EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"  # noqa: S105 — public, documented, not a secret
_SNIFF_LINES = 30
_DELIMITERS = (",", ";", "\t", "|")
# A file changed less than this long ago may still be being written: it is watched until it has been
# still for this long (at most this long) before it is read.
SETTLE_SECONDS = 1.0
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
)
_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a disk device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_source(path: Path, password: str | None) -> Source:
    """Read the file and tell what it is; decrypt it when it is password-protected. Raises a WorkbookError."""
    data = _read_bytes(path)
    if data.startswith(_OLE_MAGIC):
        return _ole_source(path, data, password)
    if data.startswith(_ZIP_MAGIC):
        return _zip_source(path, data)
    if not data:
        raise NotAWorkbook(
            path,
            "the file is empty (0 bytes)",
            "It may not have finished saving or copying; choose the original workbook.",
        )
    if data.startswith(_EMPTY_ZIP_MAGIC):
        raise NotAWorkbook(path, "it is an empty zip archive")
    for magic, found in _KNOWN_OTHERS:
        if data.startswith(magic):
            raise NotAWorkbook(path, found)
    if _looks_like_html(data):
        raise NotAWorkbook(path, "it is a web page (some systems save web pages with an Excel name)")
    if path.suffix.lower() in _TEXT_SUFFIXES:
        return Source(path, WorkbookFormat.CSV, data)
    if _looks_like_text(data):
        raise NotAWorkbook(path, "it holds plain text; if it is a CSV file, give it a .csv name")
    raise NotAWorkbook(path, "its content is not a spreadsheet any reader knows")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: a regular file only (a pipe could block forever, a device never end), no larger
    than the limit, and not changing while it is read (a file another program is still writing)."""
    try:
        found = os.stat(path)
        _check_regular(path, found)
        descriptor = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise WorkbookMissing(path) from None
    except IsADirectoryError:
        raise WorkbookIsFolder(path) from None
    except NotADirectoryError:  # a folder in the path is a file
        raise WorkbookMissing(path) from None
    except PermissionError:
        raise WorkbookUnreadable(path, "permission denied") from None
    except OSError as error:
        raise WorkbookUnreadable(path, error.strerror or type(error).__name__) from None
    try:
        with os.fdopen(descriptor, "rb") as file:
            before = os.fstat(file.fileno())
            _check_regular(path, before)  # the same file as looked at, not one put in its place since
            before = _settled(path, file.fileno(), before)
            data = file.read(before.st_size + 1)
            after = os.fstat(file.fileno())
    except OSError as error:
        raise WorkbookUnreadable(path, error.strerror or type(error).__name__) from None
    if len(data) != before.st_size or _changed(before, after):
        raise WorkbookChanging(path)
    return data


def _check_regular(path: Path, found: os.stat_result) -> None:
    if stat.S_ISDIR(found.st_mode):
        raise WorkbookIsFolder(path)
    if not stat.S_ISREG(found.st_mode):
        kind = next((name for test, name in _KINDS if test(found.st_mode)), "not a regular file")
        raise NotARegularFile(path, kind)
    if found.st_size > limits.FILE_SIZE_LIMIT:
        raise FileTooLarge(path, found.st_size, limits.FILE_SIZE_LIMIT)


def _settled(path: Path, descriptor: int, found: os.stat_result) -> os.stat_result:
    """Wait until a file changed moments ago has been still for SETTLE_SECONDS; WorkbookChanging if it
    changes meanwhile (it is still being written)."""
    age = time.time() - found.st_mtime
    if age >= SETTLE_SECONDS:
        return found
    time.sleep(min(SETTLE_SECONDS - age, SETTLE_SECONDS))  # a clock ahead of ours waits the most, no more
    now = os.fstat(descriptor)
    if _changed(found, now):
        raise WorkbookChanging(path)
    return now


def _changed(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)


def _zip_source(path: Path, data: bytes, encrypted: bool = False) -> Source:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise WorkbookCorrupt(path) from None
    return Source(path, zip_format(path, names), data, encrypted)


def zip_format(path: Path, names: set[str]) -> WorkbookFormat:
    """What a zip file holds, by its part names; raises NotAWorkbook or WorkbookCorrupt."""
    if "xl/workbook.xml" in names:
        return WorkbookFormat.XLSM if path.suffix.lower() == ".xlsm" else WorkbookFormat.XLSX
    if "xl/workbook.bin" in names:
        return WorkbookFormat.XLSB
    if "content.xml" in names and any(n == "mimetype" for n in names):
        return WorkbookFormat.ODS
    if "word/document.xml" in names:
        raise NotAWorkbook(path, "it is a Word document")
    if any(n.startswith("ppt/") for n in names):
        raise NotAWorkbook(path, "it is a PowerPoint presentation")
    if any(n.startswith("xl/") for n in names):
        raise WorkbookCorrupt(path)
    raise NotAWorkbook(path, "it is a zip archive")


def _ole_source(path: Path, data: bytes, password: str | None) -> Source:
    """An OLE container: an .xls workbook, or an .xlsx that Excel encrypted with a password."""
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        encrypted = office.is_encrypted()
    except FileFormatError:
        raise NotAWorkbook(path, "its content is not a spreadsheet any reader knows") from None
    except Exception:  # a damaged container can fail anywhere in a third-party parser
        raise WorkbookCorrupt(path) from None
    kind = type(office).__name__
    if kind not in {"OOXMLFile", "Xls97File"}:
        raise NotAWorkbook(
            path,
            "it is a Word or PowerPoint document"
            if kind.endswith("97File")
            else "its content is not a spreadsheet any reader knows",
        )
    if not encrypted:
        return Source(path, WorkbookFormat.XLS, data)
    plain = _decrypt(path, office, password)
    if plain.startswith(_ZIP_MAGIC):
        return _zip_source(path, plain, encrypted=True)
    return Source(path, WorkbookFormat.XLS, plain, encrypted=True)


def _decrypt(path: Path, office: msoffcrypto.base.BaseOfficeFile, password: str | None) -> bytes:
    for attempt in (_EXCEL_DEFAULT_PASSWORD, password):
        if attempt is None:
            continue
        out = io.BytesIO()
        try:
            if type(office).__name__ == "OOXMLFile":
                office.load_key(password=attempt, verify_password=True)
            else:  # .xls checks the password when it decrypts
                office.load_key(password=attempt)
            office.decrypt(out)
        except (InvalidKeyError, DecryptionError):
            continue
        except Exception:  # a damaged container can fail anywhere in a third-party parser
            raise WorkbookCorrupt(path) from None
        return out.getvalue()
    if password is None:
        raise WorkbookPasswordRequired(path)
    raise WorkbookPasswordWrong(path)


def _looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower()


def _looks_like_text(data: bytes) -> bool:
    return b"\x00" not in data[:8192]


def decode_text(source: Source) -> str:
    """The file's text: UTF-16 or UTF-8 (with or without BOM), else Windows-1252, the encoding Excel on
    Windows saves 'CSV' in. Binary content is refused rather than read as gibberish."""
    data = source.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotAWorkbook(source.path, "it is not readable text") from None
    if not _looks_like_text(data):
        raise NotAWorkbook(source.path, "it holds binary data, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """The delimiter that most often splits the first lines into the same number of fields (',' if unsure)."""
    lines = [line for line in text.splitlines()[: _SNIFF_LINES * 2] if line.strip()][:_SNIFF_LINES]
    best, best_score = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        width, times = Counter(counts).most_common(1)[0]
        score = (times / len(counts), width) if width > 1 else (0.0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best
