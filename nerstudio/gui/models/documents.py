"""DocumentListModel: the project's documents as a table, fetched a page at a time.

Qt asks for more rows as the view scrolls (``canFetchMore``/``fetchMore``), so a
100k-document project costs one small query per page, never a full load. The
active-learning order arrives from a worker (``follow``); until it does, the rows shown
stay, and ``orderingChanged`` says an order is on its way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QPalette

from nerstudio.core.active import QueueOrder, Reason
from nerstudio.core.records import Status
from nerstudio.core.store import DocumentQuery, DocumentRow, Project

if TYPE_CHECKING:
    from nerstudio.gui.workers.queue_order import QueueOrdering

PAGE = 200
COLUMNS = ("#", "Text", "Status", "Entities", "Rank", "Uncertainty", "Why", "Source")
# compact: Text stays wide
HEADERS = ("#", "Text", "Status", "Ents", "Rank", "Unc.", "Why", "Source")
HEADER_TIPS = {
    "Ents": "Entities annotated",
    "Rank": "Place in the active-learning queue (1 = annotate first)",
    "Unc.": "The active model's uncertainty (higher = less sure)",
    "Why": "Why the document has its place in the queue",
    "Source": "The file the document was read from, and the page it begins on",
}
STATUS_TEXT = {"new": "new", "in_progress": "in progress", "done": "done", "skipped": "skipped"}
RANK_COLUMN = COLUMNS.index("Rank")
UNCERTAINTY_COLUMN = COLUMNS.index("Uncertainty")
WHY_COLUMN = COLUMNS.index("Why")
QUEUE_COLUMNS = (RANK_COLUMN, UNCERTAINTY_COLUMN, WHY_COLUMN)  # shown only with a queue
STATUS_COLUMN, ENTITIES_COLUMN = COLUMNS.index("Status"), COLUMNS.index("Entities")
SOURCE_COLUMN = COLUMNS.index("Source")  # shown only where documents came from PDF, Word ...
FINISHED = (Status.DONE, Status.SKIPPED)
REASON_TEXT = {Reason.UNCERTAIN: "uncertain", Reason.RANDOM: "random", Reason.DEFERRED: "deferred"}
WHY = {
    Reason.UNCERTAIN: "Here for the model's uncertainty",
    Reason.RANDOM: "A random pick (keeps the queue from serving only what the model doubts)",
    Reason.DEFERRED: "Nearly repeats the document before it, so it waited its turn",
}

Index = QModelIndex | QPersistentModelIndex


def source_text(source: tuple[str, int | None] | None) -> str:
    """``report.pdf p. 3``: where a document read from a document file came from."""
    if source is None:
        return ""
    file, page = source
    return file if page is None else f"{file} p. {page}"


class DocumentListModel(QAbstractTableModel):
    orderingChanged = Signal(bool)  # an active-learning order is being computed

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.query = DocumentQuery(limit=PAGE)
        self.rows: list[DocumentRow] = []
        self.total = 0
        self.order: QueueOrder | None = None  # active-learning order, when chosen
        self.uncertainty: dict[int, float] = {}  # of the rows fetched so far
        self.reasons: dict[int, Reason] = {}
        self.ranks: dict[int, int] = {}  # 1-based places in the queue
        self.ordering: QueueOrdering | None = None  # where the queue's order comes from
        self.ordering_busy = False
        self.sources: dict[int, tuple[str, int | None]] = {}  # of the rows fetched so far
        self.has_sources = False  # some document came from a document file

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.order = None  # another project's ids mean nothing here
        self.set_query(DocumentQuery(limit=PAGE))

    def set_query(self, query: DocumentQuery) -> None:
        """New filters: start again from the first page."""
        self.beginResetModel()
        self.query = query
        self.rows = []
        self.sources = {}
        self.has_sources = self.project is not None and self.project.documents.has_files()
        if self.order is not None:
            self.total = len(self.order)
        else:
            self.total = self.project.documents.count(query) if self.project else 0
        self.rows = self._next_page()
        self.endResetModel()

    def follow(self, ordering: QueueOrdering) -> None:
        """Show the orders ``ordering`` computes, each as it arrives; what it holds now (an
        order, or none) is shown at once unless a newer one is on its way."""
        if ordering is not self.ordering:
            if self.ordering is not None:
                self.ordering.ordered.disconnect(self.set_order)
                self.ordering.extended.disconnect(self._extended)
                self.ordering.busyChanged.disconnect(self.set_ordering_busy)
            ordering.ordered.connect(self.set_order)
            ordering.extended.connect(self._extended)
            ordering.busyChanged.connect(self.set_ordering_busy)
            self.ordering = ordering
        self.set_ordering_busy(ordering.busy)
        if not ordering.busy:
            self.set_order(ordering.order)

    @Slot(object)
    def set_order(self, order: QueueOrder | None) -> None:
        """Show documents in active-learning order (None: by number again)."""
        if order is None and self.order is None:
            return
        self.order = order
        self.uncertainty, self.reasons, self.ranks = {}, {}, {}  # filled a page at a time
        self.set_query(self.query)

    @Slot(object)
    def _extended(self, order: QueueOrder) -> None:
        """The same order read further: the rows shown stay, more can be fetched."""
        if self.order is not None:
            self.order = order
            self.total = len(order)

    @Slot(bool)
    def set_ordering_busy(self, busy: bool) -> None:
        if busy != self.ordering_busy:
            self.ordering_busy = busy
            self.orderingChanged.emit(busy)

    def _next_page(self) -> list[DocumentRow]:
        rows = self._fetch_page()
        if self.has_sources and rows:
            self.sources.update(self.project.documents.sources([row.id for row in rows]))
        return rows

    def _fetch_page(self) -> list[DocumentRow]:
        if self.project is None:
            return []
        if self.order is not None:
            start, end = len(self.rows), len(self.rows) + PAGE
            if end > len(self.order) and self._can_extend():
                self.ordering.extend()  # the next chunk of the queue (``_extended``)
            ids = self.order.document_ids[start:end]
            self.uncertainty.update(zip(ids, self.order.uncertainties[start:end]))
            self.reasons.update(zip(ids, self.order.reasons[start:end]))
            self.ranks.update(zip(ids, range(start + 1, end + 1)))
            by_id = {row.id: row for row in self.project.documents.rows(ids)} if ids else {}
            return [by_id[i] for i in ids if i in by_id]
        page = DocumentQuery(
            status=self.query.status,
            split=self.query.split,
            label=self.query.label,
            search=self.query.search,
            offset=len(self.rows),
            limit=PAGE,
        )
        return self.project.documents.list(page)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and (len(self.rows) < self.total or self._can_extend())

    def _can_extend(self) -> bool:
        """The queue shown has more to read, through the ordering that made it."""
        ordering = self.ordering
        return (
            self.order is not None
            and self.order.more is not None
            and ordering is not None
            and ordering.order is self.order
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.project is None:
            return
        rows = self._next_page()
        if not rows:
            self.total = len(self.rows)  # documents vanished since counting
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(row, index.column())
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == SOURCE_COLUMN:
            return source_text(self.sources.get(row.id)) or None
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return f"{STATUS_TEXT[row.status.value]}: {row.preview}"
        if role == Qt.ItemDataRole.ForegroundRole and row.status in FINISHED:
            # The queue's list has no Status column: a finished row is greyed instead.
            return QGuiApplication.palette().color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in QUEUE_COLUMNS:
            reason = self.reasons.get(row.id)
            return None if reason is None else WHY[reason]
        return None

    def _cell(self, row: DocumentRow, column: int):
        if column == 1:
            return row.preview.replace("\n", " ")
        if column == STATUS_COLUMN:
            return STATUS_TEXT[row.status.value]
        if column == ENTITIES_COLUMN:
            return row.entity_count
        if column == RANK_COLUMN:
            return self.ranks.get(row.id, "")
        if column == UNCERTAINTY_COLUMN:
            uncertainty = self.uncertainty.get(row.id)
            return "" if uncertainty is None else f"{uncertainty:.3f}"
        if column == WHY_COLUMN:
            reason = self.reasons.get(row.id)
            return "" if reason is None else REASON_TEXT[reason]
        if column == SOURCE_COLUMN:
            return source_text(self.sources.get(row.id))
        return row.id

    def row_of(self, document_id: int) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.id == document_id), None)

    def refresh_document(self, document_id: int) -> None:
        """Re-read one row after an edit (its status or entity count changed)."""
        i = self.row_of(document_id)
        if i is None or self.project is None:
            return
        fresh = self.project.documents.rows([document_id])
        if fresh:
            self.rows[i] = fresh[0]
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
