"""Drives the curation page: reads the open document's sets and disagreements, turns the
page's keys into undo commands on the window's stack, and follows the state (an undo, a
document opened elsewhere, another project).

The page shows the state's current document, so the document list, the editor and the
curation page always agree on which document is open. After a settle the frame moves to
the next open disagreement; an undo leaves it where it is. The queue of disputed documents
is read in the background (``CurationQueueWorker``); the page works on the shown document
meanwhile, and when nothing was asked for it then moves to the first open one.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from nerstudio.core.errors import NerstudioError
from nerstudio.core.store.annotations import DisputedDocument
from nerstudio.core.team.curation_versions import CurationDocument, curation_document
from nerstudio.gui.curation.commands import SettleDisagreement
from nerstudio.gui.curation.queue import CurationQueue, CurationQueueWorker
from nerstudio.gui.curation.view import CurationView
from nerstudio.gui.state import AppState
from nerstudio.gui.workers.job_slot import JobSlot, open_project_path


def reopened_at(before: CurationDocument, after: CurationDocument) -> int | None:
    """The first disagreement settled before and open now (an undo reopened it)."""
    old = {(d.start, d.end) for d in before.disagreements if d.settled}
    return next(
        (i for i, d in enumerate(after.disagreements) if not d.settled and (d.start, d.end) in old),
        None,
    )


class CurationController(QObject):
    """The page's document, its current disagreement, and the queue of disputed ones."""

    queueRead = Signal()  # the queue of disputed documents is on the page

    def __init__(self, state: AppState, view: CurationView, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self.view = view
        self.active = False
        # the queue's read: a newer read supersedes an older one (whose queue is dropped)
        self.reading = JobSlot(state.runner, open_project_path(state), supersede=True)
        self.jump_to_first = False  # when the queue arrives: no document was asked for
        self.document: CurationDocument | None = None
        self.current: int | None = None
        state.documentChanged.connect(self.document_changed)
        state.documentEdited.connect(self.document_edited)
        state.labelsChanged.connect(self.refresh)
        view.takeRequested.connect(self.take)
        view.rejectRequested.connect(self.reject_all)
        view.stepRequested.connect(self.step)
        view.documentStepRequested.connect(self.step_document)
        view.documentActivated.connect(self.state.open_document)

    # -- entering and following ----------------------------------------------------------

    def start(self, document_id: int | None = None) -> None:
        """Show a document and read the queue: ``document_id``, else the state's current one
        if it is disputed, else (once the queue is read) the first with an open
        disagreement."""
        self.active = True
        self.jump_to_first = document_id is None
        self.read_queue()
        shown = self.state.document.id if self.state.document is not None else None
        if document_id is not None and document_id != shown:
            self.state.open_document(document_id)  # -> document_changed
        else:
            self.document_changed(shown or 0)

    def stop(self) -> None:
        self.active = False
        self.jump_to_first = False
        self.reading.cancel()

    def read_queue(self) -> None:
        """Every disputed document (curated ones too, to revisit), read in the background
        on entering; a read already on its way is dropped for a fresh one."""
        project = self.state.project
        if project is None:
            return
        self.view.set_queue_reading()
        worker = CurationQueueWorker(project.path)
        # bound methods of this GUI-thread object: Qt queues the calls to this thread
        worker.read.connect(self._queue_read)
        worker.failed.connect(self._queue_failed)
        self.reading.start(worker, project.path)

    @Slot(object)
    def _queue_read(self, found: CurationQueue) -> None:
        if not self.active or not self.reading.accepts():
            return  # left curation, superseded by a newer read, or another project
        self.view.set_queue(found.documents, found.previews)
        if self.jump_to_first:
            self.jump_to_first = False
            ids = [d.document_id for d in found.documents]
            shown = self.state.document.id if self.state.document is not None else None
            first_open = next((d.document_id for d in found.documents if d.open), None)
            target = first_open if first_open is not None else (ids[0] if ids else None)
            if shown not in ids and target is not None:
                self.state.open_document(target)  # -> document_changed
        self.queueRead.emit()

    @Slot(str)
    def _queue_failed(self, message: str) -> None:
        if self.active and self.reading.accepts():
            self.state.say(f"Cannot read the disputed documents: {message}")

    def update_queue(self, document: CurationDocument) -> None:
        """One document's counts after a settle or an undo (the rest cannot have changed);
        while the queue is being read, the read started after the edit brings them."""
        if self.reading.busy():
            return
        left = sum(not d.settled for d in document.disagreements)
        settled = len(document.disagreements) - left
        self.view.update_queue(DisputedDocument(document.record.id or 0, left, settled))

    @Slot(int)
    def document_changed(self, document_id: int) -> None:
        if not self.active:
            return
        self.document = self._read(document_id)
        self.current = self.document.next_open(-1) if self.document else None
        if self.document and self.current is None and self.document.disagreements:
            self.current = 0
        self._show()

    @Slot(int)
    def document_edited(self, document_id: int) -> None:
        if not self.active or self.document is None or self.document.record.id != document_id:
            return
        if self.reading.busy():
            self.read_queue()  # the read on its way predates this edit: a fresh one
        before, self.document = self.document, self._read(document_id)
        if self.document is not None and self.current is not None:
            reopened = reopened_at(before, self.document)
            last = len(self.document.disagreements) - 1
            self.current = reopened if reopened is not None else min(self.current, last)
            if self.current < 0:
                self.current = None
        if self.document is not None:
            self.update_queue(self.document)
        self._show()

    @Slot()
    def refresh(self) -> None:
        if self.active and self.document is not None:
            self.document_edited(self.document.record.id)

    def _read(self, document_id: int) -> CurationDocument | None:
        project = self.state.project
        if project is None or not document_id:
            return None
        try:
            found = curation_document(project, document_id)
        except NerstudioError as err:
            self.state.say(str(err))
            return None
        return found if len(found.sets) >= 2 else None

    def _show(self) -> None:
        gold = self.state.spans if self.document is not None else []
        self.view.show_document(self.document, gold, self.state.labels, self.current)

    # -- keys ----------------------------------------------------------------------------

    @Slot(int)
    def take(self, index: int) -> None:
        """Take annotator ``index``'s version of the current disagreement."""
        if self.document is None or self.current is None:
            return
        names = self.document.annotators
        if not 0 <= index < len(names):
            self.state.say(f"Key {index + 1}: this document has {len(names)} annotators")
            return
        self._settle(names[index])

    @Slot()
    def reject_all(self) -> None:
        if self.document is not None and self.current is not None:
            self._settle(None)

    def _settle(self, annotator: str | None) -> None:
        assert self.document is not None and self.current is not None
        disagreement = self.document.disagreements[self.current]
        settled = self.state.execute(SettleDisagreement(self.state, disagreement, annotator))
        if settled and self.document is not None:
            following = self.document.next_open(self.current)
            self.current = self.current if following is None else following
            self._show()

    @Slot(int)
    def step(self, direction: int) -> None:
        """The next or previous disagreement, settled ones included, wrapping round."""
        if self.document is None or self.current is None:
            return
        self.current = (self.current + direction) % len(self.document.disagreements)
        self._show()

    @Slot(int)
    def step_document(self, direction: int) -> None:
        ids = self.view.queue_ids()
        if not ids:
            return
        shown = self.document.record.id if self.document is not None else None
        index = ids.index(shown) + direction if shown in ids else 0
        if 0 <= index < len(ids):
            self.state.open_document(ids[index])
        else:
            self.state.say("No more disputed documents that way.")
