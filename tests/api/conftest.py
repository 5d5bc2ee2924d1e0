"""Fixtures for the API client tests: a scripted vendor, a fake clock, and a client wired to both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from app.api.client import VendorClient
from app.api.retry import RetryPolicy
from tests.api.fakes import ACCESS_TOKEN, BASE_URL, EMAIL, NO_JITTER, FakeTime, FakeVendor


@pytest.fixture
def vendor() -> FakeVendor:
    return FakeVendor()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(vendor: FakeVendor, fake_time: FakeTime) -> Iterator[Callable[..., VendorClient]]:
    """Build a VendorClient wired to the fake vendor and the fake clock; closed after the test."""
    made: list[httpx.Client] = []

    def build(
        retry: RetryPolicy = NO_JITTER,
        access_token: str = ACCESS_TOKEN,
        **options: Any,
    ) -> VendorClient:
        http = httpx.Client(transport=httpx.MockTransport(vendor.handler))
        made.append(http)
        return VendorClient(
            BASE_URL,
            EMAIL,
            access_token,
            http=http,
            retry=retry,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            **options,
        )

    yield build
    for http in made:
        http.close()


@pytest.fixture
def client(make_client: Callable[..., VendorClient]) -> VendorClient:
    return make_client()
