"""The vendor's JSON shapes as pydantic models, read in PascalCase or camelCase, written in PascalCase."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_pascal

from app.domain import catalog as domain
from app.domain.catalog import DeliveryType, DenominationType

log = logging.getLogger(__name__)


def _json_number(value: Decimal) -> int | float:
    """Money goes out as a JSON number (10, 12.5) as the vendor documents, not as a string."""
    return int(value) if value == value.to_integral_value() else float(value)


Money = Annotated[Decimal, PlainSerializer(_json_number, when_used="json")]

# Key sets remembered per model (see `WireModel._renames`): far more than any vendor's answers use.
_MAX_KEY_SETS = 256


def _lenient_datetime(value: object, handler: ValidatorFunctionWrapHandler, _info: ValidationInfo) -> object:
    """A timestamp we cannot read becomes None rather than making a whole order unreadable."""
    try:
        return handler(value)
    except PydanticValidationError:
        log.debug("Unreadable timestamp from the vendor ignored")
        return None


LenientDatetime = Annotated[datetime | None, WrapValidator(_lenient_datetime)]


class WireModel(BaseModel):
    """Base of every wire model: names match in any case, unknown fields are ignored, output is PascalCase."""

    model_config = ConfigDict(
        alias_generator=to_pascal,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        coerce_numbers_to_str=True,
    )
    _keys: ClassVar[dict[str, str]] = {}
    # How each set of keys seen so far is renamed: None when every key is already the one pydantic reads.
    # An order answer holds a hundred line items with the same keys, so each object costs one look-up here
    # instead of a casefold per key (bench/submit_throughput.py).
    _renames: ClassVar[dict[tuple[Any, ...], tuple[Any, ...] | None]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        keys: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            target = info.validation_alias if isinstance(info.validation_alias, str) else info.alias or name
            for spelling in (name, info.alias, info.serialization_alias, target):
                if spelling:
                    keys[spelling.casefold()] = target
        cls._keys = keys
        cls._renames = {}

    @model_validator(mode="before")
    @classmethod
    def _match_any_case(cls, data: Any) -> Any:
        """`poNumber`, `PONumber` and `ponumber` all fill `po_number`: the vendor may answer in camelCase."""
        if not isinstance(data, dict):
            return data
        found = tuple(data)
        try:
            renamed = cls._renames[found]
        except KeyError:
            renamed = cls._learn_renames(found)
        return data if renamed is None else dict(zip(renamed, data.values(), strict=True))

    @classmethod
    def _learn_renames(cls, found: tuple[Any, ...]) -> tuple[Any, ...] | None:
        renamed = tuple(cls._keys.get(str(key).casefold(), key) for key in found)
        result = None if renamed == found else renamed
        if len(cls._renames) < _MAX_KEY_SETS:  # a vendor inventing keys must not grow this without end
            cls._renames[found] = result
        return result

    def to_wire(self) -> dict[str, Any]:
        """The JSON object the vendor expects: PascalCase names, None fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# --- Authentication -------------------------------------------------------------------------------


class TokenResponse(WireModel):
    """`POST /v1/Tokens`: the bearer token and its lifetime in seconds."""

    value: str = Field(repr=False)
    expires_in: float = 3600.0


# --- Catalog --------------------------------------------------------------------------------------


class CatalogModel(WireModel):
    """A catalog shape: a field the vendor writes as `null` takes its default, as if it were absent.

    Public clients of the engine show any list or object of a product as `null` (`translations`, `media`);
    that means "none", never "unreadable".
    """

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


def _ignored_if_unreadable(empty: Callable[[], Any]) -> WrapValidator:
    """A part of a product the app does not use (media, meta, translations) never makes it unreadable."""

    def read(value: object, handler: ValidatorFunctionWrapHandler, _info: ValidationInfo) -> object:
        try:
            return handler(value)
        except PydanticValidationError:
            log.debug("Unreadable optional product detail from the vendor ignored")
            return empty()

    return WrapValidator(read)


class ProductCost(CatalogModel):
    fee: Money = Decimal(0)  # `"Fee": null` means no fee
    discount_percentage: Money = Decimal(0)


class Faceplate(CatalogModel):
    name: str | None = None
    path: str | None = None


class Media(CatalogModel):
    faceplates: list[Faceplate] = []
    logo: str | None = None


