"""The suggestions layer: the active model's spans as dashed outlines with a "LABEL? 0.87"
caption, both fainter the less sure the model is; never painted as gold."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from nerstudio.core.spans import ScoredSpan
from nerstudio.gui.widgets.editor.captions import caption_rect
from nerstudio.gui.widgets.editor.frame import Frame

FALLBACK = "#888888"  # the color of a label the project does not have
FAINTEST = 0.35  # the opacity of a suggestion with score 0


def _start(span: ScoredSpan) -> int:
    return span.start


def confidence_color(frame: Frame, suggestion: ScoredSpan) -> QColor:
    """The label's color, darker, as opaque as the model is confident."""
    color = frame.label_color(suggestion.label, FALLBACK).darker(150)
    color.setAlphaF(FAINTEST + (1 - FAINTEST) * max(0.0, min(1.0, suggestion.score)))
    return color


def caption_color(frame: Frame, label: str) -> QColor:
    """The caption's text: the label's hue, deep on a light page and pale on a dark one,
    always opaque: the number already says how sure the model is."""
    color = frame.label_color(label, FALLBACK)
    return color.lighter(120) if frame.dark else color.darker(250)


def paint_suggestions(
    painter: QPainter, frame: Frame, suggestions: Sequence[ScoredSpan], taken: list[QRectF]
) -> None:
    """Over the text: each suggestion in view outlined and captioned; a caption that would
    cover one in ``taken`` (a gold entity's, under review, or a neighbour's) moves right.
    ``suggestions`` are in text order, without overlaps (one tag a token): only those from
    the last one starting above the view to the last one starting in it are looked at."""
    metrics = painter.fontMetrics()
    lo = max(0, bisect_left(suggestions, frame.top, key=_start) - 1)
    hi = bisect_right(suggestions, frame.bottom, key=_start)
    for suggestion in suggestions[lo:hi]:
        if not frame.shows(suggestion.start, suggestion.end):
            continue
        color = confidence_color(frame, suggestion)
        painter.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rects = frame.rects(suggestion.start, suggestion.end)
        for rect in rects:
            painter.drawRoundedRect(rect.adjusted(-2, 0, 2, 0), 3, 3)
        if rects:
            text = f"{suggestion.label}? {suggestion.score:.2f}"
            chip = caption_rect(rects[0], text, metrics, taken)
            taken.append(chip)
            painter.setPen(caption_color(frame, suggestion.label))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
