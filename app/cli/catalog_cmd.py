"""`giftbatch products` and `giftbatch balance`: what the vendor sells and what the account can pay for."""

from __future__ import annotations

import argparse
import json

from app.cli.context import CliContext
from app.cli.formatting import format_money, table
from app.domain.catalog import Product


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
    products = sorted(catalog.products.values(), key=lambda p: p.id)
    if args.json:
        ctx.print(json.dumps([_product_json(p) for p in products], indent=2))
        return 0
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
    ctx.print(table(["Id", "Name", "Values", "Delivery", "Fee", "Discount"], rows))
    when = catalog.fetched_at.strftime("%Y-%m-%d %H:%M UTC") if catalog.fetched_at else "never"
    ctx.print(f"\n{len(products)} products; catalog fetched {when}.")
    return 0


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
        ctx.print(
            json.dumps({"available": None, "pending": None, "currency": None, "note": message})
            if args.json
            else message
        )
        return 0
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
