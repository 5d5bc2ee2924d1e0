"""Where an .xlsx sheet's cells lie and how many there are, found in its XML before any reader builds it.

calamine turns a sheet into one dense grid from its top-left value to its bottom-right value: a header in
A1 and a stray value in XFD1048576 make a grid of 17 billion cells (512 GB). This survey finds that box
first, streaming, in time proportional to the file.

The common case costs a couple of C-speed searches per megabyte: the sheet's `<dimension>` (which every
spreadsheet program writes) is taken as a claim, and one regular expression finds each cell that is not
written the usual way (`<c r="B7"`) or lies outside that claim; only those are looked at one by one. A
sheet with no dimension, or many cells outside it, has every cell's reference read. A sheet with a cell
that has no reference, or tags with a namespace prefix, is followed tag by tag as calamine follows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

_STANDARD = b'<c r="'
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^<>]*?\bref\s*=\s*[\"']([^\"'<>]*)[\"']")
_REF = re.compile(rb"([A-Za-z]+)([0-9]*)")
_STANDARD_REFS = re.compile(rb'<c r="([A-Za-z]+)([0-9]+)"[^<>]*(?<!/)>')
_ANY_CELL = re.compile(rb'<c(?! r=")')
_ATTRIBUTE = re.compile(rb"""([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c|sheetData)(?=[\s/>])([^<>]*)>")
_NOT_A_CELL_AFTER_C = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:")
# More cells outside the dimension than this, and the dimension is not worth checking against.
_STRAYS_BEFORE_EXACT = 64
_MAX_PATTERN_COLUMNS = 64  # a pattern for a wider dimension would cost more than reading every reference
_MAX_PIECE = 16 << 20  # XML without a single '<' for this long is no sheet (a cell holds 32,767 characters)
_WAIT_FOR_ELEMENT = 4 << 20  # how far a piece may grow waiting for the end of an element
_FAR = 1 << 40  # where a cell calamine cannot place sensibly is taken to be


class SheetUnreadable(Exception):
    """The sheet's XML cannot be followed (a tag or a text of many megabytes): no reader should try."""


@dataclass
class SheetSpan:
    """The box around a sheet's cells and how many there are: 1-based rows, 0-based columns.

    `cells` counts every cell element (at least as many as the values calamine keeps); `xml_bytes` is the
    size of the sheet's XML unpacked.
    """

    cells: int = 0
    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0
    xml_bytes: int = 0

    @property
    def empty(self) -> bool:
        return self.bottom == 0

    @property
    def width(self) -> int:
        return 0 if self.empty else self.right - self.left + 1

    @property
    def height(self) -> int:
        return 0 if self.empty else self.bottom - self.top + 1

    @property
    def area(self) -> int:
        return self.width * self.height

    def include(self, row: int, column: int) -> None:
        if self.empty:
            self.top, self.bottom, self.left, self.right = row, row, column, column
            return
        self.top, self.bottom = min(self.top, row), max(self.bottom, row)
        self.left, self.right = min(self.left, column), max(self.right, column)

    def span_text(self) -> str:
        """'A1:XFD1048576': the box as Excel names a range."""
        return f"{cell_name(self.top, self.left)}:{cell_name(self.bottom, self.right)}"


def cell_name(row: int, column: int) -> str:
    """(7, 1) → 'B7'."""
    return f"{column_letters(column)}{row}"


def column_letters(column: int) -> str:
    """0 → 'A', 27 → 'AB'."""
    letters, index = "", column + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: bytes) -> int:
    """b'A' → 0, b'ab' → 27 (calamine reads lower case too)."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def survey_sheet(open_chunks: Callable[[], Iterable[bytes]], largest_claim: int) -> SheetSpan:
    """The span of the sheet whose XML `open_chunks()` yields, chunk by chunk; it is called a second time
    when the sheet turns out to need following tag by tag. A dimension is trusted as a bound only when its
    area is at most `largest_claim` cells: a larger one is no cheaper to check than the cells themselves,
    and would make a sheet look larger than it is. Raises SheetUnreadable."""
    try:
        return _Survey(largest_claim).run(open_chunks())
    except _NeedsTags:
        return _TagByTag().run(open_chunks())


class _NeedsTags(Exception):
    """A cell without a reference, or with a namespace prefix: only following the tags tells where it is."""


class _Survey:
    """The fast survey: the dimension as a claim, checked by one pattern; every reference where it fails."""

    def __init__(self, largest_claim: int) -> None:
        self.span = SheetSpan()
        self.largest_claim = largest_claim
        self.claim: tuple[int, int, int, int] | None = None
        self.outside: re.Pattern[bytes] | None = None
        self.exact = False
        self.strays = 0

    def run(self, chunks: Iterable[bytes]) -> SheetSpan:
        first = True
        for buffer in whole_tags(chunks, self.span):
            if first:
                self._claim(buffer)
                first = False
            self._survey(buffer)
        if self.claim is not None and not self.exact and self.span.cells:
            top, bottom, left, right = self.claim  # every cell was found inside it
            self.span.include(top, left)
            self.span.include(bottom, right)
        return self.span

    def _claim(self, buffer: bytes) -> None:
        """The dimension, read before the cells, as a pattern of the references inside it."""
        found = _DIMENSION.search(buffer)
        box = dimension_box(found.group(1)) if found else None
        if box is None:
            self.exact = True
            return
        top, bottom, left, right = box
        if (
            right - left >= _MAX_PATTERN_COLUMNS
            or (right - left + 1) * (bottom - top + 1) > self.largest_claim
        ):
            self.exact = True
            return
        self.claim = box
        inside = columns_pattern(left, right) + numbers_pattern(top, bottom)
        self.outside = re.compile(rb'<c(?! r="' + inside.encode("ascii") + rb'")')

    def _survey(self, buffer: bytes) -> None:
        self.span.cells += buffer.count(_STANDARD)
        if buffer.count(b":") and b":c" in buffer and _PREFIXED_CELL.search(buffer):
            raise _NeedsTags
        if self.exact:
            self._every_reference(buffer)
            return
        assert self.outside is not None
        for match in self.outside.finditer(buffer):
            if self._one_cell(buffer, match.start()):
                self.strays += 1
                if self.strays > _STRAYS_BEFORE_EXACT:
                    self.exact = True  # the dimension is wrong: read every reference from here on
                    self._every_reference(buffer[match.end() :])
                    return

    def _every_reference(self, buffer: bytes) -> None:
        """Every cell of the buffer: the usual ones by one findall, the others one by one."""
        found = _STANDARD_REFS.findall(buffer)
        if found:
            letters, digits = zip(*found, strict=True)
            columns = [column_number(name) for name in set(letters)]
            rows = [int(number) for number in set(digits)]
            self.span.include(min(rows), min(columns))
            self.span.include(max(rows), max(columns))
        for match in _ANY_CELL.finditer(buffer):
            self._one_cell(buffer, match.start())

    def _one_cell(self, buffer: bytes, at: int) -> bool:
        """Look at one tag the fast pattern did not vouch for; False when it holds no value."""
        if at + 2 < len(buffer) and buffer[at + 2] in _NOT_A_CELL_AFTER_C:
            return False  # <col>, <cfRule>, <color> …: another element
        end = buffer.find(b">", at)
        tag = buffer[at:end] if end >= 0 else buffer[at:]
        if tag.endswith(b"/"):
            return False  # an empty cell (a format only): calamine keeps nothing of it
        ref = attribute(tag, b"r")
        if ref is None:
            raise _NeedsTags
        if not tag.startswith(_STANDARD):
            self.span.cells += 1
        row, column = place(ref)
        self.span.include(row, column)
        return True


class _TagByTag:
    """Cells placed as calamine places them: by their reference, else after the cell before in the row."""

    def __init__(self) -> None:
        self.span = SheetSpan()
        self.row = 1
        self.column = 0

    def run(self, chunks: Iterable[bytes]) -> SheetSpan:
        inside = False
        for buffer in whole_tags(chunks, self.span):
            for match in _TAG.finditer(buffer):
                closing, name, rest = match.groups()
                if name == b"sheetData":
                    inside = not closing and not rest.endswith(b"/")
                    if closing:
                        return self.span
                elif inside:
                    self._tag(closing == b"/", name, rest)
        return self.span

    def _tag(self, closing: bool, name: bytes, rest: bytes) -> None:
        if rest.endswith(b"/"):
            return  # <row/>, <c/>: calamine sees nothing of an empty element
        if name == b"row":
            if closing:
                self.row, self.column = self.row + 1, 0
                return
            number = attribute(rest, b"r")
            if number is not None:
                self.row = int(number) if number.isdigit() else _FAR
            return
        if closing:
            return
        ref = attribute(rest, b"r")
        if ref is not None:
            row, self.column = place(ref)
        else:
            row = self.row
        self.span.cells += 1
        self.span.include(row, self.column)
        self.column += 1


def attribute(tag: bytes, wanted: bytes) -> bytes | None:
    """The value of the unprefixed attribute `wanted` in a start tag, as written (None when absent)."""
    for match in _ATTRIBUTE.finditer(tag):
        if match.group(1) == wanted:
            value = match.group(2)
            return value if value is not None else match.group(3)
    return None


def place(ref: bytes) -> tuple[int, int]:
    """A reference's (row, column). One calamine cannot place sensibly (no row, no letters, digits first)
    is put far away, so that the sheet is refused rather than read into a grid of unknown size."""
    parsed = _REF.fullmatch(ref.strip())
    if parsed is None or not parsed.group(2) or int(parsed.group(2)) == 0:
        return _FAR, _FAR
    return int(parsed.group(2)), column_number(parsed.group(1))


def dimension_box(ref: bytes) -> tuple[int, int, int, int] | None:
    """'A1:M100' → (top 1, bottom 100, left 0, right 12); None when it is not a box of cells."""
    ends = ref.split(b":")
    if len(ends) not in (1, 2):
        return None
    places = []
    for end in ends:
        parsed = _REF.fullmatch(end)
        if parsed is None or not parsed.group(2) or int(parsed.group(2)) == 0:
            return None
        places.append((int(parsed.group(2)), column_number(parsed.group(1))))
    (top, left), (bottom, right) = places[0], places[-1]
    if top > bottom or left > right:
        return None
    return top, bottom, left, right


def whole_tags(chunks: Iterable[bytes], span: SheetSpan | None = None, after: bytes = b"") -> Iterator[bytes]:
    """The XML again in pieces of about a chunk, each cut just after the last `after` (a closing tag, so
    that no element is split; a piece waits for one up to a few megabytes) or else just before the last
    '<' (so that no tag is). Counts the bytes into `span`. Raises SheetUnreadable for megabytes without a
    single tag: no spreadsheet program writes that."""
    carry = b""
    for chunk in chunks:
        if span is not None:
            span.xml_bytes += len(chunk)
        buffer = carry + chunk if carry else chunk
        found = buffer.rfind(after) if after else -1
        if found >= 0:
            cut = found + len(after)
        elif after and len(buffer) < _WAIT_FOR_ELEMENT:
            carry = buffer
            continue
        else:
            cut = buffer.rfind(b"<")
        if cut <= 0:
            if len(buffer) > _MAX_PIECE:
                raise SheetUnreadable
            carry = buffer
            continue
        carry = buffer[cut:]
        yield buffer[:cut]
    if carry:
        yield carry


# -- patterns of the references inside a box ----------------------------------------------------------------

_COLUMN_LENGTHS = ((0, 25), (26, 701), (702, 18277))  # columns named with 1, 2 and 3 letters (0-based)


def columns_pattern(left: int, right: int) -> str:
    """A pattern matching the letters of the columns `left` to `right` (0-based, upper case)."""
    parts = []
    for first, last in _COLUMN_LENGTHS:
        low, high = max(left, first), min(right, last)
        if low <= high:
            parts.append(_between(column_letters(low), column_letters(high), "A", "Z"))
    return "(?:" + "|".join(parts) + ")"


def numbers_pattern(low: int, high: int) -> str:
    """A pattern matching the numbers `low` to `high` written without leading zeros (low >= 1)."""
    parts = []
    for digits in range(len(str(low)), len(str(high)) + 1):
        first, last = max(low, 10 ** (digits - 1)), min(high, 10**digits - 1)
        parts.append(_between(str(first), str(last), "0", "9"))
    return "(?:" + "|".join(parts) + ")"


def _between(low: str, high: str, first: str, last: str) -> str:
    """Strings as long as `low`, over the alphabet `first`..`last`, from `low` to `high` inclusive."""
    if not low:
        return ""
    rest = len(low) - 1
    if low == first * len(low) and high == last * len(high):
        return f"[{first}-{last}]" + (f"{{{len(low)}}}" if len(low) > 1 else "")
    if low[0] == high[0]:
        return low[0] + _between(low[1:], high[1:], first, last)
    parts = [low[0] + _between(low[1:], last * rest, first, last)]
    if ord(high[0]) - ord(low[0]) > 1:
        middle = f"[{chr(ord(low[0]) + 1)}-{chr(ord(high[0]) - 1)}]"
        parts.append(middle + (f"[{first}-{last}]" + (f"{{{rest}}}" if rest > 1 else "") if rest else ""))
    parts.append(high[0] + _between(first * rest, high[1:], first, last))
    return "(?:" + "|".join(parts) + ")"
