"""The curation page: the disputed documents on the left; on the right one row per finished
annotator (their spans over the text) and the curated gold below, the current disagreement
framed in every row.

It only shows and asks: a key or a click is a signal, and the controller turns it into an
undo command. Keys: 1-9 take that annotator's version, 0 or X rejects every candidate,
N/Tab and P/Shift+Tab move between disagreements, PageDown/PageUp between documents, E edits
the document in the editor, Esc goes back to the editor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.spans import Span
from nerstudio.core.store import Label, StoredSpan
from nerstudio.core.store.annotations import Disagreement, DisputedDocument
from nerstudio.core.team.curation_versions import CurationDocument
from nerstudio.gui.curation.queue_model import ID_ROLE, DisputedQueueModel
from nerstudio.gui.curation.rendering import SpanRendering

MAX_KEYS = 9
KEYS_HINT = "0 reject all · N / P next / previous · PgDn / PgUp document · E edit · Esc editor"


def _fluid(label: QLabel) -> QLabel:
    """A label whose text grows with the data (names, spans, counts) wraps, and never sets
    the page's narrowest width: a long heading after a settle pushed the window's docks
    aside at 1280×720 (issue 24 item 7)."""
    label.setWordWrap(True)
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)
    return label


def _quiet(label: QLabel) -> QLabel:
    label.setStyleSheet("color: palette(placeholder-text);")
    return _fluid(label)


def what_is_marked(spans: Sequence, disagreement: Disagreement | None, text: str) -> str:
    """What a row holds at the current disagreement: "PER Anna Berg", or "nothing"."""
    if disagreement is None:
        return ""
    extent = Span(disagreement.start, disagreement.end, "")
    inside = [s for s in spans if s.overlaps(extent)]
    if not inside:
        return "nothing here"
    return " + ".join(f"{s.label} “{text[s.start : s.end]}”" for s in inside)


class CurationRow(QWidget):
    """A title ("1  alice   PER “Anna Berg”") over a rendering of the text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.detail = _fluid(QLabel())
        self.rendering = SpanRendering()
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.detail, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addLayout(heading)
        layout.addWidget(self.rendering, 1)


