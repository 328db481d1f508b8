"""Suggestion sources in the window: "Suggest from…" runs a dictionary file, a model
folder or the learnt dictionary over the unfinished documents in the background (a child,
with progress and Stop); the source then is the active one (shown and switched in the run
history, where runs are), its suggestions show in the editor and order the queue.

While a dictionary that learns from gold is active, every entity the person tags is
suggested at once wherever else it occurs in the open document, and in each document
opened after it (``core.sources.dictionary.learn_in_document``)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox

from nerstudio.core.active import DEFAULT_STRATEGY
from nerstudio.core.plural import counted
from nerstudio.core.sources.base import source_kind
from nerstudio.core.sources.dictionary import learn_in_document, learns
from nerstudio.core.sources.running import SuggestFinished, SuggestProgress
from nerstudio.gui.state import AppState
from nerstudio.gui.workers.job_slot import JobSlot, open_project_path
from nerstudio.gui.workers.suggest import SuggestWorker

DICTIONARY_FILTER = "Dictionaries (*.tsv *.txt *.csv *.jsonl);;All files (*)"
STOP_WAIT_S = 15.0
BUSY = "Suggestions are being made: wait for them, or Document → Suggest from → Stop suggesting"


class SourcesController(QObject):
    """Runs sources in the background and keeps the learning dictionary learning."""

    activeSourceChanged = Signal()  # a source run ended: it is the active one now

    def __init__(self, state: AppState, window: QMainWindow) -> None:
        super().__init__(window)
        self.state = state
        self.window = window
        # one source run at a time: a second "Suggest from" is refused while it runs
        self.job = JobSlot(state.runner, open_project_path(state), supersede=False)
        self.shown: set[tuple[int, int, str]] = set()  # gold of the shown document
        self.learnt: Counter[tuple[str, str]] = Counter()  # tagged since the source ran
        self.active_text = QLabel()  # the status bar's "Suggestions: NAME (kind)"
        state.documentChanged.connect(self.document_shown)
        state.documentEdited.connect(self.document_edited)
        state.projectChanged.connect(self.learnt.clear)
        state.projectChanged.connect(self.show_active)
        state.projectChanged.connect(self._queue_on_open)
        state.activeRunChanged.connect(self.show_active)

    @Slot()
    def show_active(self) -> None:
        """Which source makes the suggestions, in the status bar (switch it in the run
        history of the Training panel: Set active)."""
        project = self.state.project
        run = project.runs.active() if project is not None else None
        if run is None:
            self.active_text.clear()
            return
        kind = source_kind(run.method)
        self.active_text.setText(f"Suggestions: {run.name} ({kind})")
        self.active_text.setToolTip(f"{run.name}: {kind} from {run.base_model}")

    # -- running a source ------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.job.busy()

    def suggest(self, spec: str, label_map: str = "") -> bool:
        """Run ``spec`` (``dictionary:FILE``, ``model:FOLDER``, ``learnt``...) over the
        unfinished documents; False when one runs already (the status bar says so) or no
        project is open."""
        project = self.state.project
        if project is None or self._refused():
            return False
        worker = SuggestWorker(str(project.path), spec, label_map)
        worker.received.connect(self.received)
        worker.failed.connect(self.failed)
        if not self.job.start(worker, project.path):
            return False
        self.state.say(f"Suggesting from {spec}…")
        return True

    def _refused(self) -> bool:
        """A source runs: say so instead of starting (or asking for) another."""
        if self.job.busy():
            self.state.say(BUSY)
        return self.job.busy()

    @Slot()
    def stop(self) -> None:
        self.job.cancel()

    def stop_and_wait(self) -> None:
        self.job.stop(STOP_WAIT_S)

    @Slot(object)
    def received(self, message: object) -> None:
        """The child's progress and its result (for the project open now)."""
        if not self.job.accepts():
            return
        if isinstance(message, SuggestProgress):
            self.progress(message.done, message.total)
        elif isinstance(message, SuggestFinished):
            self.succeeded(message)

    def progress(self, done: int, total: int) -> None:
        self.state.session.report_pool_scoring(done, total)
        self.state.say(f"Suggesting: {done:,} of {counted(total, 'document')}…")

    def succeeded(self, result: SuggestFinished) -> None:
        self.state.session.report_pool_scoring(0, 0)
        self.learnt.clear()
        verb = "Stopped after" if result.stopped else "Suggested"
        text = f"{verb} {counted(result.stored, 'document')} with {result.run}"
        if result.dropped:
            text += "; dropped labels: " + ", ".join(sorted(result.dropped))
        self.state.say(text + " (the active source now)")
        self.state.session.suggestions_replaced()  # the source is the active run now
        self._queue_by_source()
        self.activeSourceChanged.emit()
        self.state.session.report_predictions_stored()

    @Slot(str)
    def failed(self, message: str) -> None:
        """The child's one line (a bad dictionary line, a missing folder...)."""
        if not self.job.accepts():
            return
        self.state.session.report_pool_scoring(0, 0)
        QMessageBox.warning(self.window, "No suggestions were made", message)

    @Slot()
    def _queue_on_open(self) -> None:
        """A project opened with a source active (run from the CLI, or left so): its scores
        order the queue, as they do when the source runs in the window. After the list has
        taken the new project (the next turn of the event loop), which resets its order."""
        project = self.state.project
        run = project.runs.active() if project is not None else None
        if run is not None and source_kind(run.method) != "run":
            QTimer.singleShot(0, self._queue_by_source)

    def _queue_by_source(self) -> None:
        """Before any run, the source's scores order the queue: a list in document order
        turns to the active-learning order (its random share kept)."""
        order = getattr(getattr(self.window, "document_list", None), "order", None)
        if order is not None and order.currentData() is None:
            order.setCurrentIndex(order.findData(DEFAULT_STRATEGY))

    # -- the window's actions ----------------------------------------------------------------

    @Slot()
    def dictionary_dialog(self) -> None:
        if self._refused():
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Suggest from a dictionary", "", DICTIONARY_FILTER
        )
        if path:
            self.suggest(f"dictionary:{path}", self._ask_map())

    @Slot()
    def model_dialog(self) -> None:
        if self._refused():
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Suggest from a model folder")
        if folder:
            self.suggest(f"model:{folder}", self._ask_map())

    @Slot()
    def zero_shot_dialog(self) -> None:
        """A GLiNER2 folder asked for the project's labels (their descriptions where set)."""
        if self._refused():
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, "Suggest from a zero-shot (GLiNER2) model folder"
        )
        if folder:
            self.suggest(f"zeroshot:{folder}")

    @Slot()
    def suggest_learnt(self) -> None:
        self.suggest("learnt")

    def _ask_map(self) -> str:
        text, ok = QInputDialog.getText(
            self.window,
            "Label map",
            "Source labels onto yours, e.g. PER=person,ORG=organisation\n"
            "(labels of the same name map by themselves; others are dropped):",
        )
        return text.strip() if ok else ""

    # -- learning from gold ------------------------------------------------------------------

    def _active_learner(self):
        project = self.state.project
        run = project.runs.active() if project is not None else None
        return run if learns(run) else None

    @Slot(int)
    def document_shown(self, _document_id: int) -> None:
        """A newly shown document gets what was tagged since the source last ran."""
        self.shown = self._gold()
        run, document = self._active_learner(), self.state.document
        if run is None or document is None or not self.learnt:
            return
        record = self.state.project.documents.get(document.id)
        if learn_in_document(self.state.project, run, record, list(self.learnt)):
            self.state.session.suggestions_changed(document.id)

    @Slot(int)
    def document_edited(self, document_id: int) -> None:
        """New gold in the shown document: its other occurrences are suggested at once."""
        document = self.state.document
        if document is None or document.id != document_id:
            return
        now = self._gold()
        added, self.shown = now - self.shown, now
        run = self._active_learner()
        if run is None or not added:
            return
        entities = [(document.text[s:e], label) for s, e, label in added]
        self.learnt.update(entities)
        record = self.state.project.documents.get(document_id)
        if learn_in_document(self.state.project, run, record, entities):
            self.state.session.suggestions_changed(document_id)

    def _gold(self) -> set[tuple[int, int, str]]:
        return {(s.start, s.end, s.label) for s in self.state.spans}
