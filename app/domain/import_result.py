"""What an import produces: normalised rows with their issues, counts, line items and cost per currency.

`validate_sheets` checks every row of the sheets a reader delivered and returns an `ImportResult`: what the
grid shows, the submission sends (`line_items()`), the export writes and `giftbatch validate` prints. Edited
rows are checked again by `app.domain.recheck`, whose changes the thread that owns the result puts in.

Building 100,000 rows allocates a few long-lived objects per row and frees none; the caller runs the build
with the garbage collector paused (the GUI's worker and the command line do: memory tuning is theirs).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.domain.catalog import Catalog, DeliveryType, money
from app.domain.errors import GiftbatchError
from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.payments import PayAgain
from app.domain.recipient import Recipient, RowLayout
from app.domain.records import CellError, CellValue
from app.domain.validation import RowValidator, check_recipients

Value = CellValue | CellError
ProgressCallback = Callable[[int], None]
_CHECK_EVERY = 2_000  # rows between two progress reports and cancel checks


class ImportCancelled(GiftbatchError):
    """The user stopped the import; nothing was changed."""

    exit_code = 130

    def __init__(self) -> None:
        super().__init__("The import was cancelled.")


@dataclass(frozen=True)
class SheetValues:
    """One sheet's mapped cells column by column, as a reader hands them over without building records.

    `columns[field][i]` is the raw value of `field` in the i-th data row, whose Excel row number is
    `row_numbers[i]`; `letters[field]` is that field's column letter. `mapping` is {header: field name or
    None} for every column of the sheet, as shown to the user.
    """

    name: str
    row_numbers: Sequence[int]
    columns: Mapping[Field, Sequence[Value]]
    letters: Mapping[Field, str]
    mapping: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(slots=True)
class ImportedRow:
    """One row's recipient and issues. `file_issues` depend on other rows (duplicates, totals) and are redone
    whenever any row changes; `issues` are the row's own (repairs and broken rules)."""

    recipient: Recipient
    issues: list[Issue]
    file_issues: list[Issue] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.recipient.key

    @property
    def all_issues(self) -> list[Issue]:
        return self.issues + self.file_issues

    @property
    def is_valid(self) -> bool:
        """No errors, its own or the whole file's (a repeated row): the row can be sent (warnings allowed)."""
        issues, file_issues = self.issues, self.file_issues  # most rows have none: no generator to start
        if issues and any(issue.severity is Severity.ERROR for issue in issues):
            return False
        return not file_issues or not any(issue.severity is Severity.ERROR for issue in file_issues)


@dataclass
class ImportResult:
    """Everything one import found. `general_issues` are about the file or a whole sheet (and the reader's
    warnings at cells, such as hidden rows); row issues live on the rows.

    `rows` and `pay_again` change only together, when edits checked again are put in
    (`app.domain.recheck.RowRechecker.apply`), by the thread that owns the result: as a new list, so that
    whoever took the list before keeps a whole one. `validator` checks the edited rows (in a worker).
    """

    file: str
    sheets: list[str]
    mapping: dict[str, dict[str, str | None]]
    rows: list[ImportedRow]
    general_issues: list[Issue]
    validator: RowValidator
    notes: list[str] = field(default_factory=list)
    _positions: dict[str, int] | None = field(default=None, repr=False)
    pay_again: PayAgain = field(init=False)

    def __post_init__(self) -> None:
        self.pay_again = self.validator.pay_again
        self._check_across_rows()

    @property
    def catalog(self) -> Catalog:
        """The catalog the rows were checked against (and are priced with)."""
        return self.validator.catalog

    def _index(self) -> dict[str, int]:
        """Each row's position by key, made on first need (an edit, a look-up, a file warning to place): an
        import of a clean file needs none."""
        if self._positions is None:
            self._positions = {row.recipient.key: i for i, row in enumerate(self.rows)}
        return self._positions

    # -- counts and issues -------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def valid_count(self) -> int:
        return sum(1 for row in self.rows if row.is_valid)

    @property
    def error_count(self) -> int:
        return sum(1 for issue in self._all() if issue.severity is Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for issue in self._all() if issue.severity is Severity.WARNING)

    @property
    def issues(self) -> list[Issue]:
        """Every issue: file and sheet first, then by sheet, row and column."""
        order = {name: i for i, name in enumerate(self.sheets)}
        return sorted(self._all(), key=lambda issue: _position(issue, order))

    def _all(self) -> Iterator[Issue]:
        yield from self.general_issues
        for row in self.rows:
            yield from row.issues
            yield from row.file_issues

    def combined_mapping(self) -> dict[str, str | None]:
        """{header: field name or None} over every sheet (the first sheet wins when headers repeat)."""
        merged: dict[str, str | None] = {}
        for sheet_mapping in self.mapping.values():
            for header, name in sheet_mapping.items():
                merged.setdefault(header, name)
        return merged

    # -- what the submission needs -----------------------------------------------------------------------

    def valid_recipients(self) -> list[Recipient]:
        return [row.recipient for row in self.rows if row.is_valid]

    def line_items(self) -> dict[DeliveryType, list[Recipient]]:
        """The valid rows by delivery type (the vendor takes one delivery type per order)."""
        grouped: dict[DeliveryType, list[Recipient]] = defaultdict(list)
        for recipient in self.valid_recipients():
            if recipient.delivery_type is not None:
                grouped[recipient.delivery_type].append(recipient)
        return dict(grouped)

    def cards_by_type(self) -> dict[DeliveryType, int]:
        """How many cards (quantities summed) each delivery type sends."""
        return {kind: sum(r.quantity or 0 for r in rows) for kind, rows in self.line_items().items()}

    def cost(self) -> dict[str, Decimal]:
        """What the valid rows cost, per currency: value less discount, plus fee, times quantity.

        Empty when the catalog is empty (nothing to price against). Shipping methods' own cost is not added:
        the vendor documents no currency for it.
        """
        totals: dict[str, Decimal] = defaultdict(Decimal)
        catalog = self.catalog
        for recipient in self.valid_recipients():
            product = catalog.product(recipient.product_id) if recipient.product_id else None
            if product is None or recipient.value is None or recipient.quantity is None:
                continue
            totals[product.currency] += product.card_cost(recipient.value) * recipient.quantity
        return {currency: money(amount) for currency, amount in sorted(totals.items())}

    # -- editing -----------------------------------------------------------------------------------------

    def row(self, key: str) -> ImportedRow:
        return self.rows[self._index()[key]]

    def _check_across_rows(self) -> None:
        """The issues that depend on several rows (repeated rows, duplicates, totals per recipient), put on
        the rows as they are built (before anyone else sees them)."""
        found = check_recipients(
            [row.recipient for row in self.rows], self.validator.options.total_threshold, self.pay_again
        )
        for key, issues in found.items():
            self.rows[self._index()[key]].file_issues = issues


