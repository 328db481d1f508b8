"""Background jobs of the window: import, export and pre-annotation, each off the GUI thread,
with a busy bar and counts in the status bar. Kept out of the main window so that stays
composition only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMessageBox,
    QProgressBar,
)

from nerstudio.core.formats.detect import SUFFIXES
from nerstudio.core.formats.document_readers import document_suffixes
from nerstudio.core.plural import counted
from nerstudio.core.prediction import DocumentsPredicted
from nerstudio.core.transfer import WRITERS
from nerstudio.gui.dialogs.export_dialog import ExportDialog
from nerstudio.gui.dialogs.import_report import ImportReport
from nerstudio.gui.state import AppState
from nerstudio.gui.status import MessageExpiry
from nerstudio.gui.widgets.empty_project import dropped_files
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.job_slot import JobSlot, open_project_path
from nerstudio.gui.workers.runner import Job
from nerstudio.gui.workers.transfer import TransferWorker

CUTS = (
    ("Automatic: a short file whole, a long one per page or section", None),
    ("One document per file", "file"),
    ("One document per page (PDF)", "page"),
    ("One document per section (at the top headings)", "section"),
    ("One document per paragraph", "paragraph"),
)
"""The window's choices of ``nerstudio import --per`` (core ``SPLIT_MODES``), as offered."""
CANCELLED = "cancelled"


def import_filter() -> str:
    """The import dialog's filter: every suffix the import recognises (``detect.SUFFIXES``
    and the document readers' suffixes), all together first."""
    corpora = " ".join(f"*{suffix}" for suffix in SUFFIXES)
    documents = " ".join(f"*{s}" for s in document_suffixes() if s not in SUFFIXES)
    every = f"{corpora} {documents}".strip()
    return (
        f"Documents and corpora ({every});;Corpora ({corpora});;"
        f"Documents ({documents or '*.txt'});;All files (*)"
    )


_DROP_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


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
        self.predicting = JobSlot(
            state.runner, open_project_path(state), supersede=False, idle=self._predicting_done
        )
        self.transferred = 0
        # Here until the main window creates it: every message of the window expires.
        self.expiry = MessageExpiry(window.statusBar())
        self.report: ImportReport | None = None  # the last import's, while open
        window.setAcceptDrops(True)  # files dropped anywhere on the window are imported
        window.installEventFilter(self)

    def is_busy(self) -> bool:
        return bool(self.workers) or self.predicting.busy()

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
        paths, _ = QFileDialog.getOpenFileNames(
            self.window, "Import documents", "", import_filter()
        )
        chosen = [Path(p) for p in paths]
        cut = self.ask_cut(chosen)
        if cut != CANCELLED:
            self.import_files(chosen, cut)

    def ask_cut(self, paths: list[Path]) -> str | None:
        """How document files (PDF, Word ...) among ``paths`` become documents: None for
        the automatic cut (or when there are none), CANCELLED when the person cancels."""
        wanted = {s for s in document_suffixes() if s not in SUFFIXES}
        if not any(path.suffix.lower() in wanted for path in paths):
            return None
        choices = [text for text, _ in CUTS]
        text, ok = QInputDialog.getItem(
            self.window, "Import document files", "Make documents of each file:", choices, 0, False
        )
        return dict(CUTS)[text] if ok else CANCELLED

    @Slot()
    def import_folder_dialog(self) -> None:
        """A folder of PDFs, Word files, web pages ... (or a brat or dataset folder)."""
        if self.state.project is None:
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Import a folder")
        if folder:
            self.import_files([Path(folder)])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Files dragged onto the window: accepted while a project is open, imported."""
        if watched is self.window and event.type() in _DROP_EVENTS:
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            paths = dropped_files(event)
            if paths and self.state.project is not None:
                event.acceptProposedAction()
                if event.type() == QEvent.Type.Drop:
                    self.import_files(paths)
                return True
        return super().eventFilter(watched, event)

    def import_files(self, paths: list[Path], cut: str | None = None) -> None:
        """Import files chosen in the dialog or dropped on the window (dropped document
        files take the automatic cut, which the report names)."""
        if paths and self.state.project is not None:
            worker = TransferWorker(self.state.project.path, "import", paths, per=cut)
            worker.reported.connect(self.show_report)
            worker.reading.connect(self.show_reading)
            self.start(worker)

    @Slot(str, int, int)
    def show_reading(self, name: str, number: int, total: int) -> None:
        """Which document file is being read (a 300-page PDF takes a while)."""
        self._show(f"Reading {name} ({number:,} of {counted(total, 'file')})…")

    @Slot(list)
    def show_report(self, lines: list[str]) -> None:
        """Per document file what was read and left out, and each refusal, beside the window."""
        if self.report is not None:
            self.report.close()
        self.report = ImportReport(lines, self.window)
        self.report.show()

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
            self.state.say("Set a run active in the Training panel first.")
            return
        worker = CommandWorker(["predict", str(project.path), "--run", run.name, "--messages"])
        worker.received.connect(self.pre_annotated)
        worker.failed.connect(self.failed)
        if self.predicting.start(worker, project.path):
            self.busy.show()
            self._show(f"Pre-annotating with {run.name}…")

    @Slot()
    def stop_pre_annotating(self) -> None:
        self.predicting.cancel()

    @Slot(object)
    def pre_annotated(self, message: object) -> None:
        if isinstance(message, DocumentsPredicted) and self.predicting.accepts():
            stored = counted(message.documents, "document")
            self._show(f"predicted {stored} with run {message.run}", 8000)
            self.predictionsStored.emit()

    def _predicting_done(self) -> None:
        self.busy.setVisible(self.is_busy())
