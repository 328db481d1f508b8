"""Where the keys go back to: the page on screen, never a widget hidden behind it.

The window's central area is a stack of pages (welcome, editor, curation). Anything that
hands the keyboard back after a click, a dialog, a document change or Esc names the widget
it would like (the editor) and this sends the keys to the page actually shown instead when
that widget is on a page behind it: a digit in curation then takes an annotator's version
rather than tagging a word in the hidden editor.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QWidget


def keyboard_owner(widget: QWidget) -> QWidget:
    """``widget``, or the shown page of the first stack that hides it (focusing a page
    gives the keys to its focus proxy: the editor page's is the editor)."""
    target, child, parent = widget, widget, widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QStackedWidget):
            shown = parent.currentWidget()
            if shown is not None and shown is not child:
                target = shown
        child, parent = parent, parent.parentWidget()
    return target


def return_keyboard(
    widget: QWidget, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason
) -> None:
    """Give the keyboard back to ``widget`` if its page is shown, else to that page."""
    keyboard_owner(widget).setFocus(reason)
