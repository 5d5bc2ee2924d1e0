"""The rules a recipient row must meet before it is sent: each broken rule an ERROR at its cell, with the fix.

`RowValidator` checks one row and returns its normalised `Recipient` and its issues (repairs as warnings,
broken rules as errors); `app.domain.file_checks` adds what needs the whole file. Decisions to know:

- Delivery type: a per-row column (email, e-mail, sms, text, digital, link, links, claim link, mail, post,
  physical, ship, … and the API's own names, any case), else the import's default. With neither, it is
  inferred only when unambiguous (an email or SMS number and no address: DigitalDelivery; an address and no
  email or SMS: PhysicalShipment; a product sold one way only: that way), with a warning; otherwise an error.
  A row that says "email" or "sms" needs that contact, not just either.
- Contacts are checked only on digital rows (and rows whose type is unknown), addresses only on physical
  ones: a mixed sheet may fill every column, and what a row does not use is not held against it.
- Country: an empty country cell (or no country column) means the default country, with a warning.
- Addresses follow their country's rules (Google's address data, `app.domain.address_rules`): the city, the
  state or province and the postal code are required only where that country's addresses have them, the
  postal code is checked against the country's pattern, and one outside the state's range is a warning.
- Personalisation: the run's defaults fill a row's empty From name, From email and Message. Names (To, From)
  may be at most 100 characters, the message at most 1,000.
- Quantity: a whole number from 1 to 1,000 per row (1 when there is no quantity column).
- With an empty catalog (never fetched), product, value, delivery-type and shipping checks are skipped; the
  import says so once (`catalog.missing`).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any, TypeVar

from app.domain.address_rules import AddressRules, address_rules
from app.domain.catalog import (
    Catalog,
    DeliveryType,
    DenominationType,
    Product,
    ShippingMethod,
    has_cents_at_most,
)
from app.domain.cells import at_row, error, shown, warning
from app.domain.countries import country_name, nearest_country, place_key
from app.domain.emails import quick_email, read_email
from app.domain.fields import Field
from app.domain.issues import Issue, Severity
from app.domain.payments import (
    EARLIER_RUN,
    NO_EARLIER_PAYMENTS,
    ON_PURPOSE,
    PAID_AGAIN,
    EarlierPayments,
    PayAgain,
    payment_claims,
)
from app.domain.phones import quick_sms_number
from app.domain.postal_codes import describe_postal_code, outside_area, postal_code_problem
from app.domain.recipient import Personalization, PhysicalAddress, Recipient, RowLayout, identity_of
from app.domain.records import CellError, CellValue, RawRecord, SourceCell
from app.domain.repairs import (
    Amount,
    plain_number,
    repair_amount,
    repair_country,
    repair_date,
    repair_number,
    repair_phone,
    repair_postal_code,
    repair_state,
    repair_text,
    text_value,
)
from app.domain.subdivisions import area_label, area_words, nearest_area

Value = CellValue | CellError
T = TypeVar("T")
# A cached answer: the value to use and the issues to report, placed at the first cell that had the value.
Outcome = tuple[Any, tuple[Issue, ...]]

MAX_NAME_LENGTH = 100
MAX_MESSAGE_LENGTH = 1000
MAX_QUANTITY = 1000
_CACHE_LIMIT = 50_000
_DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN", "CLP", "COP", "ARS"})
_TYPE_WORDS = "email, sms, link or mail"
_LONGEST_AREA_CODE = 4  # 'CA', 'NSW', 'CDMX', 'Jal.': a key this short is a code, not a name

# Bound once: the hot path reads these for every row, and an Enum member lookup costs several dict lookups.
_FIRST, _LAST, _FULL = Field.FIRST_NAME, Field.LAST_NAME, Field.FULL_NAME
_EMAIL, _SMS, _PHONE = Field.EMAIL, Field.SMS, Field.PHONE
_PRODUCT, _VALUE, _QUANTITY, _TYPE = Field.PRODUCT, Field.VALUE, Field.QUANTITY, Field.DELIVERY_TYPE
_LINE1, _CITY, _STATE, _ZIP, _COUNTRY = (
    Field.ADDRESS_LINE1,
    Field.CITY,
    Field.STATE,
    Field.ZIP,
    Field.COUNTRY,
)
_MESSAGE, _FROM_NAME, _FROM_EMAIL = Field.MESSAGE, Field.FROM_NAME, Field.FROM_EMAIL
_DATE, _BRANDING, _REFERENCE = Field.DELIVERY_DATE, Field.BRANDING, Field.REFERENCE
_DIGITAL, _LINKS, _PHYSICAL = DeliveryType.DIGITAL, DeliveryType.LINKS, DeliveryType.PHYSICAL

# What people write in a delivery column, compared without case, spaces, punctuation or a leading "by"/"via"
# ('By e-mail' is 'email'). The second item is the contact the word asks for ('sms' means the SMS number must
# be there), or None.
_EMAIL_WORDS = ("email", "emails", "emailed", "emailaddress", "mailemail")
_SMS_WORDS = ("sms", "text", "texts", "textmessage", "mobile", "smstext", "textsms")
_DIGITAL_WORDS = ("digital", "digitaldelivery", "electronic", "egift", "egiftcard", "ecard", "digitalcard")
_LINK_WORDS = ("link", "links", "claimlink", "claimlinks", "url", "giftlink")
_PHYSICAL_WORDS = (
    "mail", "post", "postal", "postalmail", "posted", "mailed", "snailmail", "physical", "physicalshipment",
    "physicalcard", "ship", "shipping", "shipment", "shipped", "plastic", "plasticcard", "card",
)  # fmt: skip
_DELIVERY_WORDS: dict[str, tuple[DeliveryType, Field | None]] = {
    **dict.fromkeys(_EMAIL_WORDS, (_DIGITAL, _EMAIL)),
    **dict.fromkeys(_SMS_WORDS, (_DIGITAL, _SMS)),
    **dict.fromkeys(_DIGITAL_WORDS, (_DIGITAL, None)),
    **dict.fromkeys(_LINK_WORDS, (_LINKS, None)),
    **dict.fromkeys(_PHYSICAL_WORDS, (_PHYSICAL, None)),
}
_NOT_LETTERS = re.compile(r"[^a-z]")
_BY = re.compile(r"^(?:by|via)(?=[a-z])")


def delivery_type_from_word(word: str) -> tuple[DeliveryType, Field | None] | None:
    """The delivery type a word names ('E-mail', 'by post', 'Links'), and the contact it asks for; or None."""
    letters = _NOT_LETTERS.sub("", word.casefold())
    return _DELIVERY_WORDS.get(letters) or _DELIVERY_WORDS.get(_BY.sub("", letters))


@dataclass(frozen=True)
class PersonalizationDefaults:
    """The run's personalisation, used where a row leaves a field empty."""

    from_name: str | None = None
    from_email: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class ValidationOptions:
    """The settings that shape validation. `today` is injected so that 'not in the past' can be tested.

    `default_region` reads phone numbers that have no country code, and is the country of addresses that
    name none. `text_source`: every cell is text (CSV), so numbers stored as text are expected, not reported.
    """

    today: date = field(default_factory=date.today)
    default_delivery_type: DeliveryType | None = None
    default_region: str = "US"
    personalization: PersonalizationDefaults = field(default_factory=PersonalizationDefaults)
    total_threshold: Decimal = Decimal(500)
    default_shipping_method: str | None = None
    max_quantity: int = MAX_QUANTITY
    text_source: bool = False


