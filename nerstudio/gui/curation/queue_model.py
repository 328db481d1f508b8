"""The curation page's list of disputed documents as a Qt list model.

A project can have tens of thousands of disputed documents: a model hands the view only
the rows it paints (with uniform row heights the view never measures the rest), where a
QListWidget built one item widget per document on the GUI thread. A settle changes one
row (``update``), not the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from nerstudio.core.store.annotations import DisputedDocument

ID_ROLE = Qt.ItemDataRole.UserRole
Index = QModelIndex | QPersistentModelIndex


class DisputedQueueModel(QAbstractListModel):
    """One row per disputed document: its number, how many disagreements are open (or that
    it is curated) and the start of its text; ``ID_ROLE`` is the document id."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.documents: list[DisputedDocument] = []
        self.previews: Mapping[int, str] = {}
        self.rows_by_id: dict[int, int] = {}

    def set_queue(self, disputed: Sequence[DisputedDocument], previews: Mapping[int, str]):
        self.beginResetModel()
        self.documents = list(disputed)
        self.previews = previews
        self.rows_by_id = {d.document_id: i for i, d in enumerate(self.documents)}
        self.endResetModel()

    def update(self, entry: DisputedDocument) -> None:
        """One document's new counts (after a settle or an undo), if it is listed."""
        row = self.rows_by_id.get(entry.document_id)
        if row is None:
            return
        self.documents[row] = entry
        self.dataChanged.emit(self.index(row), self.index(row))

    def ids(self) -> list[int]:
        return [d.document_id for d in self.documents]

    def open_count(self) -> int:
        return sum(1 for d in self.documents if d.open)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.documents)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        document = self.documents[index.row()]
        preview = self.previews.get(document.document_id, "")
        if role == Qt.ItemDataRole.DisplayRole:
            state = f"{document.open} open" if document.open else "✓ curated"
            return f"#{document.document_id}  {state}\n{preview}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return preview
        if role == ID_ROLE:
            return document.document_id
        return None
