"""The second pass over a data sheet: the same XML streamed out with the result cells added to its rows.

Rows without results pass through as they were read. A row with results gets them after its last cell
(its cells stay in column order), the header row gets the result headers, and a row the file leaves out
(an empty row) is added where it belongs. The user's grid edits replace their cells, keeping the cell's
format. Before the rows, the sheet's `<dimension>` and `<cols>` take in the new columns; after them, the
sheet's filter is widened over them. Nothing else of the sheet changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from app.domain.outcomes import RowOutcome
from app.workbook.safe_cells import WritableValue
from app.workbook.sheet_stream import Cell, Head, Row, SheetStream, cells, others
from app.workbook.xlsx_cells import CellWriter
from app.workbook.xlsx_styles import StyleBook
from app.workbook.xlsx_xml import (
    PREFIX,
    attribute,
    column_letters,
    element,
    escape,
    range_bounds,
    range_ref,
    start_tag,
    unescape,
    with_attribute,
    without_attributes,
)

_BATCH = 1 << 18
_DIMENSION = start_tag(b"dimension")
_COLS = element(b"cols")
_COL = start_tag(b"col")
_FORMULA = element(b"f")
_AUTO_FILTER = start_tag(b"autoFilter")
_AFTER_FILTER = (
    b"sortState|dataConsolidate|customSheetViews|mergeCells|phoneticPr|conditionalFormatting|dataValidations|"
    b"hyperlinks|printOptions|pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|customProperties|"
    b"cellWatches|ignoredErrors|smartTags|drawing|legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|"
    b"controls|webPublishItems|tableParts|extLst"
)
# The sheet's own filter comes before any of these; an `<autoFilter>` after them belongs to a custom view.
_FILTER_OR_LATER = re.compile(
    rb"<("
    + PREFIX
    + rb")autoFilter\b|<"
    + PREFIX
    + rb"(?:"
    + _AFTER_FILTER
    + rb")\b|</"
    + PREFIX
    + rb"worksheet\b"
)


@dataclass
class SheetPlan:
    """What goes into one sheet. Columns are 1-based.

    `rows()` gives the outcomes in ascending row order and `results(outcome)` their values, as the rewrite
    reaches them: nothing per row is kept, so memory does not grow with the sheet."""

    header_row: int
    last_row: int
    first: int
    headers: tuple[str, ...]
    header_style: int
    rows: Callable[[], Iterator[RowOutcome]]
    results: Callable[[RowOutcome], Sequence[WritableValue]]
    widths: Sequence[float]
    edits: dict[int, dict[int, WritableValue]] = field(default_factory=dict)
    replaced: dict[tuple[int, int], Cell] = field(default_factory=dict)
    # Shared formulas whose first cell an edit replaces: si → (formula, where it was), for the cells that
    # shared it to get their own copy.
    orphaned_formulas: dict[bytes, tuple[str, str]] = field(default_factory=dict)

    @property
    def last(self) -> int:
        return self.first + len(self.headers) - 1


def rewrite_sheet(stream: SheetStream, plan: SheetPlan, styles: StyleBook, date1904: bool) -> Iterator[bytes]:
    """The sheet's new XML, in pieces of a few hundred kilobytes."""
    return _batched(_Rewriter(plan, styles, date1904).pieces(stream))


