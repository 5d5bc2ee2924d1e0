"""Copying a zip package member by member: the untouched ones byte for byte, a few replaced by streamed content.

An untouched member is copied as it is stored (local header, compressed data, data descriptor), without
being decompressed, so charts, pictures, macros and every other part arrive exactly as they were, as fast as
the disk allows. A replaced member keeps its place, name, time and compression method; its new content is
compressed as it is produced, so it is never held whole in memory. The central directory repeats the
source's records with only offsets, sizes and checksums changed.

Packages that need Zip64 (over 4 GB or 65,535 members) are refused: no spreadsheet program writes them.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_HAS_DESCRIPTOR = 0x08
_UTF8_NAME = 0x800
_STORED, _DEFLATED = 0, 8
_LIMIT = 0xFFFFFFFF
_COPY_CHUNK = 1 << 20
# Fast compression: level 1 makes the sheet about 15% larger than level 6 at a third of the time.
_LEVEL = 1


class PackageError(Exception):
    """The zip cannot be copied this way; the message says why in a user's words."""


@dataclass(frozen=True)
class Member:
    """One member as the source's central directory records it."""

    name: str
    central: bytes  # the whole central directory record: fixed part, name, extra field, comment
    offset: int  # where its local header starts in the source
    compressed_size: int

    @property
    def flags(self) -> int:
        return int(struct.unpack_from("<H", self.central, 8)[0])


@dataclass(frozen=True)
class Package:
    members: list[Member]
    comment: bytes


def read_package(source: BinaryIO) -> Package:
    """The members of the zip in `source`, in the order they are stored."""
    source.seek(0, 2)
    size = source.tell()
    tail_start = max(0, size - (_END.size + 0xFFFF))
    source.seek(tail_start)
    tail = source.read()
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END.size:
        raise PackageError("it is not a complete zip archive")
    _, disk, _, count, total, cd_size, cd_offset, comment_length = _END.unpack_from(tail, at)
    if tail[max(0, at - 20) : at - 16] == _ZIP64_LOCATOR_SIGNATURE or _LIMIT in (cd_size, cd_offset):
        raise PackageError("it is larger than 4 GB (a Zip64 archive)")
    if disk or count != total:
        raise PackageError("it is split over several files")
    # Data before the archive (a self-extractor's stub) moves every offset; account for it as zipfile does.
    shift = tail_start + at - cd_size - cd_offset
    source.seek(cd_offset + shift)
    directory = source.read(cd_size)
    members, position = [], 0
    for _ in range(count):
        fields = _CENTRAL.unpack_from(directory, position)
        if fields[0] != _CENTRAL_SIGNATURE:
            raise PackageError("its table of contents is damaged")
        flags, compressed, name_length, extra_length, comment = fields[3], fields[8], *fields[10:13]
        if _LIMIT in (compressed, fields[9], fields[16]):
            raise PackageError("it is larger than 4 GB (a Zip64 archive)")
        end = position + _CENTRAL.size + name_length + extra_length + comment
        record = directory[position:end]
        raw_name = record[_CENTRAL.size : _CENTRAL.size + name_length]
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
        members.append(Member(name, record, fields[16] + shift, compressed))
        position = end
    return Package(members, tail[at + _END.size : at + _END.size + comment_length])


class PackageWriter:
    """Writes a zip to `out` (a seekable file): members copied or replaced in the order given, then the
    central directory."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._records: list[bytes] = []

    def copy(self, source: BinaryIO, member: Member) -> None:
        """The member exactly as stored in `source`."""
        source.seek(member.offset)
        header = source.read(_LOCAL.size)
        if len(header) < _LOCAL.size or header[:4] != _LOCAL_SIGNATURE:
            raise PackageError(f"its part “{member.name}” is damaged")
        name_length, extra_length = _LOCAL.unpack(header)[-2:]
        length = _LOCAL.size + name_length + extra_length + member.compressed_size
        if member.flags & _HAS_DESCRIPTOR:
            source.seek(member.offset + length)
            length += 16 if source.read(4) == _DESCRIPTOR_SIGNATURE else 12
        offset = self._start()
        source.seek(member.offset)
        while length:
            chunk = source.read(min(length, _COPY_CHUNK))
            if not chunk:
                raise PackageError(f"its part “{member.name}” is cut short")
            self._out.write(chunk)
            length -= len(chunk)
        self._records.append(_patched(member.central, offset=offset))

    def replace(self, member: Member, content: Iterable[bytes]) -> None:
        """The member's place and name with new content, compressed as it streams in."""
        method = _STORED if _field(member.central, 10) == _STORED else _DEFLATED
        flags = member.flags & ~_HAS_DESCRIPTOR
        raw_name = member.central[_CENTRAL.size : _CENTRAL.size + _field(member.central, 28)]
        time, date = _field(member.central, 12), _field(member.central, 14)
        offset = self._start()
        header = _LOCAL.pack(_LOCAL_SIGNATURE, 20, flags, method, time, date, 0, 0, 0, len(raw_name), 0)
        self._out.write(header + raw_name)
        compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15) if method == _DEFLATED else None
        crc = size = compressed = 0
        for chunk in content:
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            packed = compressor.compress(chunk) if compressor else chunk
            compressed += len(packed)
            self._out.write(packed)
        if compressor:
            packed = compressor.flush()
            compressed += len(packed)
            self._out.write(packed)
        if max(size, compressed) >= _LIMIT:
            raise PackageError(f"its part “{member.name}” would be larger than 4 GB")
        end = self._out.tell()
        self._out.seek(offset + 14)
        self._out.write(struct.pack("<3L", crc, compressed, size))
        self._out.seek(end)
        self._records.append(
            _patched(member.central, offset=offset, flags=flags, method=method, sizes=(crc, compressed, size))
        )

    def close(self, comment: bytes = b"") -> None:
        """Write the central directory and the end record."""
        start = self._out.tell()
        for record in self._records:
            self._out.write(record)
        size = self._out.tell() - start
        if len(self._records) > 0xFFFF or self._out.tell() >= _LIMIT:
            raise PackageError("the copy would be larger than 4 GB")
        count = len(self._records)
        self._out.write(_END.pack(_END_SIGNATURE, 0, 0, count, count, size, start, len(comment)) + comment)

    def _start(self) -> int:
        offset = self._out.tell()
        if offset >= _LIMIT:
            raise PackageError("the copy would be larger than 4 GB")
        return offset


def _field(record: bytes, at: int) -> int:
    return int(struct.unpack_from("<H", record, at)[0])


def _patched(
    record: bytes,
    *,
    offset: int,
    flags: int | None = None,
    method: int | None = None,
    sizes: tuple[int, int, int] | None = None,
) -> bytes:
    """The central record with a new local-header offset (and, for a replaced member, what changed)."""
    patched = bytearray(record)
    struct.pack_into("<L", patched, 42, offset)
    if flags is not None and method is not None and sizes is not None:
        struct.pack_into("<HHH", patched, 6, 20, flags, method)
        struct.pack_into("<3L", patched, 16, *sizes)
    return bytes(patched)
