"""A workbook as the Import and Review steps hold it: what was read, how it validated, and the user's edits.

Plain Python, no Qt: everything slow here (`load_workbook`, `validate_workbook`, `ImportedWorkbook.recheck`)
runs in a worker, and the GUI thread only reads the finished object; what a re-check found is put in by the
GUI thread (`ImportedWorkbook.apply`). The grid's columns are every sheet's own
headers (the union, in order) followed by a Status column; a row's cells are the values as read, or as the
user edited them (`edits`, {row key: {header: value}}, the same header names `RowOutcome.values` uses).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.domain.catalog import Catalog, DeliveryType, money
from app.domain.edits import RowEdits, shown_value
from app.domain.fields import Field
from app.domain.import_result import (
    ImportCancelled,
    ImportedRow,
    ImportResult,
    SheetValues,
    validate_sheets,
)
from app.domain.issues import Issue, Severity
from app.domain.outcomes import RowValue, SheetLayout
from app.domain.payments import EarlierPayments, PayAgain
from app.domain.recheck import RowChanges, RowRechecker, row_cost
from app.domain.recipient import Recipient
from app.domain.records import RawRecord, SourceCell
from app.domain.required_fields import Need, missing_needs
from app.domain.validation import RowValidator, ValidationOptions
from app.engine.journal import SubmissionJournal
from app.engine.journal_guard import JournalError
from app.ui.heap import building_to_last
from app.workbook.importer import sheet_values
from app.workbook.layouts import layout_of
from app.workbook.mapping import MappingStore, MatchConfidence
from app.workbook.reader import SheetRead, WorkbookRead, read_workbook
from app.workbook.sources import WorkbookFormat

# Reported as (done, total, text), as `app.ui.workers.Worker.report_progress` takes it.
Progress = Callable[..., None]
PreviousRuns = Callable[[], EarlierPayments]

log = logging.getLogger(__name__)

STATUS_HEADER = "Status"
MAPPINGS_FILE = "column-mappings.json"
_READ_SHARE = 50  # percent of the bar for reading the file; checking the rows takes the rest

# Row flags, for the grid's filters.
HAS_ERROR = 1
HAS_WARNING = 2
KIND_FLAGS = {DeliveryType.DIGITAL: 4, DeliveryType.LINKS: 8, DeliveryType.PHYSICAL: 16}


def mapping_store(config_dir: Path) -> MappingStore:
    """Where the column mappings the user chose are remembered (shared with `giftbatch validate`)."""
    return MappingStore(config_dir / MAPPINGS_FILE)


def previous_runs(journal_file: Path) -> EarlierPayments:
    """Payments earlier runs made, so a row paying someone again is blocked; run in a worker.

    Checking a workbook does not need the journal: when it cannot be read (damaged, say), the rows are checked
    without it (the History step names the problem and the way back).
    """
    if not journal_file.is_file():
        return EarlierPayments()
    try:
        journal = SubmissionJournal(journal_file)
    except JournalError as unreadable:
        log.warning("Rows checked without the earlier runs: %s", unreadable.message)
        return EarlierPayments()
    try:
        return journal.earlier_payments()
    except JournalError as unreadable:
        log.warning("Rows checked without the earlier runs: %s", unreadable.message)
        return EarlierPayments()
    finally:
        journal.close()


@dataclass(frozen=True)
class ImportChoices:
    """What the user chose for one import. `sheets` None: every sheet with recipients."""

    password: str | None = None
    overrides: Mapping[str, Field | None] = field(default_factory=dict)
    sheets: tuple[str, ...] | None = None
    default_delivery_type: DeliveryType | None = None


@dataclass(frozen=True)
class FileStamp:
    """A file's size and modification time when it was read: a different stamp means it was saved again."""

    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> FileStamp | None:
        try:
            status = os.stat(path)
        except OSError:
            return None
        return cls(status.st_mtime_ns, status.st_size)


