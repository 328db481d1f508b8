"""On-the-fly suggestions and pool scoring: one ``nerstudio predict --serve`` child keeps
the model loaded, predicts a document the moment it is shown, and in between scores every
unfinished document that has no prediction of the run yet (torch never enters the GUI
process, and the model is loaded once for both).

The window sends a request line per document; the child answers each with one message
(``core.prediction``'s, through ``core.child_protocol``). The shown document always goes
first; the pool fills the idle time, so the queue's order is usable as the first scores
land.
"""

from __future__ import annotations

import collections
import queue
import subprocess
from pathlib import Path

from PySide6.QtCore import Signal

from nerstudio.core.child_protocol import ProtocolError
from nerstudio.core.prediction import (
    PredictionFailed,
    PredictionRequest,
    PredictionStored,
    ServeReady,
    ServeReply,
    request_to_line,
)
from nerstudio.core.store import Project
from nerstudio.gui.workers.child import ChildProcess

ENDED = "the prediction process ended"


def unscored_pool(project: Project, run_id: int) -> list[int]:
    """The queue's pool (unfinished, outside dev and test) without a prediction of the run,
    by document id: what Set active still has to score."""
    return project.predictions.unscored(run_id)


class LivePredictionWorker(ChildProcess):
    """Serves ``request(document_id)`` from any thread; emits ``predicted`` once stored.

    Requests that pile up while the child is busy collapse to the newest: the person has
    moved on from the others, and they are asked for again when shown again. Given a
    ``run_id`` (the run is stored) the rest of the pool is predicted whenever no request
    waits, and ``poolSized`` says how many documents that is (0: the pool was already
    scored).
    """

    ready = Signal()
    predicted = Signal(int, float)  # document id, milliseconds the child took
    poolSized = Signal(int)  # documents of the pool to score, counted once the model is up
    poolScored = Signal(int, int)  # documents of the pool scored so far, of how many

    stdin = subprocess.PIPE

    def __init__(self, project_path: str, run_name: str | None, run_id: int | None = None) -> None:
        """``run_name`` None: a standby — the child loads torch and transformers at once and
        waits for ``choose_run``, so Set active costs only the model's load."""
        run = run_name if run_name is not None else "-"
        serve = ["--serve", "--messages", "--device", "cpu"]
        super().__init__(["predict", project_path, "--run", run, *serve])
        self.project_path = Path(project_path)
        self.run_id = run_id  # None: on-the-fly only, no pool scoring
        self.standby = run_name is None
        self.chosen: queue.Queue[tuple[str, int | None] | None] = queue.Queue()
        self.requests: queue.Queue[int | None] = queue.Queue()
        self.backlog: collections.deque[int] = collections.deque()
        self.unscored: set[int] = set()  # of the backlog: not predicted yet

    def choose_run(self, run_name: str, run_id: int | None) -> None:
        """A standby's run (from any thread): the child loads its model and serves it."""
        self.chosen.put((run_name, run_id))

    def request(self, document_id: int) -> None:
        self.requests.put(document_id)

    def stop(self) -> None:
        self.chosen.put(None)
        self.requests.put(None)
        super().stop()

    def _next_request(self) -> int | None:
        """The newest shown document, else the next of the pool, else wait for a request."""
        try:
            wanted = self.requests.get(block=not self.backlog)
        except queue.Empty:
            while self.backlog and self.backlog[0] not in self.unscored:
                self.backlog.popleft()  # shown meanwhile, so already predicted
            return self.backlog.popleft() if self.backlog else self._next_request()
        while wanted is not None:
            try:
                newer = self.requests.get_nowait()
            except queue.Empty:
                break
            wanted = newer
        return wanted

    def _fill_backlog(self) -> None:
        if self.run_id is None:
            return
        # The window checked the file when it opened it; no second quick_check here.
        with Project.open(self.project_path, check=False) as project:
            self.backlog.extend(unscored_pool(project, self.run_id))
        self.unscored = set(self.backlog)
        self.poolSized.emit(len(self.backlog))

    def supervise(self, process: subprocess.Popen) -> None:
        assert process.stdin is not None and process.stdout is not None
        if self.standby:
            chosen = self.chosen.get()  # a standby waits here, its imports done
            if chosen is None or self.stopping.is_set():
                return
            run_name, self.run_id = chosen
            process.stdin.write(run_name + "\n")
            process.stdin.flush()
        self._reply(process)  # ready: the model is loaded
        self.ready.emit()
        self._fill_backlog()
        total = len(self.unscored)
        while (document_id := self._next_request()) is not None:
            process.stdin.write(request_to_line(PredictionRequest(document_id)))
            process.stdin.flush()
            reply = self._reply(process)
            if isinstance(reply, PredictionStored):
                self.predicted.emit(reply.document_id, reply.ms)
            if document_id in self.unscored:  # stored or refused: either way, scored
                self.unscored.discard(document_id)
                self.poolScored.emit(total - len(self.unscored), total)
            if self.stopping.is_set():
                return

    def _reply(self, process: subprocess.Popen) -> ServeReply:
        reply = self.next_message(process.stdout)
        if reply is None:
            raise self.ended(ENDED)
        if not isinstance(reply, ServeReady | PredictionStored | PredictionFailed):
            raise ProtocolError(f"{self.child} sent {type(reply).__name__}: no reply")
        return reply
