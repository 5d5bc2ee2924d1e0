"""A row's card against the catalog: the product (by id, or by its name), the value, the quantity, the branding.

Quantity is a whole number from 1 to the options' maximum per row (1 when there is no quantity column). With
an empty catalog (never fetched), the product and value are taken as written; the import says so once
(`catalog.missing`).
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from app.domain.catalog import Catalog, DenominationType, Product, by_id_or_name, has_cents_at_most
from app.domain.cells import error, shown, warning
from app.domain.fields import Field
from app.domain.issues import Issue
from app.domain.recipient import Recipient
from app.domain.records import SourceCell
from app.domain.repairs import Amount, plain_number, repair_amount, repair_number, repair_text
from app.domain.validation.answers import Answer, AnswerCache, value_key
from app.domain.validation.options import ValidationOptions
from app.domain.validation.row import RowCells
from app.domain.validation.wording import listed

_PRODUCT, _VALUE, _QUANTITY, _BRANDING = Field.PRODUCT, Field.VALUE, Field.QUANTITY, Field.BRANDING
_DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN", "CLP", "COP", "ARS"})


class ProductChecks:
    """The product, value, quantity and branding of each row, as the catalog offers them."""

    def __init__(self, catalog: Catalog, options: ValidationOptions, answers: AnswerCache) -> None:
        self._catalog = catalog
        self._options = options
        self._names = _names_index(catalog)
        self._products = answers.field(_PRODUCT)
        self._values = answers.field(_VALUE)
        self._quantities = answers.field(_QUANTITY)

    def product(self, row: RowCells, recipient: Recipient) -> Product | None:
        """The row's product (None: unknown, or the catalog is empty); sets its id and currency."""
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
        found: tuple[Product | None, str | None] = self._products.answer(
            row, value_key(value), self._find_product
        )
        product, product_id = found
        recipient.product_id = product_id
        if product is not None:
            recipient.currency = product.currency
        return product

    def value(self, row: RowCells, recipient: Recipient, product: Product | None) -> None:
        """The card's face value, checked against what `product` allows."""
        value = row.get(_VALUE)
        if value is None:
            if _VALUE not in row.broken:
                expected = product.describe_values() if product else "the card's face value, such as 25"
                row.fail("value.missing", _VALUE, f"no value given. Expected {expected}. Type the amount.")
            return
        key = (type(value), value, product.id if product else None)
        amount: Amount | None = self._values.answer(row, key, self._read_value, product)
        if amount is None:
            return
        recipient.value = amount.value
        if product is None and amount.currency not in (None, "$"):
            recipient.currency = amount.currency

    def quantity(self, row: RowCells, recipient: Recipient) -> None:
        value = row.get(_QUANTITY)
        if value is None:
            recipient.quantity = None if _QUANTITY in row.broken else 1
        elif type(value) is int and 1 <= value <= self._options.max_quantity:
            recipient.quantity = value
        else:
            recipient.quantity = self._quantities.answer(row, value_key(value), self._read_quantity)

    def branding(self, row: RowCells, recipient: Recipient) -> None:
        catalog = self._catalog
        text = row.text(_BRANDING)
        if text is not None and catalog.brandings_unavailable and not catalog.brandings:
            row.fail(
                "branding.none_offered",
                _BRANDING,
                f"{shown(text)} cannot be used: this account is offered no brandings "
                f"({catalog.brandings_unavailable}). Clear the cell to send the standard design.",
            )
            recipient.branding_id = None
            return
        if text is None or not catalog.brandings:
            recipient.branding_id = text
            return
        found = by_id_or_name(catalog.brandings, text)
        if found is None:
            row.fail(
                "branding.unknown",
                _BRANDING,
                f"{shown(text)} is not one of your brandings. Expected "
                f"{listed(sorted(catalog.brandings))}. Type one of them, or clear the cell for the "
                "standard design.",
            )
        recipient.branding_id = found.id if found else None

    # -- readers, cached: they look at nothing but the cell and their arguments -----------------------------

    def _find_product(self, cell: SourceCell) -> Answer:
        text, trimmed = repair_text(cell, _PRODUCT)
        notes = (trimmed,) if trimmed else ()
        if self._catalog.is_empty:
            return (None, text), notes
        product = self._catalog.product(text)
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
        left_out = self._catalog.left_out_product(text)
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
        ids = sorted(self._catalog.products)
        if not ids:
            return ""
        return " such as " + ", ".join(ids[:6]) + (" and others" if len(ids) > 6 else "")

    def _suggest(self, text: str) -> str:
        products = self._catalog.products.values()
        choices = {p.id.casefold(): p.id for p in products}
        choices.update({p.name.casefold(): p.id for p in products})
        close = difflib.get_close_matches(text.casefold(), list(choices), n=1, cutoff=0.75)
        return f" (did you mean {choices[close[0]]}?)" if close else ""

    def _read_value(self, cell: SourceCell, product: Product | None) -> Answer:
        amount, repaired = repair_amount(cell, _VALUE, text_source=self._options.text_source)
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
            if amount.value > 0 or not self._catalog.is_empty:
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

    def _read_quantity(self, cell: SourceCell) -> Answer:
        number, repaired = repair_number(cell, _QUANTITY, text_source=self._options.text_source)
        notes = (repaired,) if repaired else ()
        top = self._options.max_quantity
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


def _names_index(catalog: Catalog) -> dict[str, list[Product]]:
    index: dict[str, list[Product]] = defaultdict(list)
    for product in catalog.products.values():
        index[product.name.strip().casefold()].append(product)
    return index


def _same_currency(written: str | None, currency: str) -> bool:
    if written is None or written == currency:
        return True
    return written == "$" and currency in _DOLLAR_CURRENCIES
