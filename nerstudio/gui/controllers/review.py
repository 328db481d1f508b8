"""Runs the suspicious-annotations check (``nerstudio review --predict --messages`` in a
child process) and opens the document a person picks from its list."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from nerstudio.core.prediction import SuspiciousFound
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.review_list import ReviewList
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.job_slot import JobSlot, open_project_path

STOP_WAIT_S = 15.0


class ReviewController(QObject):
    def __init__(self, state: AppState, view: ReviewList, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self.view = view
        self.job = JobSlot(state.runner, open_project_path(state), supersede=False)
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
        if self.job.busy():
            return
        args = ["review", str(project.path), "--run", run.name, "--predict", "--messages"]
        worker = CommandWorker([*args, "--threshold", f"{threshold:.2f}"])
        worker.received.connect(self.received)
        worker.failed.connect(self.failed)
        self.job.start(worker, project.path)

    @Slot(object)
    def received(self, message: object) -> None:
        """The check's findings (its other messages say what it predicted first)."""
        if isinstance(message, SuspiciousFound) and self.job.accepts():
            self.view.show_results(list(message.documents))

    @Slot(str)
    def failed(self, message: str) -> None:
        if self.job.accepts():
            self.view.show_failure(message)

    def stop(self) -> None:
        self.job.stop(STOP_WAIT_S)
