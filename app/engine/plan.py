"""Valid rows become orders: one delivery type each, chunked, each with a PONumber fixed before sending."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal

from app.api import wire
from app.config.run_options import personalization_defaults
from app.config.settings import Settings
from app.domain.catalog import MAX_LINE_ITEMS_PER_ORDER, Catalog, DeliveryType, money
from app.domain.errors import GiftbatchError, UserInputError
from app.domain.fields import Field
from app.domain.import_result import ImportedRow, ImportResult
from app.domain.issues import Severity
from app.domain.payments import PAID_AGAIN, PaidAgain, PayAgain, payment_claims
from app.domain.recipient import Recipient
from app.domain.validation import PersonalizationDefaults

PO_NUMBER_MAX_LENGTH = 40
_PO_CHARACTERS = re.compile(r"[^A-Za-z0-9-]+")
# Crockford's base32 without I, L, O and U: run ids are read aloud and typed, so nothing looks alike.
_RUN_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RUN_ID_RANDOM_CHARS = 6
_MIN_SEQ_DIGITS = 4
_MAX_PREFIX_LENGTH = 14


@dataclass(frozen=True)
class PlanRow:
    """One valid row as the engine sends it: its line item (without ExternalId) and where it came from.

    `cells` maps each field the row was read from to its cell reference ("C7"), so that an error the vendor
    reports for `LineItems[3].Value` can point at the cell the value came from. `claims` are the payments the
    row makes (`app.domain.payments`), checked and taken when the run is stored; `paid_again` is set when the
    user chose to send it although it pays again.
    """

    key: str
    sheet: str
    row: int
    delivery_type: DeliveryType
    line_item: wire.LineItemRequest
    fingerprint: str
    cells: Mapping[Field, str] = field(default_factory=dict)
    claims: tuple[str, ...] = ()
    paid_again: PaidAgain | None = None


# A delivery date is a calendar day; noon UTC falls on that same day from UTC-11 to UTC+11.
_DELIVERY_TIME = time(12, 0, tzinfo=UTC)


def plan_row(recipient: Recipient, paid_again: PaidAgain | None = None) -> PlanRow:
    """A valid recipient as the engine sends it. Raises PlanningError for a row validation did not pass."""
    if recipient.delivery_type is None or recipient.product_id is None or recipient.value is None:
        raise PlanningError(f"Row {recipient.key} is not valid; validate the workbook before sending it.")
    personal = recipient.personalization
    item = wire.LineItemRequest(
        product_id=recipient.product_id,
        value=recipient.value,
        quantity=recipient.quantity or 1,
        branding_id=recipient.branding_id,
        digital_delivery_address=_digital_address(recipient),
        physical_delivery_address=_physical_address(recipient),
        personalization=wire.Personalization(
            to=personal.to or recipient.name,
            from_name=personal.from_name,
            from_email=personal.from_email,
            message=personal.message,
            delivery_date=datetime.combine(recipient.delivery_date, _DELIVERY_TIME)
            if recipient.delivery_date
            else None,
        ),
    )
    return PlanRow(
        key=recipient.key,
        sheet=recipient.sheet,
        row=recipient.row,
        delivery_type=recipient.delivery_type,
        line_item=item,
        fingerprint=recipient.fingerprint or "",
        cells={fld: f"{column}{recipient.row}" for fld, column in recipient.columns.items()},
        claims=payment_claims(recipient),
        paid_again=paid_again,
    )


def rows_from_import(result: ImportResult) -> tuple[list[PlanRow], list[SkippedRow]]:
    """The import's valid rows as plan rows; its rows with errors as skipped rows, with their first error."""
    rows: list[PlanRow] = []
    skipped: list[SkippedRow] = []
    pay_again = result.pay_again
    for imported in result.rows:
        recipient = imported.recipient
        if imported.is_valid:
            noted = imported.issues or imported.file_issues  # most rows have no issue at all
            rows.append(plan_row(recipient, _paid_again(imported, pay_again) if noted else None))
            continue
        first = next(i for i in imported.all_issues if i.severity is Severity.ERROR)
        named = not first.cell or first.message.startswith(first.cell)  # most messages begin with their cell
        reason = first.message if named else f"{first.cell}: {first.message}"
        skipped.append(
            SkippedRow(recipient.key, recipient.sheet, recipient.row, reason, recipient.fingerprint or "")
        )
    return rows, skipped


