"""The "Suspicious annotations" dock: done documents where the active model confidently
disagrees with gold, most confident first; activating one opens it with both shown."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.review import SuspiciousDocument
from nerstudio.gui.widgets.tables import read_only_table

COLUMNS = ("doc", "confidence", "disagreement")
NO_MODEL = "Train a model, set it active, then check."


class ReviewList(QWidget):
    """Shows the check's findings; asks the window to run it."""

    checkRequested = Signal(float)  # the confidence threshold
    documentActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QPushButton("Check done documents")
        self.check.setToolTip(
            "Predicts the done documents with the active model in the background, then "
            "lists where it confidently disagrees with your annotations"
        )
        self.check.clicked.connect(self.request_check)
        self.threshold = QDoubleSpinBox(minimum=0.5, maximum=0.99, singleStep=0.05, value=0.8)
        self.threshold.setPrefix("≥ ")
        self.threshold.setToolTip("Only disagreements the model is at least this sure of")
        self.summary = QLabel(NO_MODEL)
        self.summary.setWordWrap(True)
        self.table = read_only_table(COLUMNS)
        self.table.setWordWrap(False)
        self.table.cellActivated.connect(self.open_row)
        self.table.cellClicked.connect(self.open_row)
        self.details = QLabel(wordWrap=True, visible=False)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setToolTip("Each place where the model and your annotation differ")
        row = QHBoxLayout()
        row.addWidget(self.check, 1)
        row.addWidget(self.threshold)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        self.found: dict[int, SuspiciousDocument] = {}

    def show_idle(self, run: str | None) -> None:
        """No findings (yet) for this project and model: say what a check would do."""
        self.table.setRowCount(0)
        self.found = {}
        self.details.hide()
        self.check.setEnabled(True)
        self.summary.setText(
            f"Check the done documents against the active model, {run}." if run else NO_MODEL
        )

    @Slot()
    def request_check(self) -> None:
        self.check.setEnabled(False)
        self.summary.setText("Predicting the done documents…")
        self.checkRequested.emit(self.threshold.value())

    def show_results(self, found: list[SuspiciousDocument]) -> None:
        """The done documents the model disagrees with, most confident first."""
        self.check.setEnabled(True)
        self.found = {item.document_id: item for item in found}
        self.details.hide()
        self.table.setRowCount(len(found))
        for row, item in enumerate(found):
            reasons = item.reasons
            more = f"  (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
            cells = [str(item.document_id), f"{item.confidence:.2f}", reasons[0] + more]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.document_id)
                cell.setToolTip("\n".join(reasons) + "\n\n" + item.text[:300])
                self.table.setItem(row, column, cell)
        self.summary.setText(
            f"{len(found)} done documents where the model disagrees; click one to see both."
            if found
            else "No confident disagreement: the model agrees with your done documents."
        )

    @Slot(str)
    def show_failure(self, message: str) -> None:
        self.check.setEnabled(True)
        self.summary.setText(f"Check failed: {message}")

    @Slot(int, int)
    def open_row(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is None:
            return
        document_id = int(item.data(Qt.ItemDataRole.UserRole))
        found = self.found.get(document_id)
        if found is not None:  # one disagreement a line, rather than a crammed cell
            lines = [f"Document {document_id}:"] + [f"• {reason}" for reason in found.reasons]
            self.details.setText("\n".join(lines))
            self.details.show()
        self.documentActivated.emit(document_id)
