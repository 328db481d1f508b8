"""One way to give a worker its thread (superqt's wiring), used by every job of the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread


def worker_thread(worker: QObject, parent: QObject) -> QThread:
    """A QThread that runs ``worker.run`` and quits when the worker emits ``finished``.

    The quit is a direct connection: ``quit()`` is thread-safe, and a GUI thread blocked in
    ``wait()`` (on close) would never run a queued one. Connect the worker's signals, keep
    a reference to both, then ``start()``.
    """
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    return thread