class ShippingConfiguration(CatalogModel):
    fulfillment_group: str | None = None
    has_required_card_carriers: bool | None = None


class ProductMeta(CatalogModel):
    shipping_configuration: ShippingConfiguration | None = None
    supports_api_balance_checks: bool | None = None
    website: str | None = None
    colors: Any = None


class Product(CatalogModel):
    """One product of `GET /v1/Products`. Only `Id` is required; everything else has a harmless default, and
    a `null` reads as that default."""

    id: str
    name: str = ""
    short_description: str | None = None
    long_description: str | None = None
    denominations: list[Money] = []
    denomination_type: str = DenominationType.FIXED.value
    available_delivery_types: list[Any] = []
    type: str = "Digital"
    currency_code: str = "USD"
    cost: ProductCost | None = None
    terms: str | None = None
    disclaimer: str | None = None
    redemption_note: str | None = None
    media: Annotated[Media | None, _ignored_if_unreadable(lambda: None)] = None
    meta: Annotated[ProductMeta | None, _ignored_if_unreadable(lambda: None)] = None
    translations: Annotated[list[Any], _ignored_if_unreadable(list)] = []
    culture_codes: Annotated[list[Any], _ignored_if_unreadable(list)] = []


class Carrier(CatalogModel):
    id: str
    name: str = ""


class ShippingMethod(CatalogModel):
    """One entry of `GET /v1/ShippingMethods`: a way to mail physical cards and the carriers offering it."""

    id: str
    name: str = ""
    cost: Money = Decimal(0)
    carriers: list[Carrier] = []


class Branding(CatalogModel):
    id: str
    name: str = ""


class Balance(WireModel):
    """`GET /v1/Balance`: money available for new orders, and money held by pending ones."""

    available: Money
    pending: Money = Decimal(0)
    currency_code: str = "USD"


M = TypeVar("M", bound=WireModel)


class Page(WireModel, Generic[M]):
    """The list envelope `{"Page", "PageSize", "TotalCount", "Data"}` used by products, orders and others."""

    page: int | None = None
    page_size: int | None = None
    total_count: int | None = None
    data: list[M] = []


ProductPage = Page[Product]


class _Envelope(WireModel):
    """A list envelope whose items are read one by one, so that one bad item need not spoil the rest."""

    total_count: int | None = None
    page_size: int | None = None
    data: Any = None


# --- Orders: what we send -------------------------------------------------------------------------


class DigitalDeliveryAddress(WireModel):
    email: str | None = None
    sms: str | None = None


class PhysicalDeliveryAddress(WireModel):
    shipping_method_id: str
    carrier_id: str
    name: str
    company: str | None = None
    address_line1: str
    address_line2: str | None = None
    city: str
    state: str
    zip: str
    country: str
    phone: str | None = None


class Personalization(WireModel):
    to: str | None = None
    from_name: str | None = None
    from_email: str | None = None
    message: str | None = None
    delivery_date: datetime | None = None


class WebhookSettings(WireModel):
    # The URL carries the secret that authenticates the vendor's calls to us, so it never shows in a repr.
    fulfillment_complete: str | None = Field(default=None, repr=False)


class LineItemRequest(WireModel):
    """One line of an order: `quantity` cards of `product_id` at `value`, with the address its type needs."""

    product_id: str
    value: Money
    quantity: int = Field(default=1, ge=1)
    external_id: str | None = None
    branding_id: str | None = None
    culture: str | None = None  # such as en-US: the language of the card's texts, as public clients send it
    digital_delivery_address: DigitalDeliveryAddress | None = None
    physical_delivery_address: PhysicalDeliveryAddress | None = None
    personalization: Personalization | None = None


class OrderRequest(WireModel):
    """The body of `POST /v1/Orders`. `po_number` is the idempotency key: a retry must send the same one."""

    type: DeliveryType
    po_number: str = Field(validation_alias="PONumber", serialization_alias="PONumber", min_length=1)
    line_items: list[LineItemRequest] = Field(min_length=1)
    webhook_settings: WebhookSettings | None = None
    note: str | None = None  # the caller's own words about the order, as public clients send them


# --- Orders: what the vendor answers --------------------------------------------------------------


class OrderStatus(StrEnum):
    """Where an order or line item stands. Anything the vendor says that we do not know is `UNKNOWN`."""

    PENDING = "Pending"
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    FAILED = "Failed"
    PARTIALLY_COMPLETED = "PartiallyCompleted"
    UNKNOWN = "Unknown"

    @property
    def is_final(self) -> bool:
        """True when the vendor will not change it any more."""
        return self in _FINAL_STATUSES