class _Rewriter:
    def __init__(self, plan: SheetPlan, styles: StyleBook, date1904: bool) -> None:
        self.plan = plan
        self.styles = styles
        self.date1904 = date1904
        self.writer = CellWriter(styles, "", date1904)
        self.first_letters = column_letters(plan.first).encode()
        self.p = ""

    def pieces(self, stream: SheetStream) -> Iterator[bytes]:
        head = stream.head()
        self.p = head.prefix.decode()
        self.writer = CellWriter(self.styles, self.p, self.date1904)
        yield self._head(head)
        if head.empty:
            yield head.sheet_data_tag[:-2] + b">"
        else:
            yield head.sheet_data_tag
        targets = self._targets()
        target = next(targets, None)
        orphans = self.plan.orphaned_formulas
        for row in stream.rows():
            while target is not None and target[0] < row.number:
                yield self._new_row(*target)
                target = next(targets, None)
            if target is not None and target[0] == row.number:
                yield self._rewritten(row, *self._new_cells(*target))
                target = next(targets, None)
            elif orphans and b"shared" in row.xml:
                yield self._rewritten(row, {}, set())
            else:
                yield row.xml
        while target is not None:
            yield self._new_row(*target)
            target = next(targets, None)
        yield b"</" + head.sheet_data_prefix + b"sheetData>"
        yield from self._tail(stream.tail())

    # -- rows ------------------------------------------------------------------------------------------------

    def _targets(self) -> Iterator[tuple[int, RowOutcome | None]]:
        """The rows to write, ascending: the header row (without an outcome) merged into the outcomes' rows."""
        header = self.plan.header_row
        for outcome in self.plan.rows():
            if header and header <= outcome.row:
                if header < outcome.row:
                    yield header, None
                header = 0
            if outcome.row != self.plan.header_row:
                yield outcome.row, outcome
        if header:
            yield header, None

    def _new_cells(self, number: int, outcome: RowOutcome | None) -> tuple[dict[int, str], set[int]]:
        """Column → new cell XML ("" to leave it empty), and the result columns left without a value."""
        plan, writer = self.plan, self.writer
        new: dict[int, str] = {}
        empty: set[int] = set()
        row = str(number)
        if number == plan.header_row:
            for offset, name in enumerate(plan.headers):
                column = plan.first + offset
                new[column] = writer.cell(column_letters(column) + row, name, plan.header_style)
        elif outcome is not None:
            for offset, value in enumerate(plan.results(outcome)):
                column = plan.first + offset
                if value is None:
                    empty.add(column)
                else:
                    new[column] = writer.cell(column_letters(column) + row, value)
        for column, value in plan.edits.get(number, {}).items():
            if column not in new and column not in empty:
                cell = plan.replaced.get((number, column))
                base = int(attribute(cell.attributes, b"s") or 0) if cell else 0
                new[column] = writer.cell(column_letters(column) + row, value, base)
        return new, empty

    def _new_row(self, number: int, outcome: RowOutcome | None) -> bytes:
        new, _ = self._new_cells(number, outcome)
        if not any(new.values()):
            return b""
        p = self.p
        return f'<{p}row r="{number}">{"".join(new[c] for c in sorted(new))}</{p}row>'.encode()

    def _rewritten(self, row: Row, new: dict[int, str], empty: set[int]) -> bytes:
        content = row.content
        prefix = row.prefix
        attributes = _spans(row.attributes, self.plan.last) if new else row.attributes
        start = b"<" + prefix + b"row" + attributes + b">"
        end = b"</" + prefix + b"row>"
        orphans = self.plan.orphaned_formulas and b"shared" in content
        if row.number not in self.plan.edits and not orphans and self._after_last_cell(content, prefix):
            added = "".join(new[c] for c in sorted(new)).encode()
            return start + content + added + end
        existing = cells(content)
        merged: list[tuple[int, bytes]] = []
        for cell in existing:
            if cell.column in new or (cell.column in empty and cell.has_value):
                continue
            merged.append((cell.column, self._own_formula(cell, row.number)))
        merged.extend((column, xml.encode()) for column, xml in new.items() if xml)
        merged.sort(key=lambda item: item[0])
        return start + b"".join(xml for _, xml in merged) + others(content) + end

    def _after_last_cell(self, content: bytes, prefix: bytes) -> bool:
        """True when every cell of the row lies left of the results (the usual case: no cell to move)."""
        if b"extLst" in content:
            return False
        at = content.rfind(b"<" + prefix + b"c ")
        if at < 0:
            return b"<" + prefix + b"c" not in content
        ref = attribute(content[at : content.find(b">", at)], b"r")
        column = ref.rstrip(b"0123456789") if ref else b""
        return bool(column) and (len(column), column) < (len(self.first_letters), self.first_letters)

    def _own_formula(self, cell: Cell, number: int) -> bytes:
        """A cell that shared the formula of a cell an edit replaced gets the formula written out."""
        orphans = self.plan.orphaned_formulas
        if not orphans or not cell.content or b"shared" not in cell.content:
            return cell.xml
        formula = _FORMULA.search(cell.content)
        if formula is None or attribute(formula.group(2), b"t") != b"shared":
            return cell.xml
        shared = orphans.get(attribute(formula.group(2), b"si") or b"")
        if shared is None or (formula.group(3) or b"").strip():
            return cell.xml
        # Only an edit over a shared formula's first cell needs openpyxl's formula tokenizer; loaded then.
        from openpyxl.formula.translate import Translator  # noqa: PLC0415

        text, origin = shared
        own = Translator("=" + text, origin=origin).translate_formula(
            column_letters(cell.column) + str(number)
        )
        p = formula.group(1)
        replacement = b"<" + p + b"f>" + escape(own[1:]).encode() + b"</" + p + b"f>"
        content = cell.content[: formula.start()] + replacement + cell.content[formula.end() :]
        return b"<" + cell.prefix + b"c" + cell.attributes + b">" + content + b"</" + cell.prefix + b"c>"

    # -- before and after the rows ----------------------------------------------------------------------------

    def _head(self, head: Head) -> bytes:
        plan = self.plan
        xml = head.xml
        dimension = _DIMENSION.search(xml)
        bounds = range_bounds(attribute(dimension.group(2), b"ref") or b"") if dimension else None
        if dimension and bounds:
            bottom = max(plan.last_row, plan.header_row)
            grown = range_ref(
                min(bounds[0], plan.header_row),
                min(bounds[1], plan.first),
                max(bounds[2], bottom),
                max(bounds[3], plan.last),
            )
            tag = (
                b"<"
                + dimension.group(1)
                + b"dimension"
                + with_attribute(dimension.group(2), b"ref", grown)
                + b"/>"
            )
            xml = xml[: dimension.start()] + tag + xml[dimension.end() :]
        return self._with_widths(xml)

    def _with_widths(self, xml: bytes) -> bytes:
        """Widths for the result columns. A setting that hides them (people hide the unused columns right of
        their table) is split around them, so the results show; one that gives them a width keeps it (a
        second, overlapping setting would corrupt the file)."""
        cols = _COLS.search(xml)
        first, last = self.plan.first, self.plan.last
        settings: list[tuple[int, bytes]] = []  # (its first column, the <col> tag), to be written in order
        covered: set[int] = set()
        split = False
        for col in _COL.finditer(cols.group(3) or b"") if cols else ():
            low, high = attribute(col.group(2), b"min") or b"", attribute(col.group(2), b"max") or b""
            if not (low.isdigit() and high.isdigit()):
                return xml  # a column setting we cannot read: leave theirs as it is
            low_n, high_n = int(low), int(high)
            hides_results = attribute(col.group(2), b"hidden") in (b"1", b"true")
            if high_n < first or low_n > last or not hides_results:
                covered.update(range(max(low_n, first), min(high_n, last) + 1))
                settings.append((low_n, col.group()))
                continue
            split = True
            for start, stop in ((low_n, first - 1), (last + 1, high_n)):
                if start <= stop:
                    bounds = with_attribute(col.group(2), b"min", str(start).encode())
                    settings.append(
                        (
                            start,
                            b"<"
                            + col.group(1)
                            + b"col"
                            + with_attribute(bounds, b"max", str(stop).encode())
                            + b"/>",
                        )
                    )
        p = (cols.group(1) if cols else self.p.encode()).decode()
        added = [
            (column, f'<{p}col min="{column}" max="{column}" width="{width}" customWidth="1"/>'.encode())
            for column, width in zip(range(first, last + 1), self.plan.widths, strict=True)
            if column not in covered
        ]
        if not added and not split:
            return xml
        merged = b"".join(tag for _, tag in sorted(settings + added, key=lambda item: item[0]))
        if cols is None:
            return xml + f"<{p}cols>".encode() + merged + f"</{p}cols>".encode()  # right before <sheetData>
        opening = b"<" + cols.group(1) + b"cols" + cols.group(2) + b">"
        return xml[: cols.start()] + opening + merged + f"</{p}cols>".encode() + xml[cols.end() :]

    def _tail(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """The rest of the sheet, with its filter widened when it starts on the header row."""
        buffer = b""
        iterator = iter(chunks)
        for chunk in iterator:
            buffer += chunk
            found = _FILTER_OR_LATER.search(buffer)
            if found is None:
                continue
            if found.group(1) is not None:
                tag = _AUTO_FILTER.match(buffer, found.start())
                if tag is None:
                    continue  # the tag is cut by the chunk's end
                buffer = buffer[: tag.start()] + self._filter(tag) + buffer[tag.end() :]
            break
        yield buffer
        yield from iterator

    def _filter(self, tag: re.Match[bytes]) -> bytes:
        bounds = range_bounds(attribute(tag.group(2), b"ref") or b"")
        closing = b"/>" if tag.group().endswith(b"/>") else b">"
        if bounds is None or bounds[0] != self.plan.header_row or bounds[3] >= self.plan.last:
            return tag.group()
        ref = range_ref(bounds[0], bounds[1], bounds[2], self.plan.last)
        return b"<" + tag.group(1) + b"autoFilter" + with_attribute(tag.group(2), b"ref", ref) + closing


def _spans(attributes: bytes, last: int) -> bytes:
    """A row's `spans` hint ("1:7") grown to the last result column; dropped when it cannot be read."""
    spans = attribute(attributes, b"spans")
    if spans is None:
        return attributes
    parts = [part.split(b":") for part in spans.split()]
    numbers = [int(n) for part in parts for n in part if n.isdigit()]
    if not numbers or any(len(part) != 2 for part in parts):
        return without_attributes(attributes, (b"spans",))
    return with_attribute(attributes, b"spans", f"{min(numbers)}:{max(*numbers, last)}".encode())


def _batched(pieces: Iterable[bytes]) -> Iterator[bytes]:
    batch: list[bytes] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)


def formula_of(cell: Cell) -> tuple[bytes, bytes, str] | None:
    """A cell's formula as (type, shared index, text), or None when it holds none."""
    if not cell.content or b"f" not in cell.content:
        return None
    found = _FORMULA.search(cell.content)
    if found is None:
        return None
    kind = attribute(found.group(2), b"t") or b"normal"
    return kind, attribute(found.group(2), b"si") or b"", unescape(found.group(3) or b"")
