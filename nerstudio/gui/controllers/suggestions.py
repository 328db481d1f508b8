"""Keeps the active model's suggestions coming: a document shown without a stored
prediction is predicted on the fly by a long-lived child process (see
``workers/live_prediction.py``), so the person never waits for a model load per document;
and once a run is set active (by hand or by auto-retrain) the same child scores the rest
of the queue's pool in the background, the shown document always first.

Progress goes out through the state (``poolScoring``, throttled), and so do the new
predictions (``predictionsStored``: at once for the first, then at most once a second),
so the queue is re-ordered as scores land and is usable from the first one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot

from nerstudio.core.plural import counted
from nerstudio.gui.state import AppState
from nerstudio.gui.workers.live_prediction import LivePredictionWorker
from nerstudio.gui.workers.runner import Job

STOP_WAIT_S = 15.0  # stopping terminates the child; this is only a bound
REORDER_EVERY_MS = 1000  # the queue is re-ordered at most this often while scoring
PROGRESS_EVERY_S = 0.1  # progress bar updates, at most
STANDBY_VARIABLE = "NERSTUDIO_STANDBY"  # "0": no standby prediction process


class LiveSuggestions(QObject):
    """Starts, feeds and stops the on-the-fly predictor and pool scorer of the active run."""

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.live: Job | None = None
        self.spare: Job | None = None  # a standby child, torch loaded, for the next run
        self.spare_project = ""
        self.run_id: int | None = None  # the run the child predicts with
        self.run_name = ""
        self.key: tuple | None = None  # (project, run id, run folder) the child serves
        self.last_ms: float | None = None
        self.scoring: tuple[int, int] | None = None  # (scored, total) while the pool scores
        self.progress_at = 0.0
        self.reorder = QTimer(self, singleShot=True, interval=REORDER_EVERY_MS)
        self.reorder.timeout.connect(self._reorder_due)
        self.reorder_pending = False
        state.projectChanged.connect(self.restart)
        state.activeRunChanged.connect(self.restart)
        state.documentChanged.connect(self.document_shown)

    @Slot()
    def restart(self) -> None:
        """Another project or another active run: a fresh child for it (or none). The same
        run again keeps the child it has (its model is loaded, its scoring goes on)."""
        project = self.state.project
        run = project.runs.active() if project else None
        usable = run is not None and run.path and (Path(run.path) / "config.json").exists()
        key = (str(project.path), run.id, run.path) if usable else None
        if key is not None and key == self.key and self.live is not None:
            return
        self.stop()
        if key is None:
            self._keep_spare()
            return
        self.live = self._promote_spare(run.name, run.id) or self._start_live(run.name, run.id)
        self.run_id, self.run_name, self.key = run.id, run.name, key
        if self.state.document is not None:
            self.document_shown(self.state.document.id)
        self._keep_spare()

    def _connect(self, worker: LivePredictionWorker) -> None:
        worker.predicted.connect(self.predicted)
        worker.failed.connect(self.failed)
        worker.poolSized.connect(self.pool_sized)
        worker.poolScored.connect(self.pool_scored)

    def _start_live(self, run_name: str, run_id: int) -> Job:
        worker = LivePredictionWorker(str(self.state.project.path), run_name, run_id)
        self._connect(worker)
        return self.state.runner.start(worker, ended=self._ended)

    def _promote_spare(self, run_name: str, run_id: int) -> Job | None:
        """The standby child for this project, told its run: torch is loaded already, so
        only the model's load stands between Set active and the first suggestion."""
        spare, self.spare = self.spare, None
        project = str(self.state.project.path)
        if spare is None or not spare.is_running() or self.spare_project != project:
            if spare is not None:
                self.state.runner.cancel(spare)
            return None
        self._connect(spare.worker)
        spare.on_ended = self._ended
        spare.worker.choose_run(run_name, run_id)
        return spare

    @Slot()
    def expect_run(self) -> None:
        """A run finished training: Set active may come next, so keep a standby ready."""
        self._keep_spare()

    def _keep_spare(self) -> None:
        """A standby child for the open project while it has a run that could be set
        active (none without, on quit, or with NERSTUDIO_STANDBY=0 to save its memory)."""
        project = self.state.project
        path = str(project.path) if project is not None else ""
        if self.spare is not None and self.spare_project == path:
            return
        self._stop_spare()
        if project is None or self.state.runner.closed or not _settable_run(project):
            return
        worker = LivePredictionWorker(path, None)
        self.spare, self.spare_project = self.state.runner.start(worker, self._spare_ended), path

    def _spare_ended(self) -> None:
        if self.spare is not None and not self.spare.is_running():
            self.spare = None

    def _stop_spare(self) -> None:
        if self.spare is not None:
            spare, self.spare = self.spare, None
            self.state.runner.cancel(spare)  # it only waits on stdin: it ends at once

    def stop(self) -> None:
        self.key = None
        self._end_scoring()
        if self.live is not None:
            job, self.live = self.live, None
            self.state.runner.stop(job, STOP_WAIT_S)

    def _ended(self) -> None:
        """The child ended by itself (it failed, and said so): no more requests to it."""
        if self.live is not None and not self.live.is_running():
            self.live = None
            self.key = None
            self._end_scoring()

    def is_running(self) -> bool:
        return self.live is not None

    def is_scoring(self) -> bool:
        return self.scoring is not None

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
        self._predictions_grew()

    # -- the pool ------------------------------------------------------------------------

    @Slot(int)
    def pool_sized(self, total: int) -> None:
        """The model is loaded and knows how much of the pool it has to score."""
        if not total:
            self.state.say(f"Run {self.run_name} is active; its suggestions are ready.")
            self.state.session.report_predictions_stored()  # the queue, from the stored scores
            return
        self.scoring = (0, total)
        self.state.session.report_pool_scoring(0, total)
        self.state.say(
            f"Run {self.run_name} is active: scoring {counted(total, 'document')} for the queue…"
        )

    @Slot(int, int)
    def pool_scored(self, scored: int, total: int) -> None:
        if self.scoring is None:
            return
        self.scoring = (scored, total)
        now = time.monotonic()
        if scored < total and now - self.progress_at < PROGRESS_EVERY_S:
            return
        self.progress_at = now
        self.state.session.report_pool_scoring(scored, total)
        if scored >= total:
            self.scoring = None
            self.reorder.stop()
            self.reorder_pending = False
            self.state.session.report_predictions_stored()
            self.state.say(
                f"Scored {counted(total, 'document')} with {self.run_name}: "
                "the queue is up to date."
            )

    def _predictions_grew(self) -> None:
        """New scores: re-order now if that has not happened in the last second, else
        once the second is over (leading and trailing edge)."""
        if self.reorder.isActive():
            self.reorder_pending = True
            return
        self.state.session.report_predictions_stored()
        self.reorder.start()

    @Slot()
    def _reorder_due(self) -> None:
        if self.reorder_pending:
            self.reorder_pending = False
            self.state.session.report_predictions_stored()
            self.reorder.start()

    def _end_scoring(self) -> None:
        self.reorder.stop()
        self.reorder_pending = False
        if self.scoring is not None:
            self.scoring = None
            self.state.session.report_pool_scoring(0, 0)  # nothing scores any more

    @Slot(str)
    def failed(self, message: str) -> None:
        self.state.say(f"On-the-fly suggestions stopped: {message}")


def _settable_run(project) -> bool:
    """Whether Set active could come: a run with a model folder that is not the active one
    (and standby children are not switched off)."""
    if os.environ.get(STANDBY_VARIABLE, "1") == "0":
        return False
    active = project.runs.active()
    return any(
        run.path and (Path(run.path) / "config.json").exists()
        for run in project.runs.all()
        if active is None or run.id != active.id
    )