def _paid_again(imported: ImportedRow, pay_again: PayAgain) -> PaidAgain | None:
    """What the user chose to pay again in this row, and why (None: the row pays nobody again)."""
    said = next((i for i in imported.all_issues if i.code == PAID_AGAIN), None)
    recipient = imported.recipient
    reason = pay_again.reason_for(recipient.key, recipient.row) if said else None
    return PaidAgain.of(reason, said.message) if said and reason else None


def _digital_address(recipient: Recipient) -> wire.DigitalDeliveryAddress | None:
    if recipient.delivery_type is not DeliveryType.DIGITAL:
        return None
    return wire.DigitalDeliveryAddress(email=recipient.email, sms=recipient.sms)


def _physical_address(recipient: Recipient) -> wire.PhysicalDeliveryAddress | None:
    address = recipient.address
    if recipient.delivery_type is not DeliveryType.PHYSICAL or address is None:
        return None
    if not (recipient.shipping_method_id and recipient.carrier_id and address.name and address.line1):
        raise PlanningError(f"Row {recipient.key} has no complete address; validate the workbook again.")
    return wire.PhysicalDeliveryAddress(
        shipping_method_id=recipient.shipping_method_id,
        carrier_id=recipient.carrier_id,
        name=address.name,
        company=address.company,
        address_line1=address.line1,
        address_line2=address.line2,
        city=address.city or "",
        state=address.state or "",
        zip=address.zip or "",
        country=address.country or "",
        phone=address.phone,
    )


@dataclass(frozen=True)
class SkippedRow:
    """A row left out of the run (it had errors; the user sent the rest): kept so every row is accounted."""

    key: str
    sheet: str
    row: int
    reason: str
    fingerprint: str = ""


@dataclass(frozen=True)
class PlannedOrder:
    """One order to send: its PONumber (the idempotency key), the exact body, and the rows it pays."""

    seq: int
    po_number: str
    delivery_type: DeliveryType
    request: wire.OrderRequest
    rows: tuple[PlanRow, ...]
    line_costs: tuple[tuple[str, Decimal], ...]

    @property
    def costs(self) -> dict[str, Decimal]:
        """What the order costs, per currency."""
        return add_costs({currency: amount} for currency, amount in self.line_costs)

    @property
    def cards(self) -> int:
        return sum(line.quantity for line in self.request.line_items)


@dataclass(frozen=True)
class Plan:
    """Every order of a run, in sending order, and the rows left out."""

    run_id: str
    orders: tuple[PlannedOrder, ...]
    skipped: tuple[SkippedRow, ...] = ()
    prefix: str = ""  # the campaign prefix every PONumber of the run starts with

    @property
    def row_count(self) -> int:
        return sum(len(order.rows) for order in self.orders)

    @property
    def card_count(self) -> int:
        return sum(order.cards for order in self.orders)

    @property
    def costs(self) -> dict[str, Decimal]:
        return add_costs(order.costs for order in self.orders)


class PlanningError(GiftbatchError):
    """The rows cannot be turned into orders (a product vanished from the catalog, nothing to send)."""

    exit_code = 2


