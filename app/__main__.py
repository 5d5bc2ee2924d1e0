"""Lets `python -m app` run the same command line as `giftbatch`."""

import sys

from app.cli import main

sys.exit(main())
