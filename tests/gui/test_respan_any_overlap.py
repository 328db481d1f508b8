"""A label key over a selection that overlaps entities in any way (starting inside one,
ending inside one, covering several) is one undo step that replaces them with one entity;
the store's raw "span 31-39 (ORG) overlaps 31-35 (ORG)" never reaches the user.

The rule: the new entity covers the selection, grown to take in whole every entity the
selection cuts into (one it shares no edge with); an entity that shares an edge with the
selection is re-spanned to it (extended or shrunk), as before.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from nerstudio.core.records import Status

SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
CLUB = "The fans of Port Elm Rovers cheered for Kofi Mensah in Accra."
STORE_ERROR = re.compile(r"span \d+-\d+ .*overlaps \d+-\d+")


def type_key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key as a person types it: to whichever widget has the keyboard now."""
    focused = QApplication.focusWidget()
    assert focused is not None and focused.isVisible(), f"keys go to a hidden {focused!r}"
    qtbot.keyClick(focused, key, modifier)


def seen(ui) -> list[str]:
    """Every notice the user was shown: the editor's banner and the status bar."""
    return [ui.editor.banner.text(), ui.window.statusBar().currentMessage()]


def assert_no_store_error(ui) -> None:
    for text in seen(ui):
        assert not STORE_ERROR.search(text), text


@pytest.fixture
def club(make_project, open_window):
    return open_window(make_project([(CLUB, [("Port", "ORG"), ("Elm Rovers", "ORG")])]))


def test_extending_an_entity_into_its_neighbour_merges_them_in_one_undo_step(club, qtbot):
    ui = club
    before = ui.spans()
    ui.click(ui.at("Port", 1))
    assert ui.selected_text() == "Port"
    assert ui.editor.selected_span is not None  # the entity is chosen
    type_key(qtbot, Qt.Key.Key_Right, SHIFT)
    assert ui.selected_text() == "Port Elm"  # ends inside "Elm Rovers"
    type_key(qtbot, "2")

    assert_no_store_error(ui)
    assert ui.spans() == [ui.entity("Port Elm Rovers", "ORG")]
    stack = ui.state.undo_stack
    assert stack.count() == 1
    assert stack.undoText() == "Merge 2 entities into ORG"
    assert ui.background("Port Elm Rovers") == ui.label_color("ORG")
    assert ui.editor.selected_span is not None
    ui.undo()
    assert ui.spans() == before
    assert ui.status() is Status.NEW
    ui.redo()
    assert ui.spans() == [ui.entity("Port Elm Rovers", "ORG")]


def test_extending_a_plain_word_into_an_entity_takes_the_entity_whole(club, qtbot):
    ui = club
    ui.click(ui.at("of", 1))
    type_key(qtbot, Qt.Key.Key_Right, SHIFT)
    type_key(qtbot, Qt.Key.Key_Right, SHIFT)
    assert ui.selected_text() == "of Port Elm"
    type_key(qtbot, "3")

    assert_no_store_error(ui)
    assert ui.spans() == [ui.entity("of Port Elm Rovers", "LOC")]
    assert ui.state.undo_stack.count() == 1
    ui.undo()
    assert ui.spans() == [ui.entity("Port", "ORG"), ui.entity("Elm Rovers", "ORG")]


def test_a_drag_starting_inside_an_entity_takes_it_whole(club):
    ui = club
    ui.drag(ui.at("Rovers", 2), ui.at("cheered", 2))  # starts inside "Elm Rovers"
    assert ui.selected_text() == "Rovers cheered"
    ui.key("1")

    assert_no_store_error(ui)
    assert ui.spans() == [ui.entity("Port", "ORG"), ui.entity("Elm Rovers cheered", "PER")]
    assert ui.state.undo_stack.undoText() == "Re-span as PER"


def test_a_label_key_on_a_word_inside_an_entity_relabels_it_whole(make_project, open_window):
    ui = open_window(make_project([(CLUB, [("Port Elm Rovers", "ORG")])]))
    ui.double_click(ui.at("Elm", 1))  # the middle word: the entity itself is not chosen
    assert ui.editor.selected_span is None
    ui.key("3")

    assert_no_store_error(ui)
    assert ui.spans() == [ui.entity("Port Elm Rovers", "LOC")]
    assert ui.state.undo_stack.count() == 1


def test_a_selection_sharing_an_edge_still_shrinks_the_entity(club):
    ui = club
    ui.double_click(ui.at("Elm", 1))
    ui.key("3")
    assert ui.spans() == [ui.entity("Port", "ORG"), ui.entity("Elm", "LOC")]
    assert ui.state.undo_stack.undoText() == "Re-span as LOC"


def test_an_armed_drag_over_entities_merges_them(club):
    ui = club
    ui.window.label_bar.armedChanged.emit("LOC")
    ui.drag(ui.at("of", 1), ui.at("Elm", 1))

    assert_no_store_error(ui)
    assert ui.spans() == [ui.entity("of Port Elm Rovers", "LOC")]
    assert ui.state.undo_stack.count() == 1


def test_tag_all_skips_an_occurrence_inside_an_existing_entity(make_project, open_window, qtbot):
    text = "Elm met Port Elm Rovers and Elm again."
    ui = open_window(make_project([(text, [("Elm", "LOC"), ("Port Elm Rovers", "ORG")])]))
    assert ui.selected_text() == "Elm"
    type_key(qtbot, Qt.Key.Key_T, CTRL)

    assert_no_store_error(ui)
    assert ui.spans() == [
        ui.entity("Elm", "LOC"),
        ui.entity("Port Elm Rovers", "ORG"),
        ui.entity("Elm", "LOC", nth=2),
    ]


def test_shift_click_from_a_word_over_two_entities_into_a_third_merges_all(
    make_project, open_window
):
    text = "Port Elm Rovers beat Kofi Mensah United."
    entities = [("Port", "ORG"), ("Elm Rovers", "ORG"), ("Kofi Mensah", "PER")]
    ui = open_window(make_project([(text, entities)]))
    ui.click(ui.at("Port", 1))
    ui.press(ui.at("Kofi", 1), SHIFT)  # Shift+click: the selection reaches "Kofi"
    ui.release(ui.at("Kofi", 1))
    assert ui.selected_text() == "Port Elm Rovers beat Kofi"
    ui.key("2")

    assert_no_store_error(ui)
    assert ui.spans() == [ui.entity("Port Elm Rovers beat Kofi Mensah", "ORG")]
    assert ui.state.undo_stack.undoText() == "Merge 3 entities into ORG"
    ui.undo()
    assert ui.spans() == [ui.entity(needle, label) for needle, label in entities]
