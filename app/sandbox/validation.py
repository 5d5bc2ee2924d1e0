"""Checks an order the way the vendor does, naming each bad field (`LineItems[3].Value`) for a 400 answer."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlsplit

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from app.sandbox.catalog import (
    BRANDING_IDS,
    CARRIERS_BY_METHOD,
    DELIVERY_TYPES,
    DIGITAL,
    PHYSICAL,
    PRODUCTS_BY_ID,
    SandboxProduct,
)
from app.sandbox.constants import (
    MAX_CULTURE_LENGTH,
    MAX_LINE_ITEMS,
    MAX_NOTE_LENGTH,
    MAX_QUANTITY,
    PO_NUMBER_MAX_LENGTH,
    USD_PER_UNIT,
)

CENT = Decimal("0.01")
E164 = re.compile(r"\+[1-9]\d{7,14}")
PHYSICAL_REQUIRED = ("Name", "AddressLine1", "Country")
# The sandbox's own simple rule: US addresses need all three; elsewhere they may be empty, as many countries'
# addresses have no state, no postal code or (Singapore, Hong Kong) no city. The app checks each country's
# own rules before it sends.
US_REQUIRED = ("City", "State", "Zip")
PHYSICAL_OPTIONAL = ("AddressLine2", "Company", "Phone")

# Plain ASCII addresses are accepted by one regex: email-validator takes ~25 µs an address, a quarter of the
# sandbox's time for an order of a hundred cards. The pattern is narrower than the rules: anything it does not
# accept (internationalised, quoted, 1-letter or special-use top-level domains, '--' in a label, long parts)
# goes to email-validator, so it can only agree with it (tests/sandbox/test_email_check.py checks).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+([A-Za-z]{{2,63}}))")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_MAX_LOCAL = 64
_MAX_ADDRESS = 254

FieldErrors = dict[str, list[str]]


def money(amount: Decimal) -> Decimal:
    """Round to cents, half up, as invoices do."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class InvalidOrder(Exception):
    """The order is malformed: `errors` maps each field path to what is wrong with it."""

    def __init__(self, errors: FieldErrors, message: str = "The order is not valid.") -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


@dataclass(frozen=True)
class LineRequest:
    """One accepted line item of an order request."""

    product: SandboxProduct
    value: Decimal
    quantity: int
    external_id: str | None
    email: str | None

    # Value less the discount, plus the fee, in cents, times the quantity; in the product's currency.
    cost: Decimal = dataclasses.field(init=False)
    cost_usd: Decimal = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        # Worked out once here: the order's total and each stored line item need them.
        discounted = self.value * (Decimal(1) - self.product.discount_percentage / Decimal(100))
        cost = money(discounted + self.product.fee) * self.quantity
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "cost_usd", money(cost * USD_PER_UNIT[self.product.currency]))


