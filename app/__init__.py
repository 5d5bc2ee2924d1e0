"""Giftbatch: send gift cards in bulk from Excel, paying every recipient exactly once."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("giftbatch")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