_FINAL_STATUSES = frozenset({OrderStatus.COMPLETED, OrderStatus.FAILED, OrderStatus.PARTIALLY_COMPLETED})
_STATUS_BY_NAME = {status.value.casefold(): status for status in OrderStatus}
_STATUS_BY_VALUE = {status.value: status for status in OrderStatus}


def _read_status(value: object) -> OrderStatus:
    exact = _STATUS_BY_VALUE.get(value) if isinstance(value, str) else None
    if exact is not None:
        return exact  # as the contract spells it: a hundred line items each, no need to normalise
    if value is None:
        return OrderStatus.UNKNOWN
    found = _STATUS_BY_NAME.get(str(value).strip().replace("_", "").replace(" ", "").casefold())
    if found is None:
        log.info("Unknown order status from the vendor: %r", str(value)[:40])
        return OrderStatus.UNKNOWN
    return found


Status = Annotated[OrderStatus, BeforeValidator(_read_status)]


def _null_is_empty(value: object) -> object:
    """`"ClaimData": null` means none, as an absent field does."""
    return [] if value is None else value


Item = TypeVar("Item")
NullableList = Annotated[list[Item], BeforeValidator(_null_is_empty)]


class ClaimData(WireModel):
    """One card of a `Links` order. The claim link and its challenge answer spend the card: never log them."""

    id: str | None = None
    claim_link: str | None = Field(default=None, repr=False)
    claim_link_challenge_answer: str | None = Field(default=None, repr=False)
    barcode_path: str | None = Field(default=None, repr=False)
    barcode_type: str | None = None


class LineItem(WireModel):
    id: str | None = None
    external_id: str | None = None
    product_id: str | None = None
    value: Money | None = None
    quantity: int | None = None
    cost: Money | None = None
    status: Status = OrderStatus.UNKNOWN
    failure_reason: str | None = None
    claim_data: NullableList[ClaimData] = []


class Order(WireModel):
    """An order as the vendor reports it (`POST /v1/Orders`, `GET /v1/Orders/{id}`)."""

    id: str
    po_number: str | None = Field(default=None, validation_alias="PONumber", serialization_alias="PONumber")
    type: str | None = None
    status: Status = OrderStatus.UNKNOWN
    created_at: LenientDatetime = None
    total_cost: Money | None = None
    line_items: NullableList[LineItem] = []


# --- Lists ----------------------------------------------------------------------------------------


class WireFormatError(ValueError):
    """The vendor's answer does not have the shape the contract describes."""


@dataclass(frozen=True)
class Unreadable:
    """An item of a list that could not be read: where it was, its Id if that much could be read, and why."""

    position: int
    id: str | None
    problem: str


@dataclass(frozen=True)
class ListPage(Generic[M]):
    """One page of a list as read: its items, what the envelope said about paging (None: bare array), and
    the items left out because they could not be read (positions within this page)."""

    items: list[M]
    raw_count: int
    total_count: int | None = None
    page_size: int | None = None
    unreadable: tuple[Unreadable, ...] = ()


def read_list(payload: object, model: type[M], *, skip_invalid: bool = False) -> ListPage[M]:
    """The items of an envelope `{"Data": [...]}` or of a bare array.

    With `skip_invalid`, an item that cannot be read is left out (and listed in `unreadable`) instead of
    failing the whole list.
    """
    if isinstance(payload, list):
        items, unreadable = _read_items(payload, model, skip_invalid)
        return ListPage(items, raw_count=len(payload), unreadable=unreadable)
    if isinstance(payload, dict):
        envelope = _Envelope.model_validate(payload)
        if not isinstance(envelope.data, list):
            raise WireFormatError("the list envelope has no Data list")
        items, unreadable = _read_items(envelope.data, model, skip_invalid)
        return ListPage(items, len(envelope.data), envelope.total_count, envelope.page_size, unreadable)
    raise WireFormatError(f"expected a list or an object with Data, got {type(payload).__name__}")


