"""The catalog cache: fresh for a week, refreshed on demand, stale but usable offline, else empty."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.api.catalog_cache import CatalogCache, catalog_from_json, catalog_to_json
from app.api.client import VendorClient
from app.api.errors import TransientError
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
from tests.api.fakes import FakeVendor, reply

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def a_catalog(fetched_at: datetime, product_id: str = "CVS") -> Catalog:
    product = Product(
        id=product_id,
        name="CVS Pharmacy",
        currency="USD",
        denomination_type=DenominationType.FIXED,
        denominations=(Decimal(10), Decimal("25.50")),
        delivery_types=frozenset(DeliveryType),
        type="Digital",
        fee=Decimal("2.95"),
        discount_percentage=Decimal("1.5"),
        description="Drugstore",
    )
    method = ShippingMethod("STANDARD", "Standard", Decimal("0.10"), (Carrier("DEFAULT", "Default"),))
    return Catalog({product.id: product}, {method.id: method}, {"B1": Branding("B1", "Blue")}, fetched_at)


class Source:
    """A catalog source that can be switched off, and counts its fetches."""

    def __init__(self, now: list[datetime]) -> None:
        self.now = now
        self.online = True
        self.fetches = 0

    def __call__(self) -> Catalog:
        if not self.online:
            raise TransientError("The vendor at vendor.test did not answer (could not connect).")
        self.fetches += 1
        return a_catalog(self.now[0], product_id=f"P{self.fetches}")


@pytest.fixture
def now() -> list[datetime]:
    return [START]


@pytest.fixture
def source(now: list[datetime]) -> Source:
    return Source(now)


@pytest.fixture
def cache(tmp_path: Path, source: Source, now: list[datetime]) -> CatalogCache:
    return CatalogCache(tmp_path / "cache" / "catalog.json", source, now=lambda: now[0])


def test_a_catalog_survives_the_round_trip_to_json_exactly() -> None:
    catalog = a_catalog(START)
    assert catalog_from_json(json.loads(json.dumps(catalog_to_json(catalog)))) == catalog


def test_first_load_fetches_and_stores(cache: CatalogCache, source: Source) -> None:
    catalog = cache.load()
    assert set(catalog.products) == {"P1"}
    assert cache.path.exists()
    assert cache.fetched_at == START
    assert source.fetches == 1


def test_a_fresh_cache_is_used_without_asking_the_vendor(
    cache: CatalogCache,
    source: Source,
    now: list[datetime],
) -> None:
    cache.load()
    now[0] = START + timedelta(days=6, hours=23)
    assert set(cache.load().products) == {"P1"}
    assert source.fetches == 1


def test_a_week_old_cache_is_refreshed(cache: CatalogCache, source: Source, now: list[datetime]) -> None:
    cache.load()
    now[0] = START + timedelta(days=7)
    catalog = cache.load()
    assert set(catalog.products) == {"P2"}
    assert cache.fetched_at == now[0]
    assert source.fetches == 2


def test_refresh_fetches_on_demand_however_fresh(cache: CatalogCache, source: Source) -> None:
    cache.load()
    assert set(cache.refresh().products) == {"P2"}
    assert set(cache.load().products) == {"P2"}


def test_offline_a_stale_cache_is_still_used(
    cache: CatalogCache, source: Source, now: list[datetime]
) -> None:
    cache.load()
    source.online = False
    now[0] = START + timedelta(days=30)
    catalog = cache.load()
    assert set(catalog.products) == {"P1"}
    assert catalog.fetched_at == START  # the age shows, so the app can say how old it is
    assert isinstance(cache.last_error, TransientError)


def test_offline_with_no_cache_gives_an_empty_catalog(cache: CatalogCache, source: Source) -> None:
    source.online = False
    catalog = cache.load()
    assert catalog.is_empty and catalog.fetched_at is None
    assert cache.fetched_at is None
    assert cache.last_error is not None


def test_a_failed_refresh_raises_and_keeps_the_old_file(cache: CatalogCache, source: Source) -> None:
    cache.load()
    source.online = False
    with pytest.raises(TransientError):
        cache.refresh()
    cached = cache.cached()
    assert cached is not None and set(cached.products) == {"P1"}


def test_writes_leave_no_temporary_files(cache: CatalogCache) -> None:
    cache.load()
    cache.refresh()
    assert [p.name for p in cache.path.parent.iterdir()] == ["catalog.json"]


def test_an_unreadable_cache_file_is_ignored_and_replaced(
    cache: CatalogCache,
    source: Source,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache.path.parent.mkdir(parents=True)
    cache.path.write_text('{"format": 1, "products": [{"id"', encoding="utf-8")
    assert set(cache.load().products) == {"P1"}
    assert "unreadable catalog cache" in caplog.text
    cache.path.write_text(json.dumps({"format": 99}), encoding="utf-8")
    assert cache.cached() is None


def test_a_cache_from_the_future_is_not_trusted(
    cache: CatalogCache, source: Source, now: list[datetime]
) -> None:
    now[0] = START + timedelta(days=365)  # the clock was a year ahead when it was written
    cache.load()
    now[0] = START
    cache.load()
    assert source.fetches == 2


def test_the_vendor_client_can_be_the_source(
    tmp_path: Path,
    client: VendorClient,
    vendor: FakeVendor,
) -> None:
    vendor.on("GET", "/v1/Products", reply(200, [{"Id": "CVS", "Denominations": [10]}]))
    vendor.on("GET", "/v1/ShippingMethods", reply(200, []))
    cache = CatalogCache(tmp_path / "catalog.json", client)
    assert set(cache.load().products) == {"CVS"}
    assert cache.fetched_at is not None


def test_what_a_catalog_lacks_survives_the_round_trip_too() -> None:
    catalog = replace(
        a_catalog(START),
        shipping_methods={},
        brandings={},
        left_out=(LeftOut("BROKEN", "it lists no denominations."), LeftOut(None, "unreadable.", 7)),
        shipping_unavailable="the vendor answered GET /v1/ShippingMethods with HTTP 404 Not Found",
        brandings_unavailable="the vendor answered GET /v1/Brandings with HTTP 403 Forbidden",
    )

    again = catalog_from_json(json.loads(json.dumps(catalog_to_json(catalog))))

    assert again == catalog
    assert again.notices() == catalog.notices() and len(again.notices()) == 3
    assert again.brandings_unavailable == catalog.brandings_unavailable


def test_a_cache_written_before_catalogs_named_their_gaps_still_reads() -> None:
    data = catalog_to_json(a_catalog(START))
    for key in ("left_out", "shipping_unavailable", "brandings_unavailable"):
        del data[key]

    assert catalog_from_json(data) == a_catalog(START)
