"""The `giftbatch` command line: one composition root for every headless command."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app import __version__
from app.cli import gui_cmd
from app.cli.context import CliContext
from app.cli.selftest import run_self_test
from app.domain.errors import GiftbatchError, disk_full

# Each module has `register(subparsers)`, which adds its commands and sets `func(args, ctx) -> int` on them.
COMMAND_MODULES = (
    "app.cli.sandbox_cmd",
    "app.cli.profile_cmd",
    "app.cli.catalog_cmd",
    "app.cli.template_cmd",
    "app.cli.validate_cmd",
    "app.cli.submit_cmd",
    "app.cli.export_cmd",
    "app.cli.journal_cmd",
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
    argv = list(sys.argv[1:] if argv is None else argv)
    desktop = desktop_app_request(argv)
    if desktop is not None:  # the desktop app starts without loading every command's modules first
        try:
            ctx = CliContext.create(home=desktop.home)
        except OSError as error:
            return _cannot_start(error)
        return _run(lambda: gui_cmd.run_gui(desktop, ctx), ctx)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        ctx = CliContext.create(home=args.home)
    except OSError as error:
        return _cannot_start(error)
    if args.self_test:
        return run_self_test(main, ctx.print)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    return _run(lambda: args.func(args, ctx), ctx)


def desktop_app_request(argv: list[str]) -> argparse.Namespace | None:
    """`giftbatch`, `giftbatch gui [FILE]`, each optionally after `--home DIR`: what opens the desktop app."""
    home, rest = None, argv
    if rest[:1] == ["--home"] and len(rest) >= 2:
        home, rest = rest[1], rest[2:]
    elif rest[:1] and rest[0].startswith("--home="):
        home, rest = rest[0].split("=", 1)[1], rest[1:]
    if rest and rest[0] == "gui":
        rest = rest[1:]
    elif rest:
        return None
    if len(rest) > 1 or (rest and rest[0].startswith("-")):
        return None
    return argparse.Namespace(home=home, file=Path(rest[0]) if rest else None)


def _cannot_start(error: OSError) -> int:
    """The app's folders cannot be made or written: one line on stderr, no traceback."""
    full = disk_full(error, "Giftbatch's folders")
    if full is not None:
        print(f"giftbatch: {full.message}", file=sys.stderr)
        return full.exit_code
    reason = error.strerror or type(error).__name__
    print(
        f"giftbatch: Giftbatch's folders could not be made ready ({reason}: {error.filename}). Check that "
        "you may write there, or choose another place with --home DIR.",
        file=sys.stderr,
    )
    return 73  # EX_CANTCREAT


def _run(command: Callable[[], int], ctx: CliContext) -> int:
    try:
        return int(command())
    except GiftbatchError as error:
        ctx.fail(error.message)
        return error.exit_code
    except KeyboardInterrupt:
        ctx.fail("Interrupted.")
        return 130
    except Exception as error:
        full = ctx.disk_full(error)
        if full is not None:  # one sentence, not a pointer to a log on the same full disk
            ctx.fail(full.message)
            return full.exit_code
        ctx.log_unexpected()
        return 70
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
