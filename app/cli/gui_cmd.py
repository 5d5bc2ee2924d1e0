"""`giftbatch gui [FILE]` (and `giftbatch` with no command): open the desktop app."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.cli.context import CliContext
from app.domain.errors import UserInputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gui = subparsers.add_parser("gui", help="open the desktop app (the default when no command is given)")
    gui.add_argument("file", nargs="?", type=Path, help="a workbook to open")
    gui.set_defaults(func=run_gui)


def run_gui(args: argparse.Namespace, ctx: CliContext) -> int:
    check_display()
    # Imported here so that every other command runs without loading Qt.
    from app.main import run_gui as start_desktop_app  # noqa: PLC0415

    workbook = getattr(args, "file", None)
    return start_desktop_app(ctx.paths, workbook.expanduser().resolve() if workbook else None)


def check_display() -> None:
    """On Linux without a display, Qt would abort with a crash dump; say what to do instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UserInputError(
            "There is no display here for the desktop app (DISPLAY is not set). Run it in a desktop session, "
            "or use the command line: giftbatch --help."
        )
