"""What an import of document files read, left out and refused, one line per file: shown
beside the window (not modal), so a long folder's report can be read while working."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.plural import counted


class ImportReport(QDialog):
    """The lines of one import's report (``Read ...`` and ``Refused ...``)."""

    def __init__(self, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import report")
        read = sum(line.startswith("Read ") for line in lines)
        refused = len(lines) - read
        head = f"{counted(read, 'file')} read"
        if refused:
            head += f", {counted(refused, 'file')} refused (the others were kept)"
        self.heading = QLabel(head)
        self.lines = QPlainTextEdit("\n".join(lines), readOnly=True)
        self.lines.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.lines)
        layout.addWidget(buttons)
        self.resize(720, 320)
