"""The label bar: one colored button per label with its hotkey; click applies or arms it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from nerstudio.core.store import Label


class LabelBar(QWidget):
    """``labelClicked`` when a button is pressed; ``armedChanged`` when one is toggled on."""

    labelClicked = Signal(str)
    armedChanged = Signal(object)  # label name or None
    manageRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(6, 4, 6, 4)
        self.buttons: dict[str, QPushButton] = {}
        self.hint = QLabel("Select words, then press a label key. Shift+click a label to arm it.")
        self.hint.setStyleSheet("color: gray;")
        # The hint may be cut off in a narrow window; it must never widen the window.
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_labels(self, labels: list[Label], armed: str | None) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            if item.widget() is not None and item.widget() is not self.hint:
                item.widget().deleteLater()
        self.buttons = {}
        for label in labels:
            key = f"{label.hotkey}  " if label.hotkey else ""
            button = QPushButton(f"{key}{label.name}")
            button.setCheckable(True)
            button.setChecked(label.name == armed)
            text = "#111111" if QColor(label.color).lightness() > 110 else "#ffffff"
            button.setStyleSheet(
                f"QPushButton {{ background: {label.color}; color: {text}; border-radius: 4px;"
                " padding: 4px 10px; font-weight: bold; border: 2px solid transparent; }"
                " QPushButton:checked { border: 2px solid #1f6fd1; }"
            )
            button.setToolTip(
                f"{label.name}: press {label.hotkey or '(no key)'} or click to tag the "
                "selection; Shift+click to arm (every drag then tags at once)"
            )
            button.clicked.connect(lambda _=False, name=label.name: self._clicked(name))
            self.buttons[label.name] = button
            self.layout_.addWidget(button)
        manage = QPushButton("Labels…")
        manage.clicked.connect(self.manageRequested)
        self.layout_.addWidget(manage)
        self.layout_.addWidget(self.hint)
        self.layout_.addStretch(1)

    def _clicked(self, name: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        button = self.buttons[name]
        if QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier:
            for other, b in self.buttons.items():
                b.setChecked(other == name and button.isChecked())
            self.armedChanged.emit(name if button.isChecked() else None)
            return
        button.setChecked(not button.isChecked())  # a plain click does not toggle
        self.labelClicked.emit(name)
