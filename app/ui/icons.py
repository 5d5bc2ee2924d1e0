"""Small icons drawn from the palette (so they follow light and dark), sharp at twice their size."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QIcon, QPainter, QPalette, QPen, QPixmap

ICON_EDGE = 22
_SCALE = 2
_EDGE = ICON_EDGE * _SCALE
_INSET = 2 * _SCALE


def _draw(paint: Callable[[QPainter], None]) -> QIcon:
    pixmap = QPixmap(_EDGE, _EDGE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint(painter)
    painter.end()
    pixmap.setDevicePixelRatio(_SCALE)
    return QIcon(pixmap)


def _at(x: float, y: float) -> QPointF:
    return QPointF(_EDGE * x, _EDGE * y)


def _outline(palette: QPalette, width: float = 1.6) -> QPen:
    pen = QPen(palette.color(QPalette.ColorRole.WindowText), width * _SCALE)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def step_icon(number: int, done: bool, palette: QPalette, font: QFont) -> QIcon:
    """A numbered circle for a step; once done, filled with the accent colour and a check mark."""
    circle = QRectF(_INSET, _INSET, _EDGE - 2 * _INSET, _EDGE - 2 * _INSET)

    def paint(painter: QPainter) -> None:
        if done:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
            painter.drawEllipse(circle)
            check = QPen(palette.color(QPalette.ColorRole.HighlightedText), 2.4 * _SCALE)
            check.setCapStyle(Qt.PenCapStyle.RoundCap)
            check.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(check)
            painter.drawPolyline([_at(0.30, 0.52), _at(0.45, 0.66), _at(0.71, 0.37)])
            return
        painter.setPen(_outline(palette))
        painter.drawEllipse(circle)
        digits = QFont(font)
        digits.setPixelSize(int(_EDGE * 0.5))
        digits.setBold(True)
        painter.setFont(digits)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, str(number))

    return _draw(paint)


def history_icon(palette: QPalette) -> QIcon:
    """A clock face."""

    def paint(painter: QPainter) -> None:
        painter.setPen(_outline(palette))
        painter.drawEllipse(QRectF(_INSET, _INSET, _EDGE - 2 * _INSET, _EDGE - 2 * _INSET))
        painter.drawPolyline([_at(0.5, 0.26), _at(0.5, 0.5), _at(0.68, 0.62)])

    return _draw(paint)


def settings_icon(palette: QPalette) -> QIcon:
    """Three sliders."""

    def paint(painter: QPainter) -> None:
        painter.setPen(_outline(palette))
        for y, knob in ((0.27, 0.65), (0.5, 0.35), (0.73, 0.55)):
            painter.drawLine(_at(0.14, y), _at(0.86, y))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawEllipse(_at(knob, y), _EDGE * 0.08, _EDGE * 0.08)

    return _draw(paint)
