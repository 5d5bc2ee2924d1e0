"""Which columns a workbook needs for the delivery types it sends: what the column mapping calls 'missing'.

These are the fields validation cannot do without (a row lacking them is an error whatever it holds). Where
one of several columns will do (an email or an SMS number; a full name or first and last names), the need
is met by any of them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from app.domain.catalog import DeliveryType
from app.domain.fields import Field


@dataclass(frozen=True)
class Need:
    """A column the workbook must have: any one of `fields`, named for the user as `label`."""

    label: str
    fields: tuple[Field, ...]

    def met_by(self, mapped: Collection[Field]) -> bool:
        return any(fld in mapped for fld in self.fields)


_PRODUCT = Need(Field.PRODUCT.label, (Field.PRODUCT,))
_VALUE = Need(Field.VALUE.label, (Field.VALUE,))
_CONTACT = Need("Email or SMS number", (Field.EMAIL, Field.SMS))
_NAME = Need("Name (or first and last name)", (Field.FULL_NAME, Field.FIRST_NAME, Field.LAST_NAME))
_STREET = Need(Field.ADDRESS_LINE1.label, (Field.ADDRESS_LINE1,))
_CITY = Need(Field.CITY.label, (Field.CITY,))

NEEDS: dict[DeliveryType, tuple[Need, ...]] = {
    DeliveryType.DIGITAL: (_PRODUCT, _VALUE, _CONTACT),
    DeliveryType.LINKS: (_PRODUCT, _VALUE),
    DeliveryType.PHYSICAL: (_PRODUCT, _VALUE, _NAME, _STREET, _CITY),
}


def needs_for(kinds: Iterable[DeliveryType]) -> list[Need]:
    """What sending these delivery types needs, each need once, in a steady order."""
    wanted = set(kinds)
    found: list[Need] = []
    for kind in DeliveryType:
        if kind in wanted:
            found.extend(need for need in NEEDS[kind] if need not in found)
    return found


def missing_needs(mapped: Collection[Field], kinds: Iterable[DeliveryType]) -> list[Need]:
    """The needs of `kinds` that no mapped column meets."""
    return [need for need in needs_for(kinds) if not need.met_by(mapped)]
