"""Byte-level pieces of SpreadsheetML shared by the write-back: tags, attributes, cell references, escaping.

The write-back edits the user's XML in place instead of parsing it into a tree and serialising it again, so
everything it does not touch (namespace prefixes, attribute order, extensions it does not know) stays as
the file had it. These helpers accept any namespace prefix (`<x:row>`, as some writers emit) and quoted
attribute values that contain `>`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"

# An optional namespace prefix, captured where it is used.
PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# A start tag's attributes: quoted values may hold '>' or '/', so they are skipped whole.
ATTRS = rb"(?:[^>\"'/]|/(?!>)|\"[^\"]*\"|'[^']*')*"
MAX_COLUMN = 16_384
MAX_ROW = 1_048_576

_REF = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]+)")
_XML_ESCAPE = re.compile(r"[&<>\r\"]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", '"': "&quot;"}
# Excel reads `_x0041_` in a cell's text as an escaped character; a literal one is written `_x005F_x0041_`.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def element(name: bytes) -> re.Pattern[bytes]:
    """A whole element `<p:name …/>` or `<p:name …>…</p:name>`; groups: prefix, attributes, content."""
    return re.compile(
        rb"<(" + PREFIX + rb")" + name + rb"\b(" + ATTRS + rb")(?:/>|>(.*?)</" + PREFIX + name + rb"\s*>)",
        re.DOTALL,
    )


def start_tag(name: bytes) -> re.Pattern[bytes]:
    """A start (or empty-element) tag `<p:name …>`; groups: prefix, attributes."""
    return re.compile(rb"<(" + PREFIX + rb")" + name + rb"\b(" + ATTRS + rb")/?>")


@lru_cache(maxsize=64)
def _attribute_pattern(name: bytes) -> re.Pattern[bytes]:
    # Preceded by white space, so `r` does not match the end of `xr:r`.
    return re.compile(rb"(\s" + re.escape(name) + rb"\s*=\s*)(?:\"([^\"]*)\"|'([^']*)')")


def attribute(attributes: bytes, name: bytes) -> bytes | None:
    """The raw (still escaped) value of attribute `name`, or None."""
    found = _attribute_pattern(name).search(attributes)
    if found is None:
        return None
    return found.group(2) if found.group(2) is not None else found.group(3)


def with_attribute(attributes: bytes, name: bytes, value: bytes) -> bytes:
    """The attributes with `name` set to `value` (already escaped): replaced where it is, else added last."""
    pattern = _attribute_pattern(name)
    if pattern.search(attributes):
        return pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', attributes, count=1)
    kept = attributes.rstrip()
    return kept + b" " + name + b'="' + value + b'"' + attributes[len(kept) :]


def with_children(found: re.Match[bytes], name: bytes, added: list[bytes], count: int) -> bytes:
    """A list element matched by `element(name)` with `added` after its children, its count attribute set."""
    prefix, content = found.group(1), found.group(3) or b""
    attributes = with_attribute(found.group(2), b"count", str(count).encode())
    opening = b"<" + prefix + name + attributes + b">"
    return opening + content + b"".join(added) + b"</" + prefix + name + b">"


def without_attributes(attributes: bytes, names: tuple[bytes, ...]) -> bytes:
    for name in names:
        attributes = _attribute_pattern(name).sub(b"", attributes)
    return attributes


def escape(text: str) -> str:
    """Text for XML content or a double-quoted attribute; a carriage return survives as `&#13;`."""
    return _XML_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def escape_cell_text(text: str) -> str:
    """A cell's text for `<t>`: XML-escaped, and a literal `_xHHHH_` kept literal for Excel-family readers."""
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return escape(text)


def unescape(raw: bytes) -> str:
    """XML attribute or text bytes back to text (the five entities and character references)."""
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def column_number(letters: bytes | str) -> int:
    """'A' → 1, 'AA' → 27."""
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - 64
    return number


@lru_cache(maxsize=MAX_COLUMN)
def column_letters(number: int) -> str:
    """1 → 'A', 27 → 'AA'."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_position(ref: bytes) -> tuple[int, int] | None:
    """'H12' → (row 12, column 8); None when it is not a cell reference."""
    found = _REF.fullmatch(ref)
    return (int(found.group(2)), column_number(found.group(1))) if found else None


def range_bounds(ref: bytes) -> tuple[int, int, int, int] | None:
    """'A3:G7' → (first row, first column, last row, last column); a single cell is a range of one."""
    corners = [cell_position(part) for part in ref.split(b":")]
    if not 1 <= len(corners) <= 2 or any(corner is None for corner in corners):
        return None
    (top, left), (bottom, right) = corners[0], corners[-1]  # type: ignore[misc]
    return min(top, bottom), min(left, right), max(top, bottom), max(left, right)


def range_ref(top: int, left: int, bottom: int, right: int) -> bytes:
    first = f"{column_letters(left)}{top}"
    if (top, left) == (bottom, right):
        return first.encode()
    return f"{first}:{column_letters(right)}{bottom}".encode()
