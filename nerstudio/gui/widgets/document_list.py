"""The document list dock: filters by status and label, full-text search, the order (by
number or the active-learning queue, with each document's rank, uncertainty and why it is
there), the pool's scoring progress, and a paged table whose Text column stays readable."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.active import STRATEGIES
from nerstudio.core.records import Status
from nerstudio.core.store import DocumentQuery, Label
from nerstudio.gui.models.documents import (
    ENTITIES_COLUMN,
    PAGE,
    QUEUE_COLUMNS,
    SOURCE_COLUMN,
    STATUS_COLUMN,
    DocumentListModel,
)

CELL_PADDING_PX = 14  # a cell's margins and the grid line


def widest_values(largest_id: str) -> tuple[str | None, ...]:
    """The widest text of each column (None: Text, which stretches)."""
    digits = "8" * len(largest_id)
    return (digits, None, "in progress", "888", digits, "0.888", "deferred", "report.pdf p. 88")


class MiddleElided(QStyledItemDelegate):
    """Elides in the middle: a long file name keeps its end and the page after it."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


class DocumentList(QWidget):
    """Emits ``documentActivated`` when the user picks a document."""

    documentActivated = Signal(int)

    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._make_controls()
        self._make_table(model)
        filters = QHBoxLayout()
        filters.addWidget(self.status)
        filters.addWidget(self.label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.search)
        layout.addWidget(self.order)
        layout.addWidget(self.ordering_note)
        layout.addWidget(self.scoring)
        layout.addWidget(self.table)
        self._connect(model)
        self.set_labels([])

    def _make_controls(self) -> None:
        """The status, label and search filters, the order, and the queue's progress."""
        self.status = QComboBox()
        self.status.addItem("All statuses", None)
        for status in Status:
            self.status.addItem(status.value.replace("_", " "), status)
        self.label = QComboBox()
        self.search = QLineEdit(placeholderText="Search text…", clearButtonEnabled=True)
        self.order = QComboBox()
        self.order.addItem("By number", None)
        for strategy in STRATEGIES:
            self.order.addItem(f"Active learning: {strategy}", strategy)
        self.order.setToolTip(
            "Active learning serves the documents the active model is "
            "least sure about first; setting a run active scores the documents for it"
        )
        self.ordering_note = QLabel("Ordering the queue…", visible=False)
        self.ordering_note.setToolTip(
            "The active-learning order is computed in the background; the list below "
            "stays usable and changes once it is ready"
        )
        self.scoring = QProgressBar(visible=False, maximumHeight=16)
        self.scoring.setToolTip(
            "The active model scores the unfinished documents in the background; the "
            "queue is re-ordered as the scores arrive and the document shown goes first"
        )

    def _make_table(self, model: DocumentListModel) -> None:
        """One row a document, fixed column widths, no editing."""
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(24)
        # Fixed widths from the widest value a column can hold: ResizeToContents would
        # measure every loaded row again on each edit (tens of ms per Enter).
        for column in range(model.columnCount()):
            mode = QHeaderView.ResizeMode.Stretch if column == 1 else QHeaderView.ResizeMode.Fixed
            header.setSectionResizeMode(column, mode)
        self._fit_columns()
        self.show_queue_columns(False)
        self.table.setColumnHidden(SOURCE_COLUMN, True)
        self.table.setItemDelegateForColumn(SOURCE_COLUMN, MiddleElided(self.table))

    def _connect(self, model: DocumentListModel) -> None:
        """Filters apply as they change (the search after a pause); a row picked opens."""
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._debounce.start)
        self.status.currentIndexChanged.connect(self.apply_filters)
        self.label.currentIndexChanged.connect(self.apply_filters)
        self.order.currentIndexChanged.connect(self._order_changed)
        model.orderingChanged.connect(self.ordering_note.setVisible)
        model.modelReset.connect(self._columns_for_order)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)

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

    def reset_filters(self) -> None:
        """Another project: no status, label or search of the last one applies to it (the
        order is kept: it is a way of working, not a filter)."""
        for box in (self.status, self.label):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._debounce.stop()

    def show_queue_columns(self, shown: bool) -> None:
        """Rank, uncertainty and why: only with a queue; the entity count and the status
        make room (a finished row is greyed, and the text's tooltip names its status), so
        the Text column keeps about twenty characters in a 350 px dock."""
        for column in QUEUE_COLUMNS:
            self.table.setColumnHidden(column, not shown)
        for column in (STATUS_COLUMN, ENTITIES_COLUMN):
            self.table.setColumnHidden(column, shown)

    @Slot()
    def _columns_for_order(self) -> None:
        self.show_queue_columns(self.model.order is not None)
        self.table.setColumnHidden(SOURCE_COLUMN, not self.model.has_sources)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Each column but Text as wide as its widest possible value or its header."""
        metrics = self.table.fontMetrics()
        header_metrics = self.table.horizontalHeader().fontMetrics()
        largest = str(max(self.model.total, 9))  # ids grow with the corpus
        for column, widest in enumerate(widest_values(largest)):
            if widest is None:
                continue
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            width = max(metrics.horizontalAdvance(widest), header_metrics.horizontalAdvance(title))
            self.table.setColumnWidth(column, width + CELL_PADDING_PX)

    @Slot(int, int)
    def show_scoring(self, scored: int, total: int) -> None:
        """The pool's scoring: 'Scoring 40 of 200' while it runs; hidden once done."""
        running = total > 0 and scored < total
        self.scoring.setVisible(running)
        if running:
            self.scoring.setRange(0, total)
            self.scoring.setValue(scored)
            self.scoring.setFormat(f"Scoring the queue: {scored:,} of {total:,}")

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

    def show_current(self, document_id: int, fetch: bool = True) -> None:
        """Select the shown document's row, fetching pages until it is loaded (``fetch``
        False: only if it is loaded already, as after a re-filled list)."""
        row = self.model.row_of(document_id)
        while fetch and row is None and self.model.canFetchMore() and len(self.model.rows) < 5000:
            self.model.fetchMore()
            row = self.model.row_of(document_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
