"""The main window's menu bar: every menu and its actions, wired to the window's parts.
Kept apart from ``main_window`` so the window stays composition only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

from nerstudio.core.records import Status
from nerstudio.gui import theme
from nerstudio.gui.dialogs.guidelines import show_guidelines, sync_guidelines_action

if TYPE_CHECKING:
    from nerstudio.gui.main_window import MainWindow


def add_action(window: MainWindow, menu: QMenu, text: str, slot, shortcut=None) -> QAction:
    """An action of ``menu``, triggering ``slot``, with an optional shortcut."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def build_menus(window: MainWindow, dock: QDockWidget) -> None:
    """File, Edit, Document, View, Team and Help."""
    bar = window.menuBar()
    _file_menu(window, bar.addMenu("&File"))
    _edit_menu(window, bar.addMenu("&Edit"))
    _document_menu(window, bar.addMenu("&Document"))
    _view_menu(window, bar.addMenu("&View"), dock)
    window.team.build_menu(bar.addMenu("&Team"))
    help_menu = bar.addMenu("&Help")
    sheet = lambda: window.keyboard.show_sheet()  # noqa: E731  (built after the menus)
    add_action(window, help_menu, "&Keyboard shortcuts…", sheet, "F1")
    window.guidelines_action = add_action(
        window, help_menu, "&Guidelines…", lambda: show_guidelines(window.state, window.editor)
    )
    sync_guidelines_action(window.guidelines_action, window.state.project)
    window.show_recent(window.projects.recent())


def _file_menu(window: MainWindow, file: QMenu) -> None:
    projects, jobs = window.projects, window.jobs
    add_action(window, file, "&New project…", projects.new_project, QKeySequence.StandardKey.New)
    add_action(window, file, "&Open project…", projects.open_dialog, QKeySequence.StandardKey.Open)
    window.recent_menu = file.addMenu("Open &recent")
    add_action(window, file, "Open &sample project", projects.open_sample)
    add_action(window, file, "&Close project", window.close_project, "Ctrl+W")
    file.addSeparator()
    add_action(window, file, "&Import…", jobs.import_dialog, "Ctrl+I")
    add_action(window, file, "Import &folder…", jobs.import_folder_dialog, "Ctrl+Shift+I")
    add_action(window, file, "&Export…", jobs.export_dialog, "Ctrl+E")
    paste = window.corpus.paste_document
    add_action(window, file, "New document from &clipboard", paste, "Ctrl+Shift+V")
    file.addSeparator()
    add_action(window, file, "&Quit", window.close, QKeySequence.StandardKey.Quit)


def _edit_menu(window: MainWindow, edit: QMenu) -> None:
    undo = window.state.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = window.state.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    edit.addActions([undo, redo])
    edit.addSeparator()
    tag_all = window.controller.tag_all
    here = "Tag all occurrences in this &document"
    add_action(window, edit, here, lambda: tag_all(False), "Ctrl+T")
    everywhere = "Tag all occurrences in &every unfinished document…"
    add_action(window, edit, everywhere, lambda: tag_all(True), "Ctrl+Shift+T")
    add_action(window, edit, "&Labels…", window.manage_labels, "Ctrl+L")


def _document_menu(window: MainWindow, document: QMenu) -> None:
    controller, jobs = window.controller, window.jobs
    add_action(window, document, "Mark &done and next\tEnter", controller.done_and_next)
    window.enter_accepts_action = add_action(
        window, document, "&Enter accepts suggestions", controller.set_enter_accepts
    )
    window.enter_accepts_action.setCheckable(True)
    controller.sync_enter_action()
    skip = lambda: controller.set_status(Status.SKIPPED)  # noqa: E731
    add_action(window, document, "&Skip", skip, "Ctrl+K")
    in_progress = lambda: controller.set_status(Status.IN_PROGRESS)  # noqa: E731
    add_action(window, document, "Mark &in progress", in_progress)
    document.addSeparator()
    pre = "Pre-&annotate unfinished documents (active model)"
    add_action(window, document, pre, jobs.pre_annotate, "Ctrl+Shift+P")
    add_action(window, document, "S&top pre-annotating", jobs.stop_pre_annotating)
    suggest = document.addMenu("Suggest &from")  # sources before any training (issue 26)
    add_action(window, suggest, "&Dictionary file…", window.sources.dictionary_dialog)
    add_action(window, suggest, "&Model folder…", window.sources.model_dialog)
    add_action(window, suggest, "&Zero-shot model folder…", window.sources.zero_shot_dialog)
    add_action(
        window, suggest, "What I have &tagged (learnt dictionary)", window.sources.suggest_learnt
    )
    add_action(window, suggest, "&Stop suggesting", window.sources.stop)
    document.addSeparator()
    add_action(window, document, "&Next\tPageDown", lambda: controller.navigate(1))
    add_action(window, document, "&Previous\tPageUp", lambda: controller.navigate(-1))


def _view_menu(window: MainWindow, view: QMenu, dock: QDockWidget) -> None:
    view.addAction(dock.toggleViewAction())
    view.addAction(window.training_dock.toggleViewAction())
    view.addAction(window.review_dock.toggleViewAction())
    pieces = window.pieces.set_enabled
    see = add_action(window, view, "What the &model will see", pieces, "Ctrl+M")
    see.setCheckable(True)
    view.addSeparator()
    window.theme_actions = _theme_actions(window, view)


def _theme_actions(window: MainWindow, view: QMenu) -> QActionGroup:
    """Light and Dark, checkable and exclusive, the current theme checked: the menu showed
    no check, so a person could not tell which was on (issue 24 item 15)."""
    group = QActionGroup(window)
    group.setExclusive(True)
    current = str(window.settings.value("theme", "light"))
    current = current if current in theme.THEMES else "light"
    for name, text in (("light", "&Light theme"), ("dark", "&Dark theme")):
        action = add_action(window, view, text, lambda _=False, n=name: window.set_theme(n))
        action.setCheckable(True)
        action.setChecked(name == current)
        action.setData(name)
        group.addAction(action)
    return group
