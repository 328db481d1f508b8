"""On-the-fly suggestions: one ``nerstudio predict --serve`` child keeps the model loaded
and predicts a document the moment it is shown (torch never enters the GUI process)."""

from __future__ import annotations

import json
import queue
import subprocess
import tempfile

from PySide6.QtCore import QObject, Signal, Slot

from nerstudio.core.bug_report import user_message
from nerstudio.gui.workers.child import nerstudio_command


class LivePredictionWorker(QObject):
    """Serves ``request(document_id)`` from any thread; emits ``predicted`` once stored.

    Requests that pile up while the child is busy collapse to the newest: the person has
    moved on from the others, and they are asked for again when shown again.
    """

    ready = Signal()
    predicted = Signal(int, float)  # document id, milliseconds the child took
    failed = Signal(str)
    finished = Signal()

    def __init__(self, project_path: str, run_name: str) -> None:
        super().__init__()
        self.command = nerstudio_command(
            ["predict", project_path, "--run", run_name, "--serve", "--device", "cpu"]
        )
        self.requests: queue.Queue[int | None] = queue.Queue()
        self.process: subprocess.Popen | None = None
        self.stopping = False

    def request(self, document_id: int) -> None:
        self.requests.put(document_id)

    def stop(self) -> None:
        self.stopping = True
        self.requests.put(None)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def _next_request(self) -> int | None:
        wanted = self.requests.get()
        while wanted is not None:
            try:
                newer = self.requests.get_nowait()
            except queue.Empty:
                break
            wanted = newer
        return wanted

    @Slot()
    def run(self) -> None:
        with tempfile.TemporaryFile() as err:
            try:
                self.process = subprocess.Popen(
                    self.command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    text=True,
                    bufsize=1,
                )
                if not self.process.stdout.readline():
                    raise RuntimeError(self._error_text(err))
                self.ready.emit()
                while (document_id := self._next_request()) is not None:
                    self.process.stdin.write(f"{document_id}\n")
                    self.process.stdin.flush()
                    answer = self.process.stdout.readline()
                    if not answer:
                        raise RuntimeError(self._error_text(err))
                    data = json.loads(answer)
                    if "error" not in data:
                        self.predicted.emit(int(data["id"]), float(data["ms"]))
            except Exception as exc:  # a thread boundary: report, never crash the window
                if not self.stopping:
                    self.failed.emit(user_message(exc))
            finally:
                if self.process is not None and self.process.poll() is None:
                    self.process.terminate()
                    self.process.wait(10)
                self.finished.emit()

    def _error_text(self, err) -> str:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
        if self.process is not None:
            self.process.wait(10)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
        line = next((e for e in reversed(lines) if "error:" in e), lines[-1] if lines else "")
        return line.replace("nerstudio: error: ", "") or "the prediction process ended"
