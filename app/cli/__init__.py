"""The `giftbatch` command line: one composition root for every headless command."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from app import __version__
from app.cli import gui_cmd
from app.cli.context import CliContext
from app.cli.selftest import run_self_test
from app.domain.errors import GiftbatchError

# Each module has `register(subparsers)`, which adds its commands and sets `func(args, ctx) -> int` on them.
COMMAND_MODULES = (
    "app.cli.sandbox_cmd",
    "app.cli.profile_cmd",
    "app.cli.catalog_cmd",
    "app.cli.template_cmd",
    "app.cli.validate_cmd",
    "app.cli.submit_cmd",
    "app.cli.export_cmd",
    "app.cli.gui_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="giftbatch",
        description="Send gift cards in bulk from Excel. With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"giftbatch {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep settings, data, cache, logs and the journal under DIR (also: GIFTBATCH_HOME)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="run the whole job headless against the built-in sandbox and report each step",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status; a user's mistake is one line on stderr, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = CliContext.create(home=args.home)
    if args.self_test:
        return run_self_test(main, ctx.print)
    if args.command is None:
        args.func = gui_cmd.run_gui  # no command: open the desktop app
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args, ctx))
    except GiftbatchError as error:
        ctx.fail(error.message)
        return error.exit_code
    except KeyboardInterrupt:
        ctx.fail("Interrupted.")
        return 130
    except Exception:
        ctx.log_unexpected()
        return 70
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
