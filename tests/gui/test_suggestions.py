"""The active model's suggestions in the editor: A accepts, Shift+A accepts all, X rejects;
suggestions never become gold by themselves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

TEXT = "Anna Berg flew to Paris to meet Omar Haddad"


@pytest.fixture
def window(qtbot, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    path = tmp_path / "s.db"
    with Project.create(path, ["PER", "LOC"]) as project:
        (doc,) = project.documents.add([DocumentRecord(TEXT, tuple(tokenize(TEXT)))]).document_ids
        run = project.runs.start("r1", "tiny", "full", {}, str(tmp_path / "r1"))
        project.runs.finish(run.id, "completed", {})
        suggestions = [
            ScoredSpan(0, 9, "PER", 0.97),
            ScoredSpan(18, 23, "LOC", 0.55),
            ScoredSpan(32, 43, "PER", 0.91),
        ]
        project.predictions.save(run.id, [(doc, suggestions, {"mnlp": 0.2})])
        project.runs.set_active("r1")
    from nerstudio.gui.app import create_window

    win = create_window(path)
    qtbot.addWidget(win)
    win.show()
    win.editor.setFocus()
    return win


def gold(window) -> list[tuple[int, int, str]]:
    with Project.open(window.state.project.path) as project:
        return [(s.start, s.end, s.label) for s in project.spans.list(1)]


def test_suggestions_show_but_are_not_gold(window):
    assert [s.label for s in window.editor.suggestions] == ["PER", "LOC", "PER"]
    assert gold(window) == []


def test_a_accepts_the_suggestion_under_the_cursor_and_undo_brings_it_back(qtbot, window):
    editor = window.editor
    assert editor.selected_offsets() == (0, 4)  # the first token, inside "Anna Berg"
    qtbot.keyClick(editor, Qt.Key.Key_A)
    assert gold(window) == [(0, 9, "PER")]
    assert [s.start for s in editor.suggestions] == [18, 32]  # the accepted one is gold now
    assert editor.selected_span is not None and editor.selected_span.label == "PER"
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(window) == []
    assert [s.start for s in editor.suggestions] == [0, 18, 32]


def test_shift_a_accepts_all_and_x_rejects_one(qtbot, window):
    editor = window.editor
    for _ in range(4):  # Anna -> Berg -> flew -> to -> Paris
        qtbot.keyClick(editor, Qt.Key.Key_Right)
    assert TEXT[slice(*editor.selected_offsets())] == "Paris"
    qtbot.keyClick(editor, Qt.Key.Key_X)
    assert [s.start for s in editor.suggestions] == [0, 32]
    with Project.open(window.state.project.path) as project:
        stored = project.predictions.get(project.runs.get("r1").id, 1)
        assert [s.start for s in stored.spans] == [0, 32]  # the rejection is kept
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert gold(window) == [(0, 9, "PER"), (32, 43, "PER")]
    assert editor.suggestions == []


def test_x_is_undoable_and_redoable(qtbot, window):
    editor = window.editor
    for _ in range(4):
        qtbot.keyClick(editor, Qt.Key.Key_Right)
    qtbot.keyClick(editor, Qt.Key.Key_X)
    assert [s.start for s in editor.suggestions] == [0, 32]
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [(s.start, s.label, s.score) for s in editor.suggestions] == [
        (0, "PER", 0.97),
        (18, "LOC", 0.55),
        (32, "PER", 0.91),
    ]
    qtbot.keyClick(
        editor,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [s.start for s in editor.suggestions] == [0, 32]
    assert gold(window) == []  # rejecting never touches gold


def test_changing_a_suggestions_label_makes_it_gold(qtbot, window):
    """Relabelling the suggestion under the cursor with a label key turns it into gold."""
    editor = window.editor
    for _ in range(4):
        qtbot.keyClick(editor, Qt.Key.Key_Right)
    qtbot.keyClick(editor, Qt.Key.Key_1)  # PER's key, on the LOC suggestion "Paris"
    assert (18, 23, "PER") in gold(window)
    assert [s.start for s in editor.suggestions] == [0, 32]


def test_hovering_a_suggestion_tells_its_confidence(window):
    editor = window.editor
    rect = editor._span_rects(18, 23)[0]  # "Paris", LOC? 0.55
    text = editor.hover_text(rect.center().toPoint())
    assert text.startswith("Suggestion: LOC, confidence 0.55")
    assert editor.hover_text(editor._span_rects(10, 14)[0].center().toPoint()) is None  # flew


def test_under_review_a_replaces_the_gold_span_the_model_disagrees_with(qtbot, window):
    with Project.open(window.state.project.path) as project:
        project.spans.add(1, 18, 23, "PER")  # a slip: Paris tagged PER
        project.documents.set_status([1], "done")
    window.state.open_document(1)
    assert window.editor.suggestions == []  # done, opened as any other: gold alone
    window.review.open_for_review(1)
    editor = window.editor
    assert [(s.start, s.label) for s in editor.suggestions] == [
        (0, "PER"),
        (18, "LOC"),
        (32, "PER"),
    ]  # a done document shows where the model disagrees, beside the gold
    for _ in range(4):
        qtbot.keyClick(editor, Qt.Key.Key_Right)
    assert TEXT[slice(*editor.selected_offsets())] == "Paris"
    qtbot.keyClick(editor, Qt.Key.Key_A)
    assert gold(window) == [(18, 23, "LOC")]
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert gold(window) == [(18, 23, "PER")]  # one undo step brings the old gold back
