"""The curation queue, read off the GUI thread.

Finding the disputed documents reads every finished set of the project (``disputed_
documents``), which grows with the corpus; on the GUI thread a 100k-document merged project
would freeze the window on entering curation. ``CurationQueueWorker`` reads it on its own
connection and hands back one immutable ``CurationQueue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal

from nerstudio.core.store import Project
from nerstudio.core.store.curation import DisputedDocument
from nerstudio.gui.workers.runner import Worker


@dataclass(frozen=True)
class CurationQueue:
    """Every disputed document (curated ones too, to revisit) and its list preview."""

    project_path: Path
    documents: tuple[DisputedDocument, ...]
    previews: Mapping[int, str]


class CurationQueueWorker(Worker):
    """Reads one project's curation queue; ``stop()``: report nothing."""

    read = Signal(object)  # a CurationQueue

    def __init__(self, project_path: Path) -> None:
        super().__init__()
        self.project_path = project_path

    def work(self) -> None:
        # The window checked the file when it opened it; no second quick_check here.
        with Project.open(self.project_path, check=False) as project:
            documents = tuple(project.curation.disputed_documents(open_only=False))
            if self.stopping.is_set():
                return
            rows = project.documents.rows([d.document_id for d in documents])
        if not self.stopping.is_set():
            previews = {row.id: row.preview for row in rows}
            self.read.emit(CurationQueue(self.project_path, documents, previews))
