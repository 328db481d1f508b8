"""DocumentListModel: the project's documents as a table, fetched a page at a time.

Qt asks for more rows as the view scrolls (``canFetchMore``/``fetchMore``), so a
100k-document project costs one small query per page, never a full load.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from nerstudio.core.store import DocumentQuery, DocumentRow, Project

PAGE = 200
COLUMNS = ("#", "Text", "Status", "Entities", "Uncertainty")
STATUS_TEXT = {"new": "new", "in_progress": "in progress", "done": "done", "skipped": "skipped"}

Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.query = DocumentQuery(limit=PAGE)
        self.rows: list[DocumentRow] = []
        self.total = 0
        self.queue: list[int] | None = None  # active-learning order, when chosen
        self.uncertainty: dict[int, float] = {}

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.set_query(DocumentQuery(limit=PAGE))

    def set_query(self, query: DocumentQuery) -> None:
        """New filters: start again from the first page."""
        self.beginResetModel()
        self.query = query
        self.rows = []
        if self.queue is not None:
            self.total = len(self.queue)
        else:
            self.total = self.project.count_documents(query) if self.project else 0
        self.rows = self._next_page()
        self.endResetModel()

    def set_queue(self, ordered: list[tuple[int, float]] | None) -> None:
        """Show documents in active-learning order (None: by number again)."""
        self.queue = None if ordered is None else [doc for doc, _ in ordered]
        self.uncertainty = dict(ordered or [])
        self.set_query(self.query)

    def _next_page(self) -> list[DocumentRow]:
        if self.project is None:
            return []
        if self.queue is not None:
            ids = self.queue[len(self.rows) : len(self.rows) + PAGE]
            by_id = {row.id: row for row in self.project.document_rows(ids)} if ids else {}
            return [by_id[i] for i in ids if i in by_id]
        page = DocumentQuery(
            status=self.query.status,
            split=self.query.split,
            label=self.query.label,
            search=self.query.search,
            offset=len(self.rows),
            limit=PAGE,
        )
        return self.project.list_documents(page)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

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
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            uncertainty = self.uncertainty.get(row.id)
            return (
                row.id,
                row.preview.replace("\n", " "),
                STATUS_TEXT[row.status.value],
                row.entity_count,
                "" if uncertainty is None else f"{uncertainty:.3f}",
            )[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return row.preview
        return None

    def row_of(self, document_id: int) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.id == document_id), None)

    def refresh_document(self, document_id: int) -> None:
        """Re-read one row after an edit (its status or entity count changed)."""
        i = self.row_of(document_id)
        if i is None or self.project is None:
            return
        fresh = self.project.document_rows([document_id])
        if fresh:
            self.rows[i] = fresh[0]
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
