"""The rules a recipient row must meet before it is sent, run in the order a row needs them.

`RowValidator` checks one row and returns its normalised `Recipient` and its issues (repairs as warnings,
broken rules as errors, each at its cell with the fix). The rules live in families, each a module of this
package with a small interface: the delivery type (`delivery_types`), the card against the catalog
(`products`), a digital card's contacts (`contacts`), a mailed card's address and shipping (`addresses`),
names, personalisation and dates (`personal`), and payments made before (`repeats`, which also holds the
checks that need the whole file). Every family asks the one cache (`answers`) before reading a cell.

Contacts are checked only on digital rows (and rows whose type is unknown), addresses only on physical ones:
a mixed sheet may fill every column, and what a row does not use is not held against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.domain.catalog import Catalog, DeliveryType
from app.domain.fields import Field
from app.domain.issues import Issue
from app.domain.payments import NO_EARLIER_PAYMENTS, EarlierPayments, PayAgain
from app.domain.recipient import Recipient, RowLayout, identity_of
from app.domain.records import CellError, CellValue, RawRecord
from app.domain.validation.addresses import AddressChecks
from app.domain.validation.answers import AnswerCache, OrderCells
from app.domain.validation.contacts import ContactChecks
from app.domain.validation.delivery_types import DeliveryTypeChecks
from app.domain.validation.options import ValidationOptions
from app.domain.validation.personal import PersonalChecks
from app.domain.validation.products import ProductChecks
from app.domain.validation.repeats import earlier_run
from app.domain.validation.row import RowCells, SheetNotes, without_moot_repairs

Value = CellValue | CellError

_DATE, _BRANDING, _REFERENCE = Field.DELIVERY_DATE, Field.BRANDING, Field.REFERENCE
_DIGITAL, _PHYSICAL = DeliveryType.DIGITAL, DeliveryType.PHYSICAL


class RowValidator:
    """Checks rows against the catalog and the options. One validator serves one import, in one thread at a
    time: it caches what it found (see `app.domain.validation.answers`)."""

    def __init__(
        self,
        catalog: Catalog,
        options: ValidationOptions | None = None,
        earlier: EarlierPayments | None = None,
        pay_again: PayAgain | None = None,
    ) -> None:
        self._catalog = catalog
        self._options = options = options or ValidationOptions()
        self._earlier = earlier or NO_EARLIER_PAYMENTS
        self._pay_again = pay_again or PayAgain()
        self._notes = SheetNotes()
        self._answers = answers = AnswerCache()
        self._products = ProductChecks(catalog, options, answers)
        self._types = DeliveryTypeChecks(options, answers, self._notes)
        self._contacts = ContactChecks(options)
        self._addresses = AddressChecks(catalog, options, answers, self._notes)
        self._personal = PersonalChecks(options, answers)

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    @property
    def options(self) -> ValidationOptions:
        return self._options

    @property
    def pay_again(self) -> PayAgain:
        """The rows paid again that the import was checked with (a re-check may name others)."""
        return self._pay_again

    def sheet_notes(self) -> list[Issue]:
        """Warnings about whole sheets (a column they lack), once per sheet, for the rows checked so far."""
        return self._notes.issues()

    def validate_record(
        self, record: RawRecord, columns: Mapping[Field, str] | None = None, pay_again: PayAgain | None = None
    ) -> tuple[Recipient, list[Issue]]:
        """Check one row read from a workbook (or edited in the grid). `columns` are the sheet's column
        letters by field, so that an empty cell the record leaves out is still named by its cell;
        `pay_again`, the user's choice now, when it is not the import's."""
        fields = list(record.cells)
        letters = {**(columns or {}), **{fld: cell.column for fld, cell in record.cells.items()}}
        layout = RowLayout.of(fields, letters)
        values = [record.cells[f].value for f in fields]
        return self.validate(record.sheet, record.row, values, layout, pay_again)

    def validate(
        self,
        sheet: str,
        number: int,
        values: Sequence[Value],
        layout: RowLayout,
        pay_again: PayAgain | None = None,
    ) -> tuple[Recipient, list[Issue]]:
        """Check one row: its raw values, laid out as `layout` says (one layout serves a whole sheet)."""
        row = RowCells(sheet, number, values, layout)
        recipient = Recipient(f"{sheet}!{number}", sheet, number, values, layout)
        personal = self._personal
        personal.names(row, recipient)
        answers = self._answers
        key, known = answers.order_cells(layout, values)
        issues_before = len(row.issues)
        if known is not None:
            product, kind, wants = known.give(recipient)
        else:
            product = self._products.product(row, recipient)
            kind, wants = self._types.delivery_type(row, product)
            recipient.delivery_type = kind
            self._products.value(row, recipient, product)
            self._products.quantity(row, recipient)
        clean = len(row.issues) == issues_before
        if kind is _DIGITAL or kind is None:
            self._contacts.check(row, recipient, wants, required=kind is not None)
        elif kind is _PHYSICAL:
            self._addresses.check(row, recipient)
        if product is not None and kind is not None and kind not in product.delivery_types:
            self._types.not_available(row, product, kind)
            clean = False
        personal.personalization(row, recipient)
        index = row.index
        if _DATE in index and known is None:
            dates_before = len(row.issues)
            personal.delivery_date(row, recipient)
            clean = clean and len(row.issues) == dates_before
        if known is None and key is not None and clean:
            answers.keep_order_cells(key, OrderCells.of(recipient, product, kind, wants))
        if _BRANDING in index:
            self._products.branding(row, recipient)
        recipient.reference = row.text(_REFERENCE)
        recipient.identity = identity_of(recipient)
        if self._earlier:
            earlier_run(row, recipient, self._earlier, pay_again or self._pay_again)
        issues = row.issues
        return recipient, without_moot_repairs(issues) if len(issues) > 1 else issues
