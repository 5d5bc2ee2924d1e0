"""The text of a few cells, read from the sheet's XML: inline strings, formula text results, shared strings.

The write-back needs the header row's text (to find an earlier write-back's result columns); the shared
string table is streamed only as far as the highest index asked for, which for a header row is near its
start (Excel numbers strings in the order it first meets them).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable

from app.workbook.sheet_stream import Cell
from app.workbook.xlsx_xml import ATTRS, PREFIX, attribute, unescape

_CHUNK = 1 << 20
_SHARED_STRING = re.compile(
    rb"<" + PREFIX + rb"si\b" + ATTRS + rb"(?:/>|>(.*?)</" + PREFIX + rb"si\s*>)", re.DOTALL
)
_PHONETIC = re.compile(rb"<(" + PREFIX + rb")rPh\b.*?</\1rPh\s*>", re.DOTALL)
_TEXT = re.compile(rb"<" + PREFIX + rb"t\b" + ATTRS + rb"(?:/>|>(.*?)</" + PREFIX + rb"t\s*>)", re.DOTALL)
_VALUE = re.compile(rb"<" + PREFIX + rb"v\b" + ATTRS + rb">(.*?)</" + PREFIX + rb"v\s*>", re.DOTALL)


def cell_texts(cells: Iterable[Cell], archive: zipfile.ZipFile, shared_part: str | None) -> dict[int, str]:
    """Column → text of each cell holding text (numbers and empty cells left out)."""
    texts: dict[int, str] = {}
    wanted: dict[int, list[int]] = {}
    for cell in cells:
        kind = attribute(cell.attributes, b"t")
        content = cell.content or b""
        if kind == b"inlineStr":
            texts[cell.column] = rich_text(content)
        elif kind == b"str" and (value := _VALUE.search(content)):
            texts[cell.column] = unescape(value.group(1))
        elif kind == b"s" and (value := _VALUE.search(content)) and value.group(1).strip().isdigit():
            wanted.setdefault(int(value.group(1)), []).append(cell.column)
    if wanted and shared_part:
        for index, text in _shared_strings(archive, shared_part, set(wanted)).items():
            for column in wanted[index]:
                texts[column] = text
    return texts


def rich_text(content: bytes) -> str:
    """The text of an `<is>` or `<si>`: its runs joined, phonetic guides left out."""
    return "".join(unescape(t.group(1) or b"") for t in _TEXT.finditer(_PHONETIC.sub(b"", content)))


def _shared_strings(archive: zipfile.ZipFile, part: str, wanted: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    last = max(wanted)
    index = 0
    carry = b""
    with archive.open(part) as stream:
        while index <= last and (chunk := stream.read(_CHUNK)):
            buffer = carry + chunk
            end = 0
            for item in _SHARED_STRING.finditer(buffer):
                if index in wanted:
                    found[index] = rich_text(item.group(1) or b"")
                index += 1
                end = item.end()
            carry = buffer[end:]
    return found
