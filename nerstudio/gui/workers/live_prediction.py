"""On-the-fly suggestions: one ``nerstudio predict --serve`` child keeps the model loaded
and predicts a document the moment it is shown (torch never enters the GUI process).

Both ends speak ``core.prediction``'s messages: a request line per document, one reply
line per request.
"""

from __future__ import annotations

import queue
import subprocess

from PySide6.QtCore import Signal

from nerstudio.core.prediction import (
    PredictionRequest,
    PredictionStored,
    ServeReply,
    reply_from_line,
    request_to_line,
)
from nerstudio.gui.workers.child import ChildProcess

ENDED = "the prediction process ended"


class LivePredictionWorker(ChildProcess):
    """Serves ``request(document_id)`` from any thread; emits ``predicted`` once stored.

    Requests that pile up while the child is busy collapse to the newest: the person has
    moved on from the others, and they are asked for again when shown again.
    """

    ready = Signal()
    predicted = Signal(int, float)  # document id, milliseconds the child took

    stdin = subprocess.PIPE

    def __init__(self, project_path: str, run_name: str) -> None:
        super().__init__(["predict", project_path, "--run", run_name, "--serve", "--device", "cpu"])
        self.requests: queue.Queue[int | None] = queue.Queue()

    def request(self, document_id: int) -> None:
        self.requests.put(document_id)

    def stop(self) -> None:
        self.requests.put(None)
        super().stop()

    def _next_request(self) -> int | None:
        wanted = self.requests.get()
        while wanted is not None:
            try:
                newer = self.requests.get_nowait()
            except queue.Empty:
                break
            wanted = newer
        return wanted

    def supervise(self, process: subprocess.Popen) -> None:
        assert process.stdin is not None and process.stdout is not None
        self._reply(process)  # ready: the model is loaded
        self.ready.emit()
        while (document_id := self._next_request()) is not None:
            process.stdin.write(request_to_line(PredictionRequest(document_id)))
            process.stdin.flush()
            reply = self._reply(process)
            if isinstance(reply, PredictionStored):
                self.predicted.emit(reply.document_id, reply.ms)

    def _reply(self, process: subprocess.Popen) -> ServeReply:
        line = process.stdout.readline()
        if not line:
            raise self.ended(ENDED)
        return reply_from_line(line)
