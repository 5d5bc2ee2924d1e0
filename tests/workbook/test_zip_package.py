"""The zip copy under the write-back: members copied as stored, replaced ones streamed, any zip writer's form."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.workbook.zip_package import PackageError, PackageWriter, read_package


class _Unseekable(io.RawIOBase):
    """A stream zipfile cannot seek back in, so it writes each member's sizes after its data (bit 3)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


def streamed_zip(members: dict[str, bytes], comment: bytes = b"") -> bytes:
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = comment
        for name, data in members.items():
            with archive.open(name, "w") as member:
                member.write(data)
    return bytes(sink.data)


def copied(source: bytes, replacements: dict[str, list[bytes]]) -> bytes:
    original = io.BytesIO(source)
    package = read_package(original)
    out = io.BytesIO()
    writer = PackageWriter(out)
    for member in package.members:
        if member.name in replacements:
            writer.replace(member, replacements[member.name])
        else:
            writer.copy(original, member)
    writer.close(package.comment)
    return out.getvalue()


def test_members_written_with_data_descriptors_are_copied_and_replaced(tmp_path: Path) -> None:
    members = {"a.xml": b"<a/>" * 1000, "b.bin": bytes(range(256)) * 40, "c.xml": b"<c/>"}
    source = streamed_zip(members, comment=b"made by a streaming writer")
    assert all(i.flag_bits & 0x08 for i in zipfile.ZipFile(io.BytesIO(source)).infolist())

    result = copied(source, {"c.xml": [b"<c>", b"new", b"</c>"]})

    with zipfile.ZipFile(io.BytesIO(result)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["a.xml", "b.bin", "c.xml"]
        assert archive.read("a.xml") == members["a.xml"] and archive.read("b.bin") == members["b.bin"]
        assert archive.read("c.xml") == b"<c>new</c>"
        assert archive.comment == b"made by a streaming writer"
    old = zipfile.ZipFile(io.BytesIO(source)).getinfo("a.xml")
    new = zipfile.ZipFile(io.BytesIO(result)).getinfo("a.xml")
    assert (
        source[old.header_offset : old.header_offset + 30 + 5 + old.compress_size + 16]
        == (result[new.header_offset : new.header_offset + 30 + 5 + new.compress_size + 16])
    )


def test_a_package_behind_other_data_is_read_where_it_really_is() -> None:
    source = b"#!self-extractor stub\n" * 10 + streamed_zip({"x.xml": b"<x/>"})

    result = copied(source, {})

    assert zipfile.ZipFile(io.BytesIO(result)).read("x.xml") == b"<x/>"


@pytest.mark.parametrize("damage", ["truncated", "not a zip"])
def test_a_damaged_package_is_refused_in_words(damage: str) -> None:
    source = streamed_zip({"x.xml": b"<x/>" * 100})
    broken = source[: len(source) // 2] if damage == "truncated" else b"plain text, no zip here"

    with pytest.raises(PackageError, match="not a complete zip archive"):
        read_package(io.BytesIO(broken))
