"""The selection layer: the live token selection, a light blue box behind its words and a
blue line under them (a selected entity is framed by the gold layer instead)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

SELECTION_COLOR = QColor("#b9dcff")
SELECTION_EDGE = QColor("#1f6fd1")  # the line under a selection, the frame round an entity


def paint_background(painter: QPainter, rects: Sequence[QRectF]) -> None:
    """Under the text: the selection's box over each of its lines' ``rects``."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(SELECTION_COLOR)
    for rect in rects:
        painter.drawRect(rect.adjusted(-1, 0, 1, 0))


def paint_underline(painter: QPainter, rects: Sequence[QRectF]) -> None:
    """Over the text: a line under each of the selection's lines."""
    painter.setPen(QPen(SELECTION_EDGE, 2))
    for rect in rects:
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
