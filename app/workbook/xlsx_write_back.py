"""An .xlsx/.xlsm copy with the results written into the sheets the run read; every other part as it was.

Only these parts change: each data sheet (streamed: results added to its rows), styles.xml (the few formats
appended), a table over the data (grown over the result columns) and, when a grid edit replaces a formula,
the calculation chain (that cell's entry dropped, as Excel requires). Every other part of the package
(charts, pictures, pivot tables, macros, comments, other sheets, links, …) is copied byte for byte in its
place, so the copy is the user's own workbook, not an imitation of it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from app.domain.outcomes import RunReport, SheetLayout
from app.workbook.export_results import FIXED_WIDTHS, result_headers, result_values
from app.workbook.sheet_rewrite import SheetPlan, formula_of, rewrite_sheet
from app.workbook.sheet_stream import SheetFormatError, SheetStream
from app.workbook.sheet_survey import SheetSurvey, survey_sheet
from app.workbook.write_back_rows import Edits, earlier_results_column, grid_edits, sheet_rows
from app.workbook.xlsx_cells import DATETIME, MONEY, TEXT_GUARD, cell_format
from app.workbook.xlsx_package import CannotWriteInto, read_workbook, relationships
from app.workbook.xlsx_styles import StyleBook
from app.workbook.xlsx_tables import extend_table
from app.workbook.xlsx_text import cell_texts
from app.workbook.xlsx_xml import MAX_COLUMN, attribute, column_letters, start_tag
from app.workbook.xlsx_xml import with_attribute as _with_attribute
from app.workbook.zip_package import PackageWriter, read_package

# Widths as the results workbook has them; the others, unknown ahead of the rows, a middle width.
_WIDTHS = {"Status": 12, **FIXED_WIDTHS}
_DEFAULT_WIDTH = 16
_CHAIN_CELL = start_tag(b"c")


def write_into_copy(source: BinaryIO, report: RunReport, with_secrets: bool, out: BinaryIO) -> None:
    """Write the copy of the package in `source` to `out`, results added to each sheet the run read."""
    with zipfile.ZipFile(source) as archive:
        _PackageCopy(archive, report, with_secrets).write(source, out)


class _PackageCopy:
    """Plans every changed part first (styles.xml may come before the sheets in the zip), then writes."""

    def __init__(self, archive: zipfile.ZipFile, report: RunReport, with_secrets: bool) -> None:
        self.archive = archive
        self.report = report
        self.with_secrets = with_secrets
        self.book = read_workbook(archive)
        self.styles = StyleBook(archive.read(self.book.styles) if self.book.styles else None)
        self.headers = result_headers(with_secrets)
        self.replaced: dict[str, Callable[[], Iterable[bytes]]] = {}
        self.chain_removals: dict[int, set[bytes]] = {}

    def write(self, source: BinaryIO, out: BinaryIO) -> None:
        for layout in self.report.sheets:
            self._plan_sheet(layout)
        self.styles.freeze()
        book = self.book
        if (new_styles := self.styles.updated()) is not None and book.styles:
            self.replaced[book.styles] = _constant(new_styles)
        if self.chain_removals and book.calc_chain:
            chain = _without_chain_entries(self.archive.read(book.calc_chain), self.chain_removals)
            self.replaced[book.calc_chain] = _constant(chain)
        package = read_package(source)
        writer = PackageWriter(out)
        for member in package.members:
            produce = self.replaced.get(member.name)
            if produce is None:
                writer.copy(source, member)
            else:
                writer.replace(member, produce())
        writer.close(package.comment)

    def _plan_sheet(self, layout: SheetLayout) -> None:
        """Survey the sheet and decide everything its rewrite needs, before any part is written."""
        rows = sheet_rows(self.report, layout.name)
        sheet = self.book.sheets.get(layout.name)
        part = self.book.part(sheet[0] if sheet else None)
        if next(rows(), None) is None or sheet is None or part is None:
            return
        survey = self._survey(part, layout, grid_edits(layout, rows()))
        headers = self.headers
        texts = cell_texts(survey.header_cells.values(), self.archive, self.book.shared_strings)
        first = earlier_results_column(texts, headers) or survey.last_used + 1
        if first + len(headers) - 1 > MAX_COLUMN:
            raise CannotWriteInto(f"its sheet “{layout.name}” has no free columns left for the results")
        edits = grid_edits(layout, rows(), range(first, first + len(headers)))
        names = self._extend_tables(part, layout.header_row, first)
        model = survey.header_cells.get(max(first - 1, 1))
        orphans, removed = _replaced_formulas(survey, edits)
        if removed:
            self.chain_removals[sheet[1]] = removed
        _plan_formats(self.styles, survey, edits)
        with_secrets = self.with_secrets
        plan = SheetPlan(
            header_row=layout.header_row,
            last_row=max((outcome.row for outcome in rows()), default=0),
            first=first,
            headers=names,
            header_style=int(attribute(model.attributes, b"s") or 0) if model else 0,
            rows=rows,
            results=lambda outcome: result_values(outcome, with_secrets),
            widths=[_WIDTHS.get(h, _DEFAULT_WIDTH) for h in headers],
            edits=edits,
            replaced=survey.replaced,
            orphaned_formulas=orphans,
        )
        self.replaced[part] = self._sheet_producer(part, layout.name, plan)

    def _survey(self, part: str, layout: SheetLayout, edits: Edits) -> SheetSurvey:
        with self.archive.open(part) as stream:
            try:
                return survey_sheet(
                    SheetStream(stream), layout.header_row, {r: set(c) for r, c in edits.items()}
                )
            except SheetFormatError as error:
                raise CannotWriteInto(f"its sheet “{layout.name}” {error}") from None

    def _extend_tables(self, part: str, header_row: int, first: int) -> tuple[str, ...]:
        """Grow a table that ends where the results start; the header names it gives them (else ours)."""
        names = self.headers
        for rel_type, target in relationships(self.archive, self.book.names, part).values():
            table_part = self.book.part(target)
            if not rel_type.endswith("/table") or table_part is None:
                continue
            extended = extend_table(self.archive.read(table_part), header_row, first, self.headers)
            if extended is not None:
                names = extended.names
                self.replaced[table_part] = _constant(extended.xml)
        return names

    def _sheet_producer(self, part: str, name: str, plan: SheetPlan) -> Callable[[], Iterator[bytes]]:
        archive, styles, date1904 = self.archive, self.styles, self.book.date1904

        def produce() -> Iterator[bytes]:
            with archive.open(part) as stream:
                try:
                    yield from rewrite_sheet(SheetStream(stream), plan, styles, date1904)
                except SheetFormatError as error:
                    raise CannotWriteInto(f"its sheet “{name}” {error}") from None

        return produce


def _replaced_formulas(survey: SheetSurvey, edits: Edits) -> tuple[dict[bytes, tuple[str, str]], set[bytes]]:
    """Formulas the edits overwrite: shared ones whose first cell goes, and every cell for the chain."""
    orphans: dict[bytes, tuple[str, str]] = {}
    removed: set[bytes] = set()
    for (row, column), cell in survey.replaced.items():
        if column not in edits.get(row, {}):
            continue
        formula = formula_of(cell)
        if formula is None:
            continue
        ref = f"{column_letters(column)}{row}"
        removed.add(ref.encode())
        kind, shared_index, text = formula
        if kind == b"shared" and text.strip():
            orphans[shared_index] = (text, ref)
    return orphans, removed


def _plan_formats(styles: StyleBook, survey: SheetSurvey, edits: Edits) -> None:
    """Ask for every format the rewrite will use, so styles.xml is complete wherever it sits in the zip.

    Result values are text, amounts and times: their three formats are added whether or not a value needs
    them, which saves a pass over every row."""
    for needed in (MONEY, DATETIME, TEXT_GUARD):
        styles.index(0, needed)
    for row, columns in edits.items():
        for column, value in columns.items():
            cell = survey.replaced.get((row, column))
            base = int(attribute(cell.attributes, b"s") or 0) if cell else 0
            styles.index(base, cell_format(value))


def _constant(data: bytes) -> Callable[[], Iterable[bytes]]:
    return lambda: (data,)


def _without_chain_entries(xml: bytes, removals: dict[int, set[bytes]]) -> bytes:
    """The calculation chain without the cells whose formula went; a cell's sheet (`i`) carries over to the
    entries after it, so the next kept entry says its sheet when the one before it changes."""
    pieces, position = [], 0
    current = written = b""
    for entry in _CHAIN_CELL.finditer(xml):
        sheet = attribute(entry.group(2), b"i")
        current = sheet if sheet is not None else current
        pieces.append(xml[position : entry.start()])
        position = entry.end()
        ref = attribute(entry.group(2), b"r") or b""
        if current.isdigit() and ref in removals.get(int(current), set()):
            continue
        tag = entry.group()
        if sheet is None and current != written:
            tag = b"<" + entry.group(1) + b"c" + _with_attribute(entry.group(2), b"i", current) + b"/>"
        written = current
        pieces.append(tag)
    pieces.append(xml[position:])
    return b"".join(pieces)
