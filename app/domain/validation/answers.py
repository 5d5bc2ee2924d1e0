"""Validation's one cache: answers to cell values seen before, and whole answers for repeated order cells.

A value that repeats down a column (a product, an amount, a delivery type, a country, a date) is read once
and the answer reused, its issues moved to each row's own cell; a clean answer (no issue) is found with one
look-up. Rows whose order cells (product, delivery type, value, quantity and date) all raised no issue leave
what those cells came to (`OrderCells`): the next row with the same five cells takes it whole (a sheet with
a delivery type column has a few such combinations, repeated down thousands of rows). That is most of what
makes 100,000 rows quick. The readers cached look at nothing but the cell and the context in their key, so a
reused answer is the one a fresh check gives.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any

from app.domain.catalog import DeliveryType, Product
from app.domain.fields import Field
from app.domain.issues import Issue
from app.domain.recipient import Recipient, RowLayout
from app.domain.records import CellError, CellValue
from app.domain.validation.row import RowCells

# A reader's answer: the value to use and the issues to report, placed at the first cell that had the value.
Answer = tuple[Any, tuple[Issue, ...]]
Reader = Callable[..., Answer]

ANSWER_LIMIT = 50_000  # answers kept per field, and order-cell answers: a bound on memory for odd sheets
_ORDER_FIELDS = (Field.PRODUCT, Field.DELIVERY_TYPE, Field.VALUE, Field.QUANTITY, Field.DELIVERY_DATE)
_MISS: Any = object()


def value_key(value: CellValue) -> Hashable:
    """A cache key that keeps 1, 1.0 and True apart (they are equal as dict keys)."""
    return value if type(value) is str else (type(value), value)


class FieldAnswers:
    """The answers for one field's cells, by key: the cell's value with the context its reader takes."""

    __slots__ = ("_answers", "_clean", "_field")

    def __init__(self, fld: Field) -> None:
        self._field = fld
        self._answers: dict[Hashable, Answer] = {}
        self._clean: dict[Hashable, Any] = {}  # the answers above that came with no issue

    def answer(self, row: RowCells, key: Hashable, read: Reader, *context: Any) -> Any:
        """What `read(cell, *context)` gives for the field's cell in `row`, read once per distinct `key` and
        reused; its issues are added to `row`, moved to its cell."""
        clean = self._clean.get(key, _MISS)
        if clean is not _MISS:
            return clean  # most rows: a value seen before, and fine
        found = self._answers.get(key)
        if found is None:
            found = read(row.cell(self._field), *context)
            if len(self._answers) >= ANSWER_LIMIT:
                self._answers.clear()
                self._clean.clear()
            self._answers[key] = found
            if not found[1]:
                self._clean[key] = found[0]
        value, issues = found
        for issue in issues:
            row.issues.append(_relocated(issue, row))
        return value


@dataclass(frozen=True, slots=True)
class OrderCells:
    """What a row's product, delivery type, value, quantity and date cells came to, when they raised no issue:
    rows with the same cells get it without checking them again."""

    product: Product | None
    kind: DeliveryType | None
    wants: Field | None
    product_id: str | None
    currency: str | None
    value: Decimal | None
    quantity: int | None
    delivery_date: date | None

    @classmethod
    def of(
        cls, recipient: Recipient, product: Product | None, kind: DeliveryType | None, wants: Field | None
    ) -> OrderCells:
        r = recipient
        return cls(product, kind, wants, r.product_id, r.currency, r.value, r.quantity, r.delivery_date)

    def give(self, recipient: Recipient) -> tuple[Product | None, DeliveryType | None, Field | None]:
        """Set what the cells came to on `recipient`; returns the product, delivery type and contact wanted."""
        recipient.product_id, recipient.currency = self.product_id, self.currency
        recipient.delivery_type, recipient.value = self.kind, self.value
        recipient.quantity, recipient.delivery_date = self.quantity, self.delivery_date
        return self.product, self.kind, self.wants


class AnswerCache:
    """Every answer one validator reuses. One per import: the answers depend on its catalog and options."""

    def __init__(self) -> None:
        self._fields: dict[Field, FieldAnswers] = {}
        self._order_cells: dict[Hashable, OrderCells] = {}
        self._order_layout: RowLayout | None = None
        self._order_getter: Callable[[Sequence[CellValue | CellError]], tuple[Any, ...]] | None = None

    def field(self, fld: Field) -> FieldAnswers:
        """The answers for `fld`'s cells (a rule family takes it once, not per row)."""
        return self._fields.setdefault(fld, FieldAnswers(fld))

    def order_cells(
        self, layout: RowLayout, values: Sequence[CellValue | CellError]
    ) -> tuple[Hashable | None, OrderCells | None]:
        """The row's product, delivery type, value, quantity and date cells as a key (with their types, so that
        1, 1.0 and True stay apart), and what a clean row with the same cells came to, if one was kept. The
        key is None when the sheet has no delivery type column (the type is then worked out from the whole
        row). Most rows repeat a few such combinations."""
        if layout is not self._order_layout:
            self._order_layout, self._order_cells = layout, {}
            present = [layout.index[f] for f in _ORDER_FIELDS if f in layout.index]
            # The first position twice: a tuple even when the type is the only one of the five columns.
            typed = Field.DELIVERY_TYPE in layout.index
            self._order_getter = itemgetter(*present, present[0]) if typed else None
        if self._order_getter is None:
            return None, None
        cells = self._order_getter(values)
        key = cells, tuple(map(type, cells))
        return key, self._order_cells.get(key)

    def keep_order_cells(self, key: Hashable, cells: OrderCells) -> None:
        if len(self._order_cells) >= ANSWER_LIMIT:
            self._order_cells.clear()
        self._order_cells[key] = cells


def _relocated(issue: Issue, row: RowCells) -> Issue:
    """A cached issue moved to the same column of another row (its message starts with the cell reference)."""
    if issue.row == row.number and issue.sheet == row.sheet:
        return issue
    column = issue.column
    _, _, rest = issue.message.partition(": ")
    where = f"{column}{row.number}" if column else f"Row {row.number}"
    return Issue(issue.severity, issue.code, f"{where}: {rest}", row.sheet, row.number, column, issue.field)
