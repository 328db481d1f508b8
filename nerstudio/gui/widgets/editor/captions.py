"""Where an entity's caption goes, for gold entities and suggestions alike."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetrics

PADDING = 8  # the caption's width beyond its text
GAP = 4  # between a caption and the one it was moved past


def caption_rect(
    first_line: QRectF, text: str, metrics: QFontMetrics, taken: Sequence[QRectF] = ()
) -> QRectF:
    """The chip for ``text`` under the start of an entity's first line; one that would cover
    a caption in ``taken`` moves right of it."""
    chip = QRectF(
        first_line.left(),
        first_line.bottom() + 1,
        metrics.horizontalAdvance(text) + PADDING,
        metrics.height(),
    )
    while (blocker := next((t for t in taken if t.intersects(chip)), None)) is not None:
        chip.moveLeft(blocker.right() + GAP)
    return chip
