"""The few cell formats a write-back adds to the workbook's styles.xml, appended and nothing else changed.

A result cell needs a number format (amounts, times) or Excel's quote prefix (text that looks like a
formula stays text when the user later edits it). Each is a copy of an existing format (the cell's own, or
the workbook's default) with that one thing set, appended to `cellXfs`; a number format the workbook does
not have yet is appended to `numFmts`. Every existing byte of styles.xml stays where it was, so existing
cells keep their index and look.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.workbook.xlsx_xml import (
    attribute,
    element,
    escape,
    start_tag,
    unescape,
    with_attribute,
    with_children,
)

# Excel's built-in number formats the results use; others are added as custom formats (ids from 164).
_BUILT_IN = {"General": 0, "#,##0.00": 4}
_FIRST_CUSTOM = 164
_STYLE_SHEET = start_tag(b"styleSheet")
_CELL_XFS = element(b"cellXfs")
_NUM_FMTS = element(b"numFmts")
_XF = element(b"xf")
_NUM_FMT = element(b"numFmt")


@dataclass(frozen=True)
class CellFormat:
    """What a cell needs on top of its base format."""

    number_format: str | None = None
    quote_prefix: bool = False


PLAIN = CellFormat()


@dataclass(frozen=True)
class _Xf:
    prefix: bytes
    attributes: bytes
    content: bytes | None

    def derived(self, number_format: int | None, quote_prefix: bool) -> bytes:
        attributes = self.attributes
        if number_format is not None:
            attributes = with_attribute(attributes, b"numFmtId", str(number_format).encode())
            attributes = with_attribute(attributes, b"applyNumberFormat", b"1")
        if quote_prefix:
            attributes = with_attribute(attributes, b"quotePrefix", b"1")
        if self.content is None:
            return b"<" + self.prefix + b"xf" + attributes + b"/>"
        return b"<" + self.prefix + b"xf" + attributes + b">" + self.content + b"</" + self.prefix + b"xf>"


class StyleBook:
    """The workbook's cell formats, and the ones added for the results (`index`), then `updated()` XML.

    Without a styles part (some minimal writers leave it out) nothing can be formatted: `can_format` is
    False and `index` returns the base unchanged, so callers write dates as text instead.
    """

    def __init__(self, xml: bytes | None) -> None:
        self._xml = xml or b""
        self._xfs: list[_Xf] = []
        self._added: list[bytes] = []
        self._formats: dict[str, int] = dict(_BUILT_IN)
        self._new_formats: list[tuple[int, str]] = []
        self._memo: dict[tuple[int, CellFormat], int] = {}
        self._frozen = False
        self._cell_xfs = _CELL_XFS.search(self._xml)
        self._num_fmts = _NUM_FMTS.search(self._xml)
        if self._cell_xfs:
            for xf in _XF.finditer(self._cell_xfs.group(3) or b""):
                self._xfs.append(_Xf(xf.group(1), xf.group(2), xf.group(3)))
        if self._num_fmts:
            for custom in _NUM_FMT.finditer(self._num_fmts.group(3) or b""):
                number, code = (
                    attribute(custom.group(2), b"numFmtId"),
                    attribute(custom.group(2), b"formatCode"),
                )
                if number is not None and number.isdigit() and code is not None:
                    self._formats.setdefault(unescape(code), int(number))

    @property
    def can_format(self) -> bool:
        return bool(self._xfs)

    def index(self, base: int, wanted: CellFormat) -> int:
        """The index of format `base` with `wanted` set, added the first time it is asked for."""
        known = self._memo.get((base, wanted))
        if known is not None:  # nearly every call: a result cell's format asked for again
            return known
        if wanted == PLAIN or not self._xfs:
            return base
        if not 0 <= base < len(self._xfs):  # a cell pointing past the list shows as the default: so be it
            base = 0
        key = (base, wanted)
        if key not in self._memo:
            if self._frozen:  # styles.xml may be written already: a new format now would point nowhere
                raise RuntimeError(f"cell format {key} was not planned before writing")
            number_format = self._format_id(wanted.number_format) if wanted.number_format else None
            self._added.append(self._xfs[base].derived(number_format, wanted.quote_prefix))
            self._memo[key] = len(self._xfs) + len(self._added) - 1
        return self._memo[key]

    def freeze(self) -> None:
        """Every format is asked for; from now on `index` only finds them."""
        self._frozen = True

    def updated(self) -> bytes | None:
        """styles.xml with the added formats, or None when nothing was added."""
        if not self._added or self._cell_xfs is None:
            return None
        xml = self._xml
        cell_xfs = self._cell_xfs
        count = len(_XF.findall(cell_xfs.group(3) or b"")) + len(self._added)
        xml = (
            xml[: cell_xfs.start()]
            + with_children(cell_xfs, b"cellXfs", self._added, count)
            + xml[cell_xfs.end() :]
        )
        if self._new_formats:
            if self._num_fmts is not None:
                num_fmts = self._num_fmts
                formats = self._format_elements(num_fmts.group(1))
                count = len(_NUM_FMT.findall(num_fmts.group(3) or b"")) + len(formats)
                grown = with_children(num_fmts, b"numFmts", formats, count)
                xml = xml[: num_fmts.start()] + grown + xml[num_fmts.end() :]
            else:  # numFmts is the style sheet's first child
                sheet = _STYLE_SHEET.search(xml)
                assert sheet is not None  # cellXfs was found inside it
                prefix = sheet.group(1) or b""
                formats = self._format_elements(prefix)
                inserted = b"<" + prefix + b'numFmts count="%d">' % len(formats)
                inserted += b"".join(formats) + b"</" + prefix + b"numFmts>"
                xml = xml[: sheet.end()] + inserted + xml[sheet.end() :]
        return xml

    def _format_id(self, code: str) -> int:
        if code not in self._formats:
            number = max([_FIRST_CUSTOM - 1, *self._formats.values()]) + 1
            self._formats[code] = number
            self._new_formats.append((number, code))
        return self._formats[code]

    def _format_elements(self, prefix: bytes) -> list[bytes]:
        return [
            b"<" + prefix + f'numFmt numFmtId="{number}" formatCode="{escape(code)}"/>'.encode()
            for number, code in self._new_formats
        ]
