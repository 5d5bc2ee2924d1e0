"""A worksheet part read as a stream of pieces: what comes before the rows, each row whole, what comes after.

Only one row (and at most a megabyte of what follows it) is held at a time, so a sheet of a million rows
costs no more memory than one of ten. Rows are found with byte searches: inside `<sheetData>` every `<`
starts markup (XML allows no bare `<` in text or attribute values), so a row ends at the first `</row>`.
The only markup that could hide one, a comment or a CDATA section, is rewritten into plain equivalent XML
before rows are looked for (no spreadsheet program writes either there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from app.workbook.xlsx_xml import ATTRS, MAIN_NS, PREFIX, STRICT_NS, attribute, cell_position, escape

_CHUNK = 1 << 20
_ROOT = re.compile(rb"<(" + PREFIX + rb")worksheet\b(" + ATTRS + rb")>")
_SHEET_DATA = re.compile(rb"<(" + PREFIX + rb")sheetData\b(" + ATTRS + rb")(/?)>")
_CELL = re.compile(rb"<(" + PREFIX + rb")c\b(" + ATTRS + rb")(?:/>|>(.*?)</" + PREFIX + rb"c\s*>)", re.DOTALL)
_HIDING = re.compile(rb"<!--.*?-->|<!\[CDATA\[(.*?)\]\]>|<\?.*?\?>", re.DOTALL)
_OPENERS = (b"<!--", b"<![CDATA[", b"<?")
_CLOSERS = (b"-->", b"]]>", b"?>")


class SheetFormatError(Exception):
    """The part is not a worksheet this module can rewrite; the message completes "its sheet “X” …"."""


@dataclass(frozen=True)
class Row:
    """One `<row>` element whole: its number as Excel shows it, its start tag's attributes, its bytes."""

    number: int
    prefix: bytes
    attributes: bytes
    xml: bytes
    content_start: int  # where the cells start in `xml` (== len(xml) for an empty `<row/>`)
    content_end: int

    @property
    def content(self) -> bytes:
        return self.xml[self.content_start : self.content_end]


@dataclass(frozen=True)
class Cell:
    """One `<c>` element: its column (1-based), its start tag's attributes, its children (None if empty)."""

    column: int
    prefix: bytes
    attributes: bytes
    content: bytes | None
    xml: bytes

    @property
    def has_value(self) -> bool:
        return self.content is not None and b"<" in self.content


@dataclass(frozen=True)
class Head:
    """Everything before the rows: the XML up to `<sheetData>`, that tag, and the main namespace's prefix."""

    xml: bytes
    sheet_data_tag: bytes
    sheet_data_prefix: bytes
    empty: bool  # `<sheetData/>`: no rows, no end tag
    prefix: bytes  # the prefix (with colon) the worksheet uses for SpreadsheetML elements, b"" if default


