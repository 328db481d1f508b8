"""AppState: the open project, the current document, the undo stack, and their signals.

Widgets read from here and from item models; every edit goes through ``execute`` as an
undo command, which writes one transaction to SQLite before anything else happens, so a
crash never loses what is on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from nerstudio.core.errors import NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import DocumentQuery, Label, Project, StoredSpan
from nerstudio.gui import text_order
from nerstudio.gui.workers.runner import JobRunner


class AppState(QObject):
    """Shared state of the window. Lives on the GUI thread; workers open their own Project
    and run through ``runner``, the window's one job runner."""

    projectChanged = Signal()
    documentChanged = Signal(int)  # a different document is shown
    documentEdited = Signal(int)  # spans or status of a document changed
    labelsChanged = Signal()
    message = Signal(str)  # something the user should read (refusals, results)
    activeRunChanged = Signal()  # another run makes the suggestions (or none does)
    poolScoring = Signal(int, int)  # pool documents the active run has scored, of how many
    predictionsStored = Signal()  # the active run's stored predictions grew (throttled)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.document: DocumentRecord | None = None
        self.spans: list[StoredSpan] = []  # the shown document's gold, in text order
        self.labels: list[Label] = []
        self.undo_stack = QUndoStack(self)
        self.armed_label: str | None = None
        self.predicted: list[ScoredSpan] = []  # the active run's spans of the shown document
        self.predicted_disjoint = True  # they do not overlap (as a model's never do)
        self.suggestions: list[ScoredSpan] = []  # those not covered by gold
        self.queue: list[int] | None = None  # active-learning order; Next follows it
        self.review_document: int | None = None  # opened from the review dock, to compare
        self.opened_in_queue = False  # the shown document was opened with a queue in force
        self.runner = JobRunner(self)  # every background job of the window

    # -- project -------------------------------------------------------------------------

    def open_project(self, path: str | Path, resume: int | None = None, check: bool = True) -> None:
        """Open a project at ``resume`` (where the person left off) when it still exists,
        else at the first unfinished document. ``check`` False: the file was checked just
        now, off the GUI thread (``ProjectCheckWorker``)."""
        project = Project.open(path, check=check)
        self.close_project()
        self.project = project
        self.labels = project.labels.list()
        self.projectChanged.emit()
        self.labelsChanged.emit()
        known = resume is not None and bool(project.documents.rows([resume]))
        self.open_document(resume if known else self.first_unfinished())

    def close_project(self) -> None:
        self.undo_stack.clear()
        self.queue = None  # the last project's order must never drive the next one
        self.review_document = None
        if self.project is not None:
            self.project.close()
        self.project = None
        self.document = None
        self.spans = []
        self.labels = []

    def first_unfinished(self) -> int | None:
        """Where a project opens: the first unfinished document, else the first one."""
        assert self.project is not None
        found = self._first_of_status(Status.IN_PROGRESS, Status.NEW)
        if found is not None:
            return found
        rows = self.project.documents.list(DocumentQuery(limit=1))
        return rows[0].id if rows else None

    def _first_of_status(self, *statuses: Status) -> int | None:
        assert self.project is not None
        for status in statuses:
            rows = self.project.documents.list(DocumentQuery(status=status, limit=1))
            if rows:
                return rows[0].id
        return None

    def following_unfinished(self) -> int | None:
        """Enter's next document: the next unfinished one, wrapping to the first; None when
        none is left. Falling back to document #1 cycled a person through finished work
        without a word (issue 24 item 10)."""
        if self.project is None or self.document is None:
            return None
        following = self.neighbour(1, unfinished_only=True)
        if following is None:
            following = self._first_of_status(Status.IN_PROGRESS, Status.NEW)
        return None if following == self.document.id else following

    def all_done_text(self) -> str:
        """What Enter says when no unfinished document is left, and what comes next."""
        assert self.project is not None
        total = self.project.documents.count()
        skipped = self.project.documents.count(DocumentQuery(status=Status.SKIPPED))
        aside = f" ({skipped} skipped)" if skipped else ""
        done = "The 1 document is" if total == 1 else f"All {counted(total, 'document')} are"
        return f"{done} done{aside}. Next: train a model in the Training dock, or export (Ctrl+E)."

    # -- documents -----------------------------------------------------------------------

    def open_document(self, document_id: int | None) -> None:
        if self.project is None:
            return
        if document_id != self.review_document:
            self.review_document = None  # moving on ends the comparison
        self.opened_in_queue = self.queue is not None
        if document_id is None:
            self.document, self.spans = None, []
        else:
            # Its gold is ``spans`` alone (kept up to date edit by edit), never a copy here.
            self.document = replace(self.project.documents.get(document_id), spans=())
            self.spans = self.project.spans.list(document_id)
        self.load_suggestions()
        self.documentChanged.emit(document_id or 0)

    def load_suggestions(self) -> None:
        """Read the active run's prediction of the shown document, then show it
        (``show_suggestions``)."""
        self.predicted = []
        if self.project is not None and self.document is not None:
            run = self.project.runs.active()
            stored = self.project.predictions.get(run.id, self.document.id) if run else None
            if stored is not None:
                self.predicted = sorted(stored.spans, key=lambda s: s.start)
        self.predicted_disjoint = text_order.disjoint(self.predicted)
        self.show_suggestions()

    def show_suggestions(self) -> None:
        """The prediction read last, minus what gold covers (in text order).

        A done document shows its gold alone, unless it was opened from the review dock:
        then a suggestion that disagrees with a gold span is shown too, so both can be
        compared; one that equals gold never is.
        """
        self.suggestions = []
        if not self.predicted or self.document is None:
            return
        if self.document.status is Status.DONE:
            if self.review_document == self.document.id:
                same = {s.span for s in self.spans}
                self.suggestions = [s for s in self.predicted if s.span not in same]
            return
        self.suggestions = [
            s for s in self.predicted if not text_order.overlapping(self.spans, s.start, s.end)
        ]

    def neighbour(self, step: int, unfinished_only: bool = False) -> int | None:
        """The id of the next (``step`` 1) or previous (-1) document.

        With an active-learning queue both follow it. ``unfinished_only`` (Enter): the
        queue's next unfinished document after the shown one, wrapping to its top; but a
        document opened before the queue existed (the project opened at a number) has no
        place the person chose in it, so Enter starts at the queue's top, the document
        the model is least sure of. Otherwise (PageDown/PageUp): the queue's next or
        previous entry, as the list shows it.
        """
        if self.project is None or self.document is None:
            return None
        if self.queue is not None:
            return self._queue_neighbour(step, unfinished_only)
        return self.project.documents.neighbour(self.document.id, step, unfinished_only)

    def _queue_neighbour(self, step: int, unfinished_only: bool) -> int | None:
        assert self.project is not None and self.document is not None
        current, order = self.document.id, self.queue or []
        at = order.index(current) if current in order else None
        if unfinished_only:
            after = at + 1 if at is not None and self.opened_in_queue else 0
            rest = [d for d in order[after:] if d != current]
            found = self._first_unfinished_of(rest)
            while found is None and self._extend_queue():  # read on past what was read
                found = self._first_unfinished_of(self.queue[len(order) :])
                order = self.queue
            before = [d for d in order[:after] if d != current]
            return found or self._first_unfinished_of(before)
        if at is not None and at + step >= len(order) and self._extend_queue():
            order = self.queue
        if at is None:
            return order[0] if order and step > 0 else None
        return order[at + step] if 0 <= at + step < len(order) else None

    def _extend_queue(self) -> bool:
        """Read the next chunk of the queue, when there is one (``QueueOrdering.extend``)."""
        from nerstudio.gui.workers.queue_order import QueueOrdering

        ordering = self.findChild(QueueOrdering)
        return ordering is not None and ordering.extend()

    def _first_unfinished_of(self, ids: list[int]) -> int | None:
        assert self.project is not None
        for start in range(0, len(ids), 200):  # one query per 200 ids
            chunk = ids[start : start + 200]
            rows = self.project.documents.rows(chunk)
            unfinished = {r.id for r in rows if r.status in (Status.NEW, Status.IN_PROGRESS)}
            found = next((d for d in chunk if d in unfinished), None)
            if found is not None:
                return found
        return None

    def active_learning_order(self, strategy: str | None) -> QObject:
        """Ask for the unfinished pool in the order to annotate it, by the active run's
        uncertainty (None: document order again).

        The order is computed off the GUI thread; returns the ``QueueOrdering`` that
        computes it, whose ``ordered`` signal brings it, once ready, after it has become
        ``queue`` (Next follows it). Until then the previous queue stays.
        """
        from nerstudio.gui.workers.queue_order import QueueOrdering

        ordering = self.findChild(QueueOrdering) or QueueOrdering(self)
        run = None
        if strategy is not None and self.project is not None:
            run = self.project.runs.active()
            if run is None:
                self.message.emit("Set a run active and pre-annotate first.")
        if run is None:
            self.queue = None
            ordering.clear()
        else:
            ordering.request(self.project.path, run.id, strategy)
        return ordering

    def reload(self, document_id: int) -> None:
        """Re-read a document after an edit; signals listeners either way."""
        if self.project is None:
            return
        if self.document is not None and self.document.id == document_id:
            # Text and tokens never change: re-read only the spans and the status.
            self.spans = self.project.spans.list(document_id)
            row = self.project.documents.rows([document_id])[0]
            self.document = replace(self.document, status=row.status)
            self.load_suggestions()
        self.documentEdited.emit(document_id)

    def spans_edited(
        self,
        document_id: int,
        added: Sequence[StoredSpan] = (),
        removed: Sequence[StoredSpan] = (),
    ) -> None:
        """After a span edit stored just now: the shown document's spans change by what it
        added and removed, and nothing else is re-read but the status. (``reload`` reads
        every span of the document: half a second a key at 900,000 tokens.)"""
        shown = self.document
        if self.project is None or shown is None or shown.id != document_id:
            self.documentEdited.emit(document_id)
            return
        text_order.remove(self.spans, removed)
        text_order.insert(self.spans, added)
        status = self.project.documents.rows([document_id])[0].status
        self.document = replace(shown, status=status)
        statuses = {shown.status, status}
        if self.predicted and self.predicted_disjoint and Status.DONE not in statuses:
            self._suggestions_edited(added, removed)
        else:
            self.show_suggestions()
        self.documentEdited.emit(document_id)

    def _suggestions_edited(self, added: Sequence[StoredSpan], removed: Sequence[StoredSpan]):
        """Only the suggestions at the edit change (``spans`` is edited already): those a
        removed span hid come back unless other gold covers them, those an added one
        covers go."""
        for span in removed:
            back = [
                p
                for p in text_order.overlapping(self.predicted, span.start, span.end)
                if not text_order.overlapping(self.spans, p.start, p.end)
                and text_order.exactly(self.suggestions, p.start, p.end) is None
            ]
            text_order.insert(self.suggestions, back)
        for span in added:
            covered = text_order.overlapping(self.suggestions, span.start, span.end)
            text_order.remove(self.suggestions, covered)

    def reload_labels(self) -> None:
        if self.project is None:
            return
        self.labels = self.project.labels.list()
        if self.document is not None:
            self.spans = self.project.spans.list(self.document.id)
        self.labelsChanged.emit()
        if self.document is not None:
            self.documentEdited.emit(self.document.id)

    def entity_counts(self) -> dict[str, int]:
        """Gold entities per label (one indexed query): what the label manager lists."""
        return self.project.spans.entity_counts() if self.project is not None else {}

    # -- edits -----------------------------------------------------------------------------

    def execute(self, command) -> bool:
        """Apply an undo command now; on a refusal show why and push nothing.

        The store waits for a busy write lock and retries (``ProjectDatabase.atomic``);
        if the edit still cannot be stored it was rolled back whole, so the screen is
        re-read from the file and the user is told: nothing is silently dropped.
        """
        try:
            command.perform()
        except NerstudioError as err:
            self.message.emit(str(err))
            self.resync()
            return False
        command.applied = True
        self.undo_stack.push(command)
        return True

    def resync(self) -> None:
        """Show what the file holds for the current document (after a failed write)."""
        if self.project is not None and self.document is not None:
            self.reload(self.document.id)
