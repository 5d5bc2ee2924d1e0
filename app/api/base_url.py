"""The one rule for a vendor base URL: https, or plain http only to this machine (a local sandbox)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from app.domain.errors import UserInputError


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address (127.0.0.0/8, ::1): traffic that never leaves this machine."""
    host = host.strip("[]").rstrip(".").casefold()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """`url` without trailing slashes (or `/v1`), or UserInputError saying why it cannot be used.

    Checked wherever a base URL is used, not only where it is typed: a settings file edited by hand must
    not send the AccessToken in clear text across a network.
    """
    url = url.strip().rstrip("/")
    not_an_address = UserInputError(
        f"'{url}' is not a web address. Give the vendor's base URL, such as https://api.vendor.example."
    )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise not_an_address from None
    if parts.scheme not in ("http", "https") or not host:
        raise not_an_address
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise UserInputError(
            f"'{parts.scheme}://{host}…' holds a user name, a password, a query or a fragment; give only the "
            "vendor's address, such as https://api.vendor.example (the AccessToken goes in the profile)."
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise UserInputError(
            f"'{url}' is not encrypted (http), so the AccessToken would cross the network readable by anyone "
            "on the way. Use the vendor's https address; plain http is allowed only for a sandbox on this "
            "machine."
        )
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url
