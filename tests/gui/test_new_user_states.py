"""Empty and end states a new user meets (issue 24 item 10): Enter on the last unfinished
document says all are done instead of cycling to #1; an empty project says how to import;
closing a project leaves nothing of it on the welcome page; the guidelines can be read."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nerstudio.core.records import Status
from tests.gui.test_layout_fit import light_afterwards  # noqa: F401

DONE = Status.DONE.value


def test_enter_on_the_last_unfinished_document_says_all_are_done_and_stays(
    make_project, open_window
):
    path = make_project([("One.", (), DONE), ("Two.", (), DONE), "Three."])
    driver = open_window(path)
    assert driver.state.document.text == "Three."
    driver.key(Qt.Key.Key_Return)
    assert driver.state.document.text == "Three."  # not back to #1, a finished one
    message = driver.window.statusBar().currentMessage()
    assert message.startswith("All 3 documents are done")
    assert "train" in message and "export" in message.lower()


def test_enter_with_skipped_documents_left_says_how_many_were_skipped(make_project, open_window):
    skipped = Status.SKIPPED.value
    path = make_project([("One.", (), skipped), "Two."])
    driver = open_window(path)
    driver.key(Qt.Key.Key_Return)
    assert driver.state.document.text == "Two."
    assert driver.window.statusBar().currentMessage().startswith(
        "All 2 documents are done (1 skipped)"
    )


def test_enter_still_moves_on_to_an_unfinished_document_before_the_current_one(
    make_project, open_window
):
    path = make_project(["One.", "Two."])
    driver = open_window(path)
    driver.key(Qt.Key.Key_PageDown)
    assert driver.state.document.text == "Two."
    driver.key(Qt.Key.Key_Return)
    assert driver.state.document.text == "One."  # wraps to the first unfinished


def menu(window, title: str):
    (found,) = (m for m in window.menuBar().actions() if m.text() == title)
    return found.menu()


def test_the_theme_menu_checks_the_current_theme_and_only_one(
    make_project, open_window, light_afterwards  # noqa: F811
):
    driver = open_window(make_project(["One."]))
    themes = [a for a in menu(driver.window, "&View").actions() if a.text().endswith("theme")]
    assert [(a.text(), a.isChecked()) for a in themes] == [
        ("&Light theme", True),
        ("&Dark theme", False),
    ]
    themes[1].trigger()
    assert [a.isChecked() for a in themes] == [False, True]
    assert driver.window.settings.value("theme") == "dark"


def test_help_guidelines_shows_the_projects_guidelines_read_only_then_the_editor_has_the_keys(
    make_project, open_window, qtbot, monkeypatch
):
    from nerstudio.core.store import Project
    from nerstudio.gui.dialogs import guidelines

    path = make_project(["One."])
    with Project.open(path) as project:
        project.set_guidelines("PER: people, not their titles.")
    driver = open_window(path)
    action = next(a for a in menu(driver.window, "&Help").actions() if "Guidelines" in a.text())
    assert action.isEnabled()
    shown = []

    def exec_(dialog):
        shown.append((dialog.text.toPlainText(), dialog.text.isReadOnly()))
        return 0

    monkeypatch.setattr(guidelines.GuidelinesDialog, "exec", exec_)
    action.trigger()
    assert shown == [("PER: people, not their titles.", True)]
    qtbot.waitUntil(driver.editor.hasFocus, timeout=3000)


def test_the_guidelines_action_is_off_with_a_hint_where_there_are_none(make_project, open_window):
    driver = open_window(make_project(["One."]))
    action = next(a for a in menu(driver.window, "&Help").actions() if "Guidelines" in a.text())
    assert not action.isEnabled()
    assert "no guidelines" in action.statusTip()


def test_closing_a_project_leaves_nothing_of_it_in_the_window(make_project, open_window, qtbot):
    from PySide6.QtWidgets import QLabel

    path = make_project([("One.", (), DONE), "Two.", "Three."])
    driver = open_window(path)
    window = driver.window
    qtbot.waitUntil(lambda: window.progress_text.text() == "1 of 3 done", timeout=5000)
    driver.key(Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.welcome
    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    assert not any(texts), texts
    assert window.windowTitle() == "nerstudio"


def test_an_empty_project_says_how_to_import_and_dropped_files_are_imported(
    make_project, open_window, qtbot, tmp_path
):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    driver = open_window(make_project([]))
    window = driver.window
    page = window.empty_page
    assert page.isVisible() and not driver.editor.isVisible()
    assert "Ctrl+I" in page.text.text() and "drop" in page.text.text()
    source = tmp_path / "notes.txt"
    source.write_text("Kofi Mensah visited Oslo.\n\nLi Wei stayed home.\n", encoding="utf-8")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(source))])
    where, copy = page.rect().center(), Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where, copy, data, buttons, keys)  # as a drag from a file manager
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(page, QDropEvent(QPointF(where), copy, data, buttons, keys))
    qtbot.waitUntil(lambda: driver.state.document is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not window.jobs.is_busy(), timeout=10_000)
    assert driver.editor.isVisible() and not page.isVisible()
    assert driver.state.document.text.startswith("Kofi Mensah")
    qtbot.waitUntil(driver.editor.hasFocus, timeout=3000)
