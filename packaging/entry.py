"""Entry point of the built app: the same command line as `giftbatch`, the desktop app when given no command."""

import multiprocessing
import sys

from app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