@dataclass(frozen=True)
class GridCell:
    """Where one grid column sits in one sheet: 0-based column `index`, `letter`, unique `header`, `field`."""

    index: int
    letter: str
    header: str
    field: Field | None


@dataclass(frozen=True)
class IssueGroup:
    """The issues of one kind (code and severity), in sheet, row and column order."""

    code: str
    severity: Severity
    issues: tuple[Issue, ...]

    @property
    def kind(self) -> tuple[str, Severity]:
        return self.code, self.severity


@dataclass
class ReviewFacts:
    """What the Review step shows about the current rows, computed in a worker after every change.

    `cell_issues[row][letter]` are the issues at a cell of grid row `row` (letter None: the row as a whole);
    `stops` are the grid cells holding issues as (row, rank) in reading order, F8's path: the rank is the grid
    column, or -1 for the Status column (shown first);
    `flags[row]` holds HAS_ERROR, HAS_WARNING and the row's delivery type (KIND_FLAGS).
    """

    row_count: int = 0
    valid_count: int = 0
    error_rows: int = 0
    error_count: int = 0
    warning_count: int = 0
    costs: dict[str, Decimal] = field(default_factory=dict)
    priced_rows: dict[str, int] = field(default_factory=dict)  # rows `costs` adds up, per currency
    cell_issues: dict[int, dict[str | None, tuple[Issue, ...]]] = field(default_factory=dict)
    stops: list[tuple[int, int]] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    groups: list[IssueGroup] = field(default_factory=list)
    file_errors: list[Issue] = field(default_factory=list)


@dataclass(frozen=True)
class Recheck:
    """What a re-check of edited rows found (in a worker), for `ImportedWorkbook.apply` (on the GUI thread)."""

    changes: RowChanges
    facts: ReviewFacts
    kind_counts: dict[str, Counter[DeliveryType]]


