"""A row's delivery type: read from the words people write, taken from the import's default, or inferred.

A per-row column (email, e-mail, sms, text, digital, link, links, claim link, mail, post, physical, ship, …
and the API's own names, any case), else the import's default. With neither, it is inferred only when
unambiguous (an email or SMS number and no address: DigitalDelivery; an address and no email or SMS:
PhysicalShipment; a product sold one way only: that way), with a warning; otherwise an error. A row that
says "email" or "sms" needs that contact, not just either: the type comes with the contact it wants.
"""

from __future__ import annotations

import re

from app.domain.catalog import DeliveryType, Product
from app.domain.cells import error, shown
from app.domain.fields import Field
from app.domain.records import SourceCell
from app.domain.repairs import repair_text
from app.domain.validation.answers import Answer, AnswerCache, value_key
from app.domain.validation.options import ValidationOptions
from app.domain.validation.row import RowCells, SheetNotes

TYPE_WORDS = "email, sms, link or mail"

_EMAIL, _SMS, _LINE1 = Field.EMAIL, Field.SMS, Field.ADDRESS_LINE1
_PRODUCT, _TYPE = Field.PRODUCT, Field.DELIVERY_TYPE
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


class DeliveryTypeChecks:
    """The delivery type of each row, and whether its product is offered that way."""

    def __init__(self, options: ValidationOptions, answers: AnswerCache, notes: SheetNotes) -> None:
        self._default = options.default_delivery_type
        self._answers = answers.field(_TYPE)
        self._notes = notes

    def delivery_type(
        self, row: RowCells, product: Product | None
    ) -> tuple[DeliveryType | None, Field | None]:
        """The row's delivery type and the contact it asks for (None: either, or none)."""
        value = row.get(_TYPE)
        if value is not None:
            found: tuple[DeliveryType | None, Field | None] = self._answers.answer(
                row, value_key(value), _read_delivery_type
            )
            return found
        if _TYPE in row.broken:
            return None, None
        if self._default is not None:
            return self._default, None
        return self._inferred(row, product), None

    def not_available(self, row: RowCells, product: Product, kind: DeliveryType) -> None:
        """The error of a row whose product is not offered as its delivery type."""
        offered = ", ".join(sorted(product.delivery_types))
        where = _TYPE if _TYPE in row.columns else _PRODUCT
        row.fail(
            "delivery_type.not_available",
            where,
            f"{product.id} cannot be sent as {kind}; it is offered "
            f"as {offered}. Change the delivery type or pick a product that offers it.",
        )

    def _inferred(self, row: RowCells, product: Product | None) -> DeliveryType | None:
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
                f"one is meant. Expected {TYPE_WORDS}. Type one in the delivery column, or choose a "
                "default delivery type for the import.",
            )
            return None
        if _TYPE in row.columns:
            row.warn(
                "delivery_type.inferred",
                _TYPE,
                f"no delivery type given; sending as {kind} because "
                f"{why}. Type {TYPE_WORDS} here to choose it yourself.",
            )
        else:
            self._notes.add(
                row.sheet,
                "delivery_type.inferred",
                _TYPE,
                f"Sheet “{row.sheet}” has no delivery type column, so each row's type was worked "
                "out from what it holds: an email address or SMS number means DigitalDelivery, a "
                "postal address means PhysicalShipment. Add a Delivery column (email, sms, link "
                "or mail) or choose a default delivery type to decide it yourself.",
            )
        return kind


def _read_delivery_type(cell: SourceCell) -> Answer:
    """What a delivery type cell names (cached: it looks at nothing but the cell)."""
    text, repaired = repair_text(cell, _TYPE)
    found = delivery_type_from_word(text)
    if found is not None:
        return found, (repaired,) if repaired else ()
    return (None, None), (
        error(
            "delivery_type.unknown",
            cell,
            _TYPE,
            f"{shown(cell.value)} is not a delivery type. Expected {TYPE_WORDS} (or DigitalDelivery, Links, "
            "PhysicalShipment). Type one of them.",
        ),
    )
