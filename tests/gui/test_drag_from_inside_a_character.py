"""A drag takes whole the tokens under its press and its pointer: pressing on the right half
of 上 in 上海 and dragging onto the left half of 海 selects 上海, not 海 alone (the press
is judged by the character under it, not by the cursor position nearest to it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

CHINESE = "张三在上海工作。"
LATIN = "Anna Berg works for Acme."


def point_in(ui, offset: int, fraction: float) -> QPoint:
    """Viewport point ``fraction`` of the way across the character at ``offset``."""
    cursor = QTextCursor(ui.editor.document())
    cursor.setPosition(ui.qt_position(offset))
    left = ui.editor.cursorRect(cursor)
    cursor.setPosition(ui.qt_position(offset + 1))
    right = ui.editor.cursorRect(cursor)
    assert left.top() == right.top(), "the character wraps; pick another"
    x = left.left() + round((right.left() - left.left()) * fraction)
    return QPoint(x, left.center().y())


def drag(ui, press: QPoint, to: QPoint) -> None:
    viewport, button = ui.editor.viewport(), Qt.MouseButton.LeftButton
    ui.qtbot.mousePress(viewport, button, Qt.KeyboardModifier.NoModifier, press)
    ui.qtbot.mouseMove(viewport, to)
    assert ui.editor.selection is not None
    ui.qtbot.mouseRelease(viewport, button, pos=to)


@pytest.mark.parametrize("fraction", [0.5, 0.75, 0.9])
def test_a_drag_from_inside_a_han_character_to_the_next_selects_both(
    make_project, open_window, fraction
):
    ui = open_window(make_project([CHINESE]))
    shang = ui.at("上")
    drag(ui, point_in(ui, shang, fraction), point_in(ui, shang + 1, 1 - fraction))
    assert ui.selected_text() == "上海"
    ui.key("3")
    assert ui.spans() == [ui.entity("上海", "LOC")]
    assert ui.background("上海") == ui.label_color("LOC")


@pytest.mark.parametrize("fraction", [0.5, 0.75, 0.9])
def test_a_leftward_drag_between_han_characters_selects_both(make_project, open_window, fraction):
    ui = open_window(make_project([CHINESE]))
    hai = ui.at("海")
    drag(ui, point_in(ui, hai, 1 - fraction), point_in(ui, hai - 1, fraction))
    assert ui.selected_text() == "上海"


@pytest.mark.parametrize("fraction", [0.75, 0.9])
def test_a_drag_from_the_last_letter_of_a_word_takes_the_word(make_project, open_window, fraction):
    ui = open_window(make_project([LATIN]))
    a = ui.at("Anna", 3)  # its last letter
    drag(ui, point_in(ui, a, fraction), point_in(ui, ui.at("Berg"), 1 - fraction))
    assert ui.selected_text() == "Anna Berg"
    # And leftwards: from the first letter of "Berg" back onto the last of "Anna".
    drag(ui, point_in(ui, ui.at("Berg"), 1 - fraction), point_in(ui, a, fraction))
    assert ui.selected_text() == "Anna Berg"
