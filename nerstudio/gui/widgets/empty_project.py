"""What a project without documents shows instead of a blank editor: how to bring
documents in, by key and by dropping files (issue 24 item 10: a new project showed an
empty editor and no word on importing)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

HINT = (
    "<h2>This project has no documents yet</h2>"
    "<p>Import files: <b>Ctrl+I</b> (File → Import…), or drop them here.</p>"
    "<p>Paste text as a new document: <b>Ctrl+Shift+V</b>.</p>"
    "<p>Then annotate: select words and press a label's number; <b>Enter</b> marks a "
    "document done. <b>F1</b> lists every key.</p>"
)


def dropped_files(event: QDropEvent | QDragEnterEvent) -> list[Path]:
    """The local files of a drag, in the order they were dragged."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    return [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]


class EmptyProjectPage(QWidget):
    """The hint and an Import button; files dropped on it are asked to be imported."""

    importRequested = Signal()
    filesDropped = Signal(list)  # list[Path]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("empty-project")
        self.setAcceptDrops(True)
        self.text = QLabel(HINT, wordWrap=True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self.importRequested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.text)
        layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_files(event)
        if paths:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)