@dataclass(frozen=True)
class OrderRequest:
    """A valid `POST /v1/Orders` body."""

    type: str
    po_number: str
    lines: tuple[LineRequest, ...]
    webhook_url: str | None

    @property
    def cards(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def cost_usd(self) -> Decimal:
        return sum((line.cost_usd for line in self.lines), Decimal(0))


def field(obj: dict[str, Any], name: str) -> Any:
    """A member of a JSON object, its name matched without regard to case (as the vendor's framework does)."""
    if name in obj:
        return obj[name]
    keys = tuple(obj)
    folded = _FOLDED_KEYS.get(keys)
    if folded is None:
        folded = {key.lower(): key for key in reversed(keys)}  # reversed: the first spelling wins
        if len(_FOLDED_KEYS) < _MAX_KEY_SETS:
            _FOLDED_KEYS[keys] = folded
    key = folded.get(name.lower())
    return None if key is None else obj[key]


# Each set of keys seen, lower-cased: an order's line items share theirs, and each looks up absent optional
# members (BrandingId, Personalization, Sms) that would otherwise cost a scan of its keys. Bounded, as
# clients can send any keys.
_FOLDED_KEYS: dict[tuple[str, ...], dict[str, str]] = {}
_MAX_KEY_SETS = 1024


def validate_order(body: Any) -> OrderRequest:
    """The order the body describes, or InvalidOrder naming every field that is wrong."""
    if not isinstance(body, dict):
        raise InvalidOrder({}, "The request body must be a JSON object.")
    errors: FieldErrors = {}
    order_type = _order_type(field(body, "Type"), errors)
    po_number = _po_number(field(body, "PONumber"), errors)
    webhook_url = _webhook(field(body, "WebhookSettings"), errors)
    _optional_text(field(body, "Note"), "Note", MAX_NOTE_LENGTH, errors)
    raw_lines = field(body, "LineItems")
    lines: list[LineRequest] = []
    if not isinstance(raw_lines, list) or not raw_lines:
        errors["LineItems"] = ["An order needs at least one line item."]
    elif len(raw_lines) > MAX_LINE_ITEMS:
        errors["LineItems"] = [f"An order holds at most {MAX_LINE_ITEMS} line items; split it."]
    else:
        for index, raw in enumerate(raw_lines):
            line = _line(raw, f"LineItems[{index}]", order_type, errors)
            if line is not None:
                lines.append(line)
    if errors or order_type is None or po_number is None:
        raise InvalidOrder(errors)
    return OrderRequest(order_type, po_number, tuple(lines), webhook_url)


def _order_type(value: Any, errors: FieldErrors) -> str | None:
    if value in DELIVERY_TYPES:
        return str(value)
    errors["Type"] = [f"Type must be one of {', '.join(DELIVERY_TYPES)}."]
    return None


def _po_number(value: Any, errors: FieldErrors) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors["PONumber"] = ["PONumber is required."]
        return None
    if len(value) > PO_NUMBER_MAX_LENGTH:
        errors["PONumber"] = [f"PONumber must be at most {PO_NUMBER_MAX_LENGTH} characters."]
        return None
    return value


def _webhook(settings: Any, errors: FieldErrors) -> str | None:
    if settings is None:
        return None
    if not isinstance(settings, dict):
        errors["WebhookSettings"] = ["WebhookSettings must be an object."]
        return None
    url = field(settings, "FulfillmentComplete")
    if url is None:
        return None
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        errors["WebhookSettings.FulfillmentComplete"] = ["FulfillmentComplete must be an http or https URL."]
        return None
    return str(url)


def _line(raw: Any, path: str, order_type: str | None, errors: FieldErrors) -> LineRequest | None:
    if not isinstance(raw, dict):
        errors[path] = ["A line item must be an object."]
        return None
    before = len(errors)
    product = _product(field(raw, "ProductId"), f"{path}.ProductId", order_type, errors)
    value = _value(field(raw, "Value"), product, f"{path}.Value", errors)
    quantity = _quantity(field(raw, "Quantity"), f"{path}.Quantity", errors)
    external_id = _external_id(field(raw, "ExternalId"), f"{path}.ExternalId", errors)
    _branding(field(raw, "BrandingId"), f"{path}.BrandingId", errors)
    _optional_text(field(raw, "Culture"), f"{path}.Culture", MAX_CULTURE_LENGTH, errors)
    _personalization(field(raw, "Personalization"), f"{path}.Personalization", errors)
    email = None
    if order_type == DIGITAL:
        email = _digital_address(
            field(raw, "DigitalDeliveryAddress"), f"{path}.DigitalDeliveryAddress", errors
        )
    elif order_type == PHYSICAL:
        _physical_address(field(raw, "PhysicalDeliveryAddress"), f"{path}.PhysicalDeliveryAddress", errors)
    if len(errors) > before or product is None or value is None or quantity is None:
        return None
    return LineRequest(product, value, quantity, external_id, email)


def _product(value: Any, path: str, order_type: str | None, errors: FieldErrors) -> SandboxProduct | None:
    if not isinstance(value, str) or not value:
        errors[path] = ["ProductId is required."]
        return None
    product = PRODUCTS_BY_ID.get(value)
    if product is None:
        errors[path] = [f"Unknown product '{value}'."]
        return None
    if order_type is not None and order_type not in product.delivery_types:
        allowed = ", ".join(product.delivery_types)
        errors[path] = [f"Product {value} cannot be sent by {order_type}; it allows {allowed}."]
    return product


def _value(raw: Any, product: SandboxProduct | None, path: str, errors: FieldErrors) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
        errors[path] = ["Value is required and must be a number."]
        return None
    value = Decimal(raw)
    if product is None:
        return value
    if product.denomination_type == "Fixed":
        if value not in product.denominations:
            listed = ", ".join(f"{d:f}" for d in product.denominations)
            errors[path] = [f"Value must be one of {listed} {product.currency} for {product.id}."]
            return None
        return value
    low, high = min(product.denominations), max(product.denominations)
    if not low <= value <= high or value != value.quantize(CENT):
        rule = f"from {low:f} to {high:f} {product.currency} with at most 2 decimals"
        errors[path] = [f"Value must be {rule} for {product.id}."]
        return None
    return value


def _quantity(raw: Any, path: str, errors: FieldErrors) -> int | None:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_QUANTITY:
        errors[path] = [f"Quantity must be a whole number from 1 to {MAX_QUANTITY}."]
        return None
    return raw


def _external_id(raw: Any, path: str, errors: FieldErrors) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw
    errors[path] = ["ExternalId must be a string."]
    return None


def _optional_text(raw: Any, path: str, limit: int, errors: FieldErrors) -> None:
    if raw is not None and (not isinstance(raw, str) or len(raw) > limit):
        name = path.rpartition(".")[2]
        errors[path] = [f"{name} must be text of at most {limit} characters."]


def _branding(raw: Any, path: str, errors: FieldErrors) -> None:
    if raw is not None and raw not in BRANDING_IDS:
        errors[path] = [f"Unknown branding '{raw}'."]


def _personalization(raw: Any, path: str, errors: FieldErrors) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        errors[path] = ["Personalization must be an object."]
        return
    from_email = field(raw, "FromEmail")
    if from_email not in (None, "") and not _is_email(from_email):
        errors[f"{path}.FromEmail"] = ["FromEmail is not a valid email address."]
    delivery_date = field(raw, "DeliveryDate")
    if delivery_date is not None and not _is_datetime(delivery_date):
        errors[f"{path}.DeliveryDate"] = ["DeliveryDate must be an ISO 8601 date and time."]


def _digital_address(raw: Any, path: str, errors: FieldErrors) -> str | None:
    if not isinstance(raw, dict):
        errors[path] = ["DigitalDeliveryAddress with an Email or an Sms is required."]
        return None
    email, sms = field(raw, "Email"), field(raw, "Sms")
    if email in (None, "") and sms in (None, ""):
        errors[path] = ["DigitalDeliveryAddress needs an Email or an Sms."]
        return None
    if email not in (None, "") and not _is_email(email):
        errors[f"{path}.Email"] = ["Email is not a valid email address."]
    if sms not in (None, "") and not (isinstance(sms, str) and E164.fullmatch(sms)):
        errors[f"{path}.Sms"] = ["Sms must be an E.164 phone number: + then 8 to 15 digits."]
    return str(email) if email else None


def _physical_address(raw: Any, path: str, errors: FieldErrors) -> None:
    if not isinstance(raw, dict):
        errors[path] = ["PhysicalDeliveryAddress is required."]
        return
    required = PHYSICAL_REQUIRED + (US_REQUIRED if field(raw, "Country") == "US" else ())
    for name in required:
        value = field(raw, name)
        if not isinstance(value, str) or not value.strip():
            errors[f"{path}.{name}"] = [f"{name} is required."]
    for name in PHYSICAL_OPTIONAL:
        if not isinstance(field(raw, name), str | None):
            errors[f"{path}.{name}"] = [f"{name} must be a string."]
    method = field(raw, "ShippingMethodId")
    carrier = field(raw, "CarrierId")
    if method not in CARRIERS_BY_METHOD:
        errors[f"{path}.ShippingMethodId"] = [
            f"ShippingMethodId must be one of {', '.join(CARRIERS_BY_METHOD)}."
        ]
    elif carrier not in CARRIERS_BY_METHOD[method]:
        allowed = ", ".join(sorted(CARRIERS_BY_METHOD[method]))
        errors[f"{path}.CarrierId"] = [f"CarrierId must be one of {allowed} for {method}."]


def _is_email(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if _is_plain_email(value):
        return True
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _is_plain_email(value: str) -> bool:
    """True for a plain ASCII address email-validator surely accepts; False means 'ask it', not 'invalid'."""
    match = _PLAIN_EMAIL.fullmatch(value)
    if match is None or len(value) > _MAX_ADDRESS:
        return False
    local, domain, top = match.groups()
    return len(local) <= _MAX_LOCAL and "--" not in domain and top.lower() not in _SPECIAL_USE


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
