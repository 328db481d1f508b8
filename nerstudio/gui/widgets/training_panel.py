"""The training panel: the compact form (base model, method, options) and Start/Stop on
top, then tabs: the live chart, the per-label report, the run history (active model,
overlay, export, delete) and the log. Tabs rather than a column of everything, so the
panel fits a 1280×720 screen without scrolling either way.

The panel paints; ``TrainingController`` does the work (a run in a child process, a run's
files off the GUI thread), so annotating goes on while a model trains.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.errors import NerstudioError
from nerstudio.core.training.config import TrainConfig
from nerstudio.core.training.events import (
    EvalFinished,
    TrainingDiscarded,
    TrainingDone,
    TrainingNote,
    TrainingStarted,
    TrainingWarning,
)
from nerstudio.gui.controllers.training import QUIT_WAIT_S, TrainingController
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.label_report import LabelReport
from nerstudio.gui.widgets.loss_chart import LossChart
from nerstudio.gui.widgets.run_history import RunHistory
from nerstudio.gui.widgets.training_form import TrainingForm

FAILED_HINT = (
    "Your project is untouched. Check the model (a local folder, or a hub id with a "
    "network), that some documents are marked done, and for GPU memory errors try a "
    "smaller batch size or max length."
)

CHART_TAB, REPORT_TAB, HISTORY_TAB, LOG_TAB = "Chart", "Per label", "Runs", "Log"


class TrainingPanel(QWidget):
    """The training dock: runs started, watched, compared and set active.

    ``form`` holds the settings (its ``editors`` by option name) and ``controller`` the runs.
    """

    def __init__(self, state: AppState, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.form = TrainingForm(settings)
        self.controller = TrainingController(state, self)
        self.run_history = RunHistory()
        self.start = QPushButton("Start")
        self.stop = QPushButton("Stop", enabled=False)
        self.progress = QProgressBar()
        self.rate = QLabel()
        self.chart = LossChart()
        self.report = LabelReport()
        self.log = QPlainTextEdit(readOnly=True, maximumBlockCount=500)
        self.tabs = QTabWidget(documentMode=True)
        self._lay_out()
        self._wire()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.start)
        buttons.addWidget(self.stop)
        buttons.addWidget(self.progress, 1)
        for page, title in (
            (self.chart, CHART_TAB),
            (self.report, REPORT_TAB),
            (self.run_history, HISTORY_TAB),
            (self.log, LOG_TAB),
        ):
            self.tabs.addTab(page, title)
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addWidget(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.rate)
        layout.addWidget(self.tabs, 1)

    def show_tab(self, title: str) -> None:
        """Bring the tab named ``title`` to the front."""
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                self.tabs.setCurrentIndex(index)

    def _wire(self) -> None:
        self.start.clicked.connect(self.start_run)
        self.stop.clicked.connect(self.stop_run)
        controller = self.controller
        controller.started.connect(self.on_started)
        controller.event.connect(self.on_event)
        controller.steps.connect(self.on_steps)
        controller.failed.connect(self.on_failed)
        controller.finished.connect(self.on_finished)
        controller.runsChanged.connect(self.reload_history)
        controller.modelLoaded.connect(self.form.model.remember)
        controller.exported.connect(self.on_exported)
        controller.deleted.connect(self.on_deleted)
        controller.filesFailed.connect(self.on_files_failed)
        history = self.run_history
        history.selectionChanged.connect(self.show_selected_runs)
        history.activateRequested.connect(controller.activate)
        history.exportRequested.connect(self.export_run)
        history.deleteRequested.connect(self.delete_run)
        self.state.projectChanged.connect(self.reload_history)

    # -- what the form says ------------------------------------------------------------------

    def chosen_model(self) -> str:
        return self.form.chosen_model()

    def config(self) -> TrainConfig:
        return self.form.config()

    def is_running(self) -> bool:
        return self.controller.is_running()

    def stop_and_wait(self, timeout_s: float = QUIT_WAIT_S) -> None:
        """On quit: stop cooperatively and wait for the child to save its best epoch."""
        self.controller.stop_and_wait(timeout_s)

    # -- running -------------------------------------------------------------------------

    @Slot()
    def start_run(self) -> None:
        if self.state.project is None or self.is_running():
            return
        try:
            config = self.config()
        except NerstudioError as err:
            QMessageBox.warning(self, "Cannot start", str(err))
            return
        self.controller.start(config)

    @Slot()
    def stop_run(self) -> None:
        if self.controller.is_running():
            self.controller.stop()
            self.stop.setText("Stopping…")
            self.stop.setEnabled(False)

    @Slot(object)
    def on_started(self, config: TrainConfig) -> None:
        self.chart.clear_run()
        self.report.clear()
        self.rate.clear()
        self.show_tab(CHART_TAB)  # what a starting run has to show
        self.log.appendPlainText(f"Starting {config.name} from {config.base_model}…")
        self.start.setEnabled(False)
        self.stop.setEnabled(True)
        self.stop.setText("Stop")
        self.progress.setRange(0, 0)

    @Slot(object)
    def on_steps(self, steps: tuple) -> None:
        for step in steps:
            self.chart.add_step(step.step, step.loss)
        last = steps[-1]
        self.progress.setRange(0, last.total_steps)
        self.progress.setValue(last.step)
        self.progress.setFormat(f"epoch {last.epoch:.1f} · step {last.step}/{last.total_steps}")
        minutes, seconds = divmod(int(last.eta_seconds), 60)
        self.rate.setText(f"{last.tokens_per_s:,.0f} tokens/s · ETA {minutes}:{seconds:02d}")

    @Slot(object)
    def on_event(self, event) -> None:
        if isinstance(event, TrainingStarted):
            self.form.show_device(f"{event.device_name or event.device} ({event.precision})")
            self.log.appendPlainText(
                f"{event.train_documents} train / {event.dev_documents} dev documents, "
                f"{event.epochs} epochs at most, learning rate {event.learning_rate:g}"
            )
        elif isinstance(event, TrainingWarning):
            self.log.appendPlainText(f"warning: {event.message}")
        elif isinstance(event, TrainingNote):
            self.log.appendPlainText(event.message)
        elif isinstance(event, EvalFinished):
            self.chart.add_eval(event.step, event.dev_loss, event.f1)
            self.log.appendPlainText(f"epoch {event.epoch}: dev F1 {event.f1:.3f}")
        elif isinstance(event, TrainingDone):
            self.show_scores(event.dev)
            self.log.appendPlainText(
                f"{event.status}: dev F1 {event.dev.get('f1', 0):.3f} (best epoch "
                f"{event.best_epoch}), saved to {event.path}"
            )
        elif isinstance(event, TrainingDiscarded):
            self.log.appendPlainText(f"{event.run}: {event.message}")
            self.state.say(f"Training {event.run} {event.message}")

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.log.appendPlainText(f"error: {message}")
        if self.controller.automatic:
            self.state.say(f"Automatic retraining failed: {message}")
            return
        QMessageBox.warning(self, "Training failed", f"{message}\n\n{FAILED_HINT}")

    @Slot()
    def on_finished(self) -> None:
        self.start.setEnabled(True)
        self.stop.setEnabled(False)
        self.stop.setText("Stop")
        self.progress.setRange(0, 1)

    def show_scores(self, dev: dict) -> None:
        """A run's dev scores in the report, with every label of the project listed."""
        counts = self.controller.entity_counts()
        labels = [label.name for label in self.state.labels]
        self.report.show_scores(dev, labels, counts)

    # -- history -------------------------------------------------------------------------

    @Slot()
    def reload_history(self) -> None:
        self.run_history.show_runs(*self.controller.runs())

    def activate(self, name: str) -> None:
        """Make a run the model for suggestions."""
        self.controller.activate(name)

    @Slot()
    def show_selected_runs(self) -> None:
        """Selecting runs shows their curves; two or more are overlaid."""
        if self.is_running():
            return
        curves = self.controller.curves(self.run_history.selected_runs())
        if curves is None:
            return
        self.chart.clear_run()
        for step, loss in curves.train_loss:
            self.chart.add_step(step, loss)
        for step, loss, f1 in curves.evals:
            self.chart.add_eval(step, loss, f1)
        self.show_scores(curves.dev)
        for name, steps, values in curves.overlays:
            self.chart.overlay_f1(name, list(steps), list(values))

    @Slot(str)
    def export_run(self, name: str) -> None:
        """Copy a run's folder into a new subfolder of a chosen folder."""
        run = self.controller.run(name)
        if run is None:
            return
        if not run.path:
            QMessageBox.warning(self, "Export failed", f"run {run.name} has no model folder")
            return
        target = QFileDialog.getExistingDirectory(self, f"Copy {run.name} into folder")
        if target:
            self.controller.export_run(run.name, run.path, target)

    @Slot(str)
    def delete_run(self, name: str) -> None:
        """Forget a run (after asking); its folder goes only when it is that run's own."""
        record = self.controller.run(name)
        if record is None:
            return
        if self.controller.training_run() == name:
            self.state.say(f"Run {name} is training: stop it first.")
            return
        folder = f" and its model folder {record.path}" if record.path else ""
        answer = QMessageBox.question(self, "Delete run", f"Delete run {name}{folder}?")
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.delete_run(name)

    @Slot(str, str)
    def on_exported(self, name: str, destination: str) -> None:
        self.log.appendPlainText(f"exported {name} to {destination}")
        self.state.say(f"Exported run {name} to {destination}")

    @Slot(str)
    def on_deleted(self, message: str) -> None:
        self.log.appendPlainText(message)
        self.state.say(message)

    @Slot(str, str)
    def on_files_failed(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)
