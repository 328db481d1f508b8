"""Keeps the document list and the progress count in step with the project: documents
shown, edited, imported or pasted, new suggestions, and the order of the queue."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from nerstudio.core.records import Status
from nerstudio.core.store import DocumentQuery
from nerstudio.core.transfer import import_text
from nerstudio.gui.models.documents import DocumentListModel
from nerstudio.gui.state import AppState
from nerstudio.gui.widgets.document_list import DocumentList


class CorpusView(QObject):
    """The document list's model and widget, and ``progress_text`` ('N of M done')."""

    def __init__(
        self,
        state: AppState,
        documents: DocumentListModel,
        document_list: DocumentList,
        progress_text: QLabel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.documents = documents
        self.document_list = document_list
        self.progress_text = progress_text
        state.projectChanged.connect(self.project_changed)
        state.labelsChanged.connect(self.labels_changed)
        state.documentChanged.connect(self.document_changed)
        state.documentEdited.connect(self.document_edited)
        document_list.documentActivated.connect(state.open_document)
        document_list.orderRequested.connect(self.order_documents)
        state.poolScoring.connect(document_list.show_scoring)
        state.predictionsStored.connect(self.scores_stored)
        documents.orderingChanged.connect(self._ordering_busy)
        documents.modelReset.connect(self._select_current)
        self.reorder_waiting = False  # new scores came while an order was computed

    @Slot()
    def project_changed(self) -> None:
        """Another project (or none): its documents, with none of the last one's filters."""
        self.document_list.reset_filters()
        self.document_list.show_scoring(0, 0)
        self.documents.set_project(self.state.project)

    @Slot()
    def labels_changed(self) -> None:
        self.document_list.set_labels(self.state.labels)

    @Slot(int)
    def document_changed(self, document_id: int) -> None:
        self.update_progress()
        if document_id:
            self.document_list.show_current(document_id)

    @Slot(int)
    def document_edited(self, document_id: int) -> None:
        self.documents.refresh_document(document_id)
        self.update_progress()

    def update_progress(self) -> None:
        project = self.state.project
        if project is None:
            return
        done = project.documents.count(DocumentQuery(status=Status.DONE))
        total = project.documents.count()
        self.progress_text.setText(f"{done:,} of {total:,} done")

    @Slot(object)
    def order_documents(self, strategy: str | None) -> None:
        """Document order, or the active-learning queue (Next then follows it); the queue is
        ordered off the GUI thread and the list shows it when it arrives."""
        self.documents.follow(self.state.active_learning_order(strategy))

    @Slot()
    def predictions_stored(self) -> None:
        """New suggestions: show them, and the queue follows the new uncertainties."""
        self.state.resync()  # the shown document's suggestions, read again
        strategy = self.document_list.order.currentData()
        if strategy is not None:
            self.order_documents(strategy)

    @Slot()
    def scores_stored(self) -> None:
        """The active run scored more of the pool: the queue (when one is chosen) follows.
        While an order is being computed this waits for it, so a stream of new scores
        never keeps superseding the order before it reaches the list."""
        strategy = self.document_list.order.currentData()
        if strategy is None or self.state.project is None:
            return
        if self.documents.ordering_busy:
            self.reorder_waiting = True
            return
        self.order_documents(strategy)

    @Slot(bool)
    def _ordering_busy(self, busy: bool) -> None:
        if not busy and self.reorder_waiting:
            self.reorder_waiting = False
            self.scores_stored()

    @Slot()
    def _select_current(self) -> None:
        """The list was re-filled (a new order, new filters): the shown document stays
        selected."""
        if self.state.document is not None:
            self.document_list.show_current(self.state.document.id, fetch=False)

    @Slot()
    def corpus_changed(self) -> None:
        """An import finished: the list, the progress, and a document if none was shown."""
        self.documents.set_query(self.documents.query)
        if self.state.document is None:
            self.state.open_document(self.state.first_unfinished())
        self.update_progress()

    @Slot()
    def paste_document(self) -> None:
        """A new document from the clipboard's text, opened at once."""
        if self.state.project is None:
            return
        text = QGuiApplication.clipboard().text().strip()
        if not text:
            self.state.say("The clipboard holds no text.")
            return
        document_id = import_text(self.state.project, text, source="clipboard")
        self.documents.set_query(self.documents.query)
        self.state.open_document(document_id)