class SheetStream:
    """Reads one worksheet part: `head()`, then `rows()`, then `tail()`, each once and in that order."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._buffer = b""
        self._position = 0
        self._head: Head | None = None

    def head(self) -> Head:
        while (found := _SHEET_DATA.search(self._buffer)) is None:
            if not self._read():
                raise SheetFormatError("has no cell data")
        root = _ROOT.search(self._buffer, 0, found.start())
        if root is None:
            raise SheetFormatError("is not a worksheet")
        prefix = root.group(1)
        namespace = attribute(root.group(2), b"xmlns:" + prefix[:-1] if prefix else b"xmlns")
        if namespace == STRICT_NS:
            raise SheetFormatError(
                "is saved as “Strict Open XML Spreadsheet”, which this copy cannot write into; in Excel, "
                "save the workbook as “Excel Workbook (*.xlsx)” and try again"
            )
        if namespace != MAIN_NS:
            raise SheetFormatError("is not in the SpreadsheetML format")
        self._head = Head(
            self._buffer[: found.start()], found.group(), found.group(1), found.group(3) == b"/", prefix
        )
        self._buffer, self._position = self._buffer[found.end() :], 0
        if b"<!" in self._buffer or b"<?" in self._buffer:
            self._normalise()
        return self._head

    def rows(self) -> Iterator[Row]:
        """Each row in the order the file has them; a row without `r` follows the one before it."""
        assert self._head is not None, "head() first"
        if self._head.empty:
            return
        boundary = re.compile(
            rb"<("
            + PREFIX
            + rb")row\b("
            + ATTRS
            + rb")(/?)>|</"
            + re.escape(self._head.sheet_data_prefix)
            + rb"sheetData\s*>"
        )
        number = 0
        while True:
            found = self._search(boundary)
            if found.group(2) is None:  # </sheetData>
                self._position = found.end()
                return
            row_prefix, attributes, tag = found.group(1), found.group(2), found.group()
            explicit = attribute(attributes, b"r")
            number = int(explicit) if explicit and explicit.isdigit() else number + 1
            if found.group(3):
                self._position = found.end()
                yield Row(number, row_prefix, attributes, tag, len(tag), len(tag))
                continue
            self._position = found.start()  # reading on keeps the row from here
            content_end, end = self._row_end(b"</" + row_prefix + b"row", len(tag))
            xml = self._buffer[self._position : self._position + end]
            self._position += end
            yield Row(number, row_prefix, attributes, xml, len(tag), content_end)

    def tail(self) -> Iterator[bytes]:
        """What follows `</sheetData>` (or `<sheetData/>`), in pieces, to the end of the part."""
        if self._position < len(self._buffer):
            yield self._buffer[self._position :]
        self._buffer, self._position = b"", 0
        while chunk := self._stream.read(_CHUNK):
            yield chunk

    def _row_end(self, closing: bytes, skip: int) -> tuple[int, int]:
        """Where the row's end tag (`closing`, spaces, `>`) starts and ends, from the row's start; reads on.

        A plain byte search: the first `</row` after the row's start tag is its end (no `<` is bare in XML)."""
        while True:
            at = self._buffer.find(closing, self._position + skip)
            if at >= 0:
                after = at + len(closing)
                while after < len(self._buffer) and self._buffer[after] in b" \t\r\n":
                    after += 1
                if after < len(self._buffer):
                    if self._buffer[after] != ord(">"):
                        raise SheetFormatError("has a row that is not closed properly (the file is damaged)")
                    return at - self._position, after + 1 - self._position
            if not self._read():
                raise SheetFormatError("ends in the middle of its cells (the file is damaged)")

    def _search(self, pattern: re.Pattern[bytes], skip: int = 0) -> re.Match[bytes]:
        """The next match from `skip` bytes past the current position, reading on as needed."""
        while True:
            found = pattern.search(self._buffer, self._position + skip)
            if found is not None:
                return found
            if not self._read():
                raise SheetFormatError("ends in the middle of its cells (the file is damaged)")

    def _read(self) -> bool:
        """Append the next chunk, dropping what was already handed out; False at the end of the part."""
        chunk = self._stream.read(_CHUNK)
        if not chunk:
            return False
        self._buffer = self._buffer[self._position :] + chunk
        self._position = 0
        if self._head is not None and (b"<!" in self._buffer or b"<?" in self._buffer):
            self._normalise()
        return True

    def _normalise(self) -> None:
        """Comments and processing instructions dropped, CDATA made text; each waited for until complete."""
        while any(
            self._buffer.rfind(o) > self._buffer.rfind(c) for o, c in zip(_OPENERS, _CLOSERS, strict=True)
        ):
            chunk = self._stream.read(_CHUNK)
            if not chunk:
                break
            self._buffer += chunk
        self._buffer = self._buffer[: self._position] + _HIDING.sub(_plain, self._buffer[self._position :])


def _plain(found: re.Match[bytes]) -> bytes:
    text = found.group(1)
    return b"" if text is None else escape(text.decode("utf-8")).encode()


def cells(content: bytes) -> list[Cell]:
    """A row's cells in order, each with its column (from `r`, else the one after the cell before)."""
    found: list[Cell] = []
    column = 0
    for match in _CELL.finditer(content):
        ref = attribute(match.group(2), b"r")
        position = cell_position(ref) if ref else None
        column = position[1] if position else column + 1
        found.append(Cell(column, match.group(1), match.group(2), match.group(3), match.group()))
    return found


def others(content: bytes) -> bytes:
    """What a row holds besides its cells (an `extLst`), which must stay after them."""
    rest = _CELL.sub(b"", content)
    return rest if rest.strip() else b""