_NOTHING_BROKEN: frozenset[Field] = frozenset()


class _Row:
    """One row being checked: its raw values, where each field sits, and the issues found so far."""

    __slots__ = ("broken", "columns", "index", "issues", "number", "sheet", "values")

    def __init__(self, sheet: str, number: int, values: Sequence[Value], layout: RowLayout) -> None:
        self.sheet = sheet
        self.number = number
        self.values = values
        self.index = layout.index
        self.columns = layout.columns
        self.issues: list[Issue] = []
        self.broken: frozenset[Field] = _NOTHING_BROKEN  # a new set only for a row with an error cell

    def get(self, fld: Field) -> CellValue:
        """The cell's value, None when empty (spaces only count as empty); an Excel error is reported here."""
        i = self.index.get(fld)
        if i is None:
            return None
        value = self.values[i]
        if type(value) is str:
            return value if value and not value.isspace() else None
        if type(value) is CellError:
            self._excel_error(fld, value)
            return None
        return value  # type: ignore[return-value]  # not a CellError: its type was checked just above

    def has(self, fld: Field) -> bool:
        """The cell holds something, even an error: for deciding what the row is about."""
        i = self.index.get(fld)
        if i is None:
            return False
        value = self.values[i]
        return value is not None and not (type(value) is str and (not value or value.isspace()))

    def cell(self, fld: Field) -> SourceCell:
        i = self.index.get(fld)
        return SourceCell(
            self.sheet, self.number, self.columns.get(fld, "?"), None if i is None else self.values[i]
        )

    def text(self, fld: Field) -> str | None:
        """A text field, trimmed (with a warning when that changed it)."""
        i = self.index.get(fld)
        if i is None:
            return None
        value = self.values[i]
        if type(value) is str and value.isascii() and value.strip() is value:
            return value or None  # the common case (str.strip gives back the same object when nothing goes)
        if value is None or self.get(fld) is None:
            return None
        text, issue = repair_text(self.cell(fld), fld)
        if issue is not None:
            self.issues.append(issue)
        return text

    def add(self, issue: Issue | None) -> None:
        if issue is not None:
            self.issues.append(issue)

    def fail(self, code: str, fld: Field, text: str) -> None:
        """An error at `fld`'s cell, or at the row when the sheet has no such column."""
        where = (self.sheet, self.number, self.columns.get(fld))
        self.issues.append(at_row(Severity.ERROR, code, where, fld, text))

    def warn(self, code: str, fld: Field, text: str) -> None:
        where = (self.sheet, self.number, self.columns.get(fld))
        self.issues.append(at_row(Severity.WARNING, code, where, fld, text))

    def _excel_error(self, fld: Field, value: CellError) -> None:
        self.broken = self.broken | {fld}
        label = fld.label.lower()
        self.issues.append(
            error(
                "cell.excel_error",
                self.cell(fld),
                fld,
                f"the cell shows the Excel error {value.code}, so the {label} is unknown. Fix the formula "
                "that "
                f"gives the error, or type the {label} in.",
            )
        )


def _relocate(issue: Issue, row: _Row) -> Issue:
    """A cached issue moved to the same column of another row (its message starts with the cell reference)."""
    if issue.row == row.number and issue.sheet == row.sheet:
        return issue
    column = issue.column
    _, _, rest = issue.message.partition(": ")
    where = f"{column}{row.number}" if column else f"Row {row.number}"
    return Issue(issue.severity, issue.code, f"{where}: {rest}", row.sheet, row.number, column, issue.field)


_MISS: Any = object()


@dataclass(frozen=True, slots=True)
class _Card:
    """What a row's product, delivery type, value, quantity and date cells came to, when they raised no issue:
    rows with the same cells get it without checking them again (see `RowValidator._card_key`)."""

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
    ) -> _Card:
        r = recipient
        return cls(product, kind, wants, r.product_id, r.currency, r.value, r.quantity, r.delivery_date)

    def give(self, recipient: Recipient) -> tuple[Product | None, DeliveryType | None, Field | None]:
        """Set what the cells came to on `recipient`; returns the product, delivery type and contact wanted."""
        recipient.product_id, recipient.currency = self.product_id, self.currency
        recipient.delivery_type, recipient.value = self.kind, self.value
        recipient.quantity, recipient.delivery_date = self.quantity, self.delivery_date
        return self.product, self.kind, self.wants


_CARD_FIELDS = (_PRODUCT, _TYPE, _VALUE, _QUANTITY, _DATE)


def _key(value: CellValue) -> Hashable:
    """A cache key that keeps 1, 1.0 and True apart (they are equal as dict keys)."""
    return value if type(value) is str else (type(value), value)


