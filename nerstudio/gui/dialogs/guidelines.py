"""The project's annotation guidelines (shipped to annotators by ``nerstudio assign``),
read-only: they could only be read with a SQLite browser (issue 24 item 10)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from nerstudio.core.store import Project
from nerstudio.gui.keyboard import return_keyboard
from nerstudio.gui.state import AppState

NO_GUIDELINES = (
    "This project has no guidelines (nerstudio guidelines PROJECT --set FILE adds them)."
)


class GuidelinesDialog(QDialog):
    """The guidelines as plain text, scrollable and selectable, never editable."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotation guidelines")
        self.text = QTextBrowser()
        self.text.setPlainText(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 480)


def show_guidelines(state: AppState, editor: QWidget) -> None:
    """Help > Guidelines…: the dialog, then the keyboard back with the editor."""
    text = state.project.guidelines() if state.project is not None else None
    if not text:
        state.say(NO_GUIDELINES)
        return
    GuidelinesDialog(text, editor.window()).exec()
    return_keyboard(editor)


def sync_guidelines_action(action: QAction, project: Project | None) -> None:
    """Enabled only where there are guidelines to read; its tip says why not."""
    has = project is not None and bool(project.guidelines())
    action.setEnabled(has)
    action.setStatusTip("" if has else NO_GUIDELINES)
