"""The document list dock: filters by status and label, full-text search, a paged table."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.records import Status
from nerstudio.core.store import DocumentQuery, Label
from nerstudio.gui.models.documents import PAGE, DocumentListModel


class DocumentList(QWidget):
    """Emits ``documentActivated`` when the user picks a document."""

    documentActivated = Signal(int)

    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.status = QComboBox()
        self.status.addItem("All statuses", None)
        for status in Status:
            self.status.addItem(status.value.replace("_", " "), status)
        self.label = QComboBox()
        self.search = QLineEdit(placeholderText="Search text…", clearButtonEnabled=True)
        self.order = QComboBox()
        self.order.addItem("By number", None)
        for strategy in ("mnlp", "least-confidence", "entropy", "random"):
            self.order.addItem(f"Active learning: {strategy}", strategy)
        self.order.setToolTip(
            "Active learning serves the documents the active model is "
            "least sure about first (run Document → Pre-annotate first)"
        )
        self.ordering_note = QLabel("Ordering the queue…", visible=False)
        self.ordering_note.setToolTip(
            "The active-learning order is computed in the background; the list below "
            "stays usable and changes once it is ready"
        )
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        filters = QHBoxLayout()
        filters.addWidget(self.status)
        filters.addWidget(self.label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.search)
        layout.addWidget(self.order)
        layout.addWidget(self.ordering_note)
        layout.addWidget(self.table)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        self.status.currentIndexChanged.connect(self.apply_filters)
        self.label.currentIndexChanged.connect(self.apply_filters)
        self.order.currentIndexChanged.connect(self._order_changed)
        model.orderingChanged.connect(self.ordering_note.setVisible)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)
        self.set_labels([])

    def set_labels(self, labels: list[Label]) -> None:
        current = self.label.currentData()
        self.label.blockSignals(True)
        self.label.clear()
        self.label.addItem("Any label", None)
        for label in labels:
            self.label.addItem(f"has {label.name}", label.name)
        index = self.label.findData(current)
        self.label.setCurrentIndex(max(0, index))
        self.label.blockSignals(False)

    @Slot()
    def apply_filters(self) -> None:
        self.model.set_query(
            DocumentQuery(
                status=self.status.currentData(),
                label=self.label.currentData(),
                search=self.search.text() or None,
                limit=PAGE,
            )
        )

    orderRequested = Signal(object)  # a strategy name, or None for document order

    @Slot(int)
    def _order_changed(self, _index: int) -> None:
        self.orderRequested.emit(self.order.currentData())

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        document_id = self.model.data(index, Qt.ItemDataRole.UserRole)
        if document_id is not None:
            self.documentActivated.emit(document_id)

    def show_current(self, document_id: int) -> None:
        """Select the shown document's row, fetching pages until it is loaded."""
        row = self.model.row_of(document_id)
        while row is None and self.model.canFetchMore() and len(self.model.rows) < 5000:
            self.model.fetchMore()
            row = self.model.row_of(document_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
