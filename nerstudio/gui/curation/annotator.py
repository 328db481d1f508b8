"""Who annotates: a name field that says at once why a name cannot be used, and the
preference dialog (Team > Annotator name…) that changes it for the open project.

The name is the store's (``Project.set_annotator``); it ends up in file names when the
lead splits the work out, so the store's own rule checks it here too.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.errors import ProjectError
from nerstudio.core.store.annotations import check_annotator_name, default_annotator_name


def annotator_problem(text: str) -> str | None:
    """Why ``text`` cannot be an annotator's name (None: it can)."""
    try:
        check_annotator_name(text)
    except ProjectError as err:
        return str(err)
    return None


class AnnotatorField(QWidget):
    """A line edit for the name (the OS user name by default) and the reason it is refused."""

    validityChanged = Signal(bool)

    def __init__(self, name: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(name or default_annotator_name())
        self.edit.setToolTip(
            "Spans and status changes are recorded for this name; the lead merges and "
            "compares annotators by it"
        )
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #c0392b;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.problem)
        self.edit.textChanged.connect(self._check)
        self._check()

    def name(self) -> str | None:
        """The name, trimmed, or None when it cannot be used."""
        text = self.edit.text()
        return None if annotator_problem(text) else text.strip()

    @Slot()
    def _check(self) -> None:
        problem = annotator_problem(self.edit.text())
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self.validityChanged.emit(problem is None)


class AnnotatorDialog(QDialog):
    """Asks for the name this project's further edits are recorded for."""

    def __init__(self, current: str, known: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotator name")
        self.setMinimumWidth(420)
        self.field = AnnotatorField(current)
        others = ", ".join(n for n in known if n != current)
        note = "Spans and status changes you make from now on are recorded for this name."
        if others:
            note += f" Other annotators in this project: {others}."
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.field.validityChanged.connect(
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(note, wordWrap=True))
        layout.addWidget(self.field)
        layout.addWidget(self.buttons)
        self.field.edit.selectAll()

    @classmethod
    def ask(cls, current: str, known: list[str], parent: QWidget | None = None) -> str | None:
        """The new name, or None when cancelled (or unchanged)."""
        dialog = cls(current, known, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        name = dialog.field.name()
        return name if name != current else None