class ImportedWorkbook:
    """One read of one workbook, validated, with the user's edits; the grid's rows are `result.rows`."""

    def __init__(
        self,
        path: Path,
        choices: ImportChoices,
        *,
        read: WorkbookRead,
        sheets: Sequence[SheetRead],
        result: ImportResult,
        edits: RowEdits,
        stamp: FileStamp | None,
    ) -> None:
        self.path = path
        self.choices = choices
        self.read = read
        self.sheets = list(sheets)
        self.result = result
        self.edits = edits
        self.stamp = stamp
        self.layouts: list[SheetLayout] = [layout_of(sheet) for sheet in self.sheets]
        self.headers, self.grid = _grid_columns(self.sheets, self.layouts)
        self._letter_columns = [
            {cell.letter: column for column, cell in enumerate(cells) if cell is not None}
            for cells in self.grid
        ]
        sheet_index = {sheet.name: i for i, sheet in enumerate(self.sheets)}
        rows = result.rows
        self.keys = [row.key for row in rows]
        self.numbers = [row.recipient.row for row in rows]
        self.row_sheets = [sheet_index[row.recipient.sheet] for row in rows]
        self.positions = {key: i for i, key in enumerate(self.keys)}
        self.search_texts = [self._search_text(i) for i in range(len(rows))]
        self._kind_counts = _kind_counts(rows)  # here in the worker, not per question on the GUI thread
        self._rechecker = RowRechecker(result)  # indexes the rows by recipient: edits are checked in ms
        self._pay_again = result.pay_again
        self.facts = compute_facts(self)

    # -- the grid ------------------------------------------------------------------------------------------

    @property
    def status_column(self) -> int:
        return len(self.headers)

    @property
    def several_sheets(self) -> bool:
        return len(self.sheets) > 1

    def cell(self, row: int, column: int) -> GridCell | None:
        """The sheet column behind a grid cell; None when the row's sheet has no such column (or Status)."""
        cells = self.grid[self.row_sheets[row]]
        return cells[column] if column < len(cells) else None

    def value(self, row: int, column: int) -> RowValue:
        """The cell's value: the user's edit if there is one, else as read."""
        cell = self.cell(row, column)
        if cell is None:
            return None
        changes = self.edits.get(self.keys[row])
        if changes is not None and cell.header in changes:
            return changes[cell.header]
        return self.sheets[self.row_sheets[row]].value_at(self.numbers[row], cell.index)

    def original(self, row: int, column: int) -> RowValue:
        cell = self.cell(row, column)
        if cell is None:
            return None
        return self.sheets[self.row_sheets[row]].value_at(self.numbers[row], cell.index)

    def column_for(self, row: int, letter: str | None) -> int:
        """The grid column of a sheet column letter in this row's sheet; the Status column when none."""
        if letter is None:
            return self.status_column
        return self._letter_columns[self.row_sheets[row]].get(letter, self.status_column)

    def stop_rank(self, column: int) -> int:
        """Where a grid column comes in reading order: the Status column is shown first."""
        return -1 if column == self.status_column else column

    def stop_column(self, rank: int) -> int:
        return self.status_column if rank < 0 else rank

    def row_label(self, row: int) -> str:
        number = str(self.numbers[row])
        return f"{self.sheets[self.row_sheets[row]].name}!{number}" if self.several_sheets else number

    # -- edits ---------------------------------------------------------------------------------------------

    def set_edit(self, row: int, column: int, value: RowValue) -> bool:
        """Keep the user's value for a cell (an edit back to the value read is no edit); True if it changed."""
        cell = self.cell(row, column)
        if cell is None or _same(value, self.value(row, column)):
            return False
        key = self.keys[row]
        changes = self.edits.setdefault(key, {})
        if _same(value, self.original(row, column)):
            changes.pop(cell.header, None)
            if not changes:
                del self.edits[key]
        else:
            changes[cell.header] = value
        self.search_texts[row] = self._search_text(row)
        return True

    @property
    def pay_again(self) -> PayAgain:
        """The rows the user chose to pay again, with the reasons (change it through `set_pay_again`); the
        rows show it once checked again with it."""
        return self._pay_again

    def set_pay_again(self, rows: Iterable[int], reason: str | None) -> None:
        """Pay these grid rows again with `reason` (None: stop paying them again); check them again after
        (`recheck`), as after an edit."""
        self._pay_again = self._pay_again.choosing((self.keys[row] for row in rows), reason)

    @property
    def edit_count(self) -> int:
        return sum(len(changes) for changes in self.edits.values())

    def record(self, row: int) -> RawRecord:
        """The row as a record, edits applied: what validation checks and what the exports write."""
        sheet_index, number = self.row_sheets[row], self.numbers[row]
        sheet = self.sheets[sheet_index]
        changes = self.edits.get(self.keys[row], {})
        cells: dict[Field, SourceCell] = {}
        unmapped: dict[str, RowValue] = {}
        for cell in self.grid[sheet_index]:
            if cell is None:
                continue
            value = changes[cell.header] if cell.header in changes else sheet.value_at(number, cell.index)
            if cell.field is not None:
                cells[cell.field] = SourceCell(sheet.name, number, cell.letter, value)
            else:
                unmapped[cell.header] = value
        return RawRecord(sheet.name, number, cells, unmapped)

    def records(self) -> Iterator[RawRecord]:
        """Every row as a record with the edits applied (for the error report); run it in a worker."""
        return (self.record(row) for row in range(len(self.keys)))

    def recheck(self, records: Sequence[RawRecord], pay_again: PayAgain) -> Recheck:
        """Validate edited rows again (with the pay-again choice `pay_again`) and redo the whole-file checks
        for the recipients they concern; returns the changed rows and `facts` brought up to date, for `apply`.
        Changes nothing: the GUI thread may be reading the rows meanwhile.

        Run in a worker, one at a time, each applied before the next: under a millisecond at 100,000 rows,
        where a full pass (a fresh import's checks, `compute_facts`) took 450 ms of Python that competed with
        the GUI thread's painting for the GIL.
        """
        changes = self._rechecker.recheck(records, pay_again)
        # Rows only their whole-file issues changed for (a repeated row, its twin edited) may have become
        # valid or not: their validity and cost are counted again too.
        counts = _recounted(self._kind_counts, changes.before, changes.rows)
        return Recheck(changes, refreshed_facts(self, self.facts, changes), counts)

    def apply(self, recheck: Recheck) -> None:
        """Put in what `recheck` found; on the GUI thread (the one that reads the rows)."""
        self._rechecker.apply(recheck.changes)
        self._kind_counts = recheck.kind_counts
        self.facts = recheck.facts

    def bulk(self) -> Iterator[object]:
        """The pieces most of its memory is in, for `app.ui.heap.release_in_pieces`: the rows, the sheets read."""
        yield from self.result.rows
        yield from self.read.sheets

    def _search_text(self, row: int) -> str:
        return "\x1f".join(shown_value(self.value(row, c)) for c in range(len(self.headers))).casefold()

    # -- the mapping -----------------------------------------------------------------------------------------

    def kinds(self, sheet: SheetRead) -> set[DeliveryType]:
        """The delivery types the sheet's rows were found to have, and the chosen default; Email/SMS when
        none is known (what a sheet of names and products is most likely for)."""
        kinds = {kind for kind, count in self._kind_counts.get(sheet.name, Counter()).items() if count > 0}
        if self.choices.default_delivery_type is not None:
            kinds.add(self.choices.default_delivery_type)
        return kinds or {DeliveryType.DIGITAL}

    def missing(self, sheet: SheetRead) -> list[Need]:
        """What the sheet's mapping lacks for the delivery types it sends."""
        return missing_needs(sheet.mapping.by_field, self.kinds(sheet))

    def unsaved(self, overrides: Mapping[str, Field | None]) -> bool:
        """Whether mapping `overrides` would change a column, or confirm one that is not a saved choice yet."""
        for sheet in self.sheets:
            for match in sheet.mapping.columns:
                text = match.header.text
                if text in overrides and (
                    match.field is not overrides[text] or match.confidence is not MatchConfidence.USER
                ):
                    return True
        return False

    def needs_mapping_check(self) -> bool:
        """A column was only guessed, two columns claim one field, or a needed column is missing."""
        for sheet in self.sheets:
            if any(m.confidence is MatchConfidence.GUESSED or m.wanted for m in sheet.mapping.columns):
                return True
            if self.missing(sheet):
                return True
        return False


