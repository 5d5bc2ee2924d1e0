"""The vendor's catalog kept on disk for a week: validation works offline and the vendor is asked rarely."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from app.api.errors import ApiError
from app.domain.catalog import (
    Branding,
    Carrier,
    Catalog,
    DeliveryType,
    DenominationType,
    LeftOut,
    Product,
    ShippingMethod,
)

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
WEEK = timedelta(days=7)


class CatalogSource(Protocol):
    """Anything that can fetch the catalog from the vendor (the VendorClient is one)."""

    def fetch_catalog(self) -> Catalog: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CatalogCache:
    """The catalog of one profile, as a JSON file.

    `load()` answers from the file while it is younger than `max_age`, fetches a new one when older, and when
    the vendor cannot be reached falls back to the old file (stale but good enough to validate against) or,
    with no file at all, to an empty Catalog (validation then says product checks were skipped).
    `last_error` says why the last fetch failed; `fetched_at` how old the catalog is.
    """

    def __init__(
        self,
        path: Path,
        fetch: Callable[[], Catalog] | CatalogSource,
        *,
        max_age: timedelta = WEEK,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.path = path
        self._fetch: Callable[[], Catalog] = fetch if callable(fetch) else fetch.fetch_catalog
        self.max_age = max_age
        self._now = now
        self._lock = threading.Lock()
        self.last_error: ApiError | None = None

    @property
    def fetched_at(self) -> datetime | None:
        """When the cached catalog was fetched; None when there is none."""
        cached = self.cached()
        return cached.fetched_at if cached else None

    def is_fresh(self, catalog: Catalog) -> bool:
        if catalog.fetched_at is None:
            return False
        age = self._now() - catalog.fetched_at
        # A time in the future means the clock was wrong when it was written: do not trust it for a week.
        return timedelta(0) <= age < self.max_age

    def load(self) -> Catalog:
        """The cached catalog when fresh; else a new one from the vendor; else the stale one; else empty."""
        with self._lock:
            cached = self.cached()
            if cached is not None and self.is_fresh(cached):
                return cached
            try:
                return self._refresh()
            except ApiError as error:
                self.last_error = error
                if cached is not None:
                    log.warning(
                        "Using the catalog of %s: the vendor could not be asked (%s)",
                        cached.fetched_at,
                        error.message,
                    )
                    return cached
                log.warning("No catalog: the vendor could not be asked (%s)", error.message)
                return Catalog()

    def refresh(self) -> Catalog:
        """Fetch the catalog now and store it; errors (ApiError) are raised, the old file is kept."""
        with self._lock:
            return self._refresh()

    def cached(self) -> Catalog | None:
        """The catalog on disk, however old; None when there is none or it cannot be read."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("Cannot read the catalog cache %s: %s", self.path, error)
            return None
        try:
            return catalog_from_json(json.loads(text))
        except (ValueError, KeyError, TypeError, ArithmeticError) as error:
            log.warning("Ignoring an unreadable catalog cache %s: %s", self.path, error)
            return None

    def _refresh(self) -> Catalog:
        catalog = self._fetch()
        self.last_error = None
        write_atomically(self.path, json.dumps(catalog_to_json(catalog), indent=1))
        log.info("Catalog fetched: %d products", len(catalog.products))
        return catalog


def write_atomically(path: Path, text: str) -> None:
    """Write a temporary file next to `path`, then rename it over: a reader never sees half a file.

    The file is its owner's alone (mkstemp makes it 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """The catalog as plain JSON; amounts as strings so that no cent is lost to floating point."""
    return {
        "format": FORMAT_VERSION,
        "fetched_at": catalog.fetched_at.isoformat() if catalog.fetched_at else None,
        "products": [_product_to_json(p) for p in catalog.products.values()],
        "shipping_methods": [
            {
                "id": m.id,
                "name": m.name,
                "cost": str(m.cost),
                "carriers": [{"id": c.id, "name": c.name} for c in m.carriers],
            }
            for m in catalog.shipping_methods.values()
        ],
        "brandings": [{"id": b.id, "name": b.name} for b in catalog.brandings.values()],
        "left_out": [
            {"id": p.product_id, "reason": p.reason, "position": p.position} for p in catalog.left_out
        ],
        "shipping_unavailable": catalog.shipping_unavailable,
        "brandings_unavailable": catalog.brandings_unavailable,
    }


def catalog_from_json(data: dict[str, Any]) -> Catalog:
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"unknown format {data.get('format')!r}")
    fetched_at = datetime.fromisoformat(data["fetched_at"]) if data.get("fetched_at") else None
    products = [_product_from_json(p) for p in data["products"]]
    methods = [
        ShippingMethod(
            m["id"], m["name"], Decimal(m["cost"]), tuple(Carrier(c["id"], c["name"]) for c in m["carriers"])
        )
        for m in data["shipping_methods"]
    ]
    brandings = [Branding(b["id"], b["name"]) for b in data["brandings"]]
    # Written since catalogs name what they leave out; a file from before has none of these keys.
    left_out = [LeftOut(p["id"], p["reason"], p.get("position")) for p in data.get("left_out", [])]
    return Catalog(
        products={p.id: p for p in products},
        shipping_methods={m.id: m for m in methods},
        brandings={b.id: b for b in brandings},
        fetched_at=fetched_at,
        left_out=tuple(left_out),
        shipping_unavailable=data.get("shipping_unavailable"),
        brandings_unavailable=data.get("brandings_unavailable"),
    )


def _product_to_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "currency": product.currency,
        "denomination_type": product.denomination_type.value,
        "denominations": [str(d) for d in product.denominations],
        "delivery_types": sorted(d.value for d in product.delivery_types),
        "type": product.type,
        "fee": str(product.fee),
        "discount_percentage": str(product.discount_percentage),
        "description": product.description,
    }


def _product_from_json(data: dict[str, Any]) -> Product:
    return Product(
        id=data["id"],
        name=data["name"],
        currency=data["currency"],
        denomination_type=DenominationType(data["denomination_type"]),
        denominations=tuple(Decimal(d) for d in data["denominations"]),
        delivery_types=frozenset(DeliveryType(d) for d in data["delivery_types"]),
        type=data["type"],
        fee=Decimal(data["fee"]),
        discount_percentage=Decimal(data["discount_percentage"]),
        description=data["description"],
    )
