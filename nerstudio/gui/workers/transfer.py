"""Import and export in a worker thread, with progress, so a big file never freezes the UI."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from nerstudio.core.plural import counted
from nerstudio.core.store import Project
from nerstudio.core.transfer import (
    ExportOptions,
    ImportOptions,
    ImportSummary,
    export_corpus,
    import_files,
)
from nerstudio.gui.workers.runner import Worker


class TransferWorker(Worker):
    """Runs one import or export on its own connection; emits plain data only. ``stop()``
    cancels nothing: an import is one transaction, so quitting waits for it."""

    progress = Signal(int)  # items done since the last report
    succeeded = Signal(str)  # a one-line summary
    reading = Signal(str, int, int)  # a document file being read: name, number, how many
    reported = Signal(list)  # document files: per file what was read and left out, refusals

    def __init__(
        self,
        project_path: Path,
        kind: str,
        paths: list[Path],
        fmt: str = "auto",
        split: str | None = None,
        include_all: bool = False,
        force: bool = False,
        options: ExportOptions | None = None,
        per: str | None = None,
    ) -> None:
        super().__init__()
        self.project_path = project_path
        self.kind = kind
        self.paths = paths
        self.fmt = fmt
        self.split = split
        self.include_all = include_all
        self.force = force  # the user said yes to replacing the target
        self.options = options or ExportOptions()
        self.per = per  # document files: one document per file, page, section, paragraph

    def work_report(self, summary: ImportSummary) -> None:
        """Per document file what was read and left out, and every file refused."""
        if summary.documents_read or summary.refused:
            read = [f"Read {f.line()}" for f in summary.documents_read]
            self.reported.emit(read + [f"Refused {line}" for line in summary.refused])

    def work(self) -> None:
        with Project.open(self.project_path) as project:
            if self.kind == "import":
                summary = import_files(
                    project,
                    self.paths,
                    self.fmt,
                    self.split,
                    progress=self.progress.emit,
                    options=ImportOptions(per=self.per),
                    on_file=self.reading.emit,
                )
                self.work_report(summary)
                text = import_message(summary)
            else:
                result = export_corpus(
                    project,
                    self.paths[0],
                    self.fmt,
                    include_all=self.include_all,
                    split=self.split,
                    progress=self.progress.emit,
                    force=self.force,
                    options=self.options,
                )
                text = f"Exported {counted(result.documents, 'document')} to {result.path}"
        self.succeeded.emit(text)


def import_message(summary: ImportSummary) -> str:
    """The status bar's line: what was imported, per annotated file what it was read as
    (document files are counted: their report lists them one by one)."""
    parts = [f.line() for f in summary.files]
    if summary.documents_read:
        parts.append(f"{counted(len(summary.documents_read), 'document file')} read")
    if summary.refused:
        parts.append(f"{counted(len(summary.refused), 'file')} refused")
    head = (
        f"Imported {counted(summary.documents, 'document')} with {counted(summary.spans, 'entity')}"
    )
    return f"{head} — {'; '.join(parts)}" if parts else head