def new_run_id(now: datetime | None = None) -> str:
    """A run id people can type: the date, then random letters so two runs never share PONumbers.

    `261126-K7QX9M`: 30 random bits per day. The vendor keeps PONumbers unique across every run of the
    account (any machine, any journal), and a clash would make it answer 409 for an order that is not ours;
    the client compares a 409's order with our request, so even that rare clash is caught, not paid for.
    """
    day = (now or datetime.now(UTC)).strftime("%y%m%d")
    tail = "".join(secrets.choice(_RUN_ID_ALPHABET) for _ in range(_RUN_ID_RANDOM_CHARS))
    return f"{day}-{tail}"


def campaign_prefix(name: str) -> str:
    """A campaign name made fit for a PONumber: letters, digits and '-', at most 14 characters."""
    cleaned = _PO_CHARACTERS.sub("-", name.strip()).strip("-")
    cleaned = re.sub("-{2,}", "-", cleaned)[:_MAX_PREFIX_LENGTH].strip("-")
    if not cleaned:
        raise UserInputError(
            f"The campaign name '{name}' has nothing usable in a PONumber; use letters, digits or '-'."
        )
    return cleaned


def po_number(prefix: str, run_id: str, seq: int, digits: int = _MIN_SEQ_DIGITS) -> str:
    """`GB-261126-K7QX9M-0001`: prefix, run id, zero-padded sequence; at most 40 of [A-Za-z0-9-]."""
    number = f"{prefix}-{run_id}-{seq:0{digits}d}"
    if len(number) > PO_NUMBER_MAX_LENGTH or _PO_CHARACTERS.search(number):
        raise PlanningError(
            f"The PONumber {number!r} is longer than 40 characters or has characters not allowed."
        )
    return number


def plan_orders(
    rows: Sequence[PlanRow],
    *,
    run_id: str,
    catalog: Catalog,
    prefix: str,
    max_line_items: int,
    defaults: PersonalizationDefaults | None = None,
    skipped: Sequence[SkippedRow] = (),
) -> Plan:
    """Group rows by delivery type (in the order each type first appears), chunk them, number the orders.

    Every line item carries `ExternalId` = its row's key, so the vendor's answer maps back to rows.
    """
    if not rows:
        raise PlanningError("There are no rows to send.")
    if max_line_items < 1:
        raise PlanningError("An order needs room for at least one line item.")
    if max_line_items > MAX_LINE_ITEMS_PER_ORDER:
        raise PlanningError(f"An order holds at most {MAX_LINE_ITEMS_PER_ORDER} line items; choose fewer.")
    _check_unique_keys(rows)
    chunks = [
        (kind, group[start : start + max_line_items])
        for kind, group in _by_delivery_type(rows).items()
        for start in range(0, len(group), max_line_items)
    ]
    digits = max(_MIN_SEQ_DIGITS, len(str(len(chunks))))
    orders = tuple(
        _order(
            seq,
            po_number(prefix, run_id, seq, digits),
            kind=kind,
            rows=chunk,
            catalog=catalog,
            defaults=defaults or PersonalizationDefaults(),
        )
        for seq, (kind, chunk) in enumerate(chunks, start=1)
    )
    return Plan(run_id=run_id, orders=orders, skipped=tuple(skipped), prefix=prefix)


def _check_unique_keys(rows: Sequence[PlanRow]) -> None:
    seen: set[str] = set()
    for row in rows:
        if row.key in seen:
            raise PlanningError(
                f"Two rows share the key {row.key!r}; each row needs its own to be paid once."
            )
        seen.add(row.key)


def _by_delivery_type(rows: Iterable[PlanRow]) -> dict[DeliveryType, list[PlanRow]]:
    groups: dict[DeliveryType, list[PlanRow]] = {}
    for row in rows:
        groups.setdefault(row.delivery_type, []).append(row)
    return groups


