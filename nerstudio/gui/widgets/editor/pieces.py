"""The pieces layer ("what the model will see"): each sub-word piece underlined in
alternating shades with the tag it trains on below it, a red bar at each window boundary,
and a red frame round entities a window cuts. The view comes from ``PieceOverlay``."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from nerstudio.core.training.pieces import Piece, PieceView
from nerstudio.gui.widgets.editor.frame import Frame

SHADES = (QColor("#444444"), QColor("#aaaaaa"))  # even and odd pieces' underlines
ENTITY_TAG = QColor("#7a4b00")  # a tag that is part of an entity (B-, I-...)
OTHER_TAG = QColor("#888888")  # "O", or "·" where the piece trains on nothing (-100)
WINDOW_CUT = QColor("#d62728")


def paint_pieces(painter: QPainter, frame: Frame, view: PieceView) -> None:
    """Over the text: the pieces in view, then the frames round cut entities."""
    metrics = painter.fontMetrics()
    top, bottom = frame.top, frame.bottom  # a document has thousands of pieces: no call each
    shown = [(i, p) for i, p in enumerate(view.pieces) if p.end >= top and p.start <= bottom]
    for i, piece in shown:
        _paint_piece(painter, frame, piece, SHADES[i % 2], metrics)
    painter.setPen(QPen(WINDOW_CUT, 2, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for start, end in view.cut_entities:
        for rect in frame.rects(start, end):
            painter.drawRect(rect.adjusted(-3, -2, 3, 2))


def _paint_piece(
    painter: QPainter, frame: Frame, piece: Piece, shade: QColor, metrics: QFontMetrics
) -> None:
    """One piece: its underline and tag under each line it covers, its window bar."""
    label = piece.tag if piece.tag is not None else "·"
    for rect in frame.rects(piece.start, piece.end):
        painter.fillRect(QRectF(rect.left(), rect.bottom() + 1, rect.width(), 2), shade)
        painter.setPen(ENTITY_TAG if piece.tag not in (None, "O") else OTHER_TAG)
        painter.drawText(
            QRectF(
                rect.left(),
                rect.bottom() + 3,
                max(rect.width(), metrics.horizontalAdvance(label)),
                metrics.height(),
            ),
            label,
        )
        if piece.window_edge:
            painter.fillRect(QRectF(rect.right(), rect.top(), 2, rect.height()), WINDOW_CUT)