def _read_items(
    items: list[Any], model: type[M], skip_invalid: bool
) -> tuple[list[M], tuple[Unreadable, ...]]:
    result: list[M] = []
    unreadable: list[Unreadable] = []
    for position, item in enumerate(items):
        try:
            result.append(model.model_validate(item))
        except PydanticValidationError as error:
            if not skip_invalid:
                raise WireFormatError(f"item {position} of the list: {_first_problem(error)}") from None
            problem = _first_problem(error)
            log.warning("Skipped an unreadable %s (item %d): %s", model.__name__, position, problem)
            unreadable.append(Unreadable(position, _id_of(item), problem))
    return result, tuple(unreadable)


def _id_of(item: object) -> str | None:
    """The `Id` of an item that could not be read, when it has a plain one (shown to the user, so short)."""
    if not isinstance(item, dict):
        return None
    found = next((v for k, v in item.items() if str(k).casefold() == "id"), None)
    return (
        str(found)[:60]
        if isinstance(found, str | int) and not isinstance(found, bool) and found != ""
        else None
    )


def describe_problem(problem: ValueError) -> str:
    """A short account of why an answer could not be read, for messages (never the data itself)."""
    if isinstance(problem, PydanticValidationError):
        return _first_problem(problem)
    if isinstance(problem, WireFormatError):
        return str(problem)
    return "not valid JSON"


def _first_problem(error: PydanticValidationError) -> str:
    first = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "item"
    return f"{where}: {first['msg']}"


# --- Into the domain ------------------------------------------------------------------------------

_DELIVERY_BY_NAME = {d.value.casefold(): d for d in DeliveryType}
_DENOMINATION_BY_NAME = {d.value.casefold(): d for d in DenominationType}


def to_domain_product(product: Product) -> domain.Product | domain.LeftOut:
    """The product as validation and costing see it, or why it cannot be used (logged too)."""
    kind = _DENOMINATION_BY_NAME.get(product.denomination_type.strip().casefold())
    if kind is None:
        shown = product.denomination_type[:40]
        log.warning("Product %s left out: unknown DenominationType %r", product.id, shown)
        return domain.LeftOut(
            product.id,
            f"its DenominationType {shown!r} is neither Fixed nor Variable, so its values are unknown.",
        )
    if not product.denominations:
        log.warning("Product %s left out: it lists no denominations", product.id)
        return domain.LeftOut(product.id, "it lists no denominations, so no value can be checked or sent.")
    deliveries = frozenset(
        _DELIVERY_BY_NAME[d.strip().casefold()]
        for d in product.available_delivery_types
        if isinstance(d, str) and d.strip().casefold() in _DELIVERY_BY_NAME
    )
    cost = product.cost or ProductCost()
    return domain.Product(
        id=product.id,
        name=product.name or product.id,
        currency=product.currency_code.upper(),
        denomination_type=kind,
        denominations=tuple(product.denominations),
        delivery_types=deliveries,
        type=product.type,
        fee=cost.fee,
        discount_percentage=cost.discount_percentage,
        description=product.short_description or "",
    )


def to_domain_catalog(
    products: Iterable[Product],
    shipping_methods: Iterable[ShippingMethod],
    brandings: Iterable[Branding],
    fetched_at: datetime,
    *,
    unreadable: Iterable[Unreadable] = (),
    shipping_unavailable: str | None = None,
    brandings_unavailable: str | None = None,
) -> domain.Catalog:
    """The catalog the rest of the app validates and costs against, as fetched at `fetched_at`.

    `unreadable` are products the vendor listed that could not be read; they and products that cannot be
    ordered are named in the catalog's `left_out`. The `*_unavailable` notes say why a list is missing.
    """
    converted = [to_domain_product(p) for p in products]
    left_out = [
        domain.LeftOut(u.id, f"its data could not be read ({u.problem}).", u.position) for u in unreadable
    ]
    left_out += [p for p in converted if isinstance(p, domain.LeftOut)]
    return domain.Catalog(
        products={p.id: p for p in converted if isinstance(p, domain.Product)},
        shipping_methods={
            m.id: domain.ShippingMethod(
                id=m.id,
                name=m.name or m.id,
                cost=m.cost,
                carriers=tuple(domain.Carrier(id=c.id, name=c.name or c.id) for c in m.carriers),
            )
            for m in shipping_methods
        },
        brandings={b.id: domain.Branding(id=b.id, name=b.name or b.id) for b in brandings},
        fetched_at=fetched_at,
        left_out=tuple(left_out),
        shipping_unavailable=shipping_unavailable,
        brandings_unavailable=brandings_unavailable,
    )
