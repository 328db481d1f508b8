"""Tag all occurrences of the selected entity, in the document (Ctrl+T) and in every
unfinished document (Ctrl+Shift+T, after a confirmation); one undo step either way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nerstudio.core.records import Status

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
HERE = "Paris is big. I love Paris and Paris loves me."
DOCS = [
    (HERE, [], Status.IN_PROGRESS),  # opens first: the first unfinished document
    "Flights to Paris are cheap.",
    ("Paris in spring is done already.", [], Status.DONE),
    ("Paris again, and Paris.", [], Status.IN_PROGRESS),
    "Nothing to find here.",
]


def paris(text: str) -> list[tuple[int, int, str]]:
    out, start = [], text.find("Paris")
    while start >= 0:
        out.append((start, start + 5, "LOC"))
        start = text.find("Paris", start + 1)
    return out


def tag_first_paris(ui) -> None:
    ui.double_click(ui.at("Paris", 1))
    ui.key("3")
    assert ui.editor.selected_span is not None


def test_tag_all_in_document_and_undo_in_one_step(make_project, open_window):
    ui = open_window(make_project([HERE, "Flights to Paris are cheap."]))
    tag_first_paris(ui)

    ui.key(Qt.Key.Key_T, CTRL)  # Edit > Tag all occurrences in this document

    assert ui.spans() == paris(HERE)
    assert len(ui.spans()) == 3
    assert ui.spans(2) == []  # other documents untouched
    assert [ui.background("Paris", nth) for nth in range(3)] == [ui.label_color("LOC")] * 3
    assert "Tagged 2 more as LOC" in ui.window.statusBar().currentMessage()

    ui.undo()
    assert ui.spans() == paris(HERE)[:1]  # both added ones go in one step
    ui.redo()
    assert ui.spans() == paris(HERE)


def test_tag_all_through_controller_without_selection_says_why(make_project, open_window):
    ui = open_window(make_project([HERE]))
    ui.window.controller.tag_all(False)
    assert ui.spans() == []
    assert ui.editor.banner.isVisible()
    assert "select an entity" in ui.editor.banner.text().lower()


def test_tag_all_across_documents_skips_done_ones(make_project, open_window, dialogs):
    ui = open_window(make_project(DOCS))
    assert ui.document_id == 1
    tag_first_paris(ui)
    dialogs.answer = QMessageBox.StandardButton.Yes

    ui.key(Qt.Key.Key_T, CTRL | SHIFT)

    questions = dialogs.texts("question")
    assert len(questions) == 1
    assert "Tag 5 occurrences of 'Paris' as LOC in 3 documents" in questions[0]
    assert ui.spans(1) == paris(HERE)
    assert ui.spans(2) == paris(DOCS[1])
    assert ui.spans(3) == []  # done: untouched
    assert ui.status(3) is Status.DONE
    assert ui.spans(4) == paris(DOCS[3][0])
    assert ui.spans(5) == []
    assert ui.status(2) is Status.IN_PROGRESS  # it has been worked on now

    ui.undo()
    assert ui.spans(1) == paris(HERE)[:1]
    assert ui.spans(2) == ui.spans(4) == []
    assert ui.status(2) is Status.NEW
    assert ui.status(4) is Status.IN_PROGRESS


def test_tag_all_across_documents_declined_changes_nothing(make_project, open_window, dialogs):
    ui = open_window(make_project(DOCS))
    tag_first_paris(ui)
    dialogs.answer = QMessageBox.StandardButton.No

    ui.window.controller.tag_all(True)

    assert len(dialogs.texts("question")) == 1
    assert ui.spans(1) == paris(HERE)[:1]
    assert ui.spans(2) == ui.spans(4) == []
    assert ui.state.undo_stack.count() == 1
