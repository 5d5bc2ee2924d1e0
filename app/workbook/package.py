"""A workbook package (.xlsx, .xlsm, .xlsb, .ods are zip files) checked part by part before a reader opens it.

What the zip's directory says of a part (its sizes) is only a claim: each part is unpacked here from its own
bytes, counting what really comes out, and refused as soon as it passes the limits in `app.workbook.limits`.
A reader given the package afterwards (calamine, openpyxl) therefore never unpacks more than was counted.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from app.workbook import limits
from app.workbook.errors import WorkbookCorrupt, WorkbookInflated

CHUNK = 1 << 20
_LOCAL_HEADER = b"PK\x03\x04"
_LOCAL_HEADER_SIZE = 30
_STORED, _DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
_ENCRYPTED = 0x1
# Every part but the sheets is unpacked when the package is opened; together they may unpack to at most
# this much (plus RATIO_LIMIT times the file's size): a few megabytes in any real workbook.
_OPENING_FLOOR = 64 << 20


@dataclass(frozen=True)
class Part:
    """One part: its name, how it is packed, where its packed bytes are, and its packed size."""

    name: str
    method: int
    start: int
    packed: int

    @property
    def limit(self) -> int:
        """The most this part may unpack to."""
        return min(limits.PART_SIZE_LIMIT, max(limits.RATIO_FLOOR, limits.RATIO_LIMIT * self.packed))


class Package:
    """The parts of a zip held in memory, each unpacked only through `chunks`, which counts as it goes."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError):
            raise WorkbookCorrupt(path) from None
        if len(infos) > limits.PART_COUNT_LIMIT:
            raise WorkbookCorrupt(path)
        self.parts: dict[str, Part] = {}
        spans = []
        for info in infos:
            part = self._part(info)
            spans.append((info.header_offset, part.start + part.packed))
            self.parts.setdefault(part.name, part)
            if info.file_size > part.limit:  # the directory already says it is too much
                raise WorkbookInflated(path, part.name, part.packed, part.limit)
        spans.sort()
        # Parts that share packed bytes are how the smallest zip bombs are built; no archiver writes them.
        if any(start < end for (_, end), (start, _) in pairwise(spans)):
            raise WorkbookCorrupt(path)

    def _part(self, info: zipfile.ZipInfo) -> Part:
        offset = info.header_offset
        header = self.data[offset : offset + _LOCAL_HEADER_SIZE]
        if len(header) < _LOCAL_HEADER_SIZE or not header.startswith(_LOCAL_HEADER):
            raise WorkbookCorrupt(self.path)
        if info.compress_type not in (_STORED, _DEFLATED) or info.flag_bits & _ENCRYPTED:
            raise WorkbookCorrupt(self.path)  # no spreadsheet program packs its parts any other way
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        start = offset + _LOCAL_HEADER_SIZE + name_length + extra_length
        if start + info.compress_size > len(self.data):
            raise WorkbookCorrupt(self.path)
        return Part(info.filename, info.compress_type, start, info.compress_size)

    def names(self) -> list[str]:
        return list(self.parts)

    def chunks(self, name: str) -> Iterator[bytes]:
        """The part unpacked, a chunk at a time; WorkbookInflated once it passes its limit."""
        part = self.parts[name]
        packed = memoryview(self.data)[part.start : part.start + part.packed]
        produced = 0
        for chunk in self._inflated(packed) if part.method == _DEFLATED else self._stored(packed):
            produced += len(chunk)
            if produced > part.limit:
                raise WorkbookInflated(self.path, name, part.packed, part.limit)
            yield chunk

    @staticmethod
    def _stored(packed: memoryview) -> Iterator[bytes]:
        for at in range(0, len(packed), CHUNK):
            yield bytes(packed[at : at + CHUNK])

    def _inflated(self, packed: memoryview) -> Iterator[bytes]:
        """Deflate undone a chunk at a time: never more than CHUNK bytes out of one step."""
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            for at in range(0, len(packed), CHUNK):
                pending = bytes(packed[at : at + CHUNK])
                while pending and not inflater.eof:
                    chunk = inflater.decompress(pending, CHUNK)
                    pending = inflater.unconsumed_tail
                    if chunk:
                        yield chunk
                if inflater.eof:
                    return
            tail = inflater.flush()
            if tail:
                yield tail
        except zlib.error:
            raise WorkbookCorrupt(self.path) from None

    def read(self, name: str) -> bytes:
        """A part whole (for the small ones: the workbook, its relationships)."""
        return b"".join(self.chunks(name))

    def check_unpacking(self, skip: frozenset[str] = frozenset()) -> int:
        """Unpack every part but `skip` (the sheets, checked as they are read), counting, keeping nothing;
        return how many bytes they unpack to. They may unpack to little more than the file itself."""
        budget = _OPENING_FLOOR + limits.RATIO_LIMIT * len(self.data)
        total = 0
        for name in self.parts:
            if name in skip:
                continue
            for chunk in self.chunks(name):
                total += len(chunk)
                if total > budget:
                    raise WorkbookInflated(self.path, name, self.parts[name].packed, budget)
        return total
