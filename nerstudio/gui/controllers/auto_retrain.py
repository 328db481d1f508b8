"""Auto-retrain: after every N newly done documents, train again in the background, make
the new model active, which scores the pool with it (and so re-orders the queue). A
project's first model comes sooner, at ``FIRST_RUN_AFTER`` done documents: the training
defaults learn from that few (issue 26), and suggestions help from then on.

Training runs through the training controller's child process, so the person keeps
annotating; a failure goes to the status bar, never a dialog. The settings and the run's
options come from the training form's public API, never from its widgets.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QObject, Slot

from nerstudio.core.errors import NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.records import Status
from nerstudio.core.spans import iob2_tag_names
from nerstudio.core.store import DocumentQuery
from nerstudio.core.training.config import FIRST_RUN_AFTER
from nerstudio.gui.controllers.training import TrainingController
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.training_form import TrainingForm


def same_labels(run_path: str | None, tags: list[str]) -> bool:
    """Whether a run folder's classifier predicts exactly these tags, in this order (then
    its head can be trained on; otherwise it would mean other labels). A damaged or
    missing folder is simply not one to train on."""
    from nerstudio.core.training.model_folder import check_model_folder

    if not run_path:
        return False
    try:
        return check_model_folder(run_path).tags == tags
    except NerstudioError:
        return False


class AutoRetrain(QObject):
    """Counts done documents; starts a run when ``every`` more are done since the last."""

    def __init__(
        self,
        state: AppState,
        form: TrainingForm,
        training: TrainingController,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.state = state
        self.form = form
        self.training = training
        self.baseline: int | None = None  # done documents when the last run started
        self.pending: str | None = None
        state.projectChanged.connect(self.reset)
        state.documentEdited.connect(self.check)
        form.retrainToggled.connect(self.reset)
        training.runFinished.connect(self.run_finished)

    def done_count(self) -> int:
        assert self.state.project is not None
        return self.state.project.documents.count(DocumentQuery(status=Status.DONE, limit=0))

    @Slot()
    def reset(self) -> None:
        """Count from now: a project just opened or the toggle just turned on."""
        self.baseline = self.done_count() if self.state.project is not None else None

    @Slot(int)
    def check(self, _document_id: int = 0) -> None:
        settings = self.form.retrain_settings()
        if not settings.enabled or self.state.project is None:
            return
        if self.training.is_running():
            return  # the next check after this run ends counts what was done meanwhile
        done = self.done_count()
        if self.baseline is None or done < self.baseline:
            self.baseline = done
        elif done - self.baseline >= settings.every or self.first_run_due(done):
            self.start(done)

    def first_run_due(self, done: int) -> bool:
        """Whether the done count just reached FIRST_RUN_AFTER in a project with no run yet
        (counted from the baseline, so a project opened with more done documents keeps the
        usual N, and a first run the person stopped does not start again)."""
        assert self.baseline is not None
        if not self.baseline < FIRST_RUN_AFTER <= done:
            return False
        return not self.state.project.runs.all()

    def start(self, done: int) -> None:
        try:
            config = self.form.config()
        except NerstudioError as err:
            self.state.say(f"Automatic retraining: {err}")
            return
        name = datetime.now().strftime("auto-%Y%m%d-%H%M%S")
        config = replace(config, name=name)
        active = self.state.project.runs.active()
        if self.form.retrain_settings().start_from == "active" and active is not None:
            tags = iob2_tag_names(label.name for label in self.state.labels)
            if same_labels(active.path, tags):
                config = replace(config, base_model=active.path)
            else:
                self.state.say(
                    "Automatic retraining starts from the base model: the labels changed "
                    "since the active run."
                )
        self.baseline = done
        self.pending = name
        done_text = counted(done, "document")
        self.state.say(f"{done_text} done: retraining in the background ({name})")
        self.training.start(config, automatic=True)

    @Slot(str, str)
    def run_finished(self, name: str, status: str) -> None:
        if name != self.pending:
            return
        self.pending = None
        if status in ("completed", "early_stopped"):
            # Activating scores the pool with the new run (``LiveSuggestions``), which
            # re-orders the queue as the scores land: no separate pre-annotation.
            self.training.activate(name)
