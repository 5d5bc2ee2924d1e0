"""Finds the app's bundled files (icons) in the source tree, an installed wheel or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def resources_dir() -> Path:
    """`app/resources`: beside the package in a source tree or wheel; under `sys._MEIPASS` when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "app" / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def icon_file(name: str) -> Path:
    return resources_dir() / "icons" / name


def app_icon() -> QIcon:
    """The application icon at every rendered size, so each screen and scale picks a sharp one."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = icon_file(f"giftbatch-{size}.png")
        if path.exists():
            icon.addFile(str(path))
    return icon
