"""The training panel: choose a base model and method, Start/Stop, watch the live chart,
read per-label scores, and manage the run history (active model, overlay, export, delete).

The run itself is a child process supervised by ``TrainingWorker`` in a QThread; this panel
only paints what arrives, so annotating goes on while a model trains.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.errors import NerstudioError
from nerstudio.core.model_catalog import catalog
from nerstudio.core.run_folders import delete_run
from nerstudio.core.training.config import TrainConfig
from nerstudio.core.training.events import (
    EvalFinished,
    TrainingDiscarded,
    TrainingDone,
    TrainingStarted,
    TrainingWarning,
)
from nerstudio.core.training.output import export_run
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.loss_chart import LossChart
from nerstudio.gui.workers.threads import worker_thread
from nerstudio.gui.workers.training import TrainingWorker

HISTORY_COLUMNS = ("run", "base model", "method", "date", "dev F1", "minutes", "documents", "")


def weakest_label_line(per_label: dict, counts: dict[str, int]) -> str:
    """'MISC: F1 0.61 from 212 examples — annotate more MISC'."""
    if not per_label:
        return ""
    name, scores = min(per_label.items(), key=lambda kv: kv[1]["f1"])
    return (
        f"{name}: F1 {scores['f1']:.2f} from {counts.get(name, 0):,} examples — "
        f"annotate more {name}"
    )


class TrainingPanel(QWidget):
    """Emits ``activeRunChanged`` when the user picks the model for suggestions."""

    activeRunChanged = Signal()
    runFinished = Signal(str, str)  # run name, status (completed, early_stopped, cancelled)

    def __init__(self, state: AppState, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None
        self.model = QComboBox(editable=True, minimumContentsLength=28)
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.model.setToolTip("A Hugging Face hub id (needs a download once) or a model folder")
        browse = QPushButton("Folder…")
        browse.clicked.connect(self.choose_folder)
        self.method = QComboBox()
        self.method.addItems(["full", "head", "lora"])
        self.epochs = QSpinBox(minimum=0, maximum=100, specialValueText="auto")
        self.batch = QSpinBox(minimum=1, maximum=512, value=16)
        self.lr = QLineEdit(placeholderText="auto (from the model's size)")
        self.max_length = QSpinBox(minimum=16, maximum=4096, value=256)
        self.word_embeddings = QCheckBox("Train word embeddings (for models not pretrained)")
        self.device_text = QLabel("device: auto (the run reports what it uses)")
        self.auto_retrain = QCheckBox("Auto-retrain every")
        self.auto_retrain.setToolTip(
            "In the background: train, make the new model active, re-predict the unfinished "
            "documents and re-order the queue. Annotating goes on meanwhile."
        )
        self.auto_every = QSpinBox(minimum=1, maximum=10_000, value=20, suffix=" done")
        self.auto_from = QComboBox()
        self.auto_from.addItem("from the base model", "base")
        self.auto_from.addItem("from the active run", "active")
        self.auto_retrain.setChecked(settings.value("auto_retrain/enabled", False, bool))
        self.auto_every.setValue(settings.value("auto_retrain/every", 20, int))
        self.auto_from.setCurrentIndex(
            max(0, self.auto_from.findData(settings.value("auto_retrain/from", "base")))
        )
        self.auto_retrain.toggled.connect(self.save_auto_settings)
        self.auto_every.valueChanged.connect(self.save_auto_settings)
        self.auto_from.currentIndexChanged.connect(self.save_auto_settings)
        self.automatic_run: str | None = None
        self.start = QPushButton("Start")
        self.stop = QPushButton("Stop", enabled=False)
        self.start.clicked.connect(self.start_run)
        self.stop.clicked.connect(self.stop_run)
        self.progress = QProgressBar()
        self.rate = QLabel()
        self.chart = LossChart()
        self.scores = QTableWidget(0, 5)
        self.scores.setHorizontalHeaderLabels(["label", "precision", "recall", "F1", "support"])
        self.scores.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scores.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.scores.verticalHeader().hide()
        self.weakest = QLabel()
        self.weakest.setStyleSheet("font-weight: bold;")
        self.log = QPlainTextEdit(readOnly=True, maximumBlockCount=500)
        self.log.setMaximumHeight(90)
        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.verticalHeader().hide()
        self.history.setWordWrap(False)
        self.history.itemSelectionChanged.connect(self.show_selected_runs)
        history_buttons = QHBoxLayout()
        for text, slot in (
            ("Set active", self.set_active),
            ("Export…", self.export_run),
            ("Delete…", self.delete_run),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            history_buttons.addWidget(button)
        history_buttons.addStretch(1)

        settings_box = QGroupBox("Base model and method")
        form = QFormLayout(settings_box)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(browse)
        form.addRow("Model", model_row)
        form.addRow("Method", self.method)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch)
        form.addRow("Learning rate", self.lr)
        form.addRow("Max length", self.max_length)
        form.addRow(self.word_embeddings)
        form.addRow(self.device_text)
        auto_row = QHBoxLayout()
        auto_row.addWidget(self.auto_every)
        auto_row.addWidget(self.auto_from, 1)
        form.addRow(self.auto_retrain, auto_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start)
        buttons.addWidget(self.stop)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.rate)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(settings_box)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.chart, 1)
        top_layout.addWidget(self.weakest)
        top_layout.addWidget(self.scores)
        top_layout.addWidget(self.log)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("Run history"))
        bottom_layout.addWidget(self.history)
        bottom_layout.addLayout(history_buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._fill_models()
        state.projectChanged.connect(self.reload_history)

    # -- settings ------------------------------------------------------------------------

    def _fill_models(self) -> None:
        """Offline models first, then the curated ones to download; the last one used
        stays selected."""
        recent = self.settings.value("models/recent", [], list)
        for choice in catalog(recent):
            if self.model.findData(choice.name_or_path) < 0:
                self.model.addItem(choice.summary(), choice.name_or_path)
                self.model.setItemData(
                    self.model.count() - 1, choice.description(), Qt.ItemDataRole.ToolTipRole
                )
        last = self.model.findData(recent[0]) if recent else -1
        if last >= 0:
            self.model.setCurrentIndex(last)
        popup = self.model.view()
        popup.setMinimumWidth(popup.sizeHintForColumn(0) + 24)
        self.model.currentIndexChanged.connect(self.show_model_name)
        self.show_model_name()

    @Slot()
    def show_model_name(self) -> None:
        """A long entry shows its start (the model's name), not its tail."""
        self.model.lineEdit().setCursorPosition(0)

    def chosen_model(self) -> str:
        index = self.model.currentIndex()
        data = self.model.itemData(index) if index >= 0 else None
        text = self.model.currentText().strip()
        return data if data and self.model.itemText(index) == text else text

    @Slot()
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder")
        if folder:
            self.model.insertItem(0, folder, folder)
            self.model.setCurrentIndex(0)

    def config(self) -> TrainConfig:
        lr_text = self.lr.text().strip()
        try:
            lr = float(lr_text) if lr_text else None
        except ValueError:
            raise NerstudioError(f"learning rate {lr_text!r} is not a number") from None
        return TrainConfig(
            base_model=self.chosen_model(),
            method=self.method.currentText(),
            epochs=self.epochs.value() or None,
            batch_size=self.batch.value(),
            learning_rate=lr,
            max_length=self.max_length.value(),
            name=datetime.now().strftime("run-%Y%m%d-%H%M%S"),
            train_word_embeddings=self.word_embeddings.isChecked(),
        )

    # -- running -------------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    @Slot()
    def save_auto_settings(self) -> None:
        self.settings.setValue("auto_retrain/enabled", self.auto_retrain.isChecked())
        self.settings.setValue("auto_retrain/every", self.auto_every.value())
        self.settings.setValue("auto_retrain/from", self.auto_from.currentData())

    @Slot()
    def start_run(self) -> None:
        if self.state.project is None or self.is_running():
            return
        try:
            config = self.config()
        except NerstudioError as err:
            QMessageBox.warning(self, "Cannot start", str(err))
            return
        self.start_config(config)

    def start_config(self, config: TrainConfig, automatic: bool = False) -> None:
        """Start a run; an ``automatic`` one (auto-retrain) reports problems in the log and
        the status bar instead of a dialog, so it never interrupts the person."""
        if self.state.project is None or self.is_running():
            return
        self.automatic_run = config.name if automatic else None
        if not automatic:
            recent = [config.base_model] + [
                m for m in self.settings.value("models/recent", [], list) if m != config.base_model
            ]
            self.settings.setValue("models/recent", recent[:8])
        self.chart.clear_run()
        self.scores.setRowCount(0)
        self.weakest.clear()
        self.log.appendPlainText(f"Starting {config.name} from {config.base_model}…")
        self.worker = TrainingWorker(self.state.project.path, config)
        self.thread = worker_thread(self.worker, self)
        self.worker.event.connect(self.on_event)
        self.worker.steps.connect(self.on_steps)
        self.worker.failed.connect(self.on_failed)
        self.thread.finished.connect(self.on_finished)
        self.start.setEnabled(False)
        self.stop.setEnabled(True)
        self.stop.setText("Stop")
        self.progress.setRange(0, 0)
        self.thread.start()

    @Slot()
    def stop_run(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.stop.setText("Stopping…")
            self.stop.setEnabled(False)

    def stop_and_wait(self, timeout_ms: int = 120_000) -> None:
        """On quit: stop cooperatively and wait for the child to save its best epoch."""
        if self.is_running():
            self.stop_run()
            self.thread.wait(timeout_ms)

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
            self.device_text.setText(
                f"device: {event.device_name or event.device} ({event.precision})"
            )
            self.log.appendPlainText(
                f"{event.train_documents} train / {event.dev_documents} dev documents, "
                f"{event.epochs} epochs at most, learning rate {event.learning_rate:g}"
            )
        elif isinstance(event, TrainingWarning):
            self.log.appendPlainText(f"warning: {event.message}")
        elif isinstance(event, EvalFinished):
            self.chart.add_eval(event.step, event.dev_loss, event.f1)
            self.log.appendPlainText(f"epoch {event.epoch}: dev F1 {event.f1:.3f}")
        elif isinstance(event, TrainingDone):
            self.show_scores(event.dev.get("per_label", {}))
            self.log.appendPlainText(
                f"{event.status}: dev F1 {event.dev.get('f1', 0):.3f} (best epoch "
                f"{event.best_epoch}), saved to {event.path}"
            )
            self.reload_history()
            self.runFinished.emit(event.run, event.status)
        elif isinstance(event, TrainingDiscarded):
            self.log.appendPlainText(f"{event.run}: {event.message}")
            self.state.message.emit(f"Training {event.run} {event.message}")
            self.reload_history()
            self.runFinished.emit(event.run, "cancelled")

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self.log.appendPlainText(f"error: {message}")
        if self.automatic_run is not None:
            self.state.message.emit(f"Automatic retraining failed: {message}")
            return
        QMessageBox.warning(
            self,
            "Training failed",
            f"{message}\n\nYour project is untouched. Check the model (a local folder, or a "
            "hub id with a network), that some documents are marked done, and for GPU memory "
            "errors try a smaller batch size or max length.",
        )

    @Slot()
    def on_finished(self) -> None:
        self.start.setEnabled(True)
        self.stop.setEnabled(False)
        self.stop.setText("Stop")
        self.progress.setRange(0, 1)
        self.thread = None
        self.worker = None

    def show_scores(self, per_label: dict) -> None:
        self.scores.setRowCount(len(per_label))
        for row, (name, m) in enumerate(sorted(per_label.items())):
            values = [
                name,
                f"{m['precision']:.3f}",
                f"{m['recall']:.3f}",
                f"{m['f1']:.3f}",
                str(m["support"]),
            ]
            for column, value in enumerate(values):
                self.scores.setItem(row, column, QTableWidgetItem(value))
        counts = self.state.project.stats().entities if self.state.project else {}
        self.weakest.setText(weakest_label_line(per_label, counts))

    # -- history -------------------------------------------------------------------------

    @Slot()
    def reload_history(self) -> None:
        project = self.state.project
        runs = project.runs.all() if project else []
        active = project.runs.active() if project else None
        self.history.setRowCount(len(runs))
        for row, run in enumerate(runs):
            dev = run.metrics.get("dev", {})
            minutes = run.metrics.get("train_seconds", 0) / 60
            docs = run.metrics.get("train_documents")
            values = [
                run.name,
                Path(run.base_model).name or run.base_model,
                run.method,
                (run.started_at or "")[:16].replace("T", " "),
                f"{dev['f1']:.3f}" if "f1" in dev else run.status,
                f"{minutes:.1f}",
                str(docs or ""),
                "active" if active and active.id == run.id else "",
            ]
            for column, value in enumerate(values):
                self.history.setItem(row, column, QTableWidgetItem(value))

    def selected_runs(self) -> list[str]:
        rows = sorted({index.row() for index in self.history.selectedIndexes()})
        return [self.history.item(row, 0).text() for row in rows]

    @Slot()
    def show_selected_runs(self) -> None:
        """Selecting runs shows their curves; two or more are overlaid."""
        project = self.state.project
        names = self.selected_runs()
        if project is None or not names or self.is_running():
            return
        self.chart.clear_run()
        first = project.runs.get(names[0])
        for point in project.runs.metrics(first.id, "train_loss"):
            self.chart.add_step(point.step, point.value)
        losses = {p.step: p.value for p in project.runs.metrics(first.id, "dev_loss")}
        for point in project.runs.metrics(first.id, "dev_f1"):
            self.chart.add_eval(point.step, losses.get(point.step, 0.0), point.value)
        self.show_scores(first.metrics.get("dev", {}).get("per_label", {}))
        for name in names[1:]:
            points = project.runs.metrics(project.runs.get(name).id, "dev_f1")
            self.chart.overlay_f1(name, [p.step for p in points], [p.value for p in points])

    @Slot()
    def set_active(self) -> None:
        names = self.selected_runs()
        if names:
            self.activate(names[0])

    def activate(self, name: str) -> None:
        """Make a run the model for suggestions."""
        if self.state.project is not None:
            self.state.project.runs.set_active(name)
            self.reload_history()
            self.activeRunChanged.emit()

    @Slot()
    def export_run(self) -> None:
        """Copy the selected run's folder into a new subfolder of a chosen folder."""
        names = self.selected_runs()
        if self.state.project is None or not names:
            return
        run = self.state.project.runs.get(names[0])
        if not run.path:
            QMessageBox.warning(self, "Export failed", f"run {run.name} has no model folder")
            return
        target = QFileDialog.getExistingDirectory(self, f"Copy {run.name} into folder")
        if not target:
            return
        try:
            destination = export_run(run.path, target, run.name, self.state.project.path)
        except NerstudioError as err:
            QMessageBox.warning(self, "Export failed", str(err))
            return
        self.log.appendPlainText(f"exported {run.name} to {destination}")
        self.state.message.emit(f"Exported run {run.name} to {destination}")

    @Slot()
    def delete_run(self) -> None:
        """Forget the selected run; its folder goes only when it is that run's own."""
        names = self.selected_runs()
        if self.state.project is None or not names:
            return
        name = names[0]
        if self.is_running() and self.worker is not None and self.worker.config.name == name:
            self.state.message.emit(f"Run {name} is training: stop it first.")
            return
        record = self.state.project.runs.get(name)
        folder = f" and its model folder {record.path}" if record.path else ""
        answer = QMessageBox.question(self, "Delete run", f"Delete run {name}{folder}?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            record, removed = delete_run(self.state.project, name)
        except NerstudioError as err:
            QMessageBox.warning(self, "Delete failed", str(err))
            return
        if removed or not record.path:
            message = f"Deleted run {name}" + (f" and its folder {record.path}" if removed else "")
        else:
            message = (
                f"Deleted run {name}; kept {record.path}: it holds no nerstudio.json of run {name}"
            )
        self.log.appendPlainText(message)
        self.state.message.emit(message)
        self.reload_history()
        self.activeRunChanged.emit()
