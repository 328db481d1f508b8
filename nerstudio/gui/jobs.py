"""Background jobs of the window: import, export and pre-annotation, each off the GUI thread,
with a busy bar and counts in the status bar. Kept out of the main window so that stays
composition only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QProgressBar

from nerstudio.core.formats.detect import SUFFIXES
from nerstudio.core.plural import counted
from nerstudio.core.transfer import WRITERS
from nerstudio.gui.dialogs.export_dialog import ExportDialog
from nerstudio.gui.state import AppState
from nerstudio.gui.status import MessageExpiry
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.runner import Job
from nerstudio.gui.workers.transfer import TransferWorker

IMPORT_FILTER = f"Corpora ({' '.join('*' + suffix for suffix in SUFFIXES)});;All files (*)"
"""The import dialog's filter: every suffix the import recognises (``detect.SUFFIXES``)."""


class BackgroundJobs(QObject):
    """Starts these jobs through the window's runner and shows that they run (the runner
    keeps them referenced until they end, and stops them on quit)."""

    corpusChanged = Signal()  # an import added documents
    predictionsStored = Signal()  # pre-annotation stored new suggestions

    def __init__(self, state: AppState, window: QMainWindow) -> None:
        super().__init__(window)
        self.state = state
        self.window = window
        self.busy = QProgressBar(maximumWidth=160, visible=False)
        self.busy.setRange(0, 0)
        self.workers: list[Job] = []  # imports and exports
        self.predicting: Job | None = None
        self.transferred = 0
        # Here until the main window creates it: every message of the window expires.
        self.expiry = MessageExpiry(window.statusBar())

    def is_busy(self) -> bool:
        return bool(self.workers) or self.predicting is not None

    def _show(self, text: str, timeout: int = 0) -> None:
        self.window.statusBar().showMessage(text, timeout)

    # -- import / export ---------------------------------------------------------------

    def start(self, worker: TransferWorker) -> None:
        """Run a transfer worker in its own thread."""
        worker.succeeded.connect(self.transfer_succeeded)
        worker.progress.connect(self.transfer_progress)
        self.transferred = 0
        worker.failed.connect(self.failed)
        self.workers.append(self.state.runner.start(worker, ended=self._reap))
        self.busy.show()

    def _reap(self) -> None:
        self.workers = [job for job in self.workers if job.is_running()]
        self.busy.setVisible(self.is_busy())

    @Slot()
    def import_dialog(self) -> None:
        if self.state.project is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import documents", "", IMPORT_FILTER)
        self.import_files([Path(p) for p in paths])

    @Slot(list)
    def import_files(self, paths: list[Path]) -> None:
        """Import files chosen in the dialog or dropped on the window."""
        if paths and self.state.project is not None:
            self.start(TransferWorker(self.state.project.path, "import", paths))

    @Slot()
    def export_dialog(self) -> None:
        """Every format the CLI writes, with its options; replacing asks first."""
        project = self.state.project
        if project is None:
            return
        splits = sorted(project.documents.splits())  # by an index: no stats() here
        chosen = ExportDialog.ask(project.path, splits, self.window)
        if chosen is None:
            return
        target = chosen.path
        force = False
        if target.exists() and not (target.is_dir() and not WRITERS[chosen.fmt].folder):
            answer = QMessageBox.question(
                self.window, "Replace?", f"{target} exists. Replace it with this export?"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            force = True
        worker = TransferWorker(
            project.path,
            "export",
            [target],
            chosen.fmt,
            chosen.split,
            chosen.include_all,
            force=force,
            options=chosen.options,
        )
        self.start(worker)

    @Slot(str)
    def transfer_succeeded(self, text: str) -> None:
        self._show(text, 8000)
        self.corpusChanged.emit()

    @Slot(int)
    def transfer_progress(self, count: int) -> None:
        self.transferred += count
        self._show(f"Working… {counted(self.transferred, 'document')}")

    @Slot(str)
    def failed(self, text: str) -> None:
        QMessageBox.warning(self.window, "Nothing was changed", text)

    # -- pre-annotation ------------------------------------------------------------------

    @Slot()
    def pre_annotate(self) -> None:
        """Store the active model's suggestions for every unfinished document (child process)."""
        project = self.state.project
        run = project.runs.active() if project else None
        if run is None:
            self.state.message.emit("Set a run active in the Training panel first.")
            return
        if self.predicting is not None:
            return
        worker = CommandWorker(["predict", str(project.path), "--run", run.name])
        worker.succeeded.connect(self.pre_annotated)
        worker.failed.connect(self.failed)
        self.predicting = self.state.runner.start(worker, ended=self._predicting_done)
        self.busy.show()
        self._show(f"Pre-annotating with {run.name}…")

    @Slot()
    def stop_pre_annotating(self) -> None:
        if self.predicting is not None:
            self.state.runner.cancel(self.predicting)

    @Slot(str)
    def pre_annotated(self, text: str) -> None:
        self._show(text, 8000)
        self.predictionsStored.emit()

    def _predicting_done(self) -> None:
        self.predicting = None
        self.busy.setVisible(self.is_busy())