def validate_sheets(
    sheets: Sequence[SheetValues],
    validator: RowValidator,
    *,
    file: str = "",
    general_issues: Sequence[Issue] = (),
    notes: Sequence[str] = (),
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ImportResult:
    """Check every row of `sheets`; `progress` gets a percentage, `cancel` stops with `ImportCancelled`."""
    total = max(1, sum(len(sheet.row_numbers) for sheet in sheets))
    rows: list[ImportedRow] = []
    for sheet in sheets:
        _validate_sheet(sheet, validator, rows, lambda done: _report(progress, cancel, done, total))
    _report(progress, cancel, total, total)
    general = list(general_issues)
    if validator.catalog.is_empty:
        general.append(_catalog_missing())
    general.extend(validator.sheet_notes())
    return ImportResult(
        file=file,
        sheets=[sheet.name for sheet in sheets],
        mapping={sheet.name: dict(sheet.mapping) for sheet in sheets},
        rows=rows,
        general_issues=general,
        validator=validator,
        notes=list(notes),
    )


def _validate_sheet(
    sheet: SheetValues, validator: RowValidator, out: list[ImportedRow], report: Callable[[int], None]
) -> None:
    fields = list(sheet.columns)
    layout = RowLayout.of(fields, sheet.letters)
    values: Iterator[Sequence[Value]] = (
        zip(*(sheet.columns[f] for f in fields), strict=True) if fields else (() for _ in sheet.row_numbers)
    )
    validate, name = validator.validate, sheet.name
    for i, (number, row) in enumerate(zip(sheet.row_numbers, values, strict=True)):
        if i % _CHECK_EVERY == 0:
            report(len(out))
        recipient, issues = validate(name, number, row, layout)
        out.append(ImportedRow(recipient, issues))


def _report(progress: ProgressCallback | None, cancel: threading.Event | None, done: int, total: int) -> None:
    if cancel is not None and cancel.is_set():
        raise ImportCancelled
    if progress is not None:
        progress(done * 100 // total)


def _catalog_missing() -> Issue:
    return Issue(
        Severity.WARNING,
        "catalog.missing",
        "The product catalog has never been fetched, so products, values, delivery types per product, "
        "shipping methods and costs were not checked. Connect to the vendor (or the sandbox) to fetch it, "
        "then validate again.",
    )


def _position(issue: Issue, order: Mapping[str, int]) -> tuple[int, int, int, str]:
    sheet = -1 if issue.sheet is None else order.get(issue.sheet, len(order))
    row = issue.row or 0
    column = issue.column or ""
    return sheet, row, len(column), column
