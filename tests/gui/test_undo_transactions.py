"""Each undo step (do, undo, redo) is one transaction: a step the file refuses half-way
leaves the project exactly as it was, and a gesture made of several edits is one step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nerstudio.core.errors import ProjectError
from nerstudio.core.records import Status
from nerstudio.core.store.documents import Documents
from nerstudio.core.store.spans import Spans
from tests.gui.conftest import stored_spans, stored_status
from tests.gui.test_correction_loop import suggested_project

SHIFT = Qt.KeyboardModifier.ShiftModifier
FIRST = "Kofi Mensah visited Oslo on Monday."


@pytest.fixture
def refuse(monkeypatch):
    """``refuse(Class, "method")``: that store call fails as a full disk would."""

    def install(owner, name: str, when=lambda *args: True) -> None:
        real = getattr(owner, name)

        def failing(self, *args, **kwargs):
            if when(*args):
                raise ProjectError("corpus.db: the disk is full; nothing was changed")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, failing)

    return install


def test_a_tag_refused_at_its_status_change_stores_no_span(make_project, open_window, refuse):
    """Tagging stores the span, then marks the document in progress: two store calls.
    When the second is refused, the first must not stay behind (it did: the span was
    stored, the step not on the stack)."""
    ui = open_window(make_project([FIRST]))
    refuse(Documents, "set_status")
    ui.key("1")  # "Kofi" is selected on open

    assert stored_spans(ui.path, 1) == []
    assert stored_status(ui.path, 1) is Status.NEW
    assert ui.state.undo_stack.count() == 0
    assert ui.spans() == []  # the screen shows the file


def test_an_undo_refused_half_way_leaves_the_edit_in_place(make_project, open_window, refuse):
    """Undo of a tag removes the span, then marks the document new again."""
    ui = open_window(make_project([FIRST]))
    ui.key("1")
    assert stored_spans(ui.path, 1) == [(0, 4, "PER")]
    refuse(Documents, "set_status")
    ui.undo()

    assert stored_spans(ui.path, 1) == [(0, 4, "PER")]
    assert stored_status(ui.path, 1) is Status.IN_PROGRESS
    assert ui.spans() == [(0, 4, "PER")]


def test_a_re_span_refused_at_its_add_keeps_the_old_entities(make_project, open_window, refuse):
    """Merging two entities removes both and adds one: one step, all or nothing."""
    ui = open_window(make_project([(FIRST, [("Kofi", "PER"), ("Mensah", "PER")])]))
    before = stored_spans(ui.path, 1)
    refuse(Spans, "add_many")
    ui.key(Qt.Key.Key_Right, SHIFT)
    ui.key("3")

    assert stored_spans(ui.path, 1) == before
    assert stored_status(ui.path, 1) is Status.NEW
    assert ui.state.undo_stack.count() == 0
    assert ui.spans() == before


def test_a_re_span_undo_refused_half_way_keeps_the_merge(make_project, open_window, refuse):
    """Its undo removes the new entity, then restores the old ones: refused at the
    second part, the first is rolled back too."""
    ui = open_window(make_project([(FIRST, [("Kofi", "PER"), ("Mensah", "PER")])]))
    ui.key(Qt.Key.Key_Right, SHIFT)
    ui.key("3")
    merged = stored_spans(ui.path, 1)
    assert merged == [(0, 11, "LOC")]
    refuse(Spans, "restore")
    ui.undo()

    assert stored_spans(ui.path, 1) == merged
    assert stored_status(ui.path, 1) is Status.IN_PROGRESS


def test_accept_and_mark_done_refused_at_done_accepts_nothing(
    make_project, open_window, refuse, dialogs
):
    """Enter with suggestions on screen: accept them and mark done, as one step."""
    ui = open_window(suggested_project(make_project))
    dialogs.answer = QMessageBox.StandardButton.Yes
    refuse(Documents, "set_status", when=lambda ids, status: Status(status) is Status.DONE)
    ui.key(Qt.Key.Key_Return)

    assert stored_spans(ui.path, 1) == []
    assert stored_status(ui.path, 1) is Status.NEW
    assert ui.state.undo_stack.count() == 0
    assert ui.document_id == 1  # not moved on: nothing was stored


def test_pasting_text_adds_and_opens_one_document(make_project, open_window):
    """The paste goes through the core use case (``import_text``), not the store."""
    from PySide6.QtGui import QGuiApplication

    ui = open_window(make_project([FIRST]))
    QGuiApplication.clipboard().setText("  Lima is far away.\n")
    ui.window.corpus.paste_document()
    assert ui.document_id == 2
    assert ui.text == "Lima is far away."
    assert ui.window.documents.rowCount() == 2
