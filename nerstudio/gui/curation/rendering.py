"""A read-only rendering of a document with one set of spans: the editor's own painting
(label colors, captions), no selection, no input, and the current disagreement framed so
the eye finds the same place in every row."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import Span
from nerstudio.core.store import StoredSpan
from nerstudio.gui.widgets.editor import AnnotationEditor
from nerstudio.gui.widgets.editor.selection import SELECTION_EDGE

ROW_LINES = 3  # lines of text a row shows; longer documents scroll to the disagreement


class SpanRendering(AnnotationEditor):
    """Shows spans; never edits, never takes the keyboard (the curation page keeps it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        self.marked: tuple[int, int] | None = None
        self.setMinimumHeight(ROW_LINES * 2 * self.fontMetrics().lineSpacing())

    def show_spans(
        self, record: DocumentRecord, spans: Sequence[Span | StoredSpan], marked=None
    ) -> None:
        """``spans`` over the document's text, the extent ``marked`` (start, end) framed."""
        stored = [
            s
            if isinstance(s, StoredSpan)
            else StoredSpan(id=-1 - i, start=s.start, end=s.end, label=s.label)
            for i, s in enumerate(spans)
        ]
        self.show_document(record, stored)
        self.selection, self.selected_span = None, None
        self.marked = marked
        if marked is not None:
            self._scroll_to(marked[0])
        self._refresh()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.marked is None:
            return
        painter = self._painter()
        painter.setPen(QPen(SELECTION_EDGE, 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect in self.text_geometry.rects(*self.marked):
            painter.drawRoundedRect(rect.adjusted(-4, -3, 4, 1), 4, 4)
        painter.end()

    # No selection, no editing: the page's keys settle, the mouse only scrolls.
    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.ignore()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.ignore()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        event.ignore()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        event.ignore()
