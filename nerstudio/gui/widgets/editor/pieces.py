"""The pieces layer ("what the model will see"): each sub-word piece underlined in
alternating shades with the tag it trains on below it, a red bar at each window boundary,
and a red frame round entities a window cuts. The view comes from ``PieceOverlay``.

A tag is often wider than its piece ("B-LOC" under "Bu"): entity tags are placed first,
each moved right of the one before it where they would touch (as captions are), and an
"O" or "·" is drawn only where it covers no tag, so every entity tag reads in full."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from nerstudio.core.training.pieces import Piece, PieceView
from nerstudio.gui.widgets.editor.captions import caption_rect
from nerstudio.gui.widgets.editor.frame import Frame

SHADES = (QColor("#444444"), QColor("#aaaaaa"))  # even and odd pieces' underlines
ENTITY_TAG = QColor("#7a4b00")  # a tag that is part of an entity (B-, I-...)
ENTITY_TAG_DARK = QColor("#f2b45c")  # the same on a dark theme's page
OTHER_TAG = QColor("#888888")  # "O", or "·" where the piece trains on nothing (-100)
WINDOW_CUT = QColor("#d62728")


def is_entity_tag(tag: str | None) -> bool:
    return tag not in (None, "O")


def paint_pieces(
    painter: QPainter, frame: Frame, view: PieceView, taken: Sequence[QRectF] = ()
) -> None:
    """Over the text: the pieces in view, their tags (clear of the chips in ``taken``: the
    selected entity's caption), then the frames round cut entities."""
    metrics = painter.fontMetrics()
    top, bottom = frame.top, frame.bottom  # a document has thousands of pieces: no call each
    shown = [(i, p) for i, p in enumerate(view.pieces) if p.end >= top and p.start <= bottom]
    for i, piece in shown:
        _paint_underline(painter, frame, piece, SHADES[i % 2])
    taken = list(taken)
    painter.setPen(ENTITY_TAG_DARK if frame.dark else ENTITY_TAG)
    for _, piece in shown:
        if is_entity_tag(piece.tag):
            _paint_tag(painter, frame, piece, metrics, taken, move=True)
    painter.setPen(OTHER_TAG)
    for _, piece in shown:
        if not is_entity_tag(piece.tag):
            _paint_tag(painter, frame, piece, metrics, taken, move=False)
    painter.setPen(QPen(WINDOW_CUT, 2, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for start, end in view.cut_entities:
        for rect in frame.rects(start, end):
            painter.drawRect(rect.adjusted(-3, -2, 3, 2))


def _paint_underline(painter: QPainter, frame: Frame, piece: Piece, shade: QColor) -> None:
    """One piece's underline under each line it covers, and its window bar."""
    for rect in frame.rects(piece.start, piece.end):
        painter.fillRect(QRectF(rect.left(), rect.bottom() + 1, rect.width(), 2), shade)
        if piece.window_edge:
            painter.fillRect(QRectF(rect.right(), rect.top(), 2, rect.height()), WINDOW_CUT)


def _paint_tag(
    painter: QPainter,
    frame: Frame,
    piece: Piece,
    metrics: QFontMetrics,
    taken: list[QRectF],
    move: bool,
) -> None:
    """A piece's tag under the start of its first line; ``move``: right of any tag in
    ``taken`` it would cover, else left out where it would cover one."""
    rects = frame.rects(piece.start, piece.end)
    if not rects:
        return
    label = piece.tag if piece.tag is not None else "·"
    line = rects[0].adjusted(0, 2, 0, 2)  # leave the underline visible above the tag
    place = caption_rect(line, label, metrics, taken if move else ())
    if not move and any(place.intersects(t) for t in taken):
        return
    taken.append(place)
    painter.drawText(place, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
