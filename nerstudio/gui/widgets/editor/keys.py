"""The editor's own keys: the list the shortcut sheet (F1) shows, and what each does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

if TYPE_CHECKING:
    from nerstudio.gui.widgets.editor.widget import AnnotationEditor

# The editor's own keys, as the shortcut sheet (F1) lists them; label hotkeys come from the
# project and the window's keys from its actions' shortcuts.
EDITOR_KEYS: tuple[tuple[str, str], ...] = (
    ("Left / Right", "Move the token cursor (to the entity under it)"),
    ("Shift+Left / Shift+Right", "Extend or shrink the selection"),
    ("Delete / Backspace", "Delete the selected entity"),
    ("A", "Accept the suggestion under the cursor"),
    ("Shift+A", "Accept every suggestion shown"),
    ("X", "Reject the suggestion under the cursor"),
    ("Enter", "Mark done and open the next unfinished document"),
    ("PageDown / Ctrl+Down", "Next document"),
    ("PageUp / Ctrl+Up", "Previous document"),
    ("Esc", "Deselect the entity; from anywhere, back to the editor"),
    ("F1 / ?", "This list of keys"),
)


def handle_key(editor: AnnotationEditor, event: QKeyEvent) -> bool:
    """Do what ``event``'s key asks of ``editor`` (most become its request signals); False
    for a key the editor leaves to Qt."""
    key = event.key()
    mods = event.modifiers()
    shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
    ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
    if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp) or (
        ctrl and key in (Qt.Key.Key_Down, Qt.Key.Key_Up)
    ):
        editor.navigateRequested.emit(1 if key in (Qt.Key.Key_PageDown, Qt.Key.Key_Down) else -1)
    elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not ctrl:
        editor.move_cursor(-1 if key == Qt.Key.Key_Left else 1, shift)
    elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
        if editor.selected_span is not None:
            editor.removeRequested.emit(editor.selected_span.id)
    elif key == Qt.Key.Key_A and not ctrl and editor.suggestions:
        chosen = editor.suggestions if shift else [editor.suggestion_at_selection()]
        items = [(s.start, s.end, s.label) for s in chosen if s is not None]
        if items:
            editor.acceptRequested.emit(items)
    elif key == Qt.Key.Key_X and not ctrl and editor.suggestion_at_selection() is not None:
        suggestion = editor.suggestion_at_selection()
        editor.rejectRequested.emit(suggestion.start, suggestion.end)
    elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        editor.doneRequested.emit()
    elif key == Qt.Key.Key_Escape:
        editor.escape()
    elif not ctrl and event.text().lower() in editor.keys:
        editor.apply_label(editor.keys[event.text().lower()])
    elif key == Qt.Key.Key_F1 or (not ctrl and event.text() == "?"):
        editor.helpRequested.emit()
    elif not ctrl and len(event.text()) == 1 and event.text().isalnum():
        editor.hintRequested.emit(f"'{event.text()}' is not a label key; F1 lists the keys")
    else:
        return False
    return True
