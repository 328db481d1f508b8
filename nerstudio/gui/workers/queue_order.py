"""The active-learning queue, ordered off the GUI thread.

``QueueOrderWorker`` reads the top of the queue (``core.active.queue_for_run``, index walks
in the store) on its own connection and hands back one immutable ``QueueOrder`` of its
first ``QUEUE_CHUNK`` documents. ``QueueOrdering`` lives on the GUI thread: it runs one
worker at a time, a newer request supersedes an older one (the older worker's result is
dropped), and the newest order goes to the state's ``queue`` (Next follows it) and to
whoever listens to ``ordered`` (the document list). When the list scrolls or Next walks
past the part read so far, ``extend`` reads the next chunk (a few milliseconds, whatever
the size of the pool) and says so with ``extended``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from nerstudio.core.active import QUEUE_CHUNK, QueueOrder, extend_queue, queue_for_run
from nerstudio.core.store import Project
from nerstudio.gui.workers.job_slot import JobSlot, open_project_path
from nerstudio.gui.workers.runner import Worker

if TYPE_CHECKING:
    from nerstudio.gui.state import AppState

STOP_WAIT_S = 5.0  # a superseded order ends at its next check


@dataclass(frozen=True)
class QueueRequest:
    project_path: Path
    run_id: int
    strategy: str


class QueueOrderWorker(Worker):
    """Orders one project's pool by one run's uncertainties; emits plain data only.
    ``stop()``: superseded, skip what is left and report nothing."""

    ordered = Signal(object)  # a QueueOrder

    def __init__(self, request: QueueRequest) -> None:
        super().__init__()
        self.request = request

    def work(self) -> None:
        # The window checked the file when it opened it; no second quick_check here.
        with Project.open(self.request.project_path, check=False) as project:
            if self.stopping.is_set():
                return
            order = queue_for_run(
                project, self.request.run_id, self.request.strategy, limit=QUEUE_CHUNK
            )
        if not self.stopping.is_set():
            self.ordered.emit(order)


class QueueOrdering(QObject):
    """The state's ordering job: at most one worker runs; the newest request wins."""

    busyChanged = Signal(bool)  # an order the user asked for is on its way
    ordered = Signal(object)  # the newest QueueOrder, or None for document order
    extended = Signal(object)  # the same order, read further (what was read is unchanged)

    def __init__(self, state: AppState) -> None:
        super().__init__(state)
        self.state = state
        self.order: QueueOrder | None = None
        self.busy = False
        self.job = JobSlot(
            state.runner, open_project_path(state), supersede=True, idle=self._finished
        )
        self.strategy: str | None = None  # of the newest request
        state.projectChanged.connect(self._project_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def request(self, project_path: Path, run_id: int, strategy: str) -> None:
        """Order the pool by ``strategy``, superseding any earlier request."""
        request = QueueRequest(Path(project_path), run_id, strategy)
        self.strategy = strategy
        self._set_busy(True)
        worker = QueueOrderWorker(request)
        worker.ordered.connect(self._ordered)
        worker.failed.connect(self._failed)
        if not self.job.start(worker, request.project_path):  # the window is closing
            self._set_busy(False)

    def clear(self) -> None:
        """Document order again: whatever is computing is dropped."""
        self.strategy = None
        self.job.cancel()
        self.order = None
        self._set_busy(False)
        self.ordered.emit(None)

    def extend(self) -> bool:
        """Read the next chunk of the current order; False when there is no more to read."""
        order, project = self.order, self.state.project
        if order is None or order.more is None or project is None:
            return False
        self.order = extend_queue(project, order, QUEUE_CHUNK)
        self.state.session.set_queue(self.order.document_ids)
        self.extended.emit(self.order)
        return len(self.order) > len(order)

    def is_running(self) -> bool:
        """A worker thread is still alive (perhaps a superseded one, finishing)."""
        return self.job.busy()

    @Slot()
    def stop(self) -> None:
        """On quit: drop everything and wait (a little) for the running worker."""
        self.job.stop(STOP_WAIT_S)

    @Slot()
    def _project_changed(self) -> None:
        """Another project (or none): its own queue, by the same strategy, never the last
        project's ids."""
        strategy = self.strategy
        self.clear()
        if strategy is not None and self.state.project is not None:
            self.state.active_learning_order(strategy)

    @Slot(object)
    def _ordered(self, order: QueueOrder) -> None:
        if not self.job.accepts():
            return  # superseded, or another project is open now
        self.order = order
        self.state.session.set_queue(order.document_ids)
        self.ordered.emit(order)

    @Slot(str)
    def _failed(self, message: str) -> None:
        if self.job.accepts():
            self.state.say(f"Cannot order the queue: {message}")

    def _finished(self) -> None:
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)
