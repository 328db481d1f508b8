"""Counts active annotation seconds per document (window focused, input in the last 30 s)."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from nerstudio.core.errors import NerstudioError
from nerstudio.gui.state import AppState

IDLE_AFTER = 30.0
_INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
}


class Timekeeper(QObject):
    """Adds the seconds spent on a document to the project when the user moves on."""

    ticked = Signal(float)  # seconds on the shown document, stored + this visit
    stopped = Signal()  # no document is shown (the welcome page): nothing counts

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.document_id: int | None = None
        self.stored = 0.0
        self.pending = 0.0
        self.last_input = time.monotonic()
        self.timer = QTimer(self, interval=1000)
        self.timer.timeout.connect(self._tick)
        QApplication.instance().installEventFilter(self)
        state.documentChanged.connect(self._switch)
        state.projectChanged.connect(self._project_changed)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT:
            self.last_input = time.monotonic()
        return False

    def _tick(self) -> None:
        app = QApplication.instance()
        if self.document_id is None or app.activeWindow() is None:
            return
        if time.monotonic() - self.last_input < IDLE_AFTER:
            self.pending += 1.0
        self.ticked.emit(self.stored + self.pending)

    def flush(self) -> None:
        """Write the pending seconds (on a document switch and when the project closes).

        Time is bookkeeping, not the person's work: a project that cannot store it (opened
        read-only, or held by another process) keeps it on screen only; a failed write is
        told in the status bar, never raised out of a document switch or the quit.
        """
        project = self.state.project
        storable = project is not None and not project.read_only
        if storable and self.document_id is not None and self.pending:
            try:
                project.documents.add_seconds_spent(self.document_id, self.pending)
            except NerstudioError as err:
                self.state.say(f"Time on this document not stored: {err}")
        self.stored += self.pending
        self.pending = 0.0

    def _switch(self, document_id: int) -> None:
        self.flush()
        self.document_id = document_id or None
        project = self.state.project
        self.stored = (
            project.documents.seconds_spent(document_id) if project and document_id else 0.0
        )
        if self.document_id is None:
            self._stop()
            return
        self.timer.start()
        self.ticked.emit(self.stored)

    def _project_changed(self) -> None:
        """Another project or none: the last project's document no longer counts (its
        seconds were stored before it closed), and its id means nothing here."""
        self.document_id = None
        self.pending = self.stored = 0.0
        self._stop()

    def _stop(self) -> None:
        self.timer.stop()
        self.stopped.emit()
