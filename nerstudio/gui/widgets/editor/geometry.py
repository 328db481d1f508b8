"""Where the shown text's code-point offsets are in the editor's viewport, and back.

Every layer asks here for the rectangles of ``start:end``; the editor asks here which offset
is under a point. Offsets go through the text's ``OffsetMap``, never straight to Qt.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextEdit

from nerstudio.gui.offsets import OffsetMap


class TextGeometry:
    """Viewport geometry of the text shown in one ``QTextEdit``."""

    def __init__(self, edit: QTextEdit) -> None:
        self.edit = edit
        self.offsets = OffsetMap("")

    def set_text(self, text: str) -> None:
        self.offsets = OffsetMap(text)

    def cursor(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.edit.document())
        cursor.setPosition(self.offsets.to_qt(start))
        cursor.setPosition(self.offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def offset_at(self, point: QPoint) -> int:
        """Code-point boundary nearest to a viewport point."""
        return self.offsets.from_qt(self.edit.cursorForPosition(point).position())

    def offset_under(self, point: QPoint) -> int | None:
        """Code-point offset of the character under a viewport point, None between lines."""
        content = point + QPoint(
            self.edit.horizontalScrollBar().value(), self.edit.verticalScrollBar().value()
        )
        layout = self.edit.document().documentLayout()
        qt_pos = layout.hitTest(content, Qt.HitTestAccuracy.ExactHit)
        return None if qt_pos < 0 else self.offsets.from_qt(qt_pos)

    def visible(self) -> tuple[int, int]:
        """The offsets at the viewport's top-left and bottom-right corners."""
        viewport = self.edit.viewport()
        return self.offset_at(QPoint(0, 0)), self.offset_at(
            QPoint(viewport.width(), viewport.height())
        )

    def rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of the text ``start:end`` (one per line it covers)."""
        document = self.edit.document()
        layout = document.documentLayout()
        qt_start, qt_end = self.offsets.to_qt(start), self.offsets.to_qt(end)
        dx = -self.edit.horizontalScrollBar().value()
        dy = -self.edit.verticalScrollBar().value()
        rects: list[QRectF] = []
        block = document.findBlock(qt_start)
        while block.isValid() and block.position() < qt_end:
            origin = layout.blockBoundingRect(block).topLeft()
            text_layout = block.layout()
            base = block.position()
            first = text_layout.lineForTextPosition(max(0, qt_start - base)).lineNumber()
            for i in range(max(0, first), text_layout.lineCount()):
                line = text_layout.lineAt(i)
                if base + line.textStart() >= qt_end:
                    break
                a = max(qt_start, base + line.textStart())
                b = min(qt_end, base + line.textStart() + line.textLength())
                if a >= b:
                    continue
                x1 = line.cursorToX(a - base)[0]
                x2 = line.cursorToX(b - base)[0]
                rects.append(
                    QRectF(origin.x() + x1 + dx, origin.y() + line.y() + dy, x2 - x1, line.height())
                )
            block = block.next()
        return rects
