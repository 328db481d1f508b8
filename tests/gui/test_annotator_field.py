"""Who annotates: the new-project dialog's annotator field (the OS user by default) and
Team > Annotator name…, after which new spans are recorded for the new name."""

from __future__ import annotations

import getpass
import sqlite3

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from nerstudio.core.store import Project
from nerstudio.gui.curation.annotator import AnnotatorDialog
from nerstudio.gui.dialogs.new_project import NewProjectDialog
from nerstudio.gui.main_window import MainWindow


def retype(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def test_a_new_project_records_the_annotator_typed_in_the_dialog(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "zoe")
    target = tmp_path / "team.db"
    seen = {}

    def fill_in(dialog: NewProjectDialog) -> int:
        """The user keeps the file, tries a bad name, then types their own."""
        dialog.path.setText(str(target))
        create = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        field = dialog.annotator_field
        seen["default"] = field.edit.text()
        retype(qtbot, field.edit, "two words")
        seen["refused"] = (create.isEnabled(), field.problem.isVisibleTo(dialog))
        seen["why"] = field.problem.text()
        retype(qtbot, field.edit, "carol")
        seen["accepted"] = (create.isEnabled(), field.problem.isVisibleTo(dialog))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(NewProjectDialog, "exec", fill_in)
    window = MainWindow(QSettings("nerstudio", "nerstudio"))
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.welcome.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.state.project is not None)  # checked, then opened

    assert seen["default"] == "zoe"  # the OS user name
    assert seen["refused"] == (False, True)
    assert seen["why"].startswith("annotator name 'two words'")
    assert seen["accepted"] == (True, False)
    assert window.state.project is not None and window.state.project.path == target
    with Project.open(target) as project:
        assert project.annotators() == ["carol"]
    assert window.team.annotator_text.text() == "annotating as carol"


def test_team_annotator_name_changes_whom_new_spans_are_recorded_for(
    make_project, open_window, qtbot, monkeypatch
):
    path = make_project(["Anna met Omar ."])
    driver = open_window(path)
    known = driver.state.project.annotators()

    def type_dave(dialog: AnnotatorDialog) -> int:
        retype(qtbot, dialog.field.edit, "dave")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(AnnotatorDialog, "exec", type_dave)
    (team,) = (m for m in driver.window.menuBar().actions() if m.text() == "&Team")
    name = next(a for a in team.menu().actions() if a.text() == "Annotator &name…")
    name.trigger()
    assert driver.window.team.annotator_text.text() == "annotating as dave"
    with Project.open(path) as project:
        assert project.annotator() == "dave"
        assert project.annotators() == sorted([*known, "dave"])

    driver.editor.setFocus()
    driver.drag(driver.at("Omar"), driver.at("Omar", 3))
    driver.key(Qt.Key.Key_1)  # the first label's hotkey
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT a.name FROM spans s JOIN annotators a ON a.id = s.annotator_id"
        ).fetchall()
    assert rows == [("dave",)]
