"""The vendor's field errors (`LineItems[3].Value`) mapped back to the row and cell the value came from."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.domain.fields import Field
from app.domain.redaction import redact

_LINE_PATH = re.compile(r"^LineItems\[(\d+)\](?:\.(.+))?$", re.IGNORECASE)
# `['value']` and `["value"]` (JSONPath's bracket form) → `.value`; `.2` and `.2.` → `[2]`.
_QUOTED_MEMBER = re.compile(r"""\[\s*(['"])(.*?)\1\s*\]""")
_DOTTED_INDEX = re.compile(r"\.(\d+)(?=\.|$)")
_SPACES = re.compile(r"\s+")
# Where the path names the order's line items, after whatever prefix the vendor's framework put before it.
_LINE_ITEMS_AT = re.compile(r"(?:^|\.)(lineitems\[)", re.IGNORECASE)
# Prefixes naming the request itself (Web API's parameter name, JSONPath's root), not a field of it.
_ROOT_PREFIX = re.compile(r"^(?:\$\.?|(?:order|request|model|body|orderrequest|value)\.)+", re.IGNORECASE)

# The wire field (below a line item, case-insensitive) → the fields a row may have read it from, best first.
_WIRE_FIELDS: dict[str, tuple[Field, ...]] = {
    "productid": (Field.PRODUCT,),
    "value": (Field.VALUE,),
    "quantity": (Field.QUANTITY,),
    "brandingid": (Field.BRANDING,),
    "externalid": (),
    "digitaldeliveryaddress": (Field.EMAIL, Field.SMS),
    "digitaldeliveryaddress.email": (Field.EMAIL,),
    "digitaldeliveryaddress.sms": (Field.SMS,),
    "physicaldeliveryaddress": (Field.ADDRESS_LINE1,),
    "physicaldeliveryaddress.shippingmethodid": (Field.SHIPPING_METHOD,),
    "physicaldeliveryaddress.carrierid": (Field.CARRIER,),
    "physicaldeliveryaddress.name": (Field.FULL_NAME, Field.FIRST_NAME, Field.LAST_NAME),
    "physicaldeliveryaddress.company": (Field.COMPANY,),
    "physicaldeliveryaddress.addressline1": (Field.ADDRESS_LINE1,),
    "physicaldeliveryaddress.addressline2": (Field.ADDRESS_LINE2,),
    "physicaldeliveryaddress.city": (Field.CITY,),
    "physicaldeliveryaddress.state": (Field.STATE,),
    "physicaldeliveryaddress.zip": (Field.ZIP,),
    "physicaldeliveryaddress.country": (Field.COUNTRY,),
    "physicaldeliveryaddress.phone": (Field.PHONE,),
    "personalization": (Field.MESSAGE,),
    "personalization.to": (Field.FULL_NAME, Field.FIRST_NAME, Field.LAST_NAME),
    "personalization.fromname": (Field.FROM_NAME,),
    "personalization.fromemail": (Field.FROM_EMAIL,),
    "personalization.message": (Field.MESSAGE,),
    "personalization.deliverydate": (Field.DELIVERY_DATE,),
}


@dataclass(frozen=True)
class RowError:
    """One problem the vendor named for a row: its wire path, our field, the cell, and what is wrong."""

    path: str
    field: Field | None
    cell: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "path": self.path,
            "field": self.field.value if self.field else None,
            "cell": self.cell,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, str | None]) -> RowError:
        field = data.get("field")
        return cls(
            str(data.get("path") or ""),
            Field(field) if field else None,
            data.get("cell"),
            str(data.get("message") or ""),
        )

    def describe(self) -> str:
        return f"{self.cell}: {self.message}" if self.cell else self.message


@dataclass(frozen=True)
class MappedErrors:
    """Field errors sorted: by row key for those naming a line item; the rest are about the whole order."""

    by_row: dict[str, list[RowError]]
    order_level: list[RowError]


def map_field_errors(
    field_errors: Mapping[str, Sequence[str]],
    row_keys: Sequence[str],
    cells: Mapping[str, Mapping[str, str]],
) -> MappedErrors:
    """`LineItems[3].Value` → the 4th line item of the order → its row → that row's cell for Value.

    `row_keys` are the order's rows in line-item order; `cells` maps a row key to {field name: cell ref}.
    A path that names no line item we sent (or none at all, like `Type`) is about the whole order.
    """
    by_row: dict[str, list[RowError]] = {}
    order_level: list[RowError] = []
    for path, messages in field_errors.items():
        message = redact("; ".join(messages) or "refused by the vendor")
        match = _LINE_PATH.match(normalized_path(path))
        if match is None or int(match.group(1)) >= len(row_keys):
            order_level.append(RowError(path, None, None, message))
            continue
        key = row_keys[int(match.group(1))]
        field, cell = _locate(match.group(2), cells.get(key, {}))
        by_row.setdefault(key, []).append(RowError(path, field, cell, message))
    return MappedErrors(by_row, order_level)


def normalized_path(path: str) -> str:
    """A vendor's field path as `LineItems[2].Value` reads it, whatever framework wrote it.

    `order.LineItems[2].Value` (Web API 2 model state), `$.lineItems[2].value` (ProblemDetails),
    `request.lineItems[2]['value']`, `lineItems.2.value`: the prefix before the line items goes, the rest is
    kept (names are matched without regard to case). A path that names no line item loses only a root
    prefix (`order.Type` → `Type`).
    """
    text = _SPACES.sub("", _QUOTED_MEMBER.sub(r".\2", path.strip()))
    text = _DOTTED_INDEX.sub(r"[\1]", text)
    found = _LINE_ITEMS_AT.search(text)
    if found is not None:
        return text[found.start(1) :]
    return _ROOT_PREFIX.sub("", text)


def _locate(sub_path: str | None, row_cells: Mapping[str, str]) -> tuple[Field | None, str | None]:
    """The field a wire sub-path came from, and the row's cell for it (the first candidate the row has)."""
    candidates = _WIRE_FIELDS.get((sub_path or "").casefold(), ())
    for field in candidates:
        if field.value in row_cells:
            return field, row_cells[field.value]
    return (candidates[0], None) if candidates else (None, None)