class RowValidator:
    """Checks rows against the catalog and the options. One validator serves one import: it caches.

    Values that repeat down a column (products, amounts, delivery types, countries, dates) are checked once
    and the answer reused; that is most of what makes 100,000 rows quick. Rows whose product, delivery type,
    value, quantity and date cells all raised no issue leave what those cells came to as a `_Card`: the next
    row with the same five cells takes it whole (a sheet with a delivery type column has a few such
    combinations, repeated down thousands of rows).
    """

    def __init__(
        self,
        catalog: Catalog,
        options: ValidationOptions | None = None,
        earlier: EarlierPayments | None = None,
        pay_again: PayAgain | None = None,
    ) -> None:
        self.catalog = catalog
        self.options = options or ValidationOptions()
        self.earlier = earlier or NO_EARLIER_PAYMENTS
        # The rows the user chose to pay again: the Review grid adds and removes them, then checks them again.
        self.pay_again = pay_again or PayAgain()
        self.sheet_notes: dict[tuple[str, str], Issue] = {}
        self._caches: dict[Field, dict[Hashable, Outcome]] = defaultdict(dict)
        # The answers `_caches` holds that came with no issue, by key: most rows carry a product, amount,
        # delivery type and date seen before, and fine; one look-up here answers them, without `_cached`.
        self._quiet: dict[Field, dict[Hashable, Any]] = defaultdict(dict)
        self._products, self._types = self._quiet[_PRODUCT], self._quiet[_TYPE]
        self._values, self._dates = self._quiet[_VALUE], self._quiet[_DATE]
        self._names = _names_index(catalog)
        self._cards: dict[Hashable, _Card] = {}
        self._card_layout: RowLayout | None = None
        self._card_cells: Callable[[Sequence[Value]], tuple[Value, ...]] | None = None

    def validate_record(
        self, record: RawRecord, columns: Mapping[Field, str] | None = None
    ) -> tuple[Recipient, list[Issue]]:
        """Check one row read from a workbook (or edited in the grid). `columns` are the sheet's column
        letters by field, so that an empty cell the record leaves out is still named by its cell."""
        fields = list(record.cells)
        letters = {**(columns or {}), **{fld: cell.column for fld, cell in record.cells.items()}}
        layout = RowLayout.of(fields, letters)
        return self.validate(record.sheet, record.row, [record.cells[f].value for f in fields], layout)

    def validate(
        self, sheet: str, number: int, values: Sequence[Value], layout: RowLayout
    ) -> tuple[Recipient, list[Issue]]:
        """Check one row: its raw values, laid out as `layout` says (one layout serves a whole sheet)."""
        row = _Row(sheet, number, values, layout)
        recipient = Recipient(f"{sheet}!{number}", sheet, number, values, layout)
        self._names_of(row, recipient)
        key = self._card_key(layout, values)
        card = self._cards.get(key) if key is not None else None
        issues_before = len(row.issues)
        if card is not None:
            product, kind, wants = card.give(recipient)
        else:
            product, kind, wants = self._card_cells_checked(row, recipient)
        quiet = len(row.issues) == issues_before
        if kind is _DIGITAL or kind is None:
            self._digital(row, recipient, wants, checked=kind is not None)
        elif kind is _PHYSICAL:
            self._physical(row, recipient)
        if product is not None and kind is not None and kind not in product.delivery_types:
            self._not_available(row, product, kind)
            quiet = False
        self._personalization(row, recipient)
        index = row.index
        if _DATE in index and card is None:
            dates_before = len(row.issues)
            self._delivery_date(row, recipient)
            quiet = quiet and len(row.issues) == dates_before
        if card is None and key is not None and quiet:
            self._keep_card(key, _Card.of(recipient, product, kind, wants))
        if _BRANDING in index:
            self._branding(row, recipient)
        recipient.reference = row.text(_REFERENCE)
        recipient.identity = identity_of(recipient)
        if self.earlier:
            self._earlier_run(row, recipient)
        issues = row.issues
        return recipient, _without_moot_repairs(issues) if len(issues) > 1 else issues

    def _card_cells_checked(
        self, row: _Row, recipient: Recipient
    ) -> tuple[Product | None, DeliveryType | None, Field | None]:
        """Product, delivery type, value and quantity, checked and set on `recipient`."""
        product = self._product(row, recipient)
        kind, wants = self._delivery_type(row, product)
        recipient.delivery_type = kind
        self._value(row, recipient, product)
        self._quantity(row, recipient)
        return product, kind, wants

    def _card_key(self, layout: RowLayout, values: Sequence[Value]) -> Hashable | None:
        """The row's product, delivery type, value, quantity and date cells as they are (with their types, so
        that 1, 1.0 and True stay apart), or None when the sheet has no delivery type column (the type is then
        worked out from the whole row). Most rows repeat a few such combinations."""
        if layout is not self._card_layout:
            self._card_layout, self._cards = layout, {}
            present = [layout.index[f] for f in _CARD_FIELDS if f in layout.index]
            # The first position twice: a tuple even when the type is the only one of the five columns.
            self._card_cells = itemgetter(*present, present[0]) if _TYPE in layout.index else None
        if self._card_cells is None:
            return None
        cells = self._card_cells(values)
        return cells, tuple(map(type, cells))

    def _keep_card(self, key: Hashable, card: _Card) -> None:
        if len(self._cards) >= _CACHE_LIMIT:
            self._cards.clear()
        self._cards[key] = card

    def _cached(
        self, row: _Row, fld: Field, key: Hashable, compute: Callable[..., Outcome], *context: Any
    ) -> Any:
        """What `compute(cell, *context)` gives for `fld`'s cell in `row`, worked out once per distinct `key`
        (the cell's value and the context) and reused; its issues are added to `row`, moved to its cell."""
        cache = self._caches[fld]
        found = cache.get(key)
        if found is None:
            found = compute(row.cell(fld), *context)
            quiet = self._quiet[fld]
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
                quiet.clear()
            cache[key] = found
            if not found[1]:
                quiet[key] = found[0]
        value, issues = found
        for issue in issues:
            row.issues.append(_relocate(issue, row))
        return value

    def _sheet_note(self, sheet: str, code: str, fld: Field, text: str) -> None:
        """A warning about a whole sheet, given once however many rows it concerns."""
        self.sheet_notes.setdefault(
            (sheet, code), Issue(Severity.WARNING, code, text, sheet, None, None, fld)
        )

    # -- names and product -------------------------------------------------------------------------------

    def _names_of(self, row: _Row, recipient: Recipient) -> None:
        first, last = row.text(_FIRST), row.text(_LAST)
        full = row.text(_FULL) if _FULL in row.index else None  # most sheets name people by first and last
        recipient.first_name, recipient.last_name = first, last
        recipient.name = full or (f"{first} {last}" if first and last else first or last)
        if len(first or "") + len(last or "") + len(full or "") > MAX_NAME_LENGTH:  # rare: find the long one
            for fld, text in ((_FIRST, first), (_LAST, last), (_FULL, full)):
                if text is not None and len(text) > MAX_NAME_LENGTH:
                    row.fail(f"{fld.value}.too_long", fld, _too_long(fld, text, MAX_NAME_LENGTH))

    def _product(self, row: _Row, recipient: Recipient) -> Product | None:
        value = row.get(_PRODUCT)
        if value is None:
            if _PRODUCT not in row.broken:
                row.fail(
                    "product.missing",
                    _PRODUCT,
                    f"no product given. Expected a product id from the catalog"
                    f"{self._examples()}. Type the product's id (or its name).",
                )
            return None
        key = _key(value)
        found: tuple[Product | None, str | None] = self._products.get(key, _MISS)
        if found is _MISS:
            found = self._cached(row, _PRODUCT, key, self._find_product)
        product, product_id = found
        recipient.product_id = product_id
        if product is not None:
            recipient.currency = product.currency
        return product

    def _find_product(self, cell: SourceCell) -> Outcome:
        text, trimmed = repair_text(cell, _PRODUCT)
        notes = (trimmed,) if trimmed else ()
        if self.catalog.is_empty:
            return (None, text), notes
        product = self.catalog.product(text)
        if product is not None:
            return (product, product.id), notes
        named = self._names.get(text.casefold(), [])
        if len(named) == 1:
            return (named[0], named[0].id), (
                warning(
                    "product.name_matched",
                    cell,
                    _PRODUCT,
                    f"{shown(cell.value)} is the name of product {named[0].id}; used that product. Nothing "
                    "to "
                    "do; product ids avoid doubt when two products have similar names.",
                ),
            )
        if len(named) > 1:
            return (None, None), (
                error(
                    "product.ambiguous",
                    cell,
                    _PRODUCT,
                    f"{shown(cell.value)} is the name of several products ({listed(p.id for p in named)}). "
                    "Expected one product id. Type the id of the one you mean.",
                ),
            )
        left_out = self.catalog.left_out_product(text)
        if left_out is not None:
            return (None, None), (
                error(
                    "product.unreadable",
                    cell,
                    _PRODUCT,
                    f"{shown(cell.value)} is in the vendor's catalog, but its entry cannot be used: "
                    f"{left_out.reason} Choose another product, or ask the vendor to correct it and refresh "
                    "the catalog.",
                ),
            )
        return (None, None), (
            error(
                "product.unknown",
                cell,
                _PRODUCT,
                f"{shown(cell.value)} is not a product in the catalog{self._suggest(text)}. Expected a "
                "product "
                f"id{self._examples()}. Type one of the catalog's product ids, or refresh the catalog if the "
                "product is new.",
            ),
        )

    def _examples(self) -> str:
        ids = sorted(self.catalog.products)
        if not ids:
            return ""
        return " such as " + ", ".join(ids[:6]) + (" and others" if len(ids) > 6 else "")

    def _suggest(self, text: str) -> str:
        choices = {p.id.casefold(): p.id for p in self.catalog.products.values()}
        choices.update({p.name.casefold(): p.id for p in self.catalog.products.values()})
        close = difflib.get_close_matches(text.casefold(), list(choices), n=1, cutoff=0.75)
        return f" (did you mean {choices[close[0]]}?)" if close else ""

    # -- delivery type -----------------------------------------------------------------------------------

    def _delivery_type(self, row: _Row, product: Product | None) -> tuple[DeliveryType | None, Field | None]:
        value = row.get(_TYPE)
        if value is not None:
            key = _key(value)
            found: tuple[DeliveryType | None, Field | None] = self._types.get(key, _MISS)
            if found is _MISS:
                found = self._cached(row, _TYPE, key, _read_delivery_type)
            return found
        if _TYPE in row.broken:
            return None, None
        if self.options.default_delivery_type is not None:
            return self.options.default_delivery_type, None
        return self._infer_delivery_type(row, product), None

    def _infer_delivery_type(self, row: _Row, product: Product | None) -> DeliveryType | None:
        has_contact = row.has(_EMAIL) or row.has(_SMS)
        has_address = row.has(_LINE1)
        if has_contact != has_address:
            kind = _DIGITAL if has_contact else _PHYSICAL
            why = (
                "the row has an email address or SMS number and no postal address"
                if has_contact
                else "the row has a postal address and no email address or SMS number"
            )
        elif product is not None and len(product.delivery_types) == 1:
            (kind,) = product.delivery_types
            why = f"{product.id} is only sent that way"
        else:
            row.fail(
                "delivery_type.missing",
                _TYPE,
                "no delivery type given, and the row does not show which "
                f"one is meant. Expected {_TYPE_WORDS}. Type one in the delivery column, or choose a "
                "default delivery type for the import.",
            )
            return None
        if _TYPE in row.columns:
            row.warn(
                "delivery_type.inferred",
                _TYPE,
                f"no delivery type given; sending as {kind} because "
                f"{why}. Type {_TYPE_WORDS} here to choose it yourself.",
            )
        else:
            self._sheet_note(
                row.sheet,
                "delivery_type.inferred",
                _TYPE,
                f"Sheet “{row.sheet}” has no delivery type column, so each row's type was worked "
                "out from what it holds: an email address or SMS number means DigitalDelivery, a "
                "postal address means PhysicalShipment. Add a Delivery column (email, sms, link "
                "or mail) or choose a default delivery type to decide it yourself.",
            )
        return kind

    def _not_available(self, row: _Row, product: Product, kind: DeliveryType) -> None:
        offered = ", ".join(sorted(product.delivery_types))
        where = _TYPE if _TYPE in row.columns else _PRODUCT
        row.fail(
            "delivery_type.not_available",
            where,
            f"{product.id} cannot be sent as {kind}; it is offered "
            f"as {offered}. Change the delivery type or pick a product that offers it.",
        )

    # -- value and quantity ------------------------------------------------------------------------------

    def _value(self, row: _Row, recipient: Recipient, product: Product | None) -> None:
        value = row.get(_VALUE)
        if value is None:
            if _VALUE not in row.broken:
                expected = product.describe_values() if product else "the card's face value, such as 25"
                row.fail("value.missing", _VALUE, f"no value given. Expected {expected}. Type the amount.")
            return
        key = (type(value), value, product.id if product else None)
        amount: Amount | None = self._values.get(key, _MISS)
        if amount is _MISS:
            amount = self._cached(row, _VALUE, key, self._read_value, product)
        if amount is None:
            return
        recipient.value = amount.value
        if product is None and amount.currency not in (None, "$"):
            recipient.currency = amount.currency

    def _read_value(self, cell: SourceCell, product: Product | None) -> Outcome:
        amount, repaired = repair_amount(cell, _VALUE, text_source=self.options.text_source)
        notes = (repaired,) if repaired else ()
        if amount is None:
            expected = f" ({product.describe_values()})" if product else ""
            return None, (
                error(
                    "value.not_a_number",
                    cell,
                    _VALUE,
                    f"{shown(cell.value)} is not an amount. Expected a number such as 25{expected}. Type the "
                    "value as a plain number.",
                ),
            )
        problem = self._value_problem(cell, amount, product)
        return (None, (*notes, problem)) if problem else (amount, notes)

    def _value_problem(self, cell: SourceCell, amount: Amount, product: Product | None) -> Issue | None:
        if product is None:
            if amount.value > 0 or not self.catalog.is_empty:
                return None  # an unknown product has its own error; its value cannot be judged
            return error(
                "value.not_allowed",
                cell,
                _VALUE,
                f"{plain_number(amount.value)} is not a card value. "
                "Expected an amount above 0. Type the value.",
            )
        if not _same_currency(amount.currency, product.currency):
            return error(
                "value.currency_mismatch",
                cell,
                _VALUE,
                f"{shown(cell.value)} is in {amount.currency}, but {product.id} is sold in "
                f"{product.currency}. Expected {product.describe_values()}. Change the amount, or pick a "
                f"product sold in {amount.currency}.",
            )
        if product.allows_value(amount.value):
            return None
        cents = product.denomination_type is DenominationType.VARIABLE and not has_cents_at_most(amount.value)
        rule = product.describe_values() + (", with at most 2 decimals" if cents else "")
        return error(
            "value.not_allowed",
            cell,
            _VALUE,
            f"{plain_number(amount.value)} {product.currency} is not a value {product.id} allows. Expected "
            f"{rule}. Change the value, or pick a product that offers it.",
        )

    def _quantity(self, row: _Row, recipient: Recipient) -> None:
        value = row.get(_QUANTITY)
        if value is None:
            recipient.quantity = None if _QUANTITY in row.broken else 1
        elif type(value) is int and 1 <= value <= self.options.max_quantity:
            recipient.quantity = value
        else:
            recipient.quantity = self._cached(row, _QUANTITY, _key(value), self._read_quantity)

    def _read_quantity(self, cell: SourceCell) -> Outcome:
        number, repaired = repair_number(cell, _QUANTITY, text_source=self.options.text_source)
        notes = (repaired,) if repaired else ()
        top = self.options.max_quantity
        expected = f"Expected a whole number of cards from 1 to {top}"
        if number is None:
            problem = error(
                "quantity.not_a_number",
                cell,
                _QUANTITY,
                f"{shown(cell.value)} is not a number of cards. {expected}. Type the number (1 if unsure).",
            )
        elif number != number.to_integral_value():
            problem = error(
                "quantity.not_whole",
                cell,
                _QUANTITY,
                f"{plain_number(number)} is not a whole number. {expected}. Type a whole number.",
            )
        elif not 1 <= number <= top:
            problem = error(
                "quantity.out_of_range",
                cell,
                _QUANTITY,
                f"{plain_number(number)} cards cannot be "
                f"ordered in one row. {expected}. Change the quantity; split more than {top} cards "
                "over several rows.",
            )
        else:
            return int(number), notes
        return None, (*notes, problem)

    # -- digital -----------------------------------------------------------------------------------------

    def _digital(self, row: _Row, recipient: Recipient, wants: Field | None, checked: bool) -> None:
        """Email and SMS number; `checked` False (delivery type unknown): check what is there, require "
        "nothing."""
        recipient.email = self._email(row)
        recipient.sms = self._sms(row)
        if not checked or (recipient.email and wants is not _SMS) or (recipient.sms and wants is not _EMAIL):
            return
        has_email, has_sms = row.has(_EMAIL), row.has(_SMS)
        if not has_email and not has_sms:
            where = _SMS if wants is _SMS or _EMAIL not in row.columns else _EMAIL
            row.fail(
                "contact.missing",
                where,
                "no email address or SMS number, and a digital card needs one "
                "of them. Expected an email address (name@example.com) or a mobile number. Type one, or "
                "change the delivery type to link to hand the card out yourself.",
            )
        elif wants is _EMAIL and not has_email:
            row.fail(
                "email.missing",
                _EMAIL,
                "the delivery type says email, but there is no email address. "
                "Expected an address such as name@example.com. Type it, or change the delivery type to "
                "sms.",
            )
        elif wants is _SMS and not has_sms:
            row.fail(
                "sms.missing",
                _SMS,
                "the delivery type says SMS, but there is no SMS number. Expected a "
                "mobile number such as +1 555 555 0123. Type it, or change the delivery type to email.",
            )

    def _email(self, row: _Row) -> str | None:
        text = row.text(_EMAIL)
        if text is None:
            return None
        quick = quick_email(text)
        if quick is not None:
            return quick
        reading = read_email(text)
        if reading.normalized is None:
            row.fail(
                "email.invalid",
                _EMAIL,
                f"{shown(text)} is not a valid email address: {reading.problem}. "
                "Correct the address, or clear the cell and give an SMS number instead.",
            )
        return reading.normalized

    def _sms(self, row: _Row) -> str | None:
        value = row.get(_SMS)
        if value is None:
            return None
        if type(value) is str:
            quick = quick_sms_number(value)
            if quick is not None:
                return quick
        cell = row.cell(_SMS)
        region = self.options.default_region
        reading, repaired = repair_phone(cell, _SMS, region)
        row.add(repaired)
        if reading.e164 is None:
            row.fail(
                "sms.invalid",
                _SMS,
                f"{shown(cell.value)} is not a valid phone number. Expected a mobile "
                f"number with its country code, such as +1 555 555 0123 (numbers without one are read as "
                f"{region} numbers). Correct the number, or clear the cell and give an email address "
                "instead.",
            )
            return None
        if not reading.can_sms:
            row.fail(
                "sms.not_mobile",
                _SMS,
                f"{reading.e164} is a valid number but cannot receive SMS (a "
                "landline or a service number). Expected a mobile number. Give a mobile number, or clear "
                "the cell and give an email address instead.",
            )
            return None
        return reading.e164

    # -- physical ----------------------------------------------------------------------------------------

    def _physical(self, row: _Row, recipient: Recipient) -> None:
        address = PhysicalAddress(
            name=recipient.name,
            company=row.text(Field.COMPANY),
            line1=row.text(_LINE1),
            line2=row.text(Field.ADDRESS_LINE2),
            city=row.text(_CITY),
        )
        recipient.address = address
        address.country = self._country(row)
        rules = address_rules(address.country) if address.country else None
        self._require_address_parts(row, address, rules)
        address.state = self._state(row, rules)
        address.zip = self._postal_code(row, rules, address.state)
        address.phone = self._contact_phone(row, address.country)
        recipient.shipping_method_id, recipient.carrier_id = self._shipping(row)

    def _require_address_parts(self, row: _Row, address: PhysicalAddress, rules: AddressRules | None) -> None:
        """Name and street always; the city where the country's addresses need one (all, when the country is
        not known)."""
        if address.name is None and not row.broken & {_FULL, _FIRST, _LAST}:
            where = _FIRST if _FIRST in row.columns and _FULL not in row.columns else _FULL
            row.fail(
                "name.missing",
                where,
                "no recipient name, and a mailed card needs one. Expected the name "
                "to print on the envelope. Type it.",
            )
        if address.line1 is None and _LINE1 not in row.broken:
            row.fail(
                "address_line1.missing",
                _LINE1,
                "no street address, and a mailed card needs one. "
                "Expected the first address line, such as 1 Main St. Type it.",
            )
        if address.city is None and _CITY not in row.broken and (rules is None or rules.needs_city):
            needs = f"addresses in {_country_words(rules)} need one" if rules else "a mailed card needs one"
            row.fail("city.missing", _CITY, f"no city, and {needs}. Expected the town or city. Type it.")

    def _country(self, row: _Row) -> str | None:
        value = row.get(_COUNTRY)
        if value is None:
            return None if _COUNTRY in row.broken else self._default_country(row)
        code: str | None = self._cached(row, _COUNTRY, _key(value), _read_country)
        return code

    def _default_country(self, row: _Row) -> str:
        country = self.options.default_region
        if _COUNTRY in row.columns:
            row.warn(
                "country.assumed",
                _COUNTRY,
                f"no country given; assumed {country} (the default country). "
                "Type the country if the address is elsewhere.",
            )
        else:
            self._sheet_note(
                row.sheet,
                "country.assumed",
                _COUNTRY,
                f"Sheet “{row.sheet}” has no country column, so every address is taken to be in "
                f"{country} (the default country). Add a Country column if any address is "
                "elsewhere.",
            )
        return country

    def _state(self, row: _Row, rules: AddressRules | None) -> str | None:
        value = row.get(_STATE)
        if value is None:
            if rules is not None and rules.needs_area and _STATE not in row.broken:
                row.fail(
                    "state.missing",
                    _STATE,
                    f"no {rules.area_word}, and addresses in {_country_words(rules)} need one. "
                    f"Expected {_described_areas(rules)}. Type it.",
                )
            return None
        country = rules.country if rules else None
        code: str | None = self._cached(row, _STATE, (type(value), value, country), _read_state, rules)
        return code

    def _postal_code(self, row: _Row, rules: AddressRules | None, area: str | None) -> str | None:
        value = row.get(_ZIP)
        if value is None:
            if rules is not None and rules.needs_postal_code and _ZIP not in row.broken:
                row.fail(
                    "zip.missing",
                    _ZIP,
                    f"no {rules.postal_word}, and addresses in {_country_words(rules)} need one. "
                    f"Expected {describe_postal_code(rules)}. Type it.",
                )
            return None
        country = rules.country if rules else None
        code: str | None = self._cached(
            row, _ZIP, (type(value), value, country, area), _read_postal_code, rules, area
        )
        return code

    def _contact_phone(self, row: _Row, country: str | None) -> str | None:
        if row.get(_PHONE) is None:
            return None
        cell = row.cell(_PHONE)
        region = country or self.options.default_region
        reading, repaired = repair_phone(cell, _PHONE, region)
        row.add(repaired)
        if reading.e164 is None:
            row.fail(
                "phone.invalid",
                _PHONE,
                f"{shown(cell.value)} is not a valid phone number. Expected a "
                f"number with its country code, such as +1 555 555 0123 (without one it is read as a "
                f"{region} number). Correct it, or clear the cell: the phone is optional.",
            )
        return reading.e164

    def _shipping(self, row: _Row) -> tuple[str | None, str | None]:
        methods = self.catalog.shipping_methods
        method_text, carrier_text = row.text(Field.SHIPPING_METHOD), row.text(Field.CARRIER)
        if not self.catalog.ships:
            why = f" ({self.catalog.shipping_unavailable})" if self.catalog.shipping_unavailable else ""
            row.fail(
                "shipping_method.none_offered",
                Field.SHIPPING_METHOD,
                f"this account is offered no shipping methods{why}, so no card can be mailed through it. "
                "Send this row by email, SMS or link instead, or ask the vendor to enable physical cards "
                "and refresh the catalog.",
            )
            return None, None
        if not methods:
            return method_text or "STANDARD", carrier_text or "DEFAULT"
        default = self._default_shipping_method()
        method = _by_id_or_name(methods, method_text) if method_text else default
        if method is None:
            clear = f", or clear the cell to use {default.id}" if default else ""
            row.fail(
                "shipping_method.unknown",
                Field.SHIPPING_METHOD,
                f"{shown(method_text)} is not a shipping "
                f"method the vendor offers. Expected {listed(sorted(methods))}. Type one of them{clear}.",
            )
            return None, carrier_text
        carriers = {c.id: c for c in method.carriers}
        if not carrier_text:
            return method.id, method.carriers[0].id if method.carriers else None
        carrier = _by_id_or_name(carriers, carrier_text)
        if carrier is None:
            row.fail(
                "carrier.unknown",
                Field.CARRIER,
                f"{shown(carrier_text)} is not a carrier for shipping "
                f"method {method.id}. Expected {listed(carriers)}. Type one of them, or clear the cell to "
                "use the first.",
            )
            return method.id, None
        return method.id, carrier.id

    def _default_shipping_method(self) -> ShippingMethod | None:
        methods = self.catalog.shipping_methods
        wanted = self.options.default_shipping_method or "STANDARD"
        return _by_id_or_name(methods, wanted) or next(iter(methods.values()), None)

    # -- personalisation, date, branding, earlier runs ---------------------------------------------------

    def _personalization(self, row: _Row, recipient: Recipient) -> None:
        defaults = self.options.personalization
        from_name = row.text(_FROM_NAME)
        if from_name is not None and len(from_name) > MAX_NAME_LENGTH:
            row.fail("from_name.too_long", _FROM_NAME, _too_long(_FROM_NAME, from_name, MAX_NAME_LENGTH))
        message = row.text(_MESSAGE)
        if message is not None and len(message) > MAX_MESSAGE_LENGTH:
            row.fail("message.too_long", _MESSAGE, _too_long(_MESSAGE, message, MAX_MESSAGE_LENGTH))
        from_email = self._from_email(row) if _FROM_EMAIL in row.index else None
        recipient.personalization = Personalization(
            recipient.first_name or recipient.name,
            from_name or defaults.from_name,
            from_email or defaults.from_email,
            message or defaults.message,
        )

    def _from_email(self, row: _Row) -> str | None:
        text = row.text(_FROM_EMAIL)
        if text is None:
            return None
        reading = read_email(text)
        if reading.normalized is None:
            row.fail(
                "from_email.invalid",
                _FROM_EMAIL,
                f"{shown(text)} is not a valid email address: "
                f"{reading.problem}. Correct it, or clear the cell to use the run's sender address.",
            )
        return reading.normalized

    def _delivery_date(self, row: _Row, recipient: Recipient) -> None:
        value = row.get(_DATE)
        if value is not None:
            key = _key(value)
            found: date | None = self._dates.get(key, _MISS)
            if found is _MISS:
                found = self._cached(row, _DATE, key, self._read_date)
            recipient.delivery_date = found

    def _read_date(self, cell: SourceCell) -> Outcome:
        found, repaired = repair_date(cell, _DATE, self.options.default_region)
        notes = (repaired,) if repaired else ()
        today = self.options.today
        if found is None:
            return None, (
                error(
                    "delivery_date.invalid",
                    cell,
                    _DATE,
                    f"{shown(cell.value)} is not a date. Expected a date such as {today.isoformat()}, or a "
                    "date "
                    "cell. Type the date, or clear the cell to send at once.",
                ),
            )
        if found < today:
            return None, (
                *notes,
                error(
                    "delivery_date.past",
                    cell,
                    _DATE,
                    f"{found.isoformat()} is in the past (today is {today.isoformat()}). Expected today or a "
                    "later date. Change the date, or clear the cell to send at once.",
                ),
            )
        return found, notes

    def _branding(self, row: _Row, recipient: Recipient) -> None:
        text = row.text(_BRANDING)
        if text is not None and self.catalog.brandings_unavailable and not self.catalog.brandings:
            row.fail(
                "branding.none_offered",
                _BRANDING,
                f"{shown(text)} cannot be used: this account is offered no brandings "
                f"({self.catalog.brandings_unavailable}). Clear the cell to send the standard design.",
            )
            recipient.branding_id = None
            return
        if text is None or not self.catalog.brandings:
            recipient.branding_id = text
            return
        found = _by_id_or_name(self.catalog.brandings, text)
        if found is None:
            row.fail(
                "branding.unknown",
                _BRANDING,
                f"{shown(text)} is not one of your brandings. Expected "
                f"{listed(sorted(self.catalog.brandings))}. Type one of them, or clear the cell for the "
                "standard design.",
            )
        recipient.branding_id = found.id if found else None

    def _earlier_run(self, row: _Row, recipient: Recipient) -> None:
        """An error for a payment an earlier run already made (or is making), unless the user pays again."""
        earlier = self.earlier.find(payment_claims(recipient))
        if earlier is None:
            return
        card = " ".join(
            p for p in (recipient.product_id, plain_number(recipient.value), recipient.currency) if p
        )
        said = f"{recipient.shown_as} already got {card} in {earlier.describe()}."
        reason = self.pay_again.reason_for(recipient.key, recipient.row)
        if reason is not None:
            row.warn(PAID_AGAIN, identity_field(recipient), f"{said}{ON_PURPOSE}{reason}")
            return
        row.fail(
            EARLIER_RUN,
            identity_field(recipient),
            f"{said} Delete this row; if they should get another card, choose Pay again for this row "
            "and say why.",
        )


