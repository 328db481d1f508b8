"""Label manager operations as undo commands: rename (spans follow), delete (undo brings
the spans back), merge (undo splits them again); and the dialog's own buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QPushButton

from nerstudio.core.store import Project
from nerstudio.gui import commands
from nerstudio.gui.dialogs.label_manager import LabelManager

FIRST = ("Anna Berg works for Acme Corp in Paris.", [("Anna Berg", "PER"), ("Acme Corp", "ORG")])
SECOND = ("Omar Haddad met Li Wei at Globex.", [("Omar Haddad", "PER"), ("Globex", "ORG")])


def label_names(path) -> list[tuple[str, str | None]]:
    with Project.open(path) as project:
        return [(label.name, label.hotkey) for label in project.labels.list()]


def bar_names(ui) -> list[str]:
    return list(ui.window.label_bar.buttons)


def test_rename_label_spans_follow(make_project, open_window):
    ui = open_window(make_project([FIRST, SECOND]))
    color = ui.label_color("PER")

    assert ui.state.execute(commands.RenameLabel(ui.state, "PER", "PERSON"))

    assert ui.spans(1)[0] == ui.entity("Anna Berg", "PERSON")
    assert ui.spans(2)[0][2] == "PERSON"
    assert label_names(ui.path)[0] == ("PERSON", "1")
    assert bar_names(ui) == ["PERSON", "ORG", "LOC"]
    assert ui.background("Anna Berg") == color  # same label, same color
    combo = ui.window.document_list.label
    assert [combo.itemText(i) for i in range(combo.count())][1] == "has PERSON"

    ui.double_click(ui.at("Paris", 1))
    ui.key("1")  # the hotkey came along
    assert ui.spans()[-1] == ui.entity("Paris", "PERSON")

    ui.undo()
    ui.undo()
    assert ui.spans(1)[0] == ui.entity("Anna Berg", "PER")
    assert bar_names(ui) == ["PER", "ORG", "LOC"]


def test_rename_to_an_existing_name_is_refused(make_project, open_window):
    ui = open_window(make_project([FIRST]))

    assert not ui.state.execute(commands.RenameLabel(ui.state, "PER", "ORG"))

    assert "merge" in ui.editor.banner.text().lower()
    assert ui.spans() == [ui.entity("Anna Berg", "PER"), ui.entity("Acme Corp", "ORG")]


def test_delete_label_and_undo_restores_its_spans(make_project, open_window):
    ui = open_window(make_project([FIRST, SECOND]))
    before = {1: ui.spans(1), 2: ui.spans(2)}
    per_color = ui.label_color("PER")
    with Project.open(ui.path) as project:
        ids_before = [s.id for s in project.spans.list(1) + project.spans.list(2)]

    assert ui.state.execute(commands.DeleteLabel(ui.state, "PER"))

    assert ui.spans(1) == [ui.entity("Acme Corp", "ORG")]
    assert [s[2] for s in ui.spans(2)] == ["ORG"]
    assert bar_names(ui) == ["ORG", "LOC"]
    assert ui.background("Anna Berg") != per_color
    assert ui.caption_below("Anna") is None

    ui.undo()

    assert {1: ui.spans(1), 2: ui.spans(2)} == before
    with Project.open(ui.path) as project:
        assert [s.id for s in project.spans.list(1) + project.spans.list(2)] == ids_before
    assert label_names(ui.path) == [("PER", "1"), ("ORG", "2"), ("LOC", "3")]
    assert bar_names(ui) == ["PER", "ORG", "LOC"]
    ui.key(Qt.Key.Key_Right)  # the token cursor off the entity: its color shows again
    assert ui.background("Anna Berg") == per_color

    ui.redo()
    assert ui.spans(1) == [ui.entity("Acme Corp", "ORG")]


def test_merge_labels_and_undo(make_project, open_window):
    ui = open_window(make_project([FIRST, SECOND]))
    before = {1: ui.spans(1), 2: ui.spans(2)}

    assert ui.state.execute(commands.MergeLabels(ui.state, "PER", "ORG"))

    assert [s[2] for s in ui.spans(1) + ui.spans(2)] == ["ORG"] * 4
    assert label_names(ui.path) == [("ORG", "2"), ("LOC", "3")]
    assert ui.background("Anna Berg") == ui.label_color("ORG")

    ui.undo()

    assert {1: ui.spans(1), 2: ui.spans(2)} == before  # the ORG spans stay ORG
    assert label_names(ui.path) == [("PER", "1"), ("ORG", "2"), ("LOC", "3")]
    assert ui.background("Anna Berg") == ui.label_color("PER")


def test_label_manager_dialog_buttons(make_project, open_window, qtbot, monkeypatch, dialogs):
    ui = open_window(make_project([FIRST]))
    manager = LabelManager(ui.state, ui.window)
    qtbot.addWidget(manager)
    buttons = {b.text(): b for b in manager.findChildren(QPushButton)}
    assert manager.list.item(0).text().startswith("PER")
    assert "1 spans" in manager.list.item(0).text()

    manager.list.setCurrentRow(0)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("PERSON", True)))
    qtbot.mouseClick(buttons["Rename…"], Qt.MouseButton.LeftButton)
    assert ui.spans()[0] == ui.entity("Anna Berg", "PERSON")
    assert manager.list.item(0).text().startswith("PERSON")

    manager.list.setCurrentRow(1)  # ORG
    dialogs.answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(buttons["Delete…"], Qt.MouseButton.LeftButton)
    assert "1 spans" in dialogs.texts("question")[-1]
    assert ui.spans() == [ui.entity("Anna Berg", "PERSON")]
    assert [manager.list.item(i).text().split()[0] for i in range(manager.list.count())] == [
        "PERSON",
        "LOC",
    ]

    ui.undo()
    assert ui.spans() == [ui.entity("Anna Berg", "PERSON"), ui.entity("Acme Corp", "ORG")]
    assert manager.list.count() == 3


def test_renamed_label_stays_chosen_in_the_manager(make_project, open_window, monkeypatch):
    ui = open_window(make_project([FIRST]))
    manager = LabelManager(ui.state, ui.window)
    manager.list.setCurrentRow(0)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("PERSON", True)))

    manager.rename()

    # The next button (Color…, Hotkey…, Rename… again) must act on the renamed label.
    assert manager.current() == "PERSON"
    manager.close()


def test_renaming_the_armed_label_keeps_bar_and_drags_in_step(make_project, open_window, qtbot):
    ui = open_window(make_project([FIRST]))
    button = ui.window.label_bar.buttons["PER"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier)
    assert ui.state.armed_label == "PER"

    assert ui.state.execute(commands.RenameLabel(ui.state, "PER", "PERSON"))
    checked = [name for name, b in ui.window.label_bar.buttons.items() if b.isChecked()]
    ui.drag(ui.at("Paris", 1), ui.at("Paris", 3))

    # Whatever the bar shows armed is what a drag does: no refusal for a vanished name.
    expected = [ui.entity("Paris", checked[0])] if checked else []
    assert [s for s in ui.spans() if s[0] == ui.at("Paris")] == expected
    assert not ui.editor.banner.isVisible(), ui.editor.banner.text()


def test_describe_gives_a_label_the_text_zero_shot_reads_and_undo_takes_it_back(
    make_project, open_window, qtbot, monkeypatch
):
    ui = open_window(make_project([FIRST]))
    manager = LabelManager(ui.state, ui.window)
    qtbot.addWidget(manager)
    buttons = {b.text(): b for b in manager.findChildren(QPushButton)}
    manager.list.setCurrentRow(1)  # ORG
    assert manager.list.item(1).toolTip().startswith("No description")
    offered: list[str] = []

    def answer(parent, title, label, text=""):
        offered.append(text)
        return " companies and agencies ", True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(answer))
    qtbot.mouseClick(buttons["Describe…"], Qt.MouseButton.LeftButton)
    assert ui.state.label_descriptions() == {"ORG": "companies and agencies"}
    assert manager.list.item(1).toolTip() == "companies and agencies"
    qtbot.mouseClick(buttons["Describe…"], Qt.MouseButton.LeftButton)  # unchanged: no step
    assert offered == ["", "companies and agencies"]
    ui.undo()
    assert ui.state.label_descriptions() == {}
    assert manager.list.item(1).toolTip().startswith("No description")
