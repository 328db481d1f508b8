"""The gold layer: each entity's label color behind its text, a caption chip with its label
under it, and a frame round the selected entity."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

from nerstudio.core.store import StoredSpan
from nerstudio.gui.widgets.editor.captions import caption_rect
from nerstudio.gui.widgets.editor.frame import Frame
from nerstudio.gui.widgets.editor.selection import SELECTION_EDGE

FALLBACK = "#dddddd"  # the color of a label the project no longer has
CAPTION_TEXT = QColor("#ffffff")
DARK_ALPHA = 110


class Entity(NamedTuple):
    """A gold span in view and its rectangles (one per line; none when it is off screen)."""

    span: StoredSpan
    rects: list[QRectF]


def _start(span: StoredSpan) -> int:
    return span.start


class Caption(NamedTuple):
    entity: Entity
    chip: QRectF


def visible_entities(frame: Frame, spans: Sequence[StoredSpan]) -> list[Entity]:
    """The spans (in text order) that may be in view, measured."""
    lo = max(0, bisect_left(spans, frame.top, key=_start) - 1)
    hi = bisect_right(spans, frame.bottom, key=_start)
    return [Entity(span, frame.rects(span.start, span.end)) for span in spans[lo:hi]]


def background(frame: Frame, label: str) -> QColor:
    """The label color; translucent on a dark theme so light text stays readable."""
    color = frame.label_color(label, FALLBACK)
    if frame.dark:
        color.setAlpha(DARK_ALPHA)
    return color


def paint_backgrounds(painter: QPainter, frame: Frame, entities: Sequence[Entity]) -> None:
    """Under the text: a rounded box in the label color over each line of each entity."""
    painter.setPen(Qt.PenStyle.NoPen)
    for entity in entities:
        painter.setBrush(background(frame, entity.span.label))
        for rect in entity.rects:
            painter.drawRoundedRect(rect.adjusted(-2, 0, 2, 0), 3, 3)


def place_captions(entities: Sequence[Entity], metrics: QFontMetrics) -> list[Caption]:
    """Each shown entity's caption under its first line (gold captions never move)."""
    return [
        Caption(entity, caption_rect(entity.rects[0], entity.span.label, metrics))
        for entity in entities
        if entity.rects
    ]


def paint_captions(
    painter: QPainter, frame: Frame, captions: Sequence[Caption], selected: StoredSpan | None
) -> None:
    """Over the text: the label in white on a darker chip; the selected entity framed."""
    for caption in captions:
        span = caption.entity.span
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(frame.label_color(span.label, FALLBACK).darker(140))
        painter.drawRoundedRect(caption.chip, 3, 3)
        painter.setPen(CAPTION_TEXT)
        painter.drawText(caption.chip, Qt.AlignmentFlag.AlignCenter, span.label)
        if span is selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(SELECTION_EDGE, 2))
            for rect in caption.entity.rects:
                painter.drawRoundedRect(rect.adjusted(-3, -1, 3, 1), 3, 3)
