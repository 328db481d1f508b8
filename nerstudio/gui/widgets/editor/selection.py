"""The selection layer: the live token selection, a light blue box behind its words and a
blue line under them (a selected entity is framed by the gold layer instead), and how a
selection snaps to tokens and moves with the arrow keys."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

SELECTION_COLOR = QColor("#b9dcff")
SELECTION_COLOR_DARK = QColor("#2f5d96")  # under the dark theme's light text
SELECTION_EDGE = QColor("#1f6fd1")  # the line under a selection, the frame round an entity


def paint_background(painter: QPainter, rects: Sequence[QRectF], dark: bool = False) -> None:
    """Under the text: the selection's box over each of its lines' ``rects`` (``dark``: the
    page is dark and the text light, so the box is a deep blue)."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(SELECTION_COLOR_DARK if dark else SELECTION_COLOR)
    for rect in rects:
        painter.drawRect(rect.adjusted(-1, 0, 1, 0))


def paint_underline(painter: QPainter, rects: Sequence[QRectF]) -> None:
    """Over the text: a line under each of the selection's lines."""
    painter.setPen(QPen(SELECTION_EDGE, 2))
    for rect in rects:
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())


def snap_to_tokens(
    text: str, starts: Sequence[int], ends: Sequence[int], start: int, end: int
) -> tuple[int, int] | None:
    """The first and last token overlapping ``[start, end)``, without punctuation-only
    tokens at the edges (a drag over "Paris," selects "Paris"); None for no token."""
    if not starts or end <= start:
        return None
    first = bisect_right(ends, start)
    last = bisect_left(starts, end) - 1
    if first > last:
        return None

    def wordy(i: int) -> bool:
        return any(ch.isalnum() for ch in text[starts[i] : ends[i]])

    while first < last and not wordy(first):
        first += 1
    while last > first and not wordy(last):
        last -= 1
    return first, last


def moved(selection: tuple[int, int], count: int, step: int, extend: bool) -> tuple[int, int]:
    """The selection after Left/Right (``step`` -1/+1) over ``count`` tokens: one token
    further, or with Shift (``extend``) grown or shrunk at its end."""
    first, last = selection
    if extend:
        if step > 0:
            last = min(count - 1, last + 1)
        elif last > first:
            last -= 1
        else:
            first = max(0, first - 1)
    else:
        index = first - 1 if step < 0 else last + 1
        first = last = max(0, min(count - 1, index))
    return first, last
