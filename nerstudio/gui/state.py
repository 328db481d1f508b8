"""AppState: the window's ``Session`` (``core/session.py``) seen from Qt — its events
re-emitted as signals — plus the Qt things beside it: the undo stack and the job runner.

The session's methods are the only writers of the state; this class only relays. Every
edit goes through ``execute`` as an undo command, which writes one transaction to SQLite
before anything else happens, so a crash never loses what is on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.session import Session
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import Label, Project, StoredSpan
from nerstudio.gui.workers.runner import JobRunner


class AppState(QObject):
    """Shared state of the window. Lives on the GUI thread; workers open their own Project
    and run through ``runner``, the window's one job runner. Read the state here (or on
    ``session``); change it through ``session``'s methods (or those forwarded here)."""

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
        self.session = Session(read_more_queue=self._read_more_queue)
        self.undo_stack = QUndoStack(self)
        self.runner = JobRunner(self)  # every background job of the window
        self._relay(self.session)

    def _relay(self, session: Session) -> None:
        """The session's events, as this object's signals (the one place they are sent)."""
        session.on("project_changed", self.undo_stack.clear)  # never undo into another
        session.on("project_changed", self.projectChanged.emit)
        session.on("document_changed", self.documentChanged.emit)
        session.on("document_edited", self.documentEdited.emit)
        session.on("labels_changed", self.labelsChanged.emit)
        session.on("message", self.message.emit)
        session.on("active_run_changed", self.activeRunChanged.emit)
        session.on("pool_scoring", self.poolScoring.emit)
        session.on("predictions_stored", self.predictionsStored.emit)

    # -- what the session holds (read only) ------------------------------------------------

    @property
    def project(self) -> Project | None:
        return self.session.project

    @property
    def document(self) -> DocumentRecord | None:
        return self.session.document

    @property
    def spans(self) -> list[StoredSpan]:
        return self.session.spans

    @property
    def labels(self) -> list[Label]:
        return self.session.labels

    @property
    def armed_label(self) -> str | None:
        return self.session.armed_label

    @property
    def suggestions(self) -> list[ScoredSpan]:
        return self.session.suggestions

    @property
    def queue(self) -> list[int] | None:
        return self.session.queue

    @property
    def active_run(self) -> int | None:
        return self.session.active_run

    # -- the session's methods, as the window has always called them -----------------------

    def say(self, text: str) -> None:
        self.session.say(text)

    def open_project(self, path: str | Path, resume: int | None = None, check: bool = True) -> None:
        self.session.open_project(path, resume, check)

    def close_project(self) -> None:
        self.session.close_project()

    def first_unfinished(self) -> int | None:
        return self.session.first_unfinished()

    def following_unfinished(self) -> int | None:
        return self.session.following_unfinished()

    def all_done_text(self) -> str:
        return self.session.all_done_text()

    def neighbour(self, step: int, unfinished_only: bool = False) -> int | None:
        return self.session.neighbour(step, unfinished_only)

    def open_document(self, document_id: int | None) -> None:
        self.session.open_document(document_id)

    def reload(self, document_id: int) -> None:
        self.session.reload(document_id)

    def spans_edited(
        self, document_id: int, added: Sequence[StoredSpan] = (), removed: Sequence[StoredSpan] = ()
    ) -> None:
        self.session.spans_edited(document_id, added, removed)

    def reload_labels(self) -> None:
        self.session.reload_labels()

    def resync(self) -> None:
        self.session.resync()

    # -- the queue, ordered off the GUI thread ---------------------------------------------

    def _read_more_queue(self) -> bool:
        """Read the next chunk of the queue, when there is one (``QueueOrdering.extend``)."""
        from nerstudio.gui.workers.queue_order import QueueOrdering

        ordering = self.findChild(QueueOrdering)
        return ordering is not None and ordering.extend()

    def active_learning_order(self, strategy: str | None) -> QObject:
        """Ask for the unfinished pool in the order to annotate it, by the active run's
        uncertainty (None: document order again).

        The order is computed off the GUI thread; returns the ``QueueOrdering`` that
        computes it, whose ``ordered`` signal brings it, once ready, after it has become
        the session's ``queue`` (Next follows it). Until then the previous queue stays.
        """
        from nerstudio.gui.workers.queue_order import QueueOrdering

        ordering = self.findChild(QueueOrdering) or QueueOrdering(self)
        session, run = self.session, None
        if strategy is not None and session.project is not None:
            run = session.active_run
            if run is None:
                session.say("Set a run active and pre-annotate first.")
        if run is None:
            session.set_queue(None)
            ordering.clear()
        else:
            ordering.request(session.project.path, run, strategy)
        return ordering

    def label_descriptions(self) -> dict[str, str]:
        """Each described label's description (what the label manager shows and edits)."""
        return self.project.labels.descriptions() if self.project is not None else {}

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
            self.session.say(str(err))
            self.session.resync()
            return False
        command.applied = True
        self.undo_stack.push(command)
        return True
