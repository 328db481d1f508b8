"""Transient status-bar messages expire: whatever shows a message without a timeout
("Tagged 5 more", a refusal, a result) is cleared after ``EXPIRE_MS``, unless a newer
message replaced it first. Progress lives in widgets (bars, notes), never only here."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QStatusBar

EXPIRE_MS = 10_000  # long enough to read a line twice, short enough never to be stale


class MessageExpiry(QObject):
    """Watches one status bar and clears each of its messages ``expire_ms`` after it
    appeared; a message with its own (shorter) timeout still goes by that."""

    def __init__(self, status_bar: QStatusBar, expire_ms: int = EXPIRE_MS) -> None:
        super().__init__(status_bar)
        self.status_bar = status_bar
        self.timer = QTimer(self, singleShot=True, interval=expire_ms)
        self.timer.timeout.connect(self.status_bar.clearMessage)
        status_bar.messageChanged.connect(self._changed)

    @Slot(str)
    def _changed(self, text: str) -> None:
        if text:
            self.timer.start()  # a newer message restarts the clock
        else:
            self.timer.stop()
