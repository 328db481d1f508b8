"""The training panel's work, off the GUI thread: one run at a time in a child process,
the active run, and a run's files (export, delete). The panel paints what it says; the
auto-retrainer starts runs through it too."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from nerstudio.core.store import RunRecord
from nerstudio.core.training.config import TrainConfig
from nerstudio.core.training.events import TrainingDiscarded, TrainingDone, TrainingStarted
from nerstudio.gui.state import AppState
from nerstudio.gui.workers.job_slot import JobSlot, open_project_path
from nerstudio.gui.workers.run_files import DeleteRunWorker, ExportRunWorker
from nerstudio.gui.workers.training_child import TrainingWorker

QUIT_WAIT_S = 120.0  # stopping lets the child finish its step and save its best epoch


@dataclass(frozen=True)
class RunCurves:
    """What the chart and the report show for selected runs: the first one's losses,
    evaluations (step, dev loss, dev F1) and dev scores, the others' dev F1 to overlay."""

    train_loss: tuple[tuple[int, float], ...]
    evals: tuple[tuple[int, float, float], ...]
    dev: dict
    overlays: tuple[tuple[str, tuple[int, ...], tuple[float, ...]], ...]


class TrainingController(QObject):
    """Starts and stops runs and works on runs' files; says what happens in signals."""

    started = Signal(object)  # the TrainConfig of a run that starts
    event = Signal(object)  # a training event other than StepLogged
    steps = Signal(object)  # a tuple of StepLogged
    failed = Signal(str)
    modelLoaded = Signal(str)  # the base model of the run, once the run has loaded it
    finished = Signal()  # the run's child has ended (whatever happened)
    runFinished = Signal(str, str)  # run name, status (completed, early_stopped, cancelled)
    runsChanged = Signal()  # the project's runs changed: show them again
    exported = Signal(str, str)  # run name, where its copy is
    deleted = Signal(str)  # what the deletion did, in a line
    filesFailed = Signal(str, str)  # dialog title, message

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        project = open_project_path(state)
        # the training run (the window closes no project while it runs)
        self.job = JobSlot(state.runner, project, supersede=False, idle=self.finished.emit)
        self.base_model = ""  # what the run trains from
        self.automatic = False  # the run was started by auto-retrain
        self.files = JobSlot(state.runner, project, supersede=False)  # an export or a deletion
        self.files_failure = ""

    # -- runs ----------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.job.busy()

    def training_run(self) -> str | None:
        """The name of the run that trains now."""
        return self.job.worker.config.name if self.is_running() else None

    def start(self, config: TrainConfig, automatic: bool = False) -> bool:
        """Start a run (unless one runs or no project is open); an ``automatic`` one
        (auto-retrain) reports problems without a dialog."""
        if self.state.project is None or self.is_running():
            return False
        self.automatic = automatic
        self.base_model = config.base_model
        worker = TrainingWorker(self.state.project.path, config)
        worker.event.connect(self._event)
        worker.steps.connect(self.steps)
        worker.failed.connect(self.failed)
        self.started.emit(config)
        return self.job.start(worker, self.state.project.path)

    def stop(self) -> None:
        """Ask the run to end after its current step (it keeps its best epoch)."""
        self.job.cancel()

    def stop_and_wait(self, timeout_s: float = QUIT_WAIT_S) -> None:
        """On quit: stop cooperatively and wait for the child to save its best epoch."""
        self.job.stop(timeout_s)

    @Slot(object)
    def _event(self, event) -> None:
        self.event.emit(event)
        if isinstance(event, TrainingStarted):  # the model loaded: worth remembering
            self.modelLoaded.emit(self.base_model)
        elif isinstance(event, TrainingDone):
            self.runsChanged.emit()
            self.runFinished.emit(event.run, event.status)
        elif isinstance(event, TrainingDiscarded):
            self.runsChanged.emit()
            self.runFinished.emit(event.run, "cancelled")

    def activate(self, name: str) -> None:
        """Make a run the model for suggestions; the pool is scored with it at once, in
        the background (``LiveSuggestions``), and the status bar says so."""
        if self.state.project is None:
            return
        if not self.state.session.activate_run(name):
            self.state.say(f"Run {name} is already the active model.")
            return
        self.state.say(f"Run {name} is active: loading its model…")
        self.runsChanged.emit()

    # -- files -------------------------------------------------------------------------------

    def files_busy(self) -> bool:
        return self.files.busy()

    def export_run(self, name: str, folder: str, into: str) -> None:
        """Copy a run's ``folder`` into a new subfolder of ``into``."""
        if self.state.project is None or self.files.busy():
            return
        worker = ExportRunWorker(folder, into, name, self.state.project.path)
        worker.exported.connect(self.exported)
        self._start_files(worker, "Export failed")

    def delete_run(self, name: str) -> None:
        """Forget a run; its folder goes only when it is that run's own."""
        if self.state.project is None or self.files.busy():
            return
        worker = DeleteRunWorker(self.state.project.path, name)
        worker.deleted.connect(self._deleted)
        self._start_files(worker, "Delete failed")

    def _start_files(self, worker, failure: str) -> None:
        self.files_failure = failure
        worker.failed.connect(self._files_failed)
        self.files.start(worker, self.state.project.path)

    @Slot(str)
    def _files_failed(self, message: str) -> None:
        self.filesFailed.emit(self.files_failure, message)

    @Slot(str, str, bool)
    def _deleted(self, name: str, path: str, removed: bool) -> None:
        if removed or not path:
            message = f"Deleted run {name}" + (f" and its folder {path}" if removed else "")
        else:
            message = f"Deleted run {name}; kept {path}: it holds no nerstudio.json of run {name}"
        self.deleted.emit(message)
        self.runsChanged.emit()
        self.state.session.runs_changed()  # the active run may be the one deleted

    # -- what the panel shows (read here, so the panel never calls the store) ---------------

    def runs(self) -> tuple[list[RunRecord], RunRecord | None]:
        """The project's runs and the active one."""
        project = self.state.project
        if project is None:
            return [], None
        return project.runs.all(), project.runs.active()

    def run(self, name: str) -> RunRecord | None:
        project = self.state.project
        return project.runs.get(name) if project is not None else None

    def curves(self, names: list[str]) -> RunCurves | None:
        """The curves of the selected runs (None: no project or nothing selected)."""
        project = self.state.project
        if project is None or not names:
            return None
        first = project.runs.get(names[0])
        losses = {p.step: p.value for p in project.runs.metrics(first.id, "dev_loss")}
        overlays = []
        for name in names[1:]:
            points = project.runs.metrics(project.runs.get(name).id, "dev_f1")
            overlays.append((name, tuple(p.step for p in points), tuple(p.value for p in points)))
        return RunCurves(
            tuple((p.step, p.value) for p in project.runs.metrics(first.id, "train_loss")),
            tuple(
                (p.step, losses.get(p.step, 0.0), p.value)
                for p in project.runs.metrics(first.id, "dev_f1")
            ),
            first.metrics.get("dev", {}),
            tuple(overlays),
        )

    def entity_counts(self) -> dict[str, int]:
        """Gold entities per label for the report: one indexed count, not ``stats()``
        (which reads every document's tokens: 100 ms at 100k documents)."""
        project = self.state.project
        return project.spans.entity_counts() if project is not None else {}