# -- cached readers: no row state, so their issues can be moved to every row that shares the value ---------


def _read_delivery_type(cell: SourceCell) -> Outcome:
    text, repaired = repair_text(cell, _TYPE)
    found = delivery_type_from_word(text)
    if found is not None:
        return found, (repaired,) if repaired else ()
    return (None, None), (
        error(
            "delivery_type.unknown",
            cell,
            _TYPE,
            f"{shown(cell.value)} is not a delivery type. Expected {_TYPE_WORDS} (or DigitalDelivery, Links, "
            "PhysicalShipment). Type one of them.",
        ),
    )


def _read_country(cell: SourceCell) -> Outcome:
    code, repaired = repair_country(cell, _COUNTRY)
    if code is not None:
        return code, (repaired,) if repaired else ()
    nearest = nearest_country(text_value(cell))
    guess = f" Did you mean {nearest} ({country_name(nearest)})?" if nearest else ""
    return None, (
        error(
            "country.unknown",
            cell,
            _COUNTRY,
            f"{shown(cell.value)} is not a country we recognise. Expected the country's name (in any "
            f"language) or its two-letter code, such as US, DE or GB.{guess} Type the country's code.",
        ),
    )


def _read_state(cell: SourceCell, rules: AddressRules | None) -> Outcome:
    code, repaired = repair_state(cell, _STATE, rules.country if rules else None)
    if code is not None:
        return code, (repaired,) if repaired else ()
    assert rules is not None  # repair_state answers None only for a country with a list of areas
    text = text_value(cell)
    nearest = nearest_area(rules.country, text)
    guess = f" Did you mean {nearest}?" if nearest else ""
    if not rules.needs_area:  # the country lists its areas, but its addresses may leave them out
        return text, (
            warning(
                "state.unknown",
                cell,
                _STATE,
                f"{shown(cell.value)} is not {rules.an_area} of {_country_words(rules)} we know; kept as "
                f"it is.{guess} Check it, or clear the cell: addresses there need no {rules.area_word}.",
            ),
        )
    return None, (
        error(
            "state.unknown",
            cell,
            _STATE,
            f"{shown(cell.value)} is not {rules.an_area} of {_country_words(rules)}. Expected "
            f"{_described_areas(rules)}.{guess} Correct it (and check the country).",
        ),
    )


