"""The agreement view: F1 per label for a chosen annotator pair (a bar chart), the pairs
that agree least, and the documents they disagree on most (a click opens one in curation).

The figures are ``core.team.agreement``'s, computed by the CLI's own ``nerstudio agreement
--messages`` in a child process: the corpus may be large, and seqeval and sklearn, slow to
import, never load in the window's process (importing them in a worker thread while the
GUI thread ran crashed the window).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.team.agreement import AgreementComputed, PairAgreement
from nerstudio.gui.curation.agreement_chart import AgreementChart
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.tables import read_only_table
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.job_slot import JobSlot, open_project_path

PAIR_COLUMNS = ("pair", "docs", "F1", "partial", "kappa")
DOCUMENT_COLUMNS = ("doc", "differ", "text")


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def by_worst(pairs: Sequence[PairAgreement]) -> list[PairAgreement]:
    """Pairs that share documents, least F1 first (ties by name)."""
    return sorted((p for p in pairs if p.f1 is not None), key=lambda p: (p.f1, p.a, p.b))


class AgreementPanel(QWidget):
    """Shows the pairs' figures; asks for them (``computeRequested``) and for a document."""

    computeRequested = Signal()
    documentRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.compute = QPushButton("Compute agreement")
        self.compute.setToolTip("Exact-span F1 per label, partial F1 and token kappa per pair")
        self.compute.clicked.connect(self.computeRequested)
        self.pair = QComboBox()
        self.pair.currentIndexChanged.connect(self._show_pair)
        self.summary = QLabel("Merge annotators' projects, then compute.", wordWrap=True)
        self.chart = AgreementChart()
        self.pairs_table = read_only_table(PAIR_COLUMNS)
        self.pairs_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.pairs_table.horizontalHeader().setStretchLastSection(False)
        self.pairs_table.cellClicked.connect(self._pair_clicked)
        self.documents_table = read_only_table(DOCUMENT_COLUMNS)
        self.documents_table.cellClicked.connect(self._document_clicked)
        self.documents_table.cellActivated.connect(self._document_clicked)
        top = QHBoxLayout()
        top.addWidget(self.compute)
        top.addWidget(self.pair, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.chart, 3)
        layout.addWidget(QLabel("Pairs, least agreement first"))
        layout.addWidget(self.pairs_table, 2)
        layout.addWidget(QLabel("Documents they disagree on most (click to curate)"))
        layout.addWidget(self.documents_table, 2)
        self.pairs: list[PairAgreement] = []
        self.colors: dict[str, str] = {}

    def set_busy(self) -> None:
        self.compute.setEnabled(False)
        self.summary.setText("Computing agreement…")

    def show_failure(self, message: str) -> None:
        self.compute.setEnabled(True)
        self.summary.setText(f"Cannot compute agreement: {message}")

    def show_pairs(self, pairs: Sequence[PairAgreement], colors: dict[str, str]) -> None:
        """Every pair; the worst one chosen first."""
        self.compute.setEnabled(True)
        self.colors = colors
        self.pairs = by_worst(pairs)
        self.pairs_table.setRowCount(len(self.pairs))
        for row, p in enumerate(self.pairs):
            cells = (f"{p.a} – {p.b}", str(p.documents), *map(score, (p.f1, p.partial_f1, p.kappa)))
            for column, text in enumerate(cells):
                self.pairs_table.setItem(row, column, QTableWidgetItem(text))
        self.pair.blockSignals(True)
        self.pair.clear()
        self.pair.addItems([f"{p.a} – {p.b}" for p in self.pairs])
        self.pair.blockSignals(False)
        if not self.pairs:
            self.summary.setText("No two annotators finished a document in common yet.")
            self.chart.show_scores({}, colors)
            self.documents_table.setRowCount(0)
            return
        self._show_pair(0)

    @Slot(int)
    def _show_pair(self, index: int) -> None:
        if not 0 <= index < len(self.pairs):
            return
        p = self.pairs[index]
        if self.pair.currentIndex() != index:
            self.pair.setCurrentIndex(index)
        self.summary.setText(
            f"{p.a} and {p.b} on {p.documents} documents both finished: F1 {score(p.f1)}, "
            f"partial F1 {score(p.partial_f1)}, token kappa {score(p.kappa)}"
        )
        self.chart.show_scores({k: s.f1 for k, s in p.per_label.items()}, self.colors)
        self.documents_table.setRowCount(len(p.worst_documents))
        for row, doc in enumerate(p.worst_documents):
            cells = (str(doc.document_id), str(doc.disagreements), doc.text)
            for column, text in enumerate(cells):
                self.documents_table.setItem(row, column, QTableWidgetItem(text))

    @Slot(int, int)
    def _pair_clicked(self, row: int, _column: int) -> None:
        self._show_pair(row)

    @Slot(int, int)
    def _document_clicked(self, row: int, _column: int) -> None:
        index = self.pair.currentIndex()
        if 0 <= index < len(self.pairs) and row < len(self.pairs[index].worst_documents):
            self.documentRequested.emit(self.pairs[index].worst_documents[row].document_id)


class AgreementController(QObject):
    """Runs one agreement worker at a time through the window's job runner."""

    def __init__(self, state: AppState, panel: AgreementPanel, parent: QObject | None = None):
        super().__init__(parent)
        self.state = state
        self.panel = panel
        project = open_project_path(state)
        self.job = JobSlot(state.runner, project, supersede=False, idle=self._ended)
        self.computed = False  # figures of the open project are shown (or on their way)
        panel.computeRequested.connect(self.compute)

    def forget(self) -> None:
        """Another project: the shown figures are not its own."""
        self.computed = False
        self.panel.show_pairs([], {})
        self.panel.summary.setText("Merge annotators' projects, then compute.")

    @Slot()
    def compute(self) -> None:
        project = self.state.project
        if project is None or self.job.busy() or self.state.runner.closed:
            return
        worker = CommandWorker(["agreement", str(project.path), "--messages"])
        worker.received.connect(self._received)
        worker.failed.connect(self._failed)
        self.panel.set_busy()
        self.computed = True
        self.job.start(worker, project.path)

    def is_running(self) -> bool:
        return self.job.busy()

    @Slot(object)
    def _received(self, message: object) -> None:
        if isinstance(message, AgreementComputed) and self.job.accepts():
            colors = {label.name: label.color for label in self.state.labels}
            self.panel.show_pairs(message.pairs, colors)

    @Slot(str)
    def _failed(self, message: str) -> None:
        if self.job.accepts():
            self.panel.show_failure(message)

    def _ended(self) -> None:
        self.panel.compute.setEnabled(True)
