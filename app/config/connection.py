"""Opens a profile's connection: the API client and catalog cache, starting the built-in sandbox when needed."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field

from app.api.catalog_cache import CatalogCache
from app.api.client import VendorClient
from app.config.paths import AppPaths
from app.config.profiles import Profile
from app.config.secrets import SecretStore
from app.domain.catalog import Catalog
from app.sandbox.constants import SANDBOX_ACCESS_TOKEN, SANDBOX_EMAIL

log = logging.getLogger(__name__)


@dataclass
class Connection:
    """A live connection to one profile's vendor (or the in-process sandbox). Close it when done."""

    profile: Profile
    client: VendorClient
    catalog_cache: CatalogCache
    base_url: str
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    def catalog(self, refresh: bool = False) -> Catalog:
        return self.catalog_cache.refresh() if refresh else self.catalog_cache.load()

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_connection(profile: Profile, paths: AppPaths, secrets: SecretStore) -> Connection:
    """Build the client for `profile`; for the sandbox profile, start the sandbox on a free loopback port first."""
    stack = ExitStack()
    try:
        if profile.is_sandbox:
            # Loaded here, not at start-up: uvicorn and Starlette are only needed once the sandbox is opened,
            # and importing them first would delay the desktop app's first window.
            from app.sandbox.server import SandboxServer  # noqa: PLC0415

            server = SandboxServer(state_path=paths.sandbox_state_file)
            base_url = server.start()
            stack.callback(server.stop)
            email, token = SANDBOX_EMAIL, SANDBOX_ACCESS_TOKEN
            log.info("Started the built-in sandbox at %s", base_url)
        else:
            base_url, email, token = profile.base_url, profile.email, secrets.require(profile.name)
        client = VendorClient(base_url, email, token, profile_name=profile.name)
        stack.callback(client.close)
        cache = CatalogCache(paths.catalog_cache_file(profile.name), client)
        return Connection(profile, client, cache, base_url, stack)
    except BaseException:
        stack.close()
        raise
