"""Runs the suspicious-annotations check (``nerstudio review --predict --json`` in a child
process) and opens the document a person picks from its list."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Slot

from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.review_list import ReviewList
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.threads import worker_thread


class ReviewController(QObject):
    def __init__(self, state: AppState, view: ReviewList, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self.view = view
        self.job: tuple[QThread, CommandWorker] | None = None
        view.checkRequested.connect(self.check)
        view.documentActivated.connect(state.open_document)

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
        thread = worker_thread(worker, self)
        worker.succeeded.connect(self.view.show_results)
        worker.failed.connect(self.view.show_failure)
        thread.finished.connect(self.done)
        self.job = (thread, worker)
        thread.start()

    @Slot()
    def done(self) -> None:
        self.job = None

    def stop(self) -> None:
        if self.job is not None:
            thread, worker = self.job
            worker.stop()
            thread.wait(15_000)