class CurationView(QWidget):
    """The curation page; emits what the user asks for."""

    takeRequested = Signal(int)  # index of the annotator whose version to take
    rejectRequested = Signal()  # reject every candidate of the current disagreement
    stepRequested = Signal(int)  # -1 previous, +1 next disagreement
    documentStepRequested = Signal(int)  # -1 previous, +1 next disputed document
    documentActivated = Signal(int)  # a document of the queue was clicked
    editRequested = Signal()  # edit this document in the editor
    leaveRequested = Signal()  # back to the editor

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curation")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.queue_model = DisputedQueueModel(self)
        self.queue = QListView()
        self.queue.setModel(self.queue_model)
        self.queue.setUniformItemSizes(True)  # every row is two lines: measure one, not all
        # Laid out a batch at a time between events: filling a 100,000-document list or
        # changing one row held the GUI thread 150-170 ms at once, batched 23 and 12 ms.
        self.queue.setLayoutMode(QListView.LayoutMode.Batched)
        self.queue.setBatchSize(500)
        self.queue.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the page
        self.queue.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.queue.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.queue.setSpacing(2)
        self.queue.clicked.connect(self._activate)
        self.queue_title = _fluid(QLabel("Disputed documents"))
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.queue_title)
        side_layout.addWidget(self.queue, 1)
        self.heading = _fluid(QLabel())
        heading_font = QFont(self.heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.keys = _quiet(QLabel())
        self.rows_box = QVBoxLayout()
        self.rows: list[CurationRow] = []
        self.curated = CurationRow()
        line = QFrame(frameShape=QFrame.Shape.HLine, frameShadow=QFrame.Shadow.Sunken)
        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.addWidget(self.heading)
        main_layout.addWidget(self.keys)
        main_layout.addLayout(self.rows_box, 3)
        main_layout.addWidget(line)
        main_layout.addWidget(self.curated, 1)
        splitter = QSplitter()
        splitter.addWidget(side)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 900])
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)
        self.document: CurationDocument | None = None
        self.current: int | None = None

    # -- what is shown -------------------------------------------------------------------

    def set_queue_reading(self) -> None:
        """The queue is being read in the background: an empty list that says so."""
        self.queue_model.set_queue([], {})
        self.queue_title.setText("Disputed documents: reading…")

    def set_queue(self, disputed: Sequence[DisputedDocument], previews: Mapping[int, str]):
        """The disputed documents, open ones marked with how many disagreements are left."""
        self.queue_model.set_queue(disputed, previews)
        self._queue_changed()

    def update_queue(self, entry: DisputedDocument) -> None:
        """One document's counts changed (a settle or an undo): its row and the title."""
        self.queue_model.update(entry)
        self._queue_changed()

    def _queue_changed(self) -> None:
        model = self.queue_model
        left, count = model.open_count(), model.rowCount()
        self.queue_title.setText(f"Disputed documents: {left} of {count} open")
        self._select_in_queue()

    def queue_ids(self) -> list[int]:
        return self.queue_model.ids()

    def show_document(
        self,
        document: CurationDocument | None,
        gold: Sequence[StoredSpan],
        labels: Sequence[Label],
        current: int | None,
    ) -> None:
        """A document's rows, the ``current`` disagreement framed (None: no document, or
        one without disagreements)."""
        self.document, self.current = document, current
        self.curated.title.setText("Curated (gold)")
        self.curated.rendering.set_labels(labels)
        if document is None:
            self._set_row_count(0)
            self.heading.setText("No document with disagreements to curate")
            self.keys.setText("Merge annotators' projects (nerstudio merge) first; Esc goes back.")
            self.curated.detail.setText("")
            self.curated.rendering.show_document(None, [])
            self._select_in_queue()
            return
        names = document.annotators
        self._set_row_count(len(names))
        chosen = document.disagreements[current] if current is not None else None
        extent = (chosen.start, chosen.end) if chosen is not None else None
        text = document.record.text
        for number, (row, name) in enumerate(zip(self.rows, names), 1):
            row.title.setText(f"{number}  {name}" if number <= MAX_KEYS else name)
            row.rendering.set_labels(labels)
            row.detail.setText(what_is_marked(document.sets[name], chosen, text))
            row.rendering.show_spans(document.record, document.sets[name], extent)
        self.curated.detail.setText(self._gold_detail(chosen, gold, document))
        self.curated.rendering.show_spans(document.record, gold, extent)
        self.heading.setText(self._heading(document, current))
        takes = " · ".join(f"{n} {name}'s" for n, name in enumerate(names[:MAX_KEYS], 1))
        self.keys.setText(f"Keys: {takes} · {KEYS_HINT}")
        self._select_in_queue()

    @staticmethod
    def _gold_detail(
        chosen: Disagreement | None, gold: Sequence[StoredSpan], document: CurationDocument
    ) -> str:
        """ "settled · gold: LOC “Paris”", or "open · gold: nothing here"."""
        if chosen is None:
            return ""
        marked = what_is_marked(gold, chosen, document.record.text)
        return f"{'settled' if chosen.settled else 'open'} · gold: {marked}"

    @staticmethod
    def _heading(document: CurationDocument, current: int | None) -> str:
        count = len(document.disagreements)
        left = sum(not d.settled for d in document.disagreements)
        where = f"disagreement {current + 1} of {count}" if current is not None else "agreed"
        state = "all settled: curated" if count and not left else f"{left} open"
        return f"Document #{document.record.id} · {where} · {state}"

    def _set_row_count(self, count: int) -> None:
        while len(self.rows) < count:
            row = CurationRow()
            self.rows.append(row)
            self.rows_box.addWidget(row, 1)
        while len(self.rows) > count:
            row = self.rows.pop()
            self.rows_box.removeWidget(row)
            row.deleteLater()

    def _select_in_queue(self) -> None:
        document_id = self.document.record.id if self.document is not None else None
        row = self.queue_model.rows_by_id.get(document_id) if document_id is not None else None
        if row is None:
            self.queue.clearSelection()
            return
        self.queue.setCurrentIndex(self.queue_model.index(row))

    @Slot(QModelIndex)
    def _activate(self, index: QModelIndex) -> None:
        self.documentActivated.emit(index.data(ID_ROLE))

    # -- keys ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """Esc is the window's shortcut back to the editor's focus; here it leaves the page."""
        if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return True
        return super().event(event)

    def focusNextPrevChild(self, _next: bool) -> bool:
        return False  # Tab and Shift+Tab move between disagreements, not widgets

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text().lower()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().keyPressEvent(event)
        elif text in ("0", "x"):
            self.rejectRequested.emit()
        elif text.isdigit():
            self.takeRequested.emit(int(text) - 1)
        elif key == Qt.Key.Key_Backtab or (key == Qt.Key.Key_Tab and shift) or text == "p":
            self.stepRequested.emit(-1)
        elif key == Qt.Key.Key_Tab or text == "n":
            self.stepRequested.emit(1)
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self.documentStepRequested.emit(1 if key == Qt.Key.Key_PageDown else -1)
        elif text == "e":
            self.editRequested.emit()
        elif key == Qt.Key.Key_Escape:
            self.leaveRequested.emit()
        else:
            super().keyPressEvent(event)
