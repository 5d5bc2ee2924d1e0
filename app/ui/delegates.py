"""Delegates of the Review grid: a small corner mark on cells with an error (red) or a warning (amber)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF
from PySide6.QtGui import QColor, QPainter, QPolygonF
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.domain.issues import Severity
from app.ui.models.recipient_model import SeverityRole

ERROR_MARK = QColor(211, 47, 47)
WARNING_MARK = QColor(230, 145, 0)
MARK_SIZE = 7


class IssueCellDelegate(QStyledItemDelegate):
    """Paints the cell as usual (its background comes from the model), then a triangle in its top-right
    corner, as Excel marks a cell with a comment: visible even when the row is selected."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        severity = index.data(SeverityRole)
        if severity is None:
            return
        rect = option.rect
        right, top = rect.right() + 1, rect.top()
        corner = QPolygonF(
            [QPointF(right - MARK_SIZE, top), QPointF(right, top), QPointF(right, top + MARK_SIZE)]
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(0, 0, 0, 0))
        painter.setBrush(ERROR_MARK if severity is Severity.ERROR else WARNING_MARK)
        painter.drawPolygon(corner)
        painter.restore()
