"""The correction loop: re-spanning over entities, Enter with suggestions on screen, Enter
and PageDown in the active-learning order, the keyboard coming back to the editor, and the
key help (a hint for unknown keys, F1's sheet from the real key map)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from nerstudio.core.records import Status
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import Project
from nerstudio.gui.controllers.annotation import ENTER_ACCEPTS_KEY

SHIFT = Qt.KeyboardModifier.ShiftModifier
FIRST = "Kofi Mensah visited Oslo on Monday."


# -- 1. re-span ----------------------------------------------------------------------------


def test_a_label_key_over_two_entities_merges_them_in_one_undo_step(make_project, open_window):
    ui = open_window(make_project([(FIRST, [("Kofi", "PER"), ("Mensah", "PER")])]))
    before = ui.spans()
    assert ui.selected_text() == "Kofi"  # the cursor starts on the first entity
    ui.key(Qt.Key.Key_Right, SHIFT)
    assert ui.selected_text() == "Kofi Mensah"
    ui.key("3")

    assert ui.spans() == [ui.entity("Kofi Mensah", "LOC")]
    assert not ui.editor.banner.isVisible()
    stack = ui.state.undo_stack
    assert stack.count() == 1
    assert stack.undoText() == "Merge 2 entities into LOC"
    assert ui.editor.selected_span is not None and ui.editor.selected_span.label == "LOC"

    ui.undo()
    assert ui.spans() == before
    assert ui.status() is Status.NEW  # the document is back as it was
    ui.redo()
    assert ui.spans() == [ui.entity("Kofi Mensah", "LOC")]


def test_extending_an_entity_re_spans_it(make_project, open_window):
    ui = open_window(make_project([(FIRST, [("Kofi", "PER")])]))
    ui.key(Qt.Key.Key_Right, SHIFT)
    ui.key("1")
    assert ui.spans() == [ui.entity("Kofi Mensah", "PER")]
    assert ui.state.undo_stack.undoText() == "Re-span as PER"
    ui.undo()
    assert ui.spans() == [ui.entity("Kofi", "PER")]


# -- 2. Enter with suggestions on screen ---------------------------------------------------

SUGGESTED = ["Anna Berg flew to Paris today", "Omar Haddad met Lima friends"]


def suggested_project(make_project):
    path = make_project(SUGGESTED)
    with Project.open(path) as project:
        run = project.runs.start("r1", "tiny", "full", {}, str(path.parent / "r1"))
        project.runs.finish(run.id, "completed", {})
        project.predictions.save(
            run.id,
            [
                (1, [ScoredSpan(0, 9, "PER", 0.9)], {"mnlp": 0.1}),
                (2, [ScoredSpan(0, 11, "PER", 0.8)], {"mnlp": 0.2}),
            ],
        )
        project.runs.set_active("r1")
    return path


def test_enter_asks_once_then_accepts_the_suggestions_as_one_undo_step(
    make_project, open_window, dialogs
):
    ui = open_window(suggested_project(make_project))
    assert len(ui.editor.suggestions) == 1
    dialogs.answer = QMessageBox.StandardButton.Yes
    ui.key(Qt.Key.Key_Return)

    assert [kind for kind, _, _ in dialogs.shown] == ["question"]
    assert ui.spans(1) == [(0, 9, "PER")]
    assert ui.status(1) is Status.DONE
    assert ui.document_id == 2
    assert ui.window.settings.value(ENTER_ACCEPTS_KEY) == "yes"
    assert ui.window.enter_accepts_action.isChecked()

    ui.key(Qt.Key.Key_Return)  # remembered: no second question
    assert len(dialogs.shown) == 1
    assert ui.spans(2) == [(0, 11, "PER")]

    ui.undo()  # accepting and marking done were one step
    assert ui.spans(2) == [] and ui.status(2) is Status.NEW
    ui.undo()
    assert ui.spans(1) == [] and ui.status(1) is Status.NEW


def test_enter_without_accepting_is_a_preference_the_menu_changes(
    make_project, open_window, dialogs
):
    ui = open_window(suggested_project(make_project))
    dialogs.answer = QMessageBox.StandardButton.No
    ui.key(Qt.Key.Key_Return)
    assert len(dialogs.shown) == 1
    assert ui.spans(1) == [] and ui.status(1) is Status.DONE
    assert ui.window.settings.value(ENTER_ACCEPTS_KEY) == "no"
    assert not ui.window.enter_accepts_action.isChecked()

    ui.window.enter_accepts_action.trigger()  # Document → Enter accepts suggestions
    assert ui.window.settings.value(ENTER_ACCEPTS_KEY) == "yes"
    ui.key(Qt.Key.Key_Return)
    assert len(dialogs.shown) == 1
    assert ui.spans(2) == [(0, 11, "PER")] and ui.status(2) is Status.DONE


# -- 3. the active-learning order --------------------------------------------------------


def test_enter_and_page_down_follow_the_queue(make_project, open_window, qtbot):
    path = make_project(["Ada one", "Bob two", "Cy three", "Di four"])
    with Project.open(path) as project:
        run = project.runs.start("r", "tiny", "full", {}, str(path.parent / "r"))
        project.runs.finish(run.id, "completed", {})
        scores = {1: 0.1, 2: 0.9, 3: 0.5, 4: 0.7}
        project.predictions.save(run.id, [(d, [], {"mnlp": s}) for d, s in scores.items()])
        project.runs.set_active("r")
    ui = open_window(path)
    panel, model = ui.window.document_list, ui.window.documents
    panel.order.setCurrentIndex(panel.order.findData("mnlp"))
    qtbot.waitUntil(lambda: ui.state.queue == [2, 4, 3, 1], timeout=5000)
    qtbot.waitUntil(lambda: not model.ordering.is_running(), timeout=5000)
    ui.state.open_document(2)
    ui.key(Qt.Key.Key_PageDown)
    assert ui.document_id == 4  # not 3, the row below
    ui.key(Qt.Key.Key_Return)
    assert ui.status(4) is Status.DONE
    assert ui.document_id == 3
    ui.key(Qt.Key.Key_PageDown)
    assert ui.document_id == 1


# -- 4. focus ------------------------------------------------------------------------------


def test_after_a_button_and_its_dialog_the_keys_go_to_the_editor(
    make_project, open_window, qtbot, dialogs
):
    ui = open_window(make_project([FIRST]))
    panel = ui.window.training
    not_a_model = ui.path.parent / "empty-folder"
    not_a_model.mkdir()
    panel.form.model.setEditText(str(not_a_model))  # the run fails at once, with a dialog
    panel.form.editors["epochs"].setValue(1)
    qtbot.mouseClick(panel.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=60_000)
    assert dialogs.texts("warning")
    qtbot.waitUntil(ui.editor.hasFocus, timeout=2000)
    ui.key(Qt.Key.Key_Right)
    assert ui.selected_text() == "Mensah"
    ui.key("3")
    assert ui.spans() == [ui.entity("Mensah", "LOC")]


def test_escape_returns_the_keyboard_to_the_editor(make_project, open_window, qtbot):
    ui = open_window(make_project([FIRST]))
    field = ui.window.training.findChildren(QLineEdit)[0]
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert ui.editor.hasFocus()
    ui.key(Qt.Key.Key_Right)
    assert ui.selected_text() == "Mensah"
    ui.key(Qt.Key.Key_Escape)  # in the editor, Esc still deselects the entity
    assert ui.editor.hasFocus()


# -- 5. help -------------------------------------------------------------------------------


def test_an_unknown_key_tells_where_the_keys_are(make_project, open_window):
    ui = open_window(make_project([FIRST]))
    ui.key("q")
    assert ui.window.statusBar().currentMessage() == "'q' is not a label key; F1 lists the keys"
    assert ui.spans() == []


def test_f1_and_question_mark_show_the_real_key_map(make_project, open_window, qtbot):
    ui = open_window(make_project([FIRST]))
    ui.key(Qt.Key.Key_F1)
    sheet = ui.window.keyboard.sheet
    assert sheet is not None and sheet.isVisible()
    hotkeys = {label.name: label.hotkey for label in ui.state.labels}
    for name, hotkey in hotkeys.items():
        assert ("Labels", hotkey, f"Tag or relabel as {name}") in sheet.rows
    window_keys = {keys for section, keys, _ in sheet.rows if section == "Window"}
    assert {"Ctrl+T", "Ctrl+L", "Ctrl+K", "F1"} <= window_keys
    assert any(keys == "Ctrl+Z" for keys in window_keys)
    sheet.close()
    qtbot.waitUntil(ui.editor.hasFocus, timeout=2000)
    ui.key("?")
    assert ui.window.keyboard.sheet.isVisible()
