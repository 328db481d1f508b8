"""Session: what the annotation window is doing — the open project, the shown document and
its gold, the suggestions shown, the queue Next follows, the active run, the armed label —
and the rules over them, without Qt.

Its methods are the only writers of that state. Each change is told to the listeners
registered with ``on`` (the window's ``AppState`` re-emits them as Qt signals), so one event
takes one path, and the rules are tested without a window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal, get_args

from nerstudio.core import text_order
from nerstudio.core.plural import counted
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import DocumentQuery, Label, Project, StoredSpan

Event = Literal[
    "project_changed",  # another project is open (or none is)
    "document_changed",  # (document id, 0 for none): a different document is shown
    "document_edited",  # (document id): spans or status of a document changed
    "labels_changed",
    "active_run_changed",  # another run makes the suggestions (or none does)
    "message",  # (text): something the person should read (refusals, results)
    "pool_scoring",  # (scored, total): pool documents the active run has scored
    "predictions_stored",  # the active run's stored predictions grew
]
EVENTS: frozenset[str] = frozenset(get_args(Event))
ID_CHUNK = 200  # document ids read per query while looking for an unfinished one


class Session:
    """The window's state. Read its attributes; change them only through its methods.

    ``read_more_queue``: reads the next chunk of the queue into ``set_queue`` and says
    whether there was one (the window's ``QueueOrdering.extend``); Next reads on past the
    part read so far with it.
    """

    def __init__(self, read_more_queue: Callable[[], bool] | None = None) -> None:
        self.project: Project | None = None
        self.document: DocumentRecord | None = None  # its gold is ``spans``, never a copy
        self.spans: list[StoredSpan] = []  # the shown document's gold, in text order
        self.labels: list[Label] = []
        self.armed_label: str | None = None  # every drag tags with it at once
        self.active_run: int | None = None  # the id of the run that makes the suggestions
        self.predicted: list[ScoredSpan] = []  # the active run's spans of the shown document
        self.predicted_disjoint = True  # they do not overlap (as a model's never do)
        self.suggestions: list[ScoredSpan] = []  # those shown: not covered by gold
        self.queue: list[int] | None = None  # active-learning order; Next follows it
        self.review_document: int | None = None  # opened from the review dock, to compare
        self.opened_in_queue = False  # the shown document was opened with a queue in force
        self._read_more_queue = read_more_queue or (lambda: False)
        self._listeners: dict[str, list[Callable[..., None]]] = {e: [] for e in EVENTS}

    # -- listeners -----------------------------------------------------------------------

    def on(self, event: Event, listener: Callable[..., None]) -> None:
        """Call ``listener`` (with the event's arguments) each time ``event`` happens."""
        if event not in self._listeners:
            raise ValueError(f"no session event {event!r}; known: {', '.join(sorted(EVENTS))}")
        self._listeners[event].append(listener)

    def _fire(self, event: Event, *args: object) -> None:
        for listener in list(self._listeners[event]):
            listener(*args)

    def say(self, text: str) -> None:
        """Tell the person something (a refusal, a result)."""
        self._fire("message", text)

    def report_pool_scoring(self, scored: int, total: int) -> None:
        """The active run has scored ``scored`` of ``total`` pool documents (0, 0: none)."""
        self._fire("pool_scoring", scored, total)

    def report_predictions_stored(self) -> None:
        """The active run's stored predictions grew: the queue may follow them."""
        self._fire("predictions_stored")

    # -- project -------------------------------------------------------------------------

    def open_project(self, path: str | Path, resume: int | None = None, check: bool = True) -> None:
        """Open a project at ``resume`` (where the person left off) when it still exists,
        else at the first unfinished document. ``check`` False: the file was checked just
        now, off the GUI thread (``ProjectCheckWorker``)."""
        project = Project.open(path, check=check)
        self._forget_project()
        self.project = project
        self.active_run = _active_run(project)
        self._set_labels(project.labels.list())
        self._fire("project_changed")
        self._fire("labels_changed")
        known = resume is not None and bool(project.documents.rows([resume]))
        self.open_document(resume if known else self.first_unfinished())

    def close_project(self) -> None:
        """Back to no project (the welcome page)."""
        self._forget_project()
        self._fire("project_changed")

    def close_on_quit(self) -> None:
        """Close the project file as the window goes away: no one is told, nothing redraws."""
        self._forget_project()

    def _forget_project(self) -> None:
        self.queue = None  # the last project's order must never drive the next one
        self.review_document = None
        if self.project is not None:
            self.project.close()
        self.project = self.document = self.active_run = None
        self.spans, self.labels, self.predicted, self.suggestions = [], [], [], []

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

    def all_done_text(self) -> str:
        """What Enter says when no unfinished document is left, and what comes next."""
        assert self.project is not None
        total = self.project.documents.count()
        skipped = self.project.documents.count(DocumentQuery(status=Status.SKIPPED))
        aside = f" ({skipped} skipped)" if skipped else ""
        done = "The 1 document is" if total == 1 else f"All {counted(total, 'document')} are"
        return f"{done} done{aside}. Next: train a model in the Training dock, or export (Ctrl+E)."

    # -- labels and the armed label ------------------------------------------------------

    def _set_labels(self, labels: list[Label]) -> None:
        """The project's labels; an armed label that is gone (deleted, merged away) is
        disarmed."""
        self.labels = labels
        if self.armed_label not in {label.name for label in labels}:
            self.armed_label = None

    def reload_labels(self) -> None:
        """Re-read the labels after a label edit (a rename or merge changes spans too)."""
        if self.project is None:
            return
        self._set_labels(self.project.labels.list())
        if self.document is not None:
            self.spans = self.project.spans.list(self.document.id)
        self._fire("labels_changed")
        if self.document is not None:
            self._fire("document_edited", self.document.id)

    def arm(self, name: str | None) -> None:
        """Every drag tags with ``name`` at once (None: disarmed)."""
        self.armed_label = name

    def follow_label_rename(self, before: str, after: str) -> None:
        """An armed label stays armed under its new name (call before ``reload_labels``)."""
        if self.armed_label == before:
            self.armed_label = after

    # -- the active run ------------------------------------------------------------------

    def activate_run(self, name: str) -> bool:
        """Make run ``name`` the one whose suggestions show; False when it is already (or
        no project is open). The shown document's suggestions are re-read at once."""
        if self.project is None:
            return False
        if self.active_run == self.project.runs.get(name).id:
            return False
        self.project.runs.set_active(name)
        self._active_run_now()
        return True

    def runs_changed(self) -> None:
        """The runs changed elsewhere (a run deleted by a worker): the active run may be
        gone; listeners hear of it only when it is."""
        if self.project is not None and _active_run(self.project) != self.active_run:
            self._active_run_now()

    def suggestions_replaced(self) -> None:
        """A source wrote its suggestions in another process and became the active run
        there (it may have been active already): re-read which run is active and the shown
        document's suggestions; listeners hear it as a change of active run."""
        if self.project is not None:
            self._active_run_now()

    def _active_run_now(self) -> None:
        assert self.project is not None
        self.active_run = _active_run(self.project)
        if self.document is not None:
            self.reload(self.document.id)
        self._fire("active_run_changed")

    # -- documents -----------------------------------------------------------------------

    def open_document(self, document_id: int | None) -> None:
        """Show a document (None: none); moving on from one opened for review ends the
        comparison."""
        if self.project is None:
            return
        if document_id != self.review_document:
            self.review_document = None
        self.opened_in_queue = self.queue is not None
        if document_id is None:
            self.document, self.spans = None, []
        else:
            self.document = replace(self.project.documents.get(document_id), spans=())
            self.spans = self.project.spans.list(document_id)
        self._load_suggestions()
        self._fire("document_changed", document_id or 0)

    def open_for_review(self, document_id: int) -> None:
        """Open a review finding: the model's disagreeing spans show beside the gold."""
        self.review_document = document_id
        self.open_document(document_id)

    def reload(self, document_id: int) -> None:
        """Re-read a document after an edit; listeners hear of it either way."""
        if self.project is None:
            return
        if self.document is not None and self.document.id == document_id:
            # Text and tokens never change: re-read only the spans and the status.
            self.spans = self.project.spans.list(document_id)
            row = self.project.documents.rows([document_id])[0]
            self.document = replace(self.document, status=row.status)
            self._load_suggestions()
        self._fire("document_edited", document_id)

    def suggestions_changed(self, document_id: int) -> None:
        """The active run's suggestions for a document changed (a learning dictionary
        matched a new entity there): the shown one's are re-read, gold is not."""
        if self.document is not None and self.document.id == document_id:
            self._load_suggestions()
        self._fire("document_edited", document_id)

    def resync(self) -> None:
        """Show what the file holds for the current document (after a failed write)."""
        if self.project is not None and self.document is not None:
            self.reload(self.document.id)

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
            self._fire("document_edited", document_id)
            return
        text_order.remove(self.spans, removed)
        text_order.insert(self.spans, added)
        status = self.project.documents.rows([document_id])[0].status
        self.document = replace(shown, status=status)
        statuses = {shown.status, status}
        if self.predicted and self.predicted_disjoint and Status.DONE not in statuses:
            self._suggestions_edited(added, removed)
        else:
            self._show_suggestions()
        self._fire("document_edited", document_id)

    # -- suggestions ---------------------------------------------------------------------

    def _load_suggestions(self) -> None:
        """Read the active run's prediction of the shown document, then show it."""
        self.predicted = []
        if self.project is not None and self.document is not None and self.active_run is not None:
            stored = self.project.predictions.get(self.active_run, self.document.id)
            if stored is not None:
                self.predicted = sorted(stored.spans, key=lambda s: s.start)
        self.predicted_disjoint = text_order.disjoint(self.predicted)
        self._show_suggestions()

    def _show_suggestions(self) -> None:
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

    # -- the queue and navigation --------------------------------------------------------

    def set_queue(self, document_ids: Sequence[int] | None) -> None:
        """The active-learning order Next follows (None: document order)."""
        self.queue = None if document_ids is None else list(document_ids)

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

    def _queue_neighbour(self, step: int, unfinished_only: bool) -> int | None:
        assert self.document is not None and self.queue is not None
        current, order = self.document.id, self.queue
        at = order.index(current) if current in order else None
        if unfinished_only:
            after = at + 1 if at is not None and self.opened_in_queue else 0
            rest = [d for d in order[after:] if d != current]
            found = self._first_unfinished_of(rest)
            while found is None and self._read_more():  # read on past what was read
                found = self._first_unfinished_of(self.queue[len(order) :])
                order = self.queue
            before = [d for d in order[:after] if d != current]
            return found or self._first_unfinished_of(before)
        if at is not None and at + step >= len(order) and self._read_more():
            order = self.queue
        if at is None:
            return order[0] if order and step > 0 else None
        return order[at + step] if 0 <= at + step < len(order) else None

    def _read_more(self) -> bool:
        """Read the next chunk of the queue (it arrives through ``set_queue``)."""
        return self.queue is not None and self._read_more_queue()

    def _first_unfinished_of(self, ids: list[int]) -> int | None:
        assert self.project is not None
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            rows = self.project.documents.rows(chunk)
            unfinished = {r.id for r in rows if r.status in (Status.NEW, Status.IN_PROGRESS)}
            found = next((d for d in chunk if d in unfinished), None)
            if found is not None:
                return found
        return None


def _active_run(project: Project) -> int | None:
    run = project.runs.active()
    return run.id if run is not None else None
