"""The user's settings turned into what validation and planning take, the same for the CLI and the GUI."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.config.settings import Settings
from app.domain.catalog import DeliveryType
from app.domain.validation import PersonalizationDefaults, ValidationOptions


def validation_options(settings: Settings, default_type: DeliveryType | None = None) -> ValidationOptions:
    """Validation as the settings ask: phone region, run personalisation, the per-recipient total to flag."""
    return ValidationOptions(
        default_delivery_type=default_type,
        default_region=settings.default_phone_region,
        personalization=personalization_defaults(settings),
        total_threshold=Decimal(str(settings.recipient_total_threshold)),
    )


def personalization_defaults(settings: Settings) -> PersonalizationDefaults:
    """From name, From email and Message for every card of a run unless a row says otherwise (empty: none)."""
    defaults = settings.personalization
    return PersonalizationDefaults(
        from_name=defaults.from_name or None,
        from_email=defaults.from_email or None,
        message=defaults.message or None,
    )


# Kept with a run so it can be understood and resumed the same way later: nothing personal or secret.
_KEPT_WITH_RUN = ("max_line_items_per_order", "campaign_prefix", "personalization", "default_phone_region")


def run_settings(settings: Settings, concurrency: int | None = None) -> dict[str, Any]:
    """The settings that shaped a run, stored with it (no profiles, no paths); `concurrency` as chosen for it."""
    dumped = settings.model_dump()
    return {
        **{name: dumped[name] for name in _KEPT_WITH_RUN},
        "concurrency": settings.concurrency if concurrency is None else concurrency,
        "webhook": settings.webhook.enabled,
    }
