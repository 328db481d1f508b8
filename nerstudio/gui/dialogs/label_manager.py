"""The label manager: add, rename, recolor, hotkey, describe, reorder, delete and merge
labels.

Every change is an undo command, so a deleted label with its hundreds of spans comes back
with Ctrl+Z.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.store import Label
from nerstudio.gui import commands
from nerstudio.gui.state import AppState


def swatch(color: str) -> QIcon:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class LabelManager(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Labels")
        self.state = state
        self.list = QListWidget()
        buttons = QVBoxLayout()
        for text, slot in (
            ("Add…", self.add),
            ("Rename…", self.rename),
            ("Color…", self.recolor),
            ("Hotkey…", self.hotkey),
            ("Describe…", self.describe),
            ("Move up", lambda: self.move(-1)),
            ("Move down", lambda: self.move(1)),
            ("Merge into…", self.merge),
            ("Delete…", self.delete),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(close)
        state.labelsChanged.connect(self.reload)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        current = select or self.current()
        self.list.clear()
        counts = self.state.entity_counts()
        described = self.state.label_descriptions()
        for label in self.state.labels:
            count = counts.get(label.name, 0)
            key = f"key {label.hotkey}" if label.hotkey else "no key"
            item = QListWidgetItem(swatch(label.color), f"{label.name}   ({key}, {count} spans)")
            item.setData(256, label.name)
            item.setToolTip(described.get(label.name, "No description (Describe… adds one)"))
            self.list.addItem(item)
            if label.name == current:
                self.list.setCurrentItem(item)

    def current(self) -> str | None:
        item = self.list.currentItem()
        return item.data(256) if item else None

    def _label(self, name: str) -> Label:
        return next(label for label in self.state.labels if label.name == name)

    def add(self) -> None:
        name, ok = QInputDialog.getText(self, "Add label", "Name (no spaces):")
        if ok and name.strip():
            self.state.execute(commands.AddLabel(self.state, name.strip()))

    def rename(self) -> None:
        name = self.current()
        if name is None:
            return
        new, ok = QInputDialog.getText(self, "Rename label", f"New name for {name}:", text=name)
        renamed = ok and new.strip() and new.strip() != name
        if renamed and self.state.execute(commands.RenameLabel(self.state, name, new)):
            self.reload(select=new.strip())

    def recolor(self) -> None:
        name = self.current()
        if name is None:
            return
        color = QColorDialog.getColor(QColor(self._label(name).color), self, f"Color of {name}")
        if color.isValid():
            self.state.execute(commands.RecolorLabel(self.state, name, color.name()))

    def hotkey(self) -> None:
        """Ask for the label's key, starting from the key it has now (selected, so typing
        replaces it)."""
        name = self.current()
        if name is None:
            return
        current = self._label(name).hotkey or ""
        now = f"now {current}" if current else "none now"
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Hotkey")
        dialog.setLabelText(f"One digit or letter for {name} ({now}; empty for none):")
        dialog.setTextValue(current)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            key = dialog.textValue().strip() or None
            if key != (current or None):
                self.state.execute(commands.SetLabelHotkey(self.state, name, key))

    def describe(self) -> None:
        """What the label means, in words a zero-shot model (and a new annotator) reads."""
        name = self.current()
        if name is None:
            return
        current = self.state.label_descriptions().get(name, "")
        text, ok = QInputDialog.getText(
            self,
            "Describe label",
            f"What {name} means (a zero-shot model reads this; empty for none):",
            text=current,
        )
        if ok and text.strip() != current:
            self.state.execute(commands.DescribeLabel(self.state, name, text))

    def move(self, step: int) -> None:
        name = self.current()
        names = [label.name for label in self.state.labels]
        if name is None:
            return
        i = names.index(name)
        j = i + step
        if 0 <= j < len(names):
            names[i], names[j] = names[j], names[i]
            self.state.execute(commands.ReorderLabels(self.state, names))

    def merge(self) -> None:
        name = self.current()
        others = [label.name for label in self.state.labels if label.name != name]
        if name is None or not others:
            return
        target, ok = QInputDialog.getItem(
            self, "Merge labels", f"Give every {name} span the label:", others, 0, False
        )
        if ok:
            self.state.execute(commands.MergeLabels(self.state, name, target))

    def delete(self) -> None:
        name = self.current()
        if name is None or self.state.project is None:
            return
        count = self.state.entity_counts().get(name, 0)
        answer = QMessageBox.question(
            self,
            "Delete label",
            f"Delete label {name} and the {count:,} spans that carry it? (Undo brings them back.)",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.state.execute(commands.DeleteLabel(self.state, name))
