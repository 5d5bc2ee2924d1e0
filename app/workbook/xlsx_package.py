"""What an .xlsx/.xlsm package says about itself: its workbook part, sheets, date system and related parts.

Read with the same byte-level helpers as the rest of the write-back (no XML parser that could be fed a
hostile document), following the package's relationships as Excel does: part names ignore case, targets
are relative to the part that names them.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from app.workbook.xlsx_xml import STRICT_NS, attribute, start_tag, unescape

_RELATIONSHIP = start_tag(b"Relationship")
_WORKBOOK = start_tag(b"workbook")
_SHEET = start_tag(b"sheet")
_WORKBOOK_PROPERTIES = start_tag(b"workbookPr")
_OVERRIDE = start_tag(b"Override")
_DEFAULT = start_tag(b"Default")
_RELATIONSHIPS_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NAMESPACE_DECLARATION = re.compile(rb"\sxmlns(?::([\w.-]+))?\s*=\s*[\"']([^\"']*)[\"']")


class CannotWriteInto(Exception):
    """The package cannot take the results; the message says why in a user's words."""


@dataclass(frozen=True)
class Workbook:
    """The package's main part's content type, its sheets, date system and the parts the write-back uses."""

    content_type: str
    sheets: dict[str, tuple[str, int]]  # sheet name → (part, sheetId)
    date1904: bool
    styles: str | None
    shared_strings: str | None
    calc_chain: str | None
    names: dict[str, str]  # lower-case part name → the name as stored

    def part(self, name: str | None) -> str | None:
        """The stored name of a part (part names ignore case), or None when the package lacks it."""
        return self.names.get(name.lower()) if name else None


def read_workbook(archive: zipfile.ZipFile) -> Workbook:
    names = {name.lower(): name for name in archive.namelist()}
    package_rels = relationships(archive, names, "")
    main = next(
        (t for kind, t in package_rels.values() if kind.endswith("/officeDocument")), "xl/workbook.xml"
    )
    xml = _read(archive, names, main)
    root = _WORKBOOK.search(xml or b"")
    if xml is None or root is None:
        raise CannotWriteInto("it has no workbook part")
    namespaces = {prefix or b"": uri for prefix, uri in _NAMESPACE_DECLARATION.findall(root.group(2))}
    if namespaces.get(root.group(1)[:-1]) == STRICT_NS:
        raise CannotWriteInto(
            "it is saved as “Strict Open XML Spreadsheet”, which this copy cannot write into; in Excel, save it "
            "as “Excel Workbook (*.xlsx)” and try again"
        )
    id_attribute = next(
        (p + b":id" for p, uri in namespaces.items() if uri == _RELATIONSHIPS_NS and p), b"r:id"
    )
    rels = relationships(archive, names, main)
    sheets: dict[str, tuple[str, int]] = {}
    for sheet in _SHEET.finditer(xml):
        name, sheet_id = attribute(sheet.group(2), b"name"), attribute(sheet.group(2), b"sheetId") or b""
        target = rels.get(unescape(attribute(sheet.group(2), id_attribute) or b""), ("", ""))[1]
        if name is not None and target:
            sheets[unescape(name)] = (target, int(sheet_id) if sheet_id.isdigit() else 0)
    properties = _WORKBOOK_PROPERTIES.search(xml)
    date1904 = properties is not None and attribute(properties.group(2), b"date1904") in (b"1", b"true")
    by_type = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
    return Workbook(
        _content_type(archive, names, main),
        sheets,
        date1904,
        names.get(by_type.get("styles", "").lower()),
        names.get(by_type.get("sharedStrings", "").lower()),
        names.get(by_type.get("calcChain", "").lower()),
        names,
    )


def relationships(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of `part` ("" for the package's own); external ones left out."""
    folder, base = posixpath.split(part)
    xml = _read(archive, names, posixpath.join(folder, "_rels", base + ".rels"))
    found: dict[str, tuple[str, str]] = {}
    for rel in _RELATIONSHIP.finditer(xml or b""):
        attributes = rel.group(2)
        target = unescape(attribute(attributes, b"Target") or b"")
        if attribute(attributes, b"TargetMode") == b"External" or not target:
            continue
        absolute = target.startswith("/")
        resolved = target.lstrip("/") if absolute else posixpath.normpath(posixpath.join(folder, target))
        kind = unescape(attribute(attributes, b"Type") or b"")
        found[unescape(attribute(attributes, b"Id") or b"")] = (kind, resolved)
    return found


def _read(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> bytes | None:
    stored = names.get(part.lower())
    return archive.read(stored) if stored else None


def _content_type(archive: zipfile.ZipFile, names: dict[str, str], part: str) -> str:
    xml = _read(archive, names, "[Content_Types].xml") or b""
    for override in _OVERRIDE.finditer(xml):
        if unescape(attribute(override.group(2), b"PartName") or b"").lstrip("/").lower() == part.lower():
            return unescape(attribute(override.group(2), b"ContentType") or b"")
    extension = part.rsplit(".", 1)[-1].lower()
    for default in _DEFAULT.finditer(xml):
        if unescape(attribute(default.group(2), b"Extension") or b"").lower() == extension:
            return unescape(attribute(default.group(2), b"ContentType") or b"")
    return ""
