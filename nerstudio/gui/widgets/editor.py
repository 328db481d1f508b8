"""The annotation editor: wrapped text, entities in label colors with captions, and a
token-snapped selection driven by mouse or keyboard.

Selections are always whole tokens: a drag is snapped live, punctuation-only tokens at its
edges are dropped, and the keyboard moves a token cursor. The editor never writes to the
project: it emits requests that the window turns into undo commands.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTextBlockFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QLabel, QTextEdit, QToolTip, QWidget

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Label, StoredSpan
from nerstudio.gui.offsets import OffsetMap

SELECTION_COLOR = QColor("#b9dcff")
DRAG_THRESHOLD = 4


class AnnotationEditor(QTextEdit):
    """Shows one document; emits what the user asks for (create, relabel, delete, done)."""

    spanRequested = Signal(int, int, str)  # start, end (code points), label
    relabelRequested = Signal(int, str)  # span id, label
    removeRequested = Signal(int)  # span id
    doneRequested = Signal()
    acceptRequested = Signal(object)  # list of (start, end, label) suggestions to make gold
    rejectRequested = Signal(int, int)  # start, end of a suggestion to drop
    navigateRequested = Signal(int)  # -1 previous, +1 next document

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.document().setUndoRedoEnabled(False)
        font = QFont(self.font())
        font.setPointSizeF(max(12.0, font.pointSizeF() * 1.25))
        self.setFont(font)
        self.caption_font = QFont(font)
        self.caption_font.setPointSizeF(font.pointSizeF() * 0.6)
        self.caption_font.setBold(True)
        self.record: DocumentRecord | None = None
        self.offsets = OffsetMap("")
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.spans: list[StoredSpan] = []
        self.span_starts: list[int] = []
        self.colors: dict[str, str] = {}
        self.selection: tuple[int, int] | None = None  # first and last token index
        self.selected_span: StoredSpan | None = None
        self.keys: dict[str, str] = {}  # hotkey -> label name
        self.pieces = None  # a PieceView while "what the model will see" is on
        self.suggestions: list[dict] = []  # {"start", "end", "label", "score"}
        self.armed_label: str | None = None
        self._press: QPoint | None = None
        self._press_pos = 0
        self._dragging = False
        self.banner = QLabel(self)
        self.banner.setStyleSheet(
            "background:#fff3cd;color:#5c4400;border:1px solid #e0b84c;padding:4px 8px;"
            "border-radius:4px;"
        )
        self.banner.hide()
        self._banner_timer = QTimer(self, singleShot=True, interval=4000)
        self._banner_timer.timeout.connect(self.banner.hide)

    # -- content -------------------------------------------------------------------------

    def show_document(self, record: DocumentRecord | None, spans: Sequence[StoredSpan]) -> None:
        """Show a document with the token cursor on its first token."""
        same = self.record is not None and record is not None and self.record.id == record.id
        self.record = record
        if not same:
            text = record.text if record else ""
            self.setPlainText(text)
            self.offsets = OffsetMap(text)
            cursor = QTextCursor(self.document())
            cursor.select(QTextCursor.SelectionType.Document)
            spacing = QTextBlockFormat()
            spacing.setLineHeight(210, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            cursor.mergeBlockFormat(spacing)
            tokens = record.tokens if record else ()
            self.starts = [s for s, _ in tokens]
            self.ends = [e for _, e in tokens]
            self.selection = (0, 0) if tokens else None
            self.selected_span = None
        self.set_spans(spans)
        if not same and self.starts:
            self.selected_span = self.span_at_token(0)  # the cursor starts on an entity
            if self.selected_span is not None:
                self.selection = self._token_range(self.selected_span.start, self.selected_span.end)
            self._refresh()

    def set_labels(self, labels: Sequence[Label]) -> None:
        self.colors = {label.name: label.color for label in labels}
        self.keys = {label.hotkey: label.name for label in labels if label.hotkey}
        self._refresh()

    def set_spans(self, spans: Sequence[StoredSpan]) -> None:
        """New spans from the store; a selected entity stays selected if it still exists."""
        self.spans = sorted(spans, key=lambda s: s.start)
        self.span_starts = [s.start for s in self.spans]
        # The entity exactly under the selection is the selected one: after an undo brings
        # it back, a label key relabels it instead of being refused as an overlap.
        chosen = self.selected_offsets() if self.selection is not None else None
        self.selected_span = next(
            (s for s in self.spans if chosen and (s.start, s.end) == chosen), None
        )
        self._refresh()

    def select_span_at(self, start: int, end: int) -> None:
        """Select the entity at exactly these offsets (a freshly created one)."""
        self.selected_span = next(
            (s for s in self.spans if s.start == start and s.end == end), None
        )
        if self.selected_span is not None:
            self.selection = self._token_range(start, end)
        self._refresh()

    def show_message(self, text: str) -> None:
        """A visible notice over the text (an overlap refused, for instance)."""
        self.banner.setText(text)
        self.banner.setWordWrap(True)
        self.banner.setMaximumWidth(max(200, self.viewport().width() - 24))
        self.banner.adjustSize()
        # At the bottom, where it hides no line the user is working on.
        self.banner.move(12, self.viewport().height() - self.banner.height() - 8)
        self.banner.show()
        self.banner.raise_()
        self._banner_timer.start()

    # -- geometry ------------------------------------------------------------------------

    def _cursor(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.offsets.to_qt(start))
        cursor.setPosition(self.offsets.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _offset_at(self, point: QPoint) -> int:
        """Code-point boundary nearest to a viewport point."""
        return self.offsets.from_qt(self.cursorForPosition(point).position())

    def _token_containing(self, point: QPoint) -> int | None:
        """Index of the token under the point, judged by the character under it."""
        layout = self.document().documentLayout()
        content = point + QPoint(
            self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        )
        qt_pos = layout.hitTest(content, Qt.HitTestAccuracy.ExactHit)
        if qt_pos < 0:
            return None
        offset = self.offsets.from_qt(qt_pos)
        i = bisect_right(self.starts, offset) - 1
        return i if i >= 0 and offset < self.ends[i] else None

    def viewportEvent(self, event: QEvent) -> bool:
        """Hovering a suggestion or an entity tells what it is and what the keys do."""
        if event.type() == QEvent.Type.ToolTip:
            text = self.hover_text(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def hover_text(self, point: QPoint) -> str | None:
        index = self._token_containing(point)
        if index is None:
            return None
        offset = self.starts[index]
        for s in self.suggestions:
            if s["start"] <= offset < s["end"]:
                return (
                    f"Suggestion: {s['label']}, confidence {s['score']:.2f}\n"
                    "A accepts, X rejects, a label key takes it with another label"
                )
        span = next((s for s in self.spans if s.start <= offset < s.end), None)
        if span is not None:
            return f"{span.label}: Delete removes it, a label key relabels it"
        return None

    def _token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Tokens overlapping [start, end), without punctuation-only tokens at the edges."""
        if not self.starts or end <= start:
            return None
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end) - 1
        if first > last:
            return None
        text = self.record.text if self.record else ""

        def wordy(i: int) -> bool:
            return any(ch.isalnum() for ch in text[self.starts[i] : self.ends[i]])

        while first < last and not wordy(first):
            first += 1
        while last > first and not wordy(last):
            last -= 1
        return first, last

    def span_at_token(self, index: int) -> StoredSpan | None:
        offset = self.starts[index]
        i = bisect_right(self.span_starts, offset) - 1
        if i >= 0 and self.spans[i].start <= offset < self.spans[i].end:
            return self.spans[i]
        return None

    def selected_offsets(self) -> tuple[int, int] | None:
        if self.selection is None:
            return None
        first, last = self.selection
        return self.starts[first], self.ends[last]

    # -- drawing -------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Repaint; entities and the selection are painted, not stored in the document."""
        self.viewport().update()

    def _background(self, label: str) -> QColor:
        """The label color; translucent on a dark theme so light text stays readable."""
        color = QColor(self.colors.get(label, "#dddddd"))
        if self.palette().base().color().lightness() < 128:
            color.setAlpha(110)
        return color

    def _span_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of the text ``start:end`` (one per line it covers)."""
        document = self.document()
        layout = document.documentLayout()
        qt_start, qt_end = self.offsets.to_qt(start), self.offsets.to_qt(end)
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
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

    def _visible_spans(self) -> list[StoredSpan]:
        top = self._offset_at(QPoint(0, 0))
        bottom = self._offset_at(QPoint(self.viewport().width(), self.viewport().height()))
        lo = max(0, bisect_left(self.span_starts, top) - 1)
        hi = bisect_right(self.span_starts, bottom)
        return self.spans[lo:hi]

    def paintEvent(self, event: QPaintEvent) -> None:
        visible = self._visible_spans()
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        boxes = []
        for span in visible:
            rects = self._span_rects(span.start, span.end)
            boxes.append((span, rects))
            painter.setBrush(self._background(span.label))
            for rect in rects:
                painter.drawRoundedRect(rect.adjusted(-2, 0, 2, 0), 3, 3)
        chosen = self.selected_offsets() if self.selected_span is None else None
        if chosen is not None:
            painter.setBrush(SELECTION_COLOR)
            for rect in self._span_rects(*chosen):
                painter.drawRect(rect.adjusted(-1, 0, 1, 0))
        painter.end()
        super().paintEvent(event)  # the text, over the backgrounds
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.caption_font)
        metrics = painter.fontMetrics()
        if self.suggestions and self.pieces is None:
            gold_chips = [
                QRectF(
                    rects[0].left(),
                    rects[0].bottom() + 1,
                    metrics.horizontalAdvance(span.label) + 8,
                    metrics.height(),
                )
                for span, rects in boxes
                if rects
            ]
            self._paint_suggestions(painter, gold_chips)
        if self.pieces is not None:
            self._paint_pieces(painter)
            boxes = [(span, rects) for span, rects in boxes if span is self.selected_span]
        for span, rects in boxes:
            if not rects or (self.pieces is not None and span is not self.selected_span):
                continue
            first = rects[0]
            width = metrics.horizontalAdvance(span.label) + 8
            chip = QRectF(first.left(), first.bottom() + 1, width, metrics.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(self.colors.get(span.label, "#dddddd")).darker(140))
            painter.drawRoundedRect(chip, 3, 3)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, span.label)
            if span is self.selected_span:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor("#1f6fd1"), 2))
                for rect in rects:
                    painter.drawRoundedRect(rect.adjusted(-3, -1, 3, 1), 3, 3)
        if chosen is not None:
            painter.setPen(QPen(QColor("#1f6fd1"), 2))
            for rect in self._span_rects(*chosen):
                painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.end()

    def set_suggestions(self, suggestions: Sequence[dict]) -> None:
        """The active model's suggestions: dashed, faint when unsure, never gold until
        accepted."""
        self.suggestions = sorted(suggestions, key=lambda s: s["start"])
        self._refresh()

    def suggestion_at_selection(self) -> dict | None:
        """The suggestion the token selection sits in (or exactly covers)."""
        chosen = self.selected_offsets()
        if chosen is None:
            return None
        start, end = chosen
        return next((s for s in self.suggestions if s["start"] <= start and end <= s["end"]), None)

    def _paint_suggestions(self, painter: QPainter, taken: list[QRectF]) -> None:
        """Dashed outlines with a "LABEL? 0.87" caption; a caption that would cover another
        (a gold entity's, under review, or a neighbour's) moves right of it."""
        top = self._offset_at(QPoint(0, 0))
        bottom = self._offset_at(QPoint(self.viewport().width(), self.viewport().height()))
        metrics = painter.fontMetrics()
        for suggestion in self.suggestions:
            if suggestion["end"] < top or suggestion["start"] > bottom:
                continue
            color = QColor(self.colors.get(suggestion["label"], "#888888")).darker(150)
            color.setAlphaF(0.35 + 0.65 * max(0.0, min(1.0, suggestion["score"])))
            painter.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            rects = self._span_rects(suggestion["start"], suggestion["end"])
            for rect in rects:
                painter.drawRoundedRect(rect.adjusted(-2, 0, 2, 0), 3, 3)
            if rects:
                text = f"{suggestion['label']}? {suggestion['score']:.2f}"
                chip = QRectF(
                    rects[0].left(),
                    rects[0].bottom() + 1,
                    metrics.horizontalAdvance(text) + 8,
                    metrics.height(),
                )
                while (blocker := next((t for t in taken if t.intersects(chip)), None)) is not None:
                    chip.moveLeft(blocker.right() + 4)
                taken.append(chip)
                painter.setPen(color)
                painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)

    def set_pieces(self, view) -> None:
        """Show (or, with None, hide) the model's sub-word pieces and their labels."""
        self.pieces = view
        self._refresh()

    def _paint_pieces(self, painter: QPainter) -> None:
        """Pieces underlined in alternating shades, each labelled piece's tag below it, a
        red bar at each window boundary, and a red frame round entities a window cuts."""
        top = self._offset_at(QPoint(0, 0))
        bottom = self._offset_at(QPoint(self.viewport().width(), self.viewport().height()))
        metrics = painter.fontMetrics()
        for i, piece in enumerate(self.pieces.pieces):
            if piece.end < top or piece.start > bottom:
                continue
            for rect in self._span_rects(piece.start, piece.end):
                shade = QColor("#444444" if i % 2 == 0 else "#aaaaaa")
                painter.fillRect(QRectF(rect.left(), rect.bottom() + 1, rect.width(), 2), shade)
                label = piece.tag if piece.tag is not None else "·"
                painter.setPen(
                    QColor("#7a4b00") if piece.tag not in (None, "O") else QColor("#888888")
                )
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
                    painter.fillRect(
                        QRectF(rect.right(), rect.top(), 2, rect.height()), QColor("#d62728")
                    )
        painter.setPen(QPen(QColor("#d62728"), 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for start, end in self.pieces.cut_entities:
            for rect in self._span_rects(start, end):
                painter.drawRect(rect.adjusted(-3, -2, 3, 2))

    # -- mouse ---------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.record is None:
            return super().mousePressEvent(event)
        self.setFocus()
        point = event.position().toPoint()
        token = self._token_containing(point)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self.selection is not None:
            if token is not None:
                first, last = self.selection
                self.selection = (min(first, token), max(last, token))
                self.selected_span = None
                self._refresh()
            return
        self._press = point
        self._press_pos = self._offset_at(point)
        self._dragging = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return super().mouseMoveEvent(event)
        point = event.position().toPoint()
        if not self._dragging and (point - self._press).manhattanLength() < DRAG_THRESHOLD:
            return
        self._dragging = True
        here = self._offset_at(point)
        snapped = self._token_range(min(here, self._press_pos), max(here, self._press_pos))
        if snapped is not None:
            self.selection = snapped
            self.selected_span = None
            self._refresh()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return super().mouseReleaseEvent(event)
        point = event.position().toPoint()
        self._press = None
        if self._dragging:
            self._dragging = False
            if self.armed_label and self.selection is not None:
                self._create(self.armed_label)
            return
        token = self._token_containing(point)
        if token is None:
            return
        span = self.span_at_token(token)
        if span is not None:
            self.selected_span = span
            self.selection = self._token_range(span.start, span.end)
        else:
            self.selected_span = None
            self.selection = (token, token)
        self._refresh()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        token = self._token_containing(event.position().toPoint())
        if token is not None:
            self.selected_span = None
            self.selection = (token, token)
            self._refresh()

    # -- keyboard ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp) or (
            ctrl and key in (Qt.Key.Key_Down, Qt.Key.Key_Up)
        ):
            self.navigateRequested.emit(1 if key in (Qt.Key.Key_PageDown, Qt.Key.Key_Down) else -1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not ctrl:
            self._move(-1 if key == Qt.Key.Key_Left else 1, shift)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if self.selected_span is not None:
                self.removeRequested.emit(self.selected_span.id)
        elif key == Qt.Key.Key_A and not ctrl and self.suggestions:
            chosen = self.suggestions if shift else [self.suggestion_at_selection()]
            items = [(s["start"], s["end"], s["label"]) for s in chosen if s is not None]
            if items:
                self.acceptRequested.emit(items)
        elif key == Qt.Key.Key_X and not ctrl and self.suggestion_at_selection() is not None:
            suggestion = self.suggestion_at_selection()
            self.rejectRequested.emit(suggestion["start"], suggestion["end"])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.doneRequested.emit()
        elif key == Qt.Key.Key_Escape:
            self.selected_span = None
            self._refresh()
        elif not ctrl and event.text().lower() in self.keys:
            self.apply_label(self.keys[event.text().lower()])
        else:
            super().keyPressEvent(event)

    def _move(self, step: int, extend: bool) -> None:
        if not self.starts:
            return
        count = len(self.starts)
        first, last = self.selection or (0, 0)
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
        self.selection = (first, last)
        self.selected_span = None
        if not extend:
            self.selected_span = self.span_at_token(first)
            if self.selected_span is not None:
                self.selection = self._token_range(self.selected_span.start, self.selected_span.end)
        self._refresh()
        self._scroll_to(self.starts[self.selection[1]])  # type: ignore[index]

    def _scroll_to(self, offset: int) -> None:
        self.setTextCursor(self._cursor(offset, offset))
        self.ensureCursorVisible()

    def apply_label(self, label: str) -> None:
        """A label key or button: relabel the selected entity, or tag the selection."""
        if self.selected_span is not None:
            if self.selected_span.label != label:
                self.relabelRequested.emit(self.selected_span.id, label)
        elif self.selection is not None:
            self._create(label)

    def _create(self, label: str) -> None:
        start, end = self.selected_offsets()  # type: ignore[misc]
        self.spanRequested.emit(start, end, label)
