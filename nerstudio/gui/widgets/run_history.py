"""The run history: one row per run of the project (the active one marked), and the buttons
that ask for something to be done with the selected run (set active, export, delete)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.store import RunRecord
from nerstudio.gui.widgets.tables import read_only_table

HISTORY_COLUMNS = ("run", "base model", "method", "date", "dev F1", "minutes", "documents", "")


def history_row(run: RunRecord, active: bool) -> list[str]:
    dev = run.metrics.get("dev", {})
    minutes = run.metrics.get("train_seconds", 0) / 60
    docs = run.metrics.get("train_documents")
    return [
        run.name,
        Path(run.base_model).name or run.base_model,
        run.method,
        (run.started_at or "")[:16].replace("T", " "),
        f"{dev['f1']:.3f}" if "f1" in dev else run.status,
        f"{minutes:.1f}",
        str(docs or ""),
        "active" if active else "",
    ]


class RunHistory(QWidget):
    """Shows runs; each button asks for its action on the first selected run by name."""

    selectionChanged = Signal()
    activateRequested = Signal(str)
    exportRequested = Signal(str)
    deleteRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = read_only_table(HISTORY_COLUMNS)
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self.selectionChanged)
        self.requests = {
            "Set active": self.activateRequested,
            "Export…": self.exportRequested,
            "Delete…": self.deleteRequested,
        }
        buttons = QHBoxLayout()
        for text in self.requests:
            button = QPushButton(text)
            button.setProperty("request", text)
            button.clicked.connect(self._clicked)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Run history"))
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def show_runs(self, runs: list[RunRecord], active: RunRecord | None) -> None:
        self.table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            cells = history_row(run, active is not None and active.id == run.id)
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))

    def selected_runs(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.table.item(row, 0).text() for row in rows]

    @Slot()
    def _clicked(self) -> None:
        names = self.selected_runs()
        if names:
            self.requests[self.sender().property("request")].emit(names[0])