def _read_postal_code(cell: SourceCell, rules: AddressRules | None, area: str | None) -> Outcome:
    code, repaired = repair_postal_code(cell, _ZIP, rules.country if rules else None)
    notes = (repaired,) if repaired else ()
    if rules is None:
        return code, notes
    word = rules.postal_word
    problem = postal_code_problem(rules.country, code)
    if problem is not None:
        return None, (
            *notes,
            error(
                "zip.invalid",
                cell,
                _ZIP,
                f"{shown(cell.value)} is not a valid {word} for {_country_words(rules)}. Expected {problem}. "
                f"Correct the {word} (and check the country).",
            ),
        )
    if outside_area(rules, code, area):
        assert area is not None  # outside_area is True only for a known area
        return code, (
            *notes,
            warning(
                "zip.other_area",
                cell,
                _ZIP,
                f"{code} is not a {word} of {area_words(rules, area)}: the {word}s there begin otherwise. "
                f"Check the {word} and the {rules.area_word}; one of them is likely mistyped.",
            ),
        )
    return code, notes


def _country_words(rules: AddressRules) -> str:
    """'United States (US)': how a country is named in messages."""
    return f"{rules.name} ({rules.country})"


def _described_areas(rules: AddressRules) -> str:
    """'the state's code or name, such as CA or VA'; 'the prefecture's name, such as Tokyo or Saitama'."""
    labels = [area_label(rules, key) for key in rules.examples]
    if not labels:
        return f"the {rules.area_word}"
    coded = any(key.isascii() and len(place_key(key)) <= _LONGEST_AREA_CODE for key in rules.examples)
    kind = "code or name" if coded else "name"
    return f"the {rules.area_word}'s {kind}, such as {' or '.join(labels)}"


