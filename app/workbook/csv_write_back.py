"""Write-back into a CSV file: the result columns added to its records, the way the file itself is written.

The copy keeps the file's encoding (UTF-8 with or without a byte-order mark, UTF-16, Windows-1252), its
delimiter, its quoting (every field quoted, or only where needed) and each record's own line ending. A
record without results is copied exactly as it was; a record with results gets them appended after padding
to the first free column, so every result lines up under its header. The file is read twice, a record at a
time, never whole.

A CSV cell has no "text" type: a spreadsheet that opens the file runs any field starting with `=`, `+`, `-`
or `@`. Result values that look like a formula are therefore written with a leading apostrophe, as OWASP
advises; the user's own values go back as they were in their file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO

from app.domain.outcomes import RunReport, SheetLayout
from app.domain.records import CellError
from app.workbook.export_results import result_headers, result_values
from app.workbook.safe_cells import WritableValue, as_naive_utc, looks_like_formula
from app.workbook.sources import sniff_delimiter
from app.workbook.write_back_rows import earlier_results_column, grid_edits, sheet_rows

_CHUNK = 1 << 16
# The reader sniffs the delimiter from the first 60 lines; 122 line breaks hold them even as "\r\n".
_SNIFF_BREAKS = 122
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_NAMES = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1252": "Windows-1252"}
_TERMINATOR = re.compile(r"(\r\n|\r|\n)\Z")


@dataclass
class _Encoding:
    codec: str
    bom: bytes = b""
    replaced: int = 0  # characters the codec cannot hold, written as "?"

    @property
    def reading_codec(self) -> str:
        """A codec that drops the byte-order mark when reading (the copy writes it back itself)."""
        if not self.bom:
            return self.codec
        return "utf-8-sig" if self.codec == "utf-8" else "utf-16"

    def fit(self, text: str) -> str:
        """Text the file's encoding can hold; anything else becomes "?" (and is counted, to be said)."""
        if self.codec.startswith("utf"):
            return text
        try:
            text.encode(self.codec)
        except UnicodeEncodeError:
            fitted = text.encode(self.codec, errors="replace").decode(self.codec)
            self.replaced += sum(1 for a, b in zip(text, fitted, strict=True) if a != b)
            return fitted
        return text


class _Echo:
    """A file-like object whose `write` hands back what it was given, so `csv.writer` formats one record."""

    def write(self, text: str) -> str:
        return text


@dataclass(frozen=True)
class _Layout:
    """Where the results go: 0-based column of the first result, and the file's delimiter and quoting."""

    delimiter: str
    all_quoted: bool  # every field in quotes, else only those that need them
    first: int


def write_csv_back(source: Path, report: RunReport, with_secrets: bool, destination: str) -> list[str]:
    """Write the copy to `destination`; returns notes for the user (characters the encoding lacked)."""
    encoding = _detect_encoding(source)
    layout = report.sheets[0] if report.sheets else None
    if layout is None:
        return _copied(source, destination)
    rows = sheet_rows(report, layout.name)
    headers = result_headers(with_secrets)
    shape = _survey(source, encoding, layout, headers)
    results = range(shape.first + 1, shape.first + 1 + len(headers))
    edits = {
        row: {c - 1: v for c, v in cells.items()}
        for row, cells in grid_edits(layout, rows(), results).items()
    }
    if shape.all_quoted:
        writer = csv.writer(_Echo(), delimiter=shape.delimiter, quoting=csv.QUOTE_ALL, lineterminator="")
    else:
        writer = csv.writer(_Echo(), delimiter=shape.delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="")
    pending = rows()
    outcome = next(pending, None)
    with _text(source, encoding) as text, open(destination, "wb") as out:
        out.write(encoding.bom)
        encoder = codecs.getincrementalencoder(encoding.codec)()
        for number, fields, raw in _records(text, shape.delimiter):
            while outcome is not None and outcome.row < number:
                outcome = next(pending, None)
            if number == layout.header_row:
                added: list[str] = list(headers)
            elif outcome is not None and outcome.row == number:
                added = [_result_text(v) for v in result_values(outcome, with_secrets)]
            else:
                out.write(encoder.encode(raw))
                continue
            body, ending = _split_ending(raw)
            changes = edits.get(number, {})
            if not changes and max(len(fields), 1) <= shape.first:
                padding = shape.delimiter * (shape.first - max(len(fields), 1))
                new = body + padding + shape.delimiter + writer.writerow([encoding.fit(a) for a in added])
            else:  # the record changes inside: written again whole, the file's way
                values = fields + [""] * (shape.first + len(added) - len(fields))
                for column, value in changes.items():
                    values[column] = encoding.fit(_edit_text(value))
                values[shape.first : shape.first + len(added)] = [encoding.fit(a) for a in added]
                new = writer.writerow(values)
            out.write(encoder.encode(new + ending))
        out.write(encoder.encode("", final=True))
    if encoding.replaced:
        name = _NAMES.get(encoding.codec, encoding.codec)
        return [
            f"{encoding.replaced:,} character(s) of the results cannot be written in the file's encoding "
            f"({name}) and were written as “?”."
        ]
    return []


