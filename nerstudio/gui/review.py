"""Runs the suspicious-annotations check (``nerstudio review --predict --json`` in a child
process) and opens the document a person picks from its list."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from nerstudio.core.prediction import ProtocolError, suspicious_from_json
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.review_list import ReviewList
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.runner import Job

STOP_WAIT_S = 15.0


class ReviewController(QObject):
    def __init__(self, state: AppState, view: ReviewList, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self.view = view
        self.job: Job | None = None
        view.checkRequested.connect(self.check)
        view.documentActivated.connect(self.open_for_review)
        state.projectChanged.connect(self.model_changed)
        state.activeRunChanged.connect(self.model_changed)
        self.model_changed()

    @Slot()
    def model_changed(self) -> None:
        """Another project or active run: the last findings are stale, and the dock says
        what a check would use now."""
        project = self.state.project
        run = project.runs.active() if project else None
        self.view.show_idle(run.name if run else None)

    @Slot(int)
    def open_for_review(self, document_id: int) -> None:
        """Open a finding with the model's disagreeing spans shown beside the gold."""
        self.state.session.open_for_review(document_id)

    @Slot(float)
    def check(self, threshold: float) -> None:
        project = self.state.project
        run = project.runs.active() if project else None
        if run is None:
            self.view.show_failure("set a run active in the Training panel first")
            return
        if self.job is not None:
            return
        args = ["review", str(project.path), "--run", run.name, "--predict", "--json"]
        worker = CommandWorker([*args, "--threshold", f"{threshold:.2f}"])
        worker.succeeded.connect(self.reviewed)
        worker.failed.connect(self.view.show_failure)
        self.job = self.state.runner.start(worker, ended=self.done)

    @Slot(str)
    def reviewed(self, output: str) -> None:
        """The child's last line: the list ``review --json`` printed."""
        try:
            found = suspicious_from_json(output)
        except ProtocolError as err:
            self.view.show_failure(str(err))
            return
        self.view.show_results(found)

    def done(self) -> None:
        self.job = None

    def stop(self) -> None:
        if self.job is not None:
            self.state.runner.stop(self.job, STOP_WAIT_S)