def load_workbook(
    path: Path,
    choices: ImportChoices,
    *,
    catalog: Catalog,
    options: ValidationOptions,
    store: MappingStore | None,
    previous: PreviousRuns | None = None,
    edits: RowEdits | None = None,
    pay_again: PayAgain | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportedWorkbook:
    """Read `path` (raising the reader's `WorkbookError`s) and validate it; the Import step's job.

    Runs with the garbage collector paused (`building_to_last`): its full passes over the half-read workbook
    held the GIL 55 to 95 ms each at 100,000 rows.
    """
    stamp = FileStamp.of(path)
    with building_to_last():
        read = read_workbook(
            path,
            password=choices.password,
            mapping_overrides=choices.overrides or None,
            mapping_store=store,
            progress=_scaled(progress, 0, _READ_SHARE, "Reading the workbook…"),
            cancel=cancel,
        )
        return validate_workbook(
            read,
            choices,
            catalog=catalog,
            options=options,
            previous=previous,
            edits=edits,
            pay_again=pay_again,
            stamp=stamp,
            progress=_scaled(progress, _READ_SHARE, 100, "Checking the rows…"),
            cancel=cancel,
        )


def validate_workbook(
    read: WorkbookRead,
    choices: ImportChoices,
    *,
    catalog: Catalog,
    options: ValidationOptions,
    previous: PreviousRuns | None = None,
    edits: RowEdits | None = None,
    pay_again: PayAgain | None = None,
    stamp: FileStamp | None = None,
    progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportedWorkbook:
    """Validate the chosen sheets of a read workbook, the user's edits applied (as `import_workbook` does).

    The rows are a large heap of long-lived objects (about 6 per row): built with the garbage collector
    paused and frozen once built (`building_to_last`), they stay out of its full passes, each of which would
    walk them all holding the GIL (up to half a second at 100,000 rows: the GUI thread stands still).
    """
    sheets = [s for s in read.sheets if choices.sheets is None or s.name in choices.sheets] or read.sheets
    names = {sheet.name for sheet in sheets}
    kept = _kept_edits(edits or {}, names)
    if read.format is WorkbookFormat.CSV:  # every CSV cell is text: no 'number stored as text' warnings
        options = dataclasses.replace(options, text_source=True)
    with building_to_last():
        validator = RowValidator(catalog, options, previous() if previous else None, pay_again)
        result = validate_sheets(
            [_values_with_edits(sheet, kept) for sheet in sheets],
            validator,
            file=str(read.path),
            general_issues=[i for i in read.issues if i.sheet is None or i.sheet in names],
            notes=read.notes,
            progress=progress,
            cancel=cancel,
        )
        return ImportedWorkbook(
            read.path, choices, read=read, sheets=sheets, result=result, edits=kept, stamp=stamp
        )


def compute_facts(imported: ImportedWorkbook, cancel: threading.Event | None = None) -> ReviewFacts:
    """Counts, costs, issues by cell and by kind, and row flags, for the grid, panel and summary."""
    result = imported.result
    located, general = _locate(result.general_issues, imported.positions)
    catalog = result.catalog
    flags: list[int] = []
    cells: dict[int, dict[str | None, tuple[Issue, ...]]] = {}
    valid_count = 0
    costs: dict[str, Decimal] = defaultdict(Decimal)
    priced: Counter[str] = Counter()
    for row_index, row in enumerate(result.rows):
        if cancel is not None and row_index % 5_000 == 0 and cancel.is_set():
            raise ImportCancelled
        flag, by_cell = _row_facts(row, located.get(row_index))
        flags.append(flag)
        if by_cell:
            cells[row_index] = by_cell
        if row.is_valid:
            valid_count += 1
            _add_cost(costs, priced, row.recipient, catalog, 1)
    return _summed(
        imported, general, flags=flags, cells=cells, valid_count=valid_count, costs=costs, priced=priced
    )


def refreshed_facts(imported: ImportedWorkbook, facts: ReviewFacts, changes: RowChanges) -> ReviewFacts:
    """`facts` as they will be once `changes` are in, as `compute_facts` would give them then, in time that
    grows with the rows checked and the issues (not with every row). The rows replaced (`changes.before`)
    have their validity and cost taken out and the new ones put in. `facts` is not changed (the GUI thread
    may be reading it)."""
    result = imported.result
    rows = result.rows
    located, general = _locate(result.general_issues, imported.positions)
    catalog = result.catalog
    flags = list(facts.flags)
    cells = dict(facts.cell_issues)
    for row_index in changes.checked:
        flags[row_index], by_cell = _row_facts(changes.row(row_index, rows), located.get(row_index))
        if by_cell:
            cells[row_index] = by_cell
        else:
            cells.pop(row_index, None)
    valid_count = facts.valid_count
    costs: dict[str, Decimal] = defaultdict(Decimal, facts.costs)
    priced = Counter(facts.priced_rows)
    for row_index, old in changes.before.items():
        for row, sign in ((old, -1), (changes.rows[row_index], 1)):
            if row.is_valid:
                valid_count += sign
                _add_cost(costs, priced, row.recipient, catalog, sign)
    return _summed(
        imported, general, flags=flags, cells=cells, valid_count=valid_count, costs=costs, priced=priced
    )


def _row_facts(
    row: ImportedRow, located: Sequence[Issue] | None
) -> tuple[int, dict[str | None, tuple[Issue, ...]] | None]:
    """A row's flags (delivery type, HAS_ERROR, HAS_WARNING) and its issues by column letter (None: none)."""
    kind = row.recipient.delivery_type
    flags = KIND_FLAGS[kind] if kind is not None else 0
    issues = row.all_issues + list(located) if located else row.all_issues
    if not issues:
        return flags, None
    by_cell: dict[str | None, list[Issue]] = {}
    for issue in issues:
        by_cell.setdefault(issue.column, []).append(issue)
        flags |= HAS_ERROR if issue.is_error else HAS_WARNING
    return flags, {column: tuple(found) for column, found in by_cell.items()}


def _add_cost(
    costs: dict[str, Decimal], priced: Counter[str], recipient: Recipient, catalog: Catalog, sign: int
) -> None:
    cost = row_cost(recipient, catalog)
    if cost is not None:
        currency, amount = cost
        costs[currency] += sign * amount
        priced[currency] += sign


def _summed(
    imported: ImportedWorkbook,
    general: Sequence[Issue],
    *,
    flags: list[int],
    cells: dict[int, dict[str | None, tuple[Issue, ...]]],
    valid_count: int,
    costs: Mapping[str, Decimal],
    priced: Counter[str],
) -> ReviewFacts:
    """The facts from every row's flags and issues: counts, issue kinds, F8's stops; costs as
    `ImportResult.cost()` gives them (exact: each row's cost is in cents)."""
    facts = ReviewFacts(
        row_count=len(flags),
        valid_count=valid_count,
        error_rows=len(flags) - valid_count,
        costs={currency: money(costs[currency]) for currency in sorted(costs) if priced[currency] > 0},
        priced_rows={currency: count for currency, count in priced.items() if count > 0},
        cell_issues=cells,
        flags=flags,
        file_errors=[i for i in general if i.is_error],
    )
    by_kind: dict[tuple[str, Severity], list[Issue]] = defaultdict(list)
    for issue in [*general, *(i for r in sorted(cells) for c in cells[r].values() for i in c)]:
        by_kind[(issue.code, issue.severity)].append(issue)
        if issue.is_error:
            facts.error_count += 1
        else:
            facts.warning_count += 1
    facts.stops = sorted(
        {
            (r, imported.stop_rank(imported.column_for(r, letter)))
            for r, by_cell in cells.items()
            for letter in by_cell
        }
    )
    facts.groups = _groups(by_kind, imported)
    return facts


def next_stop(stops: Sequence[tuple[int, int]], current: tuple[int, int], forward: bool) -> int | None:
    """The index in `stops` after (or before) the cell `current`, wrapping around; None when there are none."""
    if not stops:
        return None
    if forward:
        at = bisect_left(stops, (current[0], current[1] + 1))
        return at % len(stops)
    at = bisect_left(stops, current) - 1
    return at % len(stops)


def _groups(
    by_kind: Mapping[tuple[str, Severity], list[Issue]], imported: ImportedWorkbook
) -> list[IssueGroup]:
    """Errors first, then warnings; within each, kinds in the order they first appear."""
    order = {sheet.name: i for i, sheet in enumerate(imported.sheets)}

    def first(item: tuple[tuple[str, Severity], list[Issue]]) -> tuple[int, int, int]:
        (_code, severity), issues = item
        head = issues[0]
        return (0 if severity is Severity.ERROR else 1, order.get(head.sheet or "", -1), head.row or 0)

    return [
        IssueGroup(code, severity, tuple(issues))
        for (code, severity), issues in sorted(by_kind.items(), key=first)
    ]


def _locate(
    issues: Sequence[Issue], positions: Mapping[str, int]
) -> tuple[dict[int, list[Issue]], list[Issue]]:
    """General issues at a data row (a merged cell, a hidden row) go to that row; the rest stay general."""
    located: dict[int, list[Issue]] = defaultdict(list)
    general: list[Issue] = []
    for issue in issues:
        row = positions.get(f"{issue.sheet}!{issue.row}") if issue.sheet and issue.row else None
        if row is None:
            general.append(issue)
        else:
            located[row].append(issue)
    return located, general


def _grid_columns(
    sheets: Sequence[SheetRead], layouts: Sequence[SheetLayout]
) -> tuple[list[str], list[list[GridCell | None]]]:
    """The union of the sheets' headers in order, and per sheet the cell behind each grid column."""
    headers: list[str] = []
    for layout in layouts:
        headers.extend(h for h in layout.headers if h not in headers)
    grid: list[list[GridCell | None]] = []
    for sheet, layout in zip(sheets, layouts, strict=True):
        fields = {m.header.column: m.field for m in sheet.mapping.columns}
        indexes = {h.column: h.index for h in sheet.headers}
        cells: list[GridCell | None] = [None] * len(headers)
        for column in layout.columns:
            letter = column.letter
            cells[headers.index(column.header)] = GridCell(
                indexes[letter], letter, column.header, fields.get(letter)
            )
        grid.append(cells)
    return headers, grid


def _kind_counts(rows: Sequence[ImportedRow]) -> dict[str, Counter[DeliveryType]]:
    """How many rows of each sheet were found to have each delivery type."""
    counts: dict[str, Counter[DeliveryType]] = defaultdict(Counter)
    for row in rows:
        if row.recipient.delivery_type is not None:
            counts[row.recipient.sheet][row.recipient.delivery_type] += 1
    return counts


def _recounted(
    counts: Mapping[str, Counter[DeliveryType]],
    before: Mapping[int, ImportedRow],
    rows: Mapping[int, ImportedRow],
) -> dict[str, Counter[DeliveryType]]:
    """`counts` after the rows at `before`'s positions became `rows`' (by position), as a copy (the GUI
    thread may be reading)."""
    recounted: dict[str, Counter[DeliveryType]] = defaultdict(Counter)
    recounted.update((sheet, Counter(kinds)) for sheet, kinds in counts.items())
    for position, old in before.items():
        for recipient, sign in ((old.recipient, -1), (rows[position].recipient, 1)):
            if recipient.delivery_type is not None:
                recounted[recipient.sheet][recipient.delivery_type] += sign
    return recounted


def _kept_edits(edits: RowEdits, sheet_names: set[str]) -> RowEdits:
    return {key: dict(changes) for key, changes in edits.items() if key.rpartition("!")[0] in sheet_names}


def _values_with_edits(sheet: SheetRead, edits: RowEdits) -> SheetValues:
    """The sheet's mapped columns for validation, with edited cells replaced (in copies: the read stays)."""
    values = sheet_values(sheet)
    prefix = sheet.name + "!"
    mine = {int(key[len(prefix) :]): changes for key, changes in edits.items() if key.startswith(prefix)}
    if not mine:
        return values
    layout = layout_of(sheet)
    fields = {m.header.column: m.field for m in sheet.mapping.columns if m.field is not None}
    by_header = {c.header: fields[c.letter] for c in layout.columns if c.letter in fields}
    positions = {number: i for i, number in enumerate(sheet.row_numbers)}
    edited = {by_header[h] for changes in mine.values() for h in changes if h in by_header}
    columns = {fld: list(column) if fld in edited else column for fld, column in values.columns.items()}
    for number, changes in mine.items():
        position = positions.get(number)
        for header, value in changes.items():
            fld = by_header.get(header)
            if position is not None and fld is not None:
                columns[fld][position] = value  # type: ignore[index]
    return dataclasses.replace(values, columns=columns)


def _same(a: RowValue, b: RowValue) -> bool:
    return type(a) is type(b) and a == b


def _scaled(progress: Progress | None, start: int, end: int, text: str) -> Callable[[int], None] | None:
    if progress is None:
        return None
    report = progress
    return lambda percent: report(start + percent * (end - start) // 100, 100, text)
