"""`giftbatch sandbox serve`: run the local vendor simulator in the foreground."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.domain.errors import UserInputError
from app.sandbox.faults import FaultSettingError
from app.sandbox.options import add_serve_arguments, serve_from_arguments
from app.sandbox.server import SandboxStartError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sandbox = subparsers.add_parser("sandbox", help="the local vendor simulator (no account needed)")
    commands = sandbox.add_subparsers(dest="sandbox_command", metavar="COMMAND", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the vendor API on loopback until interrupted",
        description="Serve the sandbox vendor API until Ctrl-C. Prints one line: Sandbox listening on URL.",
    )
    add_serve_arguments(serve)
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        return serve_from_arguments(args, ctx.out)
    except (SandboxStartError, FaultSettingError) as error:
        raise UserInputError(str(error)) from None
