"""The settings that shape validation, and the limits every row is held to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.catalog import DeliveryType

MAX_NAME_LENGTH = 100
MAX_MESSAGE_LENGTH = 1000
MAX_QUANTITY = 1000


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
