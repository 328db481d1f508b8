"""A run's files off the GUI thread: copying its folder out, and deleting a run with the
folder that is its own (a model folder is hundreds of megabytes)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from nerstudio.core.run_folders import delete_run
from nerstudio.core.store import Project
from nerstudio.core.training.output import export_run
from nerstudio.gui.workers.runner import Worker


class ExportRunWorker(Worker):
    """Copies a run folder into a new subfolder of ``into`` (``export_run``)."""

    exported = Signal(str, str)  # run name, where the copy is

    def __init__(self, folder: str, into: str, name: str, project_path: Path) -> None:
        super().__init__()
        self.folder, self.into, self.name, self.project_path = folder, into, name, project_path

    def work(self) -> None:
        destination = export_run(self.folder, self.into, self.name, self.project_path)
        self.exported.emit(self.name, str(destination))


class DeleteRunWorker(Worker):
    """Forgets a run and removes its own folder (``delete_run``), on its own connection."""

    deleted = Signal(str, str, bool)  # run name, its recorded folder, whether that went

    def __init__(self, project_path: Path, name: str) -> None:
        super().__init__()
        self.project_path, self.name = project_path, name

    def work(self) -> None:
        # The window checked the file when it opened it; no second quick_check here.
        with Project.open(self.project_path, check=False) as project:
            record, removed = delete_run(project, self.name)
        self.deleted.emit(self.name, record.path or "", removed)
