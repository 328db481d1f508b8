"""A document file's structure, shown quietly: headings in a heavier weight, and where a
page begins a thin rule with the page number at the right edge, so a person reading a PDF's
text knows where they are in the original without the text moving an offset."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QTextCharFormat

from nerstudio.core.records import DocumentRecord
from nerstudio.gui.widgets.editor.frame import Frame
from nerstudio.gui.widgets.editor.geometry import TextGeometry

MARGIN = 8  # the rule's distance from the viewport's sides


def page_marks(record: DocumentRecord | None) -> list[tuple[int, int]]:
    """``(offset, page)`` where each page of the document begins."""
    origin = record.origin if record is not None else None
    return [(start, page) for start, _end, page in origin.pages] if origin else []


def bold_headings(geometry: TextGeometry, record: DocumentRecord | None) -> None:
    """Headings in a demi-bold weight (a format on the shown text; offsets stay)."""
    origin = record.origin if record is not None else None
    heavier = QTextCharFormat()
    heavier.setFontWeight(QFont.Weight.DemiBold)
    for region in origin.regions if origin else ():
        if region.kind == "heading":
            geometry.cursor(region.start, region.end).mergeCharFormat(heavier)


def paint_page_marks(
    painter: QPainter, frame: Frame, marks: list[tuple[int, int]], width: int, color: QColor
) -> None:
    """Above the first line of each page in view: a faint rule (not above the document's
    first page) and ``p. N`` at the right, small and grey."""
    faint = QColor(color)
    faint.setAlphaF(0.35)
    metrics = painter.fontMetrics()
    for index, (offset, page) in enumerate(marks):
        if not frame.shows(offset, offset + 1):
            continue
        rects = frame.rects(offset, offset + 1)
        if not rects:
            continue
        line = rects[0]
        y = line.top() - 2
        if index:
            painter.setPen(QPen(faint, 1))
            painter.drawLine(QPointF(MARGIN, y), QPointF(width - MARGIN, y))
        label = f"p. {page}"
        box = QRectF(0, y - metrics.height() - 1, width - MARGIN, metrics.height())
        if box.top() < 0 and not index:  # the document's first line: in the room below it
            box.moveBottom(line.bottom() - 1)
        painter.setPen(QPen(color))
        painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, label)
