"""The user's settings and connection profiles: one pydantic model, stored as versioned JSON."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from app.domain.catalog import MAX_LINE_ITEMS_PER_ORDER
from app.domain.errors import UserInputError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


class ProfileConfig(BaseModel):
    """A connection to a vendor account. The AccessToken is not here: it lives in the OS keyring."""

    name: str
    base_url: str
    email: str


class PersonalizationDefaults(BaseModel):
    """What goes on every card of a run unless a row says otherwise."""

    from_name: str = ""
    from_email: str = ""
    message: str = ""


class WebhookSettings(BaseModel):
    """A local listener for the vendor's FulfillmentComplete webhook; off unless the vendor can reach this machine."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    public_url: str = ""


class Settings(BaseModel):
    """Everything the user can set. Unknown keys from newer versions are kept out; missing keys take defaults."""

    schema_version: int = SCHEMA_VERSION
    active_profile: str = "sandbox"
    profiles: list[ProfileConfig] = Field(default_factory=list)
    concurrency: int = Field(default=4, ge=1, le=32)
    # Never more than the vendor takes in one order (docs/api-contract.md); fewer is fine.
    max_line_items_per_order: int = Field(default=MAX_LINE_ITEMS_PER_ORDER, ge=1, le=MAX_LINE_ITEMS_PER_ORDER)
    default_phone_region: str = "US"
    recipient_total_threshold: float = Field(default=500.0, ge=0)
    # Above this total (in the balance's currency) the user types the total to confirm a send.
    spending_limit: float = Field(default=5000.0, ge=0)
    personalization: PersonalizationDefaults = Field(default_factory=PersonalizationDefaults)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    campaign_prefix: str = "GB"
    export_dir: str = ""
    recent_files: list[str] = Field(default_factory=list)

    def profile(self, name: str) -> ProfileConfig | None:
        return next((p for p in self.profiles if p.name == name), None)


def _migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring settings written by an older version up to SCHEMA_VERSION (there is only version 1 so far)."""
    data.setdefault("schema_version", SCHEMA_VERSION)
    line_items = data.get("max_line_items_per_order")
    if (
        isinstance(line_items, int)
        and not isinstance(line_items, bool)
        and line_items > MAX_LINE_ITEMS_PER_ORDER
    ):
        # Older versions allowed up to 1,000: such a file is read at the vendor's limit, the rest kept as it was.
        log.warning(
            "Line items per order lowered from %d to %d, the most one order may hold",
            line_items,
            MAX_LINE_ITEMS_PER_ORDER,
        )
        data["max_line_items_per_order"] = MAX_LINE_ITEMS_PER_ORDER
    return data


class SettingsStore:
    """Reads and writes `settings.json`; a damaged file is set aside (never silently lost) and defaults used."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Settings:
        if not self.path.exists():
            return Settings()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Settings.model_validate(_migrate(data))
        except (OSError, ValueError, ValidationError) as error:
            kept = self.path.with_suffix(".damaged.json")
            os.replace(self.path, kept)
            log.warning(
                "Settings file %s could not be read (%s); kept as %s", self.path, type(error).__name__, kept
            )
            return Settings()

    def save(self, settings: Settings) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = settings.model_dump_json(indent=2)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temp, self.path)
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            raise UserInputError(f"Could not save settings to {self.path}: {error.strerror}.") from error