def _order(
    seq: int,
    number: str,
    *,
    kind: DeliveryType,
    rows: Sequence[PlanRow],
    catalog: Catalog,
    defaults: PersonalizationDefaults,
) -> PlannedOrder:
    items = [
        row.line_item.model_copy(
            update={
                "external_id": row.key,
                "personalization": personalize(row.line_item.personalization, defaults),
            }
        )
        for row in rows
    ]
    request = wire.OrderRequest(type=kind, po_number=number, line_items=items)
    return PlannedOrder(
        seq, number, kind, request, tuple(rows), tuple(line_cost(item, catalog) for item in items)
    )


def personalize(
    own: wire.Personalization | None, defaults: PersonalizationDefaults
) -> wire.Personalization | None:
    """The row's own From name, From email and Message where it has them, the run's defaults elsewhere."""
    base = own or wire.Personalization()
    merged = base.model_copy(
        update={
            "from_name": base.from_name or defaults.from_name or None,
            "from_email": base.from_email or defaults.from_email or None,
            "message": base.message or defaults.message or None,
        }
    )
    return None if merged == wire.Personalization() else merged


def line_cost(item: wire.LineItemRequest, catalog: Catalog) -> tuple[str, Decimal]:
    """(currency, cost) of a line item: the card's cost (value less discount, plus fee) × quantity."""
    product = catalog.product(item.product_id)
    if product is None:
        raise PlanningError(
            f"Product {item.product_id} is not in the vendor's catalog any more; refresh the catalog "
            "(giftbatch products --refresh) and validate the workbook again."
        )
    return product.currency, money(product.card_cost(item.value) * item.quantity)


def add_costs(parts: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for part in parts:
        for currency, amount in part.items():
            total[currency] = total.get(currency, Decimal(0)) + amount
    return {currency: money(amount) for currency, amount in sorted(total.items())}


@dataclass(frozen=True)
class BalanceCheck:
    """The plan's cost against the account's balance.

    `shortfall` is what is missing in the balance's currency (zero when it fits). Costs in other currencies
    cannot be compared without the vendor's exchange rate, so they are listed in `unchecked`.
    """

    currency: str
    available: Decimal
    needed: Decimal
    unchecked: Mapping[str, Decimal]

    @property
    def shortfall(self) -> Decimal:
        return max(money(self.needed - self.available), Decimal(0))

    @property
    def fits(self) -> bool:
        return self.shortfall == 0

    @property
    def balance_after(self) -> Decimal:
        return money(self.available - self.needed)

    def describe_shortfall(self) -> str:
        """'17.50 USD more needed (needs 117.50 USD, 100.00 USD available)'."""
        return (
            f"{self.shortfall:,.2f} {self.currency} more needed "
            f"(needs {self.needed:,.2f} {self.currency}, {self.available:,.2f} {self.currency} available)"
        )


def check_balance(costs: Mapping[str, Decimal], balance: wire.Balance) -> BalanceCheck:
    currency = balance.currency_code.upper()
    needed = money(costs.get(currency, Decimal(0)))
    unchecked = {c: amount for c, amount in costs.items() if c != currency and amount}
    return BalanceCheck(currency, money(balance.available), needed, unchecked)


class BalanceShortError(GiftbatchError):
    """The balance does not cover the plan; the message says how much is missing."""

    exit_code = 1

    def __init__(self, check: BalanceCheck) -> None:
        super().__init__(
            f"The account's balance does not cover this run: {check.describe_shortfall()}. "
            "Add funds in the vendor's portal, then submit again."
        )
        self.check = check


def plan_with_settings(
    rows: Sequence[PlanRow],
    skipped: Sequence[SkippedRow],
    catalog: Catalog,
    settings: Settings,
    campaign: str | None = None,
) -> Plan:
    """A new run's plan as the user's settings shape it (line items per order, personalisation, PONumber prefix)."""
    return plan_orders(
        rows,
        run_id=new_run_id(),
        catalog=catalog,
        prefix=campaign_prefix(campaign or settings.campaign_prefix),
        max_line_items=settings.max_line_items_per_order,
        defaults=personalization_defaults(settings),
        skipped=skipped,
    )
