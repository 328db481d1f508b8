"""The keyboard's reach: the shortcut sheet (F1) generated from the real key map, and the
focus keeper that hands the keyboard back to the editor after a button or with Esc."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nerstudio.core.store import Label
from nerstudio.gui.keyboard import return_keyboard
from nerstudio.gui.widgets.editor.keys import EDITOR_KEYS


def key_map(labels: Sequence[Label], actions: Iterable[QAction]) -> list[tuple[str, str, str]]:
    """(section, keys, what they do): the labels' hotkeys, the editor's own keys, and every
    action of the window that has a shortcut (or names its key after a tab)."""
    rows = [
        ("Labels", label.hotkey, f"Tag or relabel as {label.name}")
        for label in labels
        if label.hotkey
    ]
    rows += [("Editor", keys, text) for keys, text in EDITOR_KEYS]
    seen: set[tuple[str, str]] = set()
    for action in actions:
        name, _, hint = action.text().partition("\t")
        name = name.replace("&", "").rstrip("…").strip()
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        keys = keys or hint
        if not keys or not name or (keys, name) in seen:
            continue
        seen.add((keys, name))
        rows.append(("Window", keys, name))
    return rows


class ShortcutSheet(QDialog):
    """Every key of the window, as ``key_map`` gives them; non-modal, Esc closes it."""

    def __init__(self, rows: Sequence[tuple[str, str, str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = list(rows)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setHorizontalHeaderLabels(["", "Keys", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, values in enumerate(self.rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 520)


class FocusKeeper(QObject):
    """After a button of ``window`` is clicked (or pressed with the keyboard), the keyboard
    goes back to ``editor``, so arrows and label keys work again at once."""

    def __init__(self, window: QWidget, editor: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.editor = editor
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (
            kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.KeyRelease)
            and isinstance(watched, QAbstractButton)
            and watched.window() is self.window
            and (
                kind == QEvent.Type.MouseButtonRelease
                or event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            )
        ):
            QTimer.singleShot(0, self.return_focus)
        return False

    def return_focus(self) -> None:
        return_keyboard(self.editor)

    def after_choices(self, root: QWidget) -> None:
        """A choice in any drop-down list under ``root`` hands the keyboard back too, so an
        arrow or a digit typed next goes to the editor, not into the list's box."""
        for combo in root.findChildren(QComboBox):
            combo.activated.connect(lambda _=0: QTimer.singleShot(0, self.return_focus))


class KeyboardHelp(QObject):
    """The window's keyboard help: Esc from anywhere back to the editor, the focus keeper,
    and the shortcut sheet (F1, ?) built from the key map at the moment it is asked for."""

    def __init__(self, window: QWidget, editor, labels: Callable[[], Sequence[Label]]) -> None:
        super().__init__(window)
        self.window = window
        self.editor = editor
        self.labels = labels
        self.focus_keeper = FocusKeeper(window, editor)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window)
        escape.setContext(Qt.ShortcutContext.WindowShortcut)
        escape.activated.connect(self.escape)
        self.sheet: ShortcutSheet | None = None

    def escape(self) -> None:
        """Esc from anywhere in the window: the keyboard goes back to the editor."""
        if self.editor.hasFocus():
            self.editor.escape()
        else:
            return_keyboard(self.editor, Qt.FocusReason.ShortcutFocusReason)

    def show_sheet(self) -> None:
        """F1 or ?: the shortcut sheet, from the labels' hotkeys and the actions' keys."""
        rows = key_map(self.labels(), self.window.findChildren(QAction))
        if self.sheet is not None:
            self.sheet.deleteLater()
        self.sheet = ShortcutSheet(rows, self.window)
        self.sheet.finished.connect(lambda _=0: return_keyboard(self.editor))
        self.sheet.show()
