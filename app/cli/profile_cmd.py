"""`giftbatch profile add|list|remove|test|use`: the vendor accounts Giftbatch can send through."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from app.api.errors import (
    ApiError,
    AuthenticationError,
    CertificateError,
    ForbiddenError,
    NotFoundError,
    RequestCancelled,
    TransientError,
)
from app.cli.catalog_cmd import mention_catalog_notices
from app.cli.context import CliContext
from app.cli.formatting import format_money
from app.config.secrets import NO_KEYRING_HELP, TOKEN_ENV
from app.domain.errors import GiftbatchError, UserInputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("profile", help="add, list, remove and test connection profiles")
    commands = parser.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    add = commands.add_parser("add", help="add a vendor account (the AccessToken goes to the OS keyring)")
    add.add_argument("name")
    add.add_argument(
        "--base-url", required=True, help="the vendor's base URL, e.g. https://api.vendor.example"
    )
    add.add_argument("--email", required=True, help="the Email the AccessToken was issued for")
    add.set_defaults(func=run_add)

    listing = commands.add_parser("list", help="list profiles")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_list)

    remove = commands.add_parser("remove", help="remove a profile and its stored AccessToken")
    remove.add_argument("name")
    remove.set_defaults(func=run_remove)

    test = commands.add_parser(
        "test", help="check a profile: sign in, read the balance and the catalog, name any call that fails"
    )
    test.add_argument("name", nargs="?", help="default: the active profile")
    test.set_defaults(func=run_test)

    use = commands.add_parser("use", help="make a profile the active one")
    use.add_argument("name")
    use.set_defaults(func=run_use)


def run_add(args: argparse.Namespace, ctx: CliContext) -> int:
    if not ctx.secrets.keyring_available():
        profile = ctx.profiles.add(args.name, args.base_url, args.email, None)
        ctx.print(f"Added profile '{profile.name}': {profile.describe()}.")
        ctx.print(f"The AccessToken was NOT stored. {NO_KEYRING_HELP}")
        return 0
    profile = ctx.profiles.add(args.name, args.base_url, args.email, _read_access_token())
    ctx.print(f"Added profile '{profile.name}': {profile.describe()}. The AccessToken is in the OS keyring.")
    ctx.print(f"Check it with: giftbatch profile test {profile.name}")
    return 0


def _read_access_token() -> str:
    """From GIFTBATCH_ACCESS_TOKEN, else asked on the terminal without echo; never from a command-line argument."""
    from_env = os.environ.get(TOKEN_ENV, "")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise UserInputError(
            f"No AccessToken given. Run this in a terminal to be asked for it, or set {TOKEN_ENV}."
        )
    return getpass.getpass("AccessToken (not shown): ")


def run_list(args: argparse.Namespace, ctx: CliContext) -> int:
    active = ctx.settings.active_profile
    profiles = ctx.profiles.list()
    if args.json:
        rows = [
            {
                "name": p.name,
                "base_url": p.base_url,
                "email": p.email,
                "sandbox": p.is_sandbox,
                "active": p.name == active,
            }
            for p in profiles
        ]
        ctx.print(json.dumps(rows, indent=2))
        return 0
    for profile in profiles:
        marker = "*" if profile.name == active else " "
        ctx.print(f"{marker} {profile.name:<20} {profile.describe()}")
    return 0


def run_remove(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.profiles.remove(args.name)
    ctx.print(f"Removed profile '{args.name}' and its stored AccessToken.")
    return 0


def run_use(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.profiles.set_active(args.name)
    ctx.print(f"'{args.name}' is now the active profile.")
    return 0


def run_test(args: argparse.Namespace, ctx: CliContext) -> int:
    """Each call the app depends on, one line each; a failure names the call and whether the credentials or
    a missing endpoint is to blame. Exit 1 when sign-in, the balance or the catalog failed."""
    connection = ctx.connect(args.name)
    client = connection.client
    try:
        client.authenticate()
    except ApiError as error:
        raise ProfileTestFailed("Sign-in", error) from None
    ctx.print(f"Connected to {connection.profile.describe()}.")
    failed: ProfileTestFailed | None = None
    try:
        balance = client.get_balance()
    except ApiError as error:
        failed = ProfileTestFailed("Balance", error)
        ctx.print(f"Balance: FAILED. {failed.message}")
    else:
        if balance is None:
            ctx.print("Balance: this vendor API does not report it; check it in the vendor's portal.")
        else:
            ctx.print(
                f"Balance: {format_money(balance.available, balance.currency_code)} available, "
                f"{format_money(balance.pending, balance.currency_code)} pending."
            )
    try:
        catalog = connection.catalog(refresh=True)
    except ApiError as error:
        raise ProfileTestFailed("Catalog", error) from None
    ctx.print(
        f"Catalog: {len(catalog.products)} products, {len(catalog.shipping_methods)} shipping methods, "
        f"{len(catalog.brandings)} brandings."
    )
    mention_catalog_notices(ctx, catalog)
    if failed is not None:
        raise failed
    return 0


class ProfileTestFailed(GiftbatchError):
    """A call of `profile test` failed: the message names the call, and what is to blame in plain words."""

    def __init__(self, step: str, error: ApiError) -> None:
        call = f" ({error.endpoint})" if error.endpoint else ""
        super().__init__(f"{step}{call} failed: {_blame(error)}. {error.message}")


def _blame(error: ApiError) -> str:
    if isinstance(error, AuthenticationError):
        return "the Email and AccessToken were not accepted"
    if isinstance(error, ForbiddenError):
        return "the credentials are known, but this call is refused for them"
    if isinstance(error, NotFoundError):
        return "this server does not have that endpoint (check the profile's base URL)"
    if isinstance(error, TransientError | CertificateError | RequestCancelled):
        return "no usable answer came from the vendor"
    return "the vendor refused it"
