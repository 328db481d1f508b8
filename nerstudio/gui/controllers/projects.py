"""Opening and creating projects from the window: the file dialogs, the sample project, the
list of recent projects (kept in the settings, shown in the menu and on the welcome page),
and where the person left off in each project (reopening goes back there)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from nerstudio.core.errors import NerstudioError
from nerstudio.core.store import Project
from nerstudio.gui.dialogs.new_project import PROJECT_FILTER, NewProjectDialog
from nerstudio.gui.state import AppState
from nerstudio.gui.workers.project_check import ProjectCheckWorker
from nerstudio.gui.workers.runner import Job

MAX_RECENT = 8


class ProjectOpener(QObject):
    """Opens projects into the state; ``recentChanged`` when the recent list changed."""

    recentChanged = Signal(list)  # the recent project paths, newest first
    aboutToOpen = Signal()  # the open document's time is about to be stored

    def __init__(self, state: AppState, settings: QSettings, window: QMainWindow) -> None:
        super().__init__(window)
        self.state = state
        self.settings = settings
        self.window = window
        self._check: Job | None = None  # the check of the project about to open
        self._checking = Path()  # which project that is
        state.documentChanged.connect(self.remember_document)

    @staticmethod
    def _resume_key(path: str | Path) -> str:
        """One settings key per project file (a path has characters keys must not)."""
        digest = hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:16]
        return f"lastDocument/{digest}"

    def last_document(self, path: str | Path) -> int | None:
        """The document last shown in that project, if any was."""
        value = self.settings.value(self._resume_key(path))
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @Slot(int)
    def remember_document(self, document_id: int) -> None:
        project = self.state.project
        if project is not None and document_id:
            self.settings.setValue(self._resume_key(project.path), document_id)

    def recent(self) -> list[str]:
        return self.settings.value("recent", [], list)

    def open(self, path: str | Path) -> None:
        """Check the project off the GUI thread (``ProjectCheckWorker``), then open it where
        the person left off; a dialog says why it cannot be opened. While one is checked,
        another open is refused with a message (the first one is about to show)."""
        if self.is_opening():
            self.state.say(f"Still opening {self._checking.name}…")
            return
        self._checking = Path(path)
        worker = ProjectCheckWorker(str(path))
        worker.checked.connect(self.open_checked)
        worker.failed.connect(self._refused)
        self.window.statusBar().showMessage(f"Opening {self._checking.name}…")
        self._check = self.state.runner.start(worker)

    def is_opening(self) -> bool:
        """A project is being checked before it opens."""
        return self._check is not None and self._check.is_running()

    @Slot(str)
    def open_checked(self, path: str) -> bool:
        """Open a file ``ProjectCheckWorker`` checked just now."""
        return self._open(path, check=False)

    def open_now(self, path: str) -> bool:
        """Check and open on the GUI thread: only on start-up, before the window shows
        (nothing to freeze yet), so the window appears with the project in it."""
        return self._open(path, check=True)

    def _open(self, path: str, check: bool) -> bool:
        """Into the state, where the person left off; it becomes the most recent."""
        self.aboutToOpen.emit()
        try:
            self.state.open_project(path, resume=self.last_document(path), check=check)
        except NerstudioError as err:
            self._refused(str(err))
            return False
        self.window.statusBar().clearMessage()
        recent = [str(Path(path).resolve())]
        recent += [p for p in self.recent() if p != recent[0]]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self.recentChanged.emit(self.recent())
        return True

    @Slot(str)
    def _refused(self, reason: str) -> None:
        self.window.statusBar().clearMessage()
        QMessageBox.warning(self.window, "Cannot open project", reason)

    @Slot()
    def new_project(self) -> None:
        chosen = NewProjectDialog.choose(self.window)
        if chosen is not None:
            self.create(*chosen)

    @Slot(str, list, str)
    def create(self, path: str, labels: list[str], annotator: str = "") -> None:
        """Create a project recording ``annotator``'s edits (default the OS user), open it."""
        try:
            Project.create(path, labels, annotator=annotator or None).close()
        except NerstudioError as err:
            QMessageBox.warning(self.window, "Cannot create project", str(err))
            return
        self.open(path)

    @Slot()
    def open_sample(self) -> None:
        """Install the bundled sample project (once; the user's work on it is kept), open it."""
        try:
            from nerstudio.core.sample import install_sample_project

            path = install_sample_project()
        except (ImportError, NerstudioError, OSError) as err:
            QMessageBox.warning(self.window, "Cannot open the sample project", str(err))
            return
        self.open(path)

    @Slot()
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", "", PROJECT_FILTER)
        if path:
            self.open(path)
