"""The keyboard-only flow, the status bar's progress, and undo/redo through the window's
shortcuts (Ctrl+Z, Ctrl+Shift+Z)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nerstudio.core.records import Status

SHIFT = Qt.KeyboardModifier.ShiftModifier
FIRST = "Kofi Mensah visited Oslo on Monday."
DONE_ALREADY = ("Lima is far away.", [], Status.DONE)
THIRD = "Maria Rossi joined Globex."


def test_keyboard_only_flow(make_project, open_window):
    ui = open_window(make_project([FIRST, DONE_ALREADY, THIRD]))
    editor = ui.editor
    assert ui.document_id == 1

    # The document opens with the editor focused and its first token selected.
    assert editor.hasFocus()
    assert editor.selection == (0, 0)
    assert ui.selected_text() == "Kofi"
    assert ui.background("Kofi") == ui.selection_color

    ui.key(Qt.Key.Key_Right)
    assert ui.selected_text() == "Mensah"
    ui.key(Qt.Key.Key_Right)
    assert ui.selected_text() == "visited"
    ui.key(Qt.Key.Key_Left)
    assert ui.selected_text() == "Mensah"
    ui.key(Qt.Key.Key_Left)
    assert editor.selection == (0, 0)
    ui.key(Qt.Key.Key_Left)  # already at the first token
    assert editor.selection == (0, 0)

    ui.key(Qt.Key.Key_Right, SHIFT)
    assert ui.selected_text() == "Kofi Mensah"
    ui.key(Qt.Key.Key_Right, SHIFT)
    assert ui.selected_text() == "Kofi Mensah visited"
    ui.key(Qt.Key.Key_Left, SHIFT)  # shrinks from the right end
    assert ui.selected_text() == "Kofi Mensah"
    assert ui.background("Kofi Mensah") == ui.selection_color

    ui.key("2")
    assert ui.spans(1) == [(0, 11, "ORG")]
    assert ui.background("Kofi Mensah") == ui.label_color("ORG")
    assert ui.window.progress_text.text() == "1 of 3 done"

    ui.key(Qt.Key.Key_Return)

    assert ui.status(1) is Status.DONE
    assert ui.document_id == 3  # document 2 was done already: skipped
    assert ui.text == THIRD
    assert editor.hasFocus()
    assert editor.selection == (0, 0)
    assert ui.window.progress_text.text() == "2 of 3 done"


def test_status_bar_counts_done_documents(make_project, open_window):
    ui = open_window(make_project([FIRST, DONE_ALREADY, THIRD, "One more."]))
    assert ui.window.progress_text.text() == "1 of 4 done"
    assert ui.window.progress_text.isVisible()

    ui.key(Qt.Key.Key_Return)
    assert ui.window.progress_text.text() == "2 of 4 done"
    ui.undo()
    assert ui.window.progress_text.text() == "1 of 4 done"


def test_undo_redo_create_relabel_delete_and_status(make_project, open_window):
    ui = open_window(make_project([FIRST, THIRD]))
    kofi = ui.entity("Kofi Mensah", "PER")
    oslo = ui.entity("Oslo", "LOC")

    ui.key(Qt.Key.Key_Right, SHIFT)
    ui.key("1")  # create Kofi Mensah PER
    ui.double_click(ui.at("Oslo", 1))
    ui.key("3")  # create Oslo LOC
    ui.key("2")  # relabel Oslo -> ORG
    ui.click(ui.at("Kofi", 1))
    ui.key(Qt.Key.Key_Delete)  # delete Kofi Mensah
    ui.key(Qt.Key.Key_Return)  # done, opens document 2

    orgo = (oslo[0], oslo[1], "ORG")
    history = [
        ([], Status.NEW),
        ([kofi], Status.IN_PROGRESS),
        ([kofi, oslo], Status.IN_PROGRESS),
        ([kofi, orgo], Status.IN_PROGRESS),
        ([orgo], Status.IN_PROGRESS),
        ([orgo], Status.DONE),
    ]
    assert ui.state.undo_stack.count() == 5
    assert (ui.spans(1), ui.status(1)) == history[-1]
    assert ui.document_id == 2

    for expected in reversed(history[:-1]):
        ui.undo()
        assert (ui.spans(1), ui.status(1)) == expected
    ui.undo()  # nothing left: no change
    assert (ui.spans(1), ui.status(1)) == history[0]

    for expected in history[1:]:
        ui.redo()
        assert (ui.spans(1), ui.status(1)) == expected


def test_undo_redo_is_painted_in_the_shown_document(make_project, open_window):
    ui = open_window(make_project([FIRST]))
    ui.double_click(ui.at("Oslo", 2))
    ui.key("3")
    assert ui.background("Oslo") == ui.label_color("LOC")

    ui.undo()
    assert ui.spans() == []
    assert ui.background("Oslo") != ui.label_color("LOC")
    assert ui.caption_below("Oslo") is None
    assert ui.status() is Status.NEW  # the first edit's "in progress" is undone too

    ui.redo()
    assert ui.spans() == [ui.entity("Oslo", "LOC")]
    assert ui.caption_below("Oslo") is not None
    ui.key(Qt.Key.Key_Right)  # the token cursor moves on; the entity shows in its color
    assert ui.selected_text() == "on"
    assert ui.background("Oslo") == ui.label_color("LOC")


def test_entity_restored_by_undo_under_the_cursor_is_selected_again(make_project, open_window):
    ui = open_window(make_project([(FIRST, [("Oslo", "LOC")])]))
    ui.click(ui.at("Oslo", 1))
    assert ui.editor.selected_span is not None
    ui.key(Qt.Key.Key_Delete)
    assert ui.spans() == []

    ui.undo()  # the entity is back, under the token cursor
    assert ui.spans() == [ui.entity("Oslo", "LOC")]
    ui.key("2")  # as before the delete, a label key relabels the entity under the cursor

    assert ui.spans() == [ui.entity("Oslo", "ORG")]
    assert not ui.editor.banner.isVisible(), ui.editor.banner.text()


def test_right_arrow_leaves_an_entity_the_document_opens_on(make_project, open_window):
    ui = open_window(make_project([(FIRST, [("Kofi Mensah", "PER")])]))
    # The token cursor starts on the entity: the whole entity is what is selected.
    assert ui.editor.selected_span is not None
    assert ui.editor.selected_span.label == "PER"

    ui.key(Qt.Key.Key_Right)  # one step to the next token, as from any selected entity

    assert ui.selected_text() == "visited"
    assert ui.editor.selected_span is None


def test_after_choosing_a_model_the_keys_go_to_the_editor_and_the_model_is_its_name(
    make_project, open_window, qtbot
):
    from PySide6.QtWidgets import QApplication

    ui = open_window(make_project([FIRST]))
    ui.window.resize(1280, 720)
    combo = ui.window.training.form.model
    qtbot.mouseClick(combo.lineEdit(), Qt.MouseButton.LeftButton)  # the box has the keys
    assert combo.lineEdit().hasFocus()
    combo.showPopup()  # what a click on its arrow does
    popup = combo.view()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # a choice, made with the keyboard
    chosen = combo.itemData(combo.currentIndex())
    # The window is active again once the list closes (offscreen Qt leaves that to us).
    ui.window.activateWindow()
    qtbot.waitUntil(ui.window.isActiveWindow, timeout=3000)
    qtbot.waitUntil(ui.editor.hasFocus, timeout=3000)

    for key in (Qt.Key.Key_Right, "1"):  # typed to whatever has the keyboard now
        qtbot.keyClick(QApplication.focusWidget(), key)
    assert ui.spans(1) == [(5, 11, "PER")]  # "Mensah" tagged in the editor
    assert combo.lineEdit().text() == chosen  # the box holds the model's name, untouched
    assert ui.window.training.chosen_model() == chosen
    assert " — " not in ui.window.training.chosen_model()  # never the summary


def test_a_model_name_typed_into_the_box_is_the_model(make_project, open_window, qtbot):
    ui = open_window(make_project([FIRST]))
    combo = ui.window.training.form.model
    combo.setCurrentIndex(1)
    combo.lineEdit().setFocus()
    combo.lineEdit().selectAll()
    qtbot.keyClicks(combo.lineEdit(), "my-org/my-model")

    assert ui.window.training.chosen_model() == "my-org/my-model"
