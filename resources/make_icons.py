"""Render the app icon's PNGs (16 to 256 px) and a multi-size Windows .ico from the hand-written SVG, with Qt.

Run after changing `app/resources/icons/giftbatch.svg`, and commit what it writes:

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/make_icons.py

The icons live in `app/resources/icons/` (not here) so that they ship inside the wheel as package data and
in the PyInstaller bundle under the same relative path; `app/ui/resources.py` finds them in either.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "app" / "resources" / "icons"
SOURCE = ICONS / "giftbatch.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico holding every size as a PNG entry (Windows Vista and later read these).

    Qt's own ICO writer stores one image per file; Windows wants several sizes in one, so the container
    (a 6-byte header and a 16-byte entry per image) is written here around the PNGs Qt rendered.
    """
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, payload = b"", b""
    for size, data in sorted(pngs.items()):
        edge = 0 if size >= 256 else size  # 0 means 256 in an ICO entry
        entries += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"Cannot read {SOURCE}", file=sys.stderr)
        return 1
    pngs: dict[int, bytes] = {}
    for size in SIZES:
        pngs[size] = png_bytes(render(renderer, size))
        (ICONS / f"giftbatch-{size}.png").write_bytes(pngs[size])
    (ICONS / "giftbatch.ico").write_bytes(ico_bytes(pngs))
    print(f"Wrote {len(SIZES)} PNGs and giftbatch.ico to {ICONS}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
