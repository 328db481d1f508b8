"""Tagging with the mouse: token-snapped drags, double-click, armed labels, click to select
an entity, refusals. Each result is checked in the file (a fresh connection: autosave)
and in the pixels the editor paints."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from nerstudio.core.records import Status

SENTENCE = "Anna Berg works for (Acme Corp) in Paris, said Omar."
OTHER = "Nothing to see here."
TAGGED = (SENTENCE, [("Anna Berg", "PER"), ("Acme Corp", "ORG")])


def test_drag_snaps_live_to_whole_words_and_hotkey_tags_them(make_project, open_window):
    ui = open_window(make_project([SENTENCE, OTHER]))

    ui.press(ui.at("Anna", 2))  # middle of "Anna"
    ui.move(ui.at("Berg", 1))  # middle of "Berg"
    # Before release the live selection already covers both words, whole.
    assert ui.editor.selection == (0, 1)
    assert ui.selected_text() == "Anna Berg"
    assert ui.background("Anna Berg") == ui.selection_color
    assert ui.background("works") == ui.plain
    ui.release(ui.at("Berg", 1))
    assert ui.selected_text() == "Anna Berg"
    assert ui.spans() == []  # a drag alone stores nothing

    ui.key("1")

    assert ui.spans() == [(0, 9, "PER")]
    assert ui.background("Anna Berg") == ui.label_color("PER")
    assert ui.editor.selected_span is not None and ui.editor.selected_span.label == "PER"
    assert ui.status() is Status.IN_PROGRESS


def test_drag_drops_punctuation_tokens_at_the_edges(make_project, open_window):
    ui = open_window(make_project([SENTENCE]))

    ui.press(ui.at("("))
    ui.move(ui.at(")"))
    assert ui.selected_text() == "Acme Corp"  # "(" and ")" are left out
    assert ui.background("(") == ui.plain
    ui.release(ui.at(")"))
    ui.key("2")

    assert ui.spans() == [ui.entity("Acme Corp", "ORG")]
    assert ui.background("Acme Corp") == ui.label_color("ORG")


def test_drag_backwards_keeps_inner_punctuation(make_project, open_window):
    ui = open_window(make_project([SENTENCE]))

    ui.press(ui.at("said", 2))
    ui.move(ui.at("Paris", 1))
    assert ui.selected_text() == "Paris, said"
    ui.release(ui.at("Paris", 1))
    ui.key("3")

    start = ui.at("Paris")
    assert ui.spans() == [(start, start + len("Paris, said"), "LOC")]


def test_double_click_and_hotkey_then_second_key_relabels(make_project, open_window):
    ui = open_window(make_project([SENTENCE]))

    ui.double_click(ui.at("Paris", 3))
    assert ui.selected_text() == "Paris"
    ui.key("1")
    assert ui.spans() == [ui.entity("Paris", "PER")]

    ui.key("3")  # the new entity is still selected: this relabels it, adds nothing

    assert ui.spans() == [ui.entity("Paris", "LOC")]
    assert ui.background("Paris") == ui.label_color("LOC")


def test_caption_chip_is_painted_under_an_entity(make_project, open_window):
    ui = open_window(make_project([SENTENCE]))
    assert ui.caption_below("Omar") is None

    ui.double_click(ui.at("Omar", 1))
    ui.key("2")

    chip = ui.caption_below("Omar")
    label = QColor(ui.label_color("ORG"))
    assert chip is not None
    assert abs(chip.hue() - label.hue()) <= 10  # a shade of the label's color
    assert chip.lightness() < label.lightness()
    assert ui.caption_below("works") is None


def test_armed_label_from_label_bar_tags_on_release(make_project, open_window, qtbot):
    ui = open_window(make_project([SENTENCE]))
    button = ui.window.label_bar.buttons["ORG"]

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier)
    assert button.isChecked()
    assert ui.state.armed_label == "ORG"

    ui.drag(ui.at("Acme", 1), ui.at("Corp", 2))  # no key pressed

    assert ui.spans() == [ui.entity("Acme Corp", "ORG")]
    assert ui.background("Acme Corp") == ui.label_color("ORG")


def test_armed_label_through_window_arm(make_project, open_window):
    ui = open_window(make_project([SENTENCE]))
    ui.window.arm("LOC")

    ui.drag(ui.at("Paris", 1), ui.at("Paris", 3))

    assert ui.spans() == [ui.entity("Paris", "LOC")]
    ui.window.arm(None)
    ui.drag(ui.at("Omar", 1), ui.at("Omar", 3))
    assert ui.spans() == [ui.entity("Paris", "LOC")]  # disarmed: a drag only selects
    assert ui.selected_text() == "Omar"


def test_click_entity_then_delete_removes_it(make_project, open_window):
    ui = open_window(make_project([TAGGED]))
    assert ui.background("Acme Corp") == ui.label_color("ORG")

    ui.click(ui.at("Corp", 1))  # a click on any word of an entity selects all of it
    assert ui.editor.selected_span is not None
    assert ui.selected_text() == "Acme Corp"
    ui.key(Qt.Key.Key_Delete)

    assert ui.spans() == [ui.entity("Anna Berg", "PER")]
    assert ui.background("Anna Berg") == ui.label_color("PER")
    assert ui.background("Acme Corp") != ui.label_color("ORG")
    assert ui.caption_below("Acme") is None


def test_click_entity_then_label_key_relabels_it(make_project, open_window):
    ui = open_window(make_project([TAGGED]))

    ui.click(ui.at("Acme", 2))
    ui.key("3")

    assert ui.spans() == [ui.entity("Anna Berg", "PER"), ui.entity("Acme Corp", "LOC")]
    assert ui.background("Acme Corp") == ui.label_color("LOC")
    ui.key("1")  # still selected: relabel again
    assert ui.spans() == [ui.entity("Anna Berg", "PER"), ui.entity("Acme Corp", "PER")]


def test_a_selection_cutting_into_an_entity_takes_it_whole(make_project, open_window):
    ui = open_window(make_project([TAGGED]))
    before = ui.spans()

    ui.drag(ui.at("for", 1), ui.at("Acme", 1))  # "for (Acme" cuts into "Acme Corp"
    assert ui.selected_text() == "for (Acme"
    ui.key("3")

    assert ui.spans() == [ui.entity("Anna Berg", "PER"), ui.entity("for (Acme Corp", "LOC")]
    assert not ui.editor.banner.isVisible()  # nothing refused
    assert ui.state.undo_stack.count() == 1
    assert ui.background("Acme Corp") == ui.label_color("LOC")
    ui.undo()
    assert ui.spans() == before


EMOJI = "🎉🎉 Party with 👩🏽‍💻 at Acme Corp tonight 🚀 in Paris."


def test_offsets_after_emoji_are_code_points(make_project, open_window):
    ui = open_window(make_project([(EMOJI, [("Paris", "LOC")])]))
    acme, paris = EMOJI.index("Acme"), EMOJI.index("Paris")
    # Qt counts each of these emoji as two positions (the woman technologist as more):
    assert ui.qt_position(paris) > paris + 4
    # The stored entity after the emoji is painted over exactly "Paris".
    assert ui.background("Paris") == ui.label_color("LOC")
    assert ui.background("in") == ui.plain

    ui.drag(ui.at("Acme", 1), ui.at("Corp", 2))
    assert ui.selected_text() == "Acme Corp"
    ui.key("2")
    ui.click(ui.at("tonight", 3))
    assert ui.selected_text() == "tonight"

    assert ui.spans() == [(acme, acme + 9, "ORG"), (paris, paris + 5, "LOC")]
    assert ui.background("Acme Corp") == ui.label_color("ORG")

    ui.click(ui.at("Paris", 2))
    assert ui.editor.selected_span is not None and ui.editor.selected_span.label == "LOC"
    ui.key(Qt.Key.Key_Delete)
    assert ui.spans() == [(acme, acme + 9, "ORG")]
