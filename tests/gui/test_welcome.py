"""The welcome page with no project open: recent projects, New (with a label preset), Open,
and the sample project; the editor and its docks once a project is open."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QPushButton

from nerstudio.core.store import Project
from nerstudio.gui.dialogs.new_project import PRESETS, NewProjectDialog, split_labels
from nerstudio.gui.main_window import MainWindow


@pytest.fixture
def welcome_window(qtbot):
    """``welcome_window(recent=None)``: the window with no project open (the app's start
    when there is no recent project to reopen), shown; ``recent`` replaces the list."""

    def make(recent: list[Path] | None = None) -> MainWindow:
        settings = QSettings("nerstudio", "nerstudio")
        if recent is not None:
            settings.setValue("recent", [str(p) for p in recent])
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def on_welcome(window) -> bool:
    return window.pages.currentWidget() is window.welcome and window.welcome.isVisible()


def wait_opened(qtbot, window, path: Path) -> None:
    """The file is checked off the GUI thread before it opens: wait for it to show."""
    project = lambda: window.state.project  # noqa: E731
    qtbot.waitUntil(lambda: project() is not None and project().path == path, timeout=10_000)


def test_no_project_shows_the_welcome_page_without_docks(welcome_window):
    window = welcome_window()
    assert on_welcome(window)
    assert not window.editor.isVisible()
    assert not window.training_dock.isVisible()
    assert window.windowTitle() == "nerstudio"
    assert window.welcome.empty.isVisible() and not window.welcome.recent.isVisible()


def test_recent_projects_are_listed_and_a_double_click_opens_one(
    welcome_window, make_project, tmp_path, qtbot
):
    first = make_project(["Hello world."], name="first.db")
    second = make_project(["Another text."], name="second.db")
    missing = tmp_path / "gone.db"
    window = welcome_window([second, missing, first])
    recent = window.welcome.recent
    names = [recent.item(i).text() for i in range(recent.count())]
    assert names == ["second.db", "first.db"]  # most recent first, missing files skipped
    assert recent.item(1).toolTip() == str(first)

    rect = recent.visualItemRect(recent.item(1))
    qtbot.mouseClick(recent.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(recent.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_opened(qtbot, window, first)
    assert window.pages.currentWidget() is window.editor_page
    assert window.editor.isVisible() and window.training_dock.isVisible()
    assert window.windowTitle() == "first.db — nerstudio"


def test_enter_on_a_recent_project_opens_it(welcome_window, make_project, qtbot):
    path = make_project(["Hello world."])
    window = welcome_window([path])
    window.welcome.recent.setFocus()
    qtbot.keyClick(window.welcome.recent, Qt.Key.Key_Return)
    wait_opened(qtbot, window, path)


def test_new_project_with_the_ontonotes_preset(welcome_window, tmp_path, qtbot, monkeypatch):
    target = tmp_path / "news"  # the .db suffix is added
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    filled = []

    def fill_in(dialog: NewProjectDialog) -> int:
        """The user browses for a file, picks OntoNotes and presses Create."""
        browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Browse…")
        qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
        dialog.preset.setCurrentText("OntoNotes 5")
        assert not dialog.custom.isVisibleTo(dialog)
        assert dialog.preview.text().startswith("18 labels: PERSON, NORP")
        filled.append(dialog.project())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NewProjectDialog, "exec", fill_in)
    window = welcome_window()
    qtbot.mouseClick(window.welcome.new_button, Qt.MouseButton.LeftButton)

    path = tmp_path / "news.db"
    assert filled == [(str(path), list(PRESETS["OntoNotes 5"]))]
    wait_opened(qtbot, window, path)
    with Project.open(path) as project:
        assert [label.name for label in project.labels.list()] == list(PRESETS["OntoNotes 5"])
    assert len(window.state.labels) == 18
    assert window.pages.currentWidget() is window.editor_page


def test_the_custom_preset_and_a_cancelled_dialog(qtbot, tmp_path):
    dialog = NewProjectDialog()
    qtbot.addWidget(dialog)
    create = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.labels() == ["PER", "ORG", "LOC", "MISC"]  # CoNLL-2003 first
    dialog.preset.setCurrentText("Custom")
    assert dialog.custom.isVisibleTo(dialog) and not create.isEnabled()
    qtbot.keyClicks(dialog.custom, "DRUG, dose ,DRUG,")
    assert dialog.labels() == ["DRUG", "dose"] and create.isEnabled()
    dialog.path.setText(str(tmp_path / "trial.db"))
    assert dialog.project() == (str(tmp_path / "trial.db"), ["DRUG", "dose"])
    assert split_labels(" , ") == []


def test_the_default_file_is_new_and_the_dialog_can_be_cancelled(
    welcome_window, qtbot, monkeypatch
):
    monkeypatch.setattr(NewProjectDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    window = welcome_window()
    qtbot.mouseClick(window.welcome.new_button, Qt.MouseButton.LeftButton)
    assert window.state.project is None and on_welcome(window)
    dialog = NewProjectDialog()
    qtbot.addWidget(dialog)
    path, _ = dialog.project()
    assert path.endswith(".db")
    assert not Path(path).exists()


def test_open_button_asks_for_a_file(welcome_window, make_project, qtbot, monkeypatch):
    path = make_project(["Hello world."])
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    window = welcome_window()
    qtbot.mouseClick(window.welcome.open_button, Qt.MouseButton.LeftButton)
    wait_opened(qtbot, window, path)


def test_the_sample_button_installs_and_opens_the_sample(
    welcome_window, make_project, qtbot, monkeypatch
):
    sample = make_project(["Anna Berg works for Acme Corp."], name="sample.db")
    calls = []

    def install_sample_project(data_dir=None):
        calls.append(data_dir)
        return sample

    fake = types.ModuleType("nerstudio.core.sample")
    fake.install_sample_project = install_sample_project
    monkeypatch.setitem(sys.modules, "nerstudio.core.sample", fake)
    window = welcome_window()
    qtbot.mouseClick(window.welcome.sample_button, Qt.MouseButton.LeftButton)
    assert calls == [None]
    wait_opened(qtbot, window, sample)
    assert window.pages.currentWidget() is window.editor_page
    menu_item = next(
        a for a in window.menuBar().actions()[0].menu().actions() if "sample" in a.text()
    )
    assert menu_item.text() == "Open &sample project"


def test_a_failing_sample_install_shows_a_dialog(welcome_window, qtbot, monkeypatch, dialogs):
    from nerstudio.core.errors import NerstudioError

    def install_sample_project(data_dir=None):
        raise NerstudioError("disk full")

    fake = types.ModuleType("nerstudio.core.sample")
    fake.install_sample_project = install_sample_project
    monkeypatch.setitem(sys.modules, "nerstudio.core.sample", fake)
    window = welcome_window()
    qtbot.mouseClick(window.welcome.sample_button, Qt.MouseButton.LeftButton)
    assert dialogs.texts("warning") == ["Cannot open the sample project: disk full"]
    assert on_welcome(window)


def test_the_editor_layout_survives_the_welcome_page(
    welcome_window, make_project, qtbot, open_project
):
    """Docks hidden on the welcome page come back as they were, and the saved layout is the
    editor's even when the app is closed on the welcome page."""
    path = make_project(["Hello world."])
    window = welcome_window()
    assert not window.training_dock.isVisible()
    window.close()
    window = welcome_window()  # restores the layout saved on the welcome page
    open_project(window, path)
    assert window.training_dock.isVisible()
    assert all(d.isVisible() for d in window.findChildren(type(window.training_dock)))


