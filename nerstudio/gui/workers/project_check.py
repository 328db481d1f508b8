"""A project file checked before the window opens it, off the GUI thread: ``quick_check``
reads the whole file (0.15-0.4 s at 100k documents), an older schema is backed up and
upgraded, and runs left running are marked interrupted. None of it may freeze the window;
the window then opens the checked file with ``check=False``."""

from __future__ import annotations

from PySide6.QtCore import Signal

from nerstudio.core.store import Project
from nerstudio.gui.workers.runner import Worker


class ProjectCheckWorker(Worker):
    """``Project.open`` with every check, on its own connection; ``checked`` when the file
    can be opened, ``failed`` with the one-line reason when it cannot."""

    checked = Signal(str)  # the project's path

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def work(self) -> None:
        Project.open(self.path).close()
        self.checked.emit(self.path)