def _without_moot_repairs(issues: list[Issue]) -> list[Issue]:
    """Drop a repair's warning where the same cell has an error: the error alone says what to do there."""
    failed = {issue.column for issue in issues if issue.severity is Severity.ERROR and issue.column}
    if not failed:
        return issues
    return [i for i in issues if not (i.column in failed and i.code.startswith("repair."))]


def identity_field(recipient: Recipient) -> Field:
    """The column that names the recipient, where warnings about them are placed."""
    if recipient.delivery_type is _DIGITAL:
        return _EMAIL if recipient.email else _SMS
    if recipient.delivery_type is _LINKS and recipient.reference:
        return _REFERENCE
    columns = recipient.columns
    return next((f for f in (_FULL, _FIRST, _LINE1) if f in columns), _FULL)


def _names_index(catalog: Catalog) -> dict[str, list[Product]]:
    index: dict[str, list[Product]] = defaultdict(list)
    for product in catalog.products.values():
        index[product.name.strip().casefold()].append(product)
    return index


def _by_id_or_name(items: Mapping[str, T], text: str) -> T | None:
    """An item of the catalog by id, else by name, ignoring case and surrounding spaces."""
    wanted = text.strip().casefold()
    for key, item in items.items():
        if key.casefold() == wanted or str(getattr(item, "name", "")).casefold() == wanted:
            return item
    return None


def _same_currency(written: str | None, currency: str) -> bool:
    if written is None or written == currency:
        return True
    return written == "$" and currency in _DOLLAR_CURRENCIES


def _too_long(fld: Field, text: str, limit: int) -> str:
    return (
        f"the {fld.label.lower()} is {len(text):,} characters long. Expected at most {limit:,}. Shorten it."
    )


def listed(items: Iterable[str], last: str = "or") -> str:
    """'A, B or C'."""
    names = list(items)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"
