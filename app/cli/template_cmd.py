"""`giftbatch template`: write a workbook to fill in, with the products of a profile or of the sandbox."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from app.api import wire
from app.cli.context import CliContext
from app.domain.catalog import Catalog
from app.sandbox import catalog as sandbox_catalog
from app.workbook.template import write_template


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    template = subparsers.add_parser(
        "template",
        help="write a workbook to fill in: instructions, column notes, dropdowns and example rows",
    )
    template.add_argument("--out", required=True, metavar="FILE", help="the .xlsx file to write")
    template.add_argument(
        "--profile",
        help="take the products from this profile's catalog (default: the built-in sandbox's products)",
    )
    template.add_argument("--force", action="store_true", help="replace FILE if it exists")
    template.set_defaults(func=run_template)


def run_template(args: argparse.Namespace, ctx: CliContext) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        out = out.with_name(out.name + ".xlsx")
    if args.profile:
        catalog = ctx.connect(args.profile).catalog()
        source = f"the catalog of profile “{args.profile}”"
    else:
        catalog = builtin_sandbox_catalog()
        source = "the sandbox's catalog (use --profile to list your vendor's products)"
    written = write_template(out, catalog, force=args.force, app_folders=ctx.paths.folders)
    ctx.print(f"Wrote {written} with {len(catalog.products)} products from {source}.")
    ctx.print("Fill in the Recipients sheet, then check it with: giftbatch validate " + str(written))
    return 0


def builtin_sandbox_catalog() -> Catalog:
    """The sandbox vendor's catalog, read from its definitions without starting it or going online."""
    return wire.to_domain_catalog(
        [wire.Product.model_validate(p.wire()) for p in sandbox_catalog.PRODUCTS],
        [wire.ShippingMethod.model_validate(m) for m in sandbox_catalog.SHIPPING_METHODS],
        [wire.Branding.model_validate(b) for b in sandbox_catalog.BRANDINGS],
        fetched_at=datetime.now(UTC),
    )
