"""A notice over the editor's text (an edit the file refused, for instance) that hides itself."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

SHOWN_MS = 4000


class Banner(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setStyleSheet(
            "background:#fff3cd;color:#5c4400;border:1px solid #e0b84c;padding:4px 8px;"
            "border-radius:4px;"
        )
        self.hide()
        self._timer = QTimer(self, singleShot=True, interval=SHOWN_MS)
        self._timer.timeout.connect(self.hide)

    def show_text(self, text: str, area: QWidget) -> None:
        """Show ``text`` at the bottom of ``area``, where it hides no line being worked on."""
        self.setText(text)
        self.setWordWrap(True)
        self.setMaximumWidth(max(200, area.width() - 24))
        self.adjustSize()
        self.move(12, area.height() - self.height() - 8)
        self.show()
        self.raise_()
        self._timer.start()
