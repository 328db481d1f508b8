"""The annotation editor widget: the document's content, the token selection, mouse and key
input, and the composition of the painting layers (gold, suggestions, pieces, selection).

Selections are always whole tokens: a drag is snapped live, punctuation-only tokens at its
edges are dropped, and the keyboard moves a token cursor. The editor never writes to the
project: it emits requests that the window turns into undo commands.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTextBlockFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QTextEdit, QToolTip, QWidget

from nerstudio.core import text_order
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import Label, StoredSpan
from nerstudio.gui.widgets.editor import gold, selection, structure
from nerstudio.gui.widgets.editor.banner import Banner
from nerstudio.gui.widgets.editor.frame import Frame
from nerstudio.gui.widgets.editor.geometry import TextGeometry
from nerstudio.gui.widgets.editor.keys import handle_key
from nerstudio.gui.widgets.editor.paragraphs import in_paragraphs
from nerstudio.gui.widgets.editor.pieces import paint_pieces
from nerstudio.gui.widgets.editor.suggestions import paint_suggestions

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
    helpRequested = Signal()  # F1 or ?: the shortcut sheet
    hintRequested = Signal(str)  # a short notice for the status bar (an unknown key)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.document().setUndoRedoEnabled(False)
        font = QFont(self.font())
        interface_size = font.pointSizeF()
        font.setPointSizeF(max(12.0, interface_size * 1.25))
        self.setFont(font)
        self.caption_font = QFont(font)
        self.caption_font.setPointSizeF(font.pointSizeF() * 0.6)
        self.caption_font.setBold(True)
        # The model's pieces (Ctrl+M) are read one by one, not glanced at like a caption:
        # the interface's size, as far as the room under a line allows.
        self.piece_font = QFont(self.caption_font)
        self.piece_font.setPointSizeF(min(interface_size, font.pointSizeF() * 0.8))
        self.text_geometry = TextGeometry(self)
        self.record: DocumentRecord | None = None
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.spans: list[StoredSpan] = []
        self.colors: dict[str, str] = {}
        self.selection: tuple[int, int] | None = None  # first and last token index
        self.selected_span: StoredSpan | None = None
        self.keys: dict[str, str] = {}  # hotkey -> label name
        self.pieces = None  # a PieceView while "what the model will see" is on
        self.suggestions: list[ScoredSpan] = []
        self.armed_label: str | None = None
        self._press: QPoint | None = None
        self._press_reach = (0, 0)  # what a drag from the press point takes, at least
        self._dragging = False
        self.banner = Banner(self)
        self.page_marks: list[tuple[int, int]] = []  # (offset, page) of a paged source
        self.mark_font = QFont(self.caption_font)
        self.mark_font.setBold(False)

    # -- content -------------------------------------------------------------------------

    def show_document(self, record: DocumentRecord | None, spans: Sequence[StoredSpan]) -> None:
        """Show a document with the token cursor on its first token (the same document
        again, after an edit, keeps the cursor). Ids repeat across projects: document 1 of
        another project is another document, so the text and tokens are compared too."""
        same = (
            self.record is not None
            and record is not None
            and self.record.id == record.id
            and self.record.text == record.text
            and self.record.tokens == record.tokens
        )
        self.record = record
        if not same:
            text = record.text if record else ""
            self.setPlainText(in_paragraphs(text))
            self.text_geometry.set_text(text)
            cursor = QTextCursor(self.document())
            cursor.select(QTextCursor.SelectionType.Document)
            spacing = QTextBlockFormat()
            spacing.setLineHeight(210, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            cursor.mergeBlockFormat(spacing)
            structure.bold_headings(self.text_geometry, record)
            self.page_marks = structure.page_marks(record)
            tokens = record.tokens if record else ()
            self.starts = [s for s, _ in tokens]
            self.ends = [e for _, e in tokens]
            self.selection = (0, 0) if tokens else None
            self.selected_span = None
        self.set_spans(sorted(spans, key=lambda s: s.start))  # edits then pass the state's list
        if not same and self.starts:
            self._select_entity(self.span_at_token(0))  # the cursor starts on an entity
            self._refresh()

    def set_labels(self, labels: Sequence[Label]) -> None:
        self.colors = {label.name: label.color for label in labels}
        self.keys = {label.hotkey: label.name for label in labels if label.hotkey}
        self._refresh()

    def set_spans(self, spans: list[StoredSpan]) -> None:
        """The document's spans in text order (the state's list, not copied: at 100,000
        entities a copy per key is felt); a selected entity stays selected if it still
        exists."""
        self.spans = spans
        # The entity exactly under the selection is the selected one: after an undo brings
        # it back, a label key relabels it (Delete deletes it) as before the undo.
        chosen = self.selected_offsets() if self.selection is not None else None
        self.selected_span = self._span_exactly(*chosen) if chosen else None
        self._refresh()

    def select_span_at(self, start: int, end: int) -> None:
        """Select the entity at exactly these offsets (a freshly created one)."""
        self._select_entity(self._span_exactly(start, end))
        self._refresh()

    def set_suggestions(self, suggestions: list[ScoredSpan]) -> None:
        """The active model's suggestions, in text order (the state's list, not copied):
        dashed, faint when unsure, never gold until accepted."""
        self.suggestions = suggestions
        self._refresh()

    def set_pieces(self, view) -> None:
        """Show (or, with None, hide) the model's sub-word pieces and their labels."""
        self.pieces = view
        self._refresh()

    def show_message(self, text: str) -> None:
        """A visible notice over the text (an edit the file refused, for instance)."""
        self.banner.show_text(text, self.viewport())

    # -- tokens and entities -------------------------------------------------------------

    def _span_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of the text ``start:end`` (one per line it covers)."""
        return self.text_geometry.rects(start, end)

    def _token_containing(self, point: QPoint) -> int | None:
        """Index of the token under the point, judged by the character under it."""
        offset = self.text_geometry.offset_under(point)
        if offset is None:
            return None
        i = bisect_right(self.starts, offset) - 1
        return i if i >= 0 and offset < self.ends[i] else None

    def _reach(self, point: QPoint) -> tuple[int, int]:
        """What a drag's end at ``point`` takes: the token under it, whole (the right half
        of 上 in 上海 is still 上), else the boundary nearest to it (between words)."""
        token = self._token_containing(point)
        if token is not None:
            return self.starts[token], self.ends[token]
        offset = self.text_geometry.offset_at(point)
        return offset, offset

    def _token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Tokens overlapping [start, end), without punctuation-only tokens at the edges."""
        text = self.record.text if self.record else ""
        return selection.snap_to_tokens(text, self.starts, self.ends, start, end)

    def span_at_token(self, index: int) -> StoredSpan | None:
        return text_order.at(self.spans, self.starts[index])

    def _span_exactly(self, start: int, end: int) -> StoredSpan | None:
        return text_order.exactly(self.spans, start, end)

    def _select_entity(self, span: StoredSpan | None) -> None:
        """Make ``span`` the selected entity, its tokens the selection (None: no change)."""
        self.selected_span = span
        if span is not None:
            self.selection = self._token_range(span.start, span.end)

    def selected_offsets(self) -> tuple[int, int] | None:
        if self.selection is None:
            return None
        first, last = self.selection
        return self.starts[first], self.ends[last]

    def suggestion_at_selection(self) -> ScoredSpan | None:
        """The suggestion the token selection sits in (or exactly covers)."""
        chosen = self.selected_offsets()
        if chosen is None:
            return None
        selected = Span(*chosen, label="")  # the tokens only: a selection has no label yet
        near = text_order.overlapping(self.suggestions, *chosen)
        return next((s for s in near if s.covers(selected)), None)

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
        s = text_order.at(self.suggestions, offset)
        if s is not None:
            return (
                f"Suggestion: {s.label}, confidence {s.score:.2f}\n"
                "A accepts, X rejects, a label key takes it with another label"
            )
        span = text_order.at(self.spans, offset)
        if span is not None:
            return f"{span.label}: Delete removes it, a label key relabels it"
        return None

    # -- painting ------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Repaint; entities and the selection are painted, not stored in the document."""
        self.viewport().update()

    def _frame(self) -> Frame:
        top, bottom = self.text_geometry.visible()
        dark = self.palette().base().color().lightness() < 128
        return Frame(self.text_geometry, top, bottom, self.colors, dark)

    def _painter(self) -> QPainter:
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        return painter

    def paintEvent(self, event: QPaintEvent) -> None:
        """Gold backgrounds and the selection's box, the text, then over it: suggestions or
        pieces, gold captions (only the selected entity's over pieces), the selection line."""
        frame = self._frame()
        entities = gold.visible_entities(frame, self.spans)
        chosen = self.selected_offsets() if self.selected_span is None else None
        chosen_rects = frame.rects(*chosen) if chosen is not None else []
        painter = self._painter()
        gold.paint_backgrounds(painter, frame, entities)
        selection.paint_background(painter, chosen_rects, frame.dark)
        painter.end()
        super().paintEvent(event)  # the text, over the backgrounds
        painter = self._painter()
        painter.setFont(self.caption_font)
        captions = gold.place_captions(entities, painter.fontMetrics())
        if self.pieces is not None:
            captions = [c for c in captions if c.entity.span is self.selected_span]
            painter.setFont(self.piece_font)
            paint_pieces(painter, frame, self.pieces, [c.chip for c in captions])
            painter.setFont(self.caption_font)
        elif self.suggestions:
            paint_suggestions(painter, frame, self.suggestions, [c.chip for c in captions])
        gold.paint_captions(painter, frame, captions, self.selected_span)
        selection.paint_underline(painter, chosen_rects)
        if self.page_marks:
            painter.setFont(self.mark_font)
            grey = self.palette().placeholderText().color()
            structure.paint_page_marks(
                painter, frame, self.page_marks, self.viewport().width(), grey
            )
        painter.end()

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
        self._press_reach = self._reach(point)
        self._dragging = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return super().mouseMoveEvent(event)
        point = event.position().toPoint()
        if not self._dragging and (point - self._press).manhattanLength() < DRAG_THRESHOLD:
            return
        self._dragging = True
        here = self._reach(point)
        snapped = self._token_range(
            min(here[0], self._press_reach[0]), max(here[1], self._press_reach[1])
        )
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
            self._select_entity(span)
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
        if not handle_key(self, event):
            super().keyPressEvent(event)

    def escape(self) -> None:
        """Esc: deselect the entity (the token selection stays)."""
        self.selected_span = None
        self._refresh()

    def move_cursor(self, step: int, extend: bool) -> None:
        """Left/Right: move the token cursor ``step`` tokens (onto the entity there), or
        with ``extend`` grow or shrink the selection."""
        if not self.starts:
            return
        self.selection = selection.moved(self.selection or (0, 0), len(self.starts), step, extend)
        first = self.selection[0]
        self.selected_span = None
        if not extend:
            self._select_entity(self.span_at_token(first))
        self._refresh()
        self._scroll_to(self.starts[self.selection[1]])  # type: ignore[index]

    def _scroll_to(self, offset: int) -> None:
        self.setTextCursor(self.text_geometry.cursor(offset, offset))
        self.ensureCursorVisible()

    def apply_label(self, label: str) -> None:
        """A label key or button: relabel the selected entity, or tag the selection (which
        replaces, as one span, the entities it overlaps)."""
        if self.selected_span is not None:
            if self.selected_span.label != label:
                self.relabelRequested.emit(self.selected_span.id, label)
        elif self.selection is not None:
            self._create(label)

    def _create(self, label: str) -> None:
        start, end = self.selected_offsets()  # type: ignore[misc]
        self.spanRequested.emit(start, end, label)