def _copied(source: Path, destination: str) -> list[str]:
    with source.open("rb") as original, open(destination, "wb") as out:
        while chunk := original.read(_CHUNK):
            out.write(chunk)
    return []


def _detect_encoding(source: Path) -> _Encoding:
    """The encoding the reader used: a byte-order mark's, else UTF-8 if every byte fits, else Windows-1252
    (or Latin-1 where Windows-1252 leaves bytes undefined)."""
    with source.open("rb") as file:
        start = file.read(4)
        for bom, codec in _BOMS:
            if start.startswith(bom):
                return _Encoding(codec, bom)
        for codec in ("utf-8", "cp1252"):
            file.seek(0)
            decoder = codecs.getincrementaldecoder(codec)()
            try:
                while chunk := file.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return _Encoding(codec)
    return _Encoding("latin-1")


def _text(source: Path, encoding: _Encoding) -> TextIO:
    # newline="": line endings reach the csv module (and the copy) exactly as the file has them.
    return io.TextIOWrapper(source.open("rb"), encoding=encoding.reading_codec, newline="")


def _records(text: TextIO, delimiter: str) -> Iterator[tuple[int, list[str], str]]:
    """Each record's number (as the reader counts them), fields and exact text, ending included.

    csv.reader asks for one line at a time and never reads ahead, so the lines it took since the last
    record are exactly that record's text."""
    taken: list[str] = []

    def lines() -> Iterator[str]:
        for line in text:
            taken.append(line)
            yield line

    for number, fields in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
        raw = "".join(taken)
        taken.clear()
        yield number, fields, raw


def _delimiter_of(text: TextIO) -> str:
    """The reader's delimiter, sniffed from the same first lines."""
    head = ""
    while head.count("\n") + head.count("\r") < _SNIFF_BREAKS and (chunk := text.read(_CHUNK)):
        head += chunk
    return sniff_delimiter(head)


def _survey(source: Path, encoding: _Encoding, layout: SheetLayout, headers: tuple[str, ...]) -> _Layout:
    """First pass: the delimiter, the quoting, and the first free column from the header row down."""
    with _text(source, encoding) as text:
        delimiter = _delimiter_of(text)
    with _text(source, encoding) as text:
        widest, all_quoted, header = 0, False, {}
        for number, fields, raw in _records(text, delimiter):
            if number == layout.header_row:
                header = dict(enumerate(fields, start=1))
                all_quoted = _all_quoted(_split_ending(raw)[0], delimiter, fields)
            if number >= layout.header_row:
                widest = max(widest, len(fields))
    earlier = earlier_results_column(header, headers)
    return _Layout(delimiter, all_quoted, earlier - 1 if earlier else widest)


def _all_quoted(body: str, delimiter: str, fields: list[str]) -> bool:
    quoted = '"(?:[^"]|"")*"'
    pattern = f"{quoted}(?:{re.escape(delimiter)}{quoted})*"
    return bool(fields) and re.fullmatch(pattern, body, re.DOTALL) is not None


def _split_ending(raw: str) -> tuple[str, str]:
    found = _TERMINATOR.search(raw)
    return (raw[: found.start()], found.group()) if found else (raw, "")


def _result_text(value: WritableValue) -> str:
    text = _edit_text(value)
    return "'" + text if looks_like_formula(text) else text


def _edit_text(value: WritableValue) -> str:
    """A value as CSV text: whole numbers without ".0", times in UTC as ISO, an error cell as its code."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = as_naive_utc(value).isoformat(sep=" ", timespec="seconds")
    elif isinstance(value, date | time):
        text = value.isoformat()
    elif isinstance(value, CellError):
        text = value.code
    else:
        text = str(value)
    return text
