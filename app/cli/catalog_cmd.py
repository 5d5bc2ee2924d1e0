"""`giftbatch products` and `giftbatch balance`: what the vendor sells and what the account can pay for.

Both exit with 1 when the vendor could not be asked (or does not report the balance), so a scheduled job
never takes an old or empty answer for a fresh one.
"""

from __future__ import annotations

import argparse
import json

from app.cli.context import CliContext
from app.cli.formatting import format_money, table
from app.domain.catalog import Catalog, Product


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    products = subparsers.add_parser("products", help="list the vendor's products (cached for a week)")
    products.add_argument("--profile", help="default: the active profile")
    products.add_argument("--refresh", action="store_true", help="fetch the catalog again now")
    products.add_argument("--json", action="store_true", help="print JSON instead of a table")
    products.set_defaults(func=run_products)

    balance = subparsers.add_parser("balance", help="show the account's available and pending balance")
    balance.add_argument("--profile", help="default: the active profile")
    balance.add_argument("--json", action="store_true", help="print JSON instead of text")
    balance.set_defaults(func=run_balance)


def run_products(args: argparse.Namespace, ctx: CliContext) -> int:
    connection = ctx.connect(args.profile)
    catalog = connection.catalog(refresh=args.refresh)
    failed = connection.catalog_cache.last_error
    products = sorted(catalog.products.values(), key=lambda p: p.id)
    if args.json:
        ctx.print(json.dumps([_product_json(p) for p in products], indent=2))
        mention_catalog_notices(ctx, catalog)
        return _fetch_failed(ctx, catalog, failed.message) if failed else 0
    rows = [
        (
            p.id,
            p.name,
            p.describe_values(),
            ", ".join(sorted(p.delivery_types)),
            format_money(p.fee),
            f"{p.discount_percentage:g}%",
        )
        for p in products
    ]
    if rows:
        ctx.print(table(["Id", "Name", "Values", "Delivery", "Fee", "Discount"], rows))
    when = catalog.fetched_at.strftime("%Y-%m-%d %H:%M UTC") if catalog.fetched_at else "never"
    ctx.print(f"\n{len(products)} products; catalog fetched {when}.")
    mention_catalog_notices(ctx, catalog)
    return _fetch_failed(ctx, catalog, failed.message) if failed else 0


def mention_catalog_notices(ctx: CliContext, catalog: Catalog) -> None:
    """One line on stderr for each thing the catalog lacks (a product that cannot be read, no shipping)."""
    for notice in catalog.notices():
        ctx.fail(f"note: {notice}")


def _fetch_failed(ctx: CliContext, catalog: Catalog, reason: str) -> int:
    kept = (
        f" The products shown are those fetched {catalog.fetched_at:%Y-%m-%d %H:%M UTC}."
        if catalog.fetched_at
        else " No catalog has been fetched yet."
    )
    ctx.fail(f"The catalog could not be fetched: {reason}{kept}")
    return 1


def _product_json(product: Product) -> dict[str, object]:
    return {
        "id": product.id,
        "name": product.name,
        "currency": product.currency,
        "denomination_type": product.denomination_type.value,
        "denominations": [float(d) for d in product.denominations],
        "delivery_types": sorted(product.delivery_types),
        "type": product.type,
        "fee": float(product.fee),
        "discount_percentage": float(product.discount_percentage),
    }


def run_balance(args: argparse.Namespace, ctx: CliContext) -> int:
    connection = ctx.connect(args.profile)
    balance = connection.client.get_balance()
    if balance is None:
        message = "This vendor API does not report the balance; check it in the vendor's portal."
        if args.json:
            ctx.print(json.dumps({"available": None, "pending": None, "currency": None, "note": message}))
        ctx.fail(message)
        return 1
    if args.json:
        ctx.print(
            json.dumps(
                {
                    "available": float(balance.available),
                    "pending": float(balance.pending),
                    "currency": balance.currency_code,
                }
            )
        )
        return 0
    ctx.print(f"Available: {format_money(balance.available, balance.currency_code)}")
    ctx.print(f"Pending:   {format_money(balance.pending, balance.currency_code)}")
    return 0
