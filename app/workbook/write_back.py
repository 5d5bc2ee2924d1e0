"""Write-back: a copy of the user's own file, each row's result in new columns to the right of their data.

An Excel workbook (.xlsx, .xlsm and their templates) is copied part by part: the sheets the run read are
streamed with the result cells added to their rows, and everything else (charts, pictures, pivot tables,
macros, comments, other sheets, links) is copied byte for byte (`xlsx_write_back`). A CSV file gets the
result columns in its own encoding, delimiter and quoting (`csv_write_back`). The copy goes beside the
user's file as `<name> - results.<same ending>`, never over it, written in one step.

An .xls, .xlsb or .ods file cannot be written back: a copy in another format would not be "their file",
and the results workbook already repeats every original column.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from app.domain.errors import UserInputError
from app.domain.outcomes import RunReport
from app.workbook.csv_write_back import write_csv_back
from app.workbook.output_file import (
    ExportOptions,
    OutputIsInput,
    check_target,
    refuse_inputs,
    same_file,
    write_atomically,
)
from app.workbook.sources import WorkbookFormat, open_source, zip_format
from app.workbook.xlsx_package import CannotWriteInto, read_workbook
from app.workbook.xlsx_write_back import write_into_copy
from app.workbook.zip_package import PackageError

_EXCEL_FORMATS = frozenset({WorkbookFormat.XLSX, WorkbookFormat.XLSM})
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
_KEPT_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", *_TEXT_SUFFIXES)
# The ending Excel insists on for each kind of workbook: it refuses to open a file whose name disagrees.
_SUFFIX_OF_CONTENT = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": ".xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": ".xltx",
    "application/vnd.ms-excel.template.macroenabled.main+xml": ".xltm",
}
_FORMAT_WORDS = {
    WorkbookFormat.XLS: "the Excel 97–2003 format (.xls)",
    WorkbookFormat.XLSB: "Excel's binary format (.xlsb)",
    WorkbookFormat.ODS: "the OpenDocument format (.ods)",
}
_ZIP_MAGIC = b"PK\x03\x04"
_OFFER = "Export the results workbook instead: it holds every original column beside the results."


class WriteBackNotPossible(UserInputError):
    """This file cannot be written back; the message says why and offers the results workbook."""


class WriteBackToOriginal(WriteBackNotPossible):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The write-back would replace your own workbook “{path.name}”; it never does. "
            "Choose another name."
        )


@dataclass
class WriteBackResult:
    """Where the copy went, and what the user should know about it."""

    path: Path
    notes: list[str] = field(default_factory=list)


def default_write_back_path(source: Path, suffix: str | None = None) -> Path:
    """`<name> - results.xlsx` beside the user's file, with their file's own ending (.xlsm, .csv, …), or
    `suffix` when the file's content says which it must be."""
    if suffix is None:
        suffix = source.suffix.lower() if source.suffix.lower() in _KEPT_SUFFIXES else ".xlsx"
    return source.with_name(f"{source.stem} - results{suffix}")


def write_back(
    source: Path,
    report: RunReport,
    target: Path | None = None,
    options: ExportOptions | None = None,
    source_password: str | None = None,
) -> WriteBackResult:
    """Copy `source` with the results of `report` added.

    A password-protected workbook is opened with `source_password`; its copy is encrypted too (with
    `options.password`, else the same password), so results never leave a protected file in the clear.
    """
    options = options or ExportOptions()
    options = replace(options, inputs=(*options.inputs, source))
    options.check()
    kind, package, encrypted = _open(source, source_password)
    if kind is WorkbookFormat.CSV:
        return _write_csv(source, report, _target(source, target, None, options), options)
    if package is None:
        raise WriteBackNotPossible(
            f"“{source.name}” is saved in {_FORMAT_WORDS.get(kind, kind.value)}; results can only be written "
            f"into a copy of an Excel workbook (.xlsx, .xlsm) or a CSV file. {_OFFER}"
        )
    if encrypted and not options.password:
        options = replace(options, password=source_password)
    with package:
        try:
            with zipfile.ZipFile(package) as archive:
                suffix = _SUFFIX_OF_CONTENT.get(read_workbook(archive).content_type.lower())
            target = _target(source, target, suffix, options)

            def build(destination: str | BinaryIO) -> None:
                if isinstance(destination, str):
                    with open(destination, "wb") as out:
                        write_into_copy(package, report, options.with_secrets, out)
                else:
                    write_into_copy(package, report, options.with_secrets, destination)

            return WriteBackResult(write_atomically(target, build, options))
        except (CannotWriteInto, PackageError) as error:
            raise WriteBackNotPossible(f"“{source.name}” cannot be written back: {error}. {_OFFER}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise WriteBackNotPossible(
                f"“{source.name}” cannot be written back: a part of it is damaged. {_OFFER}"
            ) from None


def _target(source: Path, target: Path | None, suffix: str | None, options: ExportOptions) -> Path:
    """Where the copy goes: never over their file, nothing replaced unasked, with the ending Excel insists
    on for this kind of workbook (it refuses to open one whose name says otherwise)."""
    target = (target or default_write_back_path(source, suffix)).expanduser().absolute()
    try:
        refuse_inputs(target, options)
    except OutputIsInput:
        if same_file(target, source):
            raise WriteBackToOriginal(source) from None
        raise
    if suffix and target.suffix.lower() != suffix:
        raise WriteBackNotPossible(
            f"The copy of “{source.name}” must end in “{suffix}”, as the workbook does: Excel refuses to "
            f"open a workbook whose name says otherwise. Choose a name ending in “{suffix}”."
        )
    check_target(target, options)
    return target


def _open(source: Path, password: str | None) -> tuple[WorkbookFormat, BinaryIO | None, bool]:
    """The file's format and, for an Excel workbook, its package to read (decrypted if it was encrypted).

    A plain workbook or CSV file is read from disk as it is copied, never loaded whole."""
    try:
        with source.open("rb") as file:
            magic = file.read(len(_ZIP_MAGIC))
    except OSError:
        magic = b""  # open_source below says what is wrong, in the reader's words
    if magic == _ZIP_MAGIC:
        try:
            with zipfile.ZipFile(source) as archive:
                kind = zip_format(source, set(archive.namelist()))
        except (zipfile.BadZipFile, OSError):
            kind = open_source(source, password).format  # raises the reader's own message
        return kind, source.open("rb") if kind in _EXCEL_FORMATS else None, False
    if magic and source.suffix.lower() in _TEXT_SUFFIXES:
        return WorkbookFormat.CSV, None, False
    opened = open_source(source, password)
    package = io.BytesIO(opened.data) if opened.format in _EXCEL_FORMATS else None
    return opened.format, package, opened.encrypted


def _write_csv(source: Path, report: RunReport, target: Path, options: ExportOptions) -> WriteBackResult:
    if options.password:
        raise WriteBackNotPossible(
            f"“{source.name}” is a CSV file, and a CSV file cannot be protected with a password. Write it "
            f"without one, or export the results workbook, which can be."
        )
    if target.suffix.lower() not in _TEXT_SUFFIXES:
        raise WriteBackNotPossible(
            f"The copy of “{source.name}” is a CSV file too: choose a name ending in “{source.suffix.lower()}”."
        )
    notes: list[str] = []

    def build(destination: str | BinaryIO) -> None:
        assert isinstance(destination, str)  # no password, so never built in memory
        notes.extend(write_csv_back(source, report, options.with_secrets, destination))

    return WriteBackResult(write_atomically(target, build, options), notes)
