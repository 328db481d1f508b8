"""Keeps the active model's suggestions coming: a document shown without a stored
prediction is predicted on the fly by a long-lived child process (see
``workers/live_prediction.py``), so the person never waits for a model load per document.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Slot

from nerstudio.gui.state import AppState
from nerstudio.gui.workers.live_prediction import LivePredictionWorker
from nerstudio.gui.workers.runner import Job

STOP_WAIT_S = 15.0  # stopping terminates the child; this is only a bound


class LiveSuggestions(QObject):
    """Starts, feeds and stops the on-the-fly predictor for the active run."""

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.live: Job | None = None
        self.run_id: int | None = None  # the run the child predicts with
        self.last_ms: float | None = None
        state.projectChanged.connect(self.restart)
        state.documentChanged.connect(self.document_shown)

    @Slot()
    def restart(self) -> None:
        """Another project or another active run: a fresh child for it (or none)."""
        self.stop()
        project = self.state.project
        run = project.runs.active() if project else None
        if run is None or not run.path or not (Path(run.path) / "config.json").exists():
            return
        worker = LivePredictionWorker(str(project.path), run.name)
        worker.predicted.connect(self.predicted)
        worker.failed.connect(self.failed)
        self.live = self.state.runner.start(worker, ended=self._ended)
        self.run_id = run.id
        if self.state.document is not None:
            self.document_shown(self.state.document.id)

    def stop(self) -> None:
        if self.live is not None:
            job, self.live = self.live, None
            self.state.runner.stop(job, STOP_WAIT_S)

    def _ended(self) -> None:
        """The child ended by itself (it failed, and said so): no more requests to it."""
        if self.live is not None and not self.live.is_running():
            self.live = None

    def is_running(self) -> bool:
        return self.live is not None

    @Slot(int)
    def document_shown(self, document_id: int) -> None:
        project, live = self.state.project, self.live
        if live is None or project is None or not document_id:
            return
        if project.predictions.get(self.run_id, document_id) is None:
            live.worker.request(document_id)

    @Slot(int, float)
    def predicted(self, document_id: int, ms: float) -> None:
        self.last_ms = ms
        if self.state.document is not None and self.state.document.id == document_id:
            self.state.reload(document_id)

    @Slot(str)
    def failed(self, message: str) -> None:
        self.state.message.emit(f"On-the-fly suggestions stopped: {message}")
