"""`python -m app.sandbox`: the same as `giftbatch sandbox serve`, without the rest of the app."""

import argparse
import sys

from app.sandbox.faults import FaultSettingError
from app.sandbox.options import add_serve_arguments, serve_from_arguments
from app.sandbox.server import SandboxStartError


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.sandbox", description="Run the Giftbatch vendor sandbox."
    )
    add_serve_arguments(parser)
    args = parser.parse_args()
    try:
        return serve_from_arguments(args)
    except (SandboxStartError, FaultSettingError) as error:
        print(f"sandbox: {error}", file=sys.stderr, flush=True)
        return 2


sys.exit(main())