def test_close_project_returns_to_the_welcome_page_listing_it(
    welcome_window, make_project, qtbot, open_project
):
    path = make_project(["Hello world."])
    window = welcome_window([path])
    open_project(window, path)
    assert not on_welcome(window)
    from PySide6.QtGui import QAction

    close = next(a for a in window.findChildren(QAction) if a.text() == "&Close project")
    assert close.shortcut().toString() == "Ctrl+W"
    close.trigger()
    assert window.state.project is None
    assert on_welcome(window)
    assert window.windowTitle() == "nerstudio"
    assert window.welcome.recent.item(0).text() == path.name


def test_another_project_shows_its_own_text_where_the_document_numbers_repeat(
    open_window, make_project, open_project
):
    """Document 1 of another project is another document: the editor shows its text (it
    kept the first project's text, as if the same document were shown again)."""
    first = make_project(["Anna Berg met Omar in Paris ."], name="first.db")
    second = make_project(["Hello world ."], name="second.db")
    ui = open_window(first)
    assert ui.editor.toPlainText() == "Anna Berg met Omar in Paris ."
    open_project(ui.window, second)
    assert ui.state.document.id == 1
    assert ui.editor.toPlainText() == "Hello world ."
    ui.key("1")  # tags the token under the cursor: the second project's first word
    assert [(s.start, s.end) for s in ui.state.spans] == [(0, 5)]
