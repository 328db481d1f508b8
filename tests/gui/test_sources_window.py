"""A fresh project with no annotations gets suggestions in the window from a dictionary
file, from a model folder and from what the person tags (issue 26): run in the background
from Document > Suggest from, accepted and rejected with the usual keys, the queue ordered
by them; nothing reaches gold without an accept."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from nerstudio.core.active import DEFAULT_STRATEGY
from nerstudio.core.sources import SourceOptions, open_source
from nerstudio.core.sources.running import suggest_unfinished
from nerstudio.core.store import Project
from nerstudio.gui.controllers.sources import BUSY
from tests.core.test_sources_model import tagging_model

DOCS = [
    "Anna Berg lives in Oslo .",
    "Washington met Washington in Oslo .",
    "Nothing here .",
    "Lima is far from Oslo and Lima .",
]
GAZETTEER = "Oslo\tLOC\nLima\tLOC\nWashington\tLOC\nWashington\tPER\nAnna Berg\tPER\n"


def _menu_action(window, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Document")
    suggest = next(a.menu() for a in menu.actions() if a.text() == "Suggest &from")
    return next(a for a in suggest.actions() if a.text() == text)


def _run_source(qtbot, window, action: str) -> None:
    _menu_action(window, action).trigger()
    assert window.sources.is_running()
    qtbot.waitUntil(lambda: not window.sources.is_running(), timeout=120_000)


def _gold(path: Path) -> list[list[tuple[int, int, str]]]:
    with Project.open(path) as project:
        return [[(s.start, s.end, s.label) for s in project.spans.list(d)] for d in range(1, 5)]


def test_a_dictionary_file_suggests_orders_the_queue_and_keys_accept_and_reject(
    qtbot, make_project, open_window, tmp_path, monkeypatch
):
    path = make_project(DOCS)
    gazetteer = tmp_path / "places.tsv"
    gazetteer.write_text(GAZETTEER, encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(gazetteer), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    driver = open_window(path)
    window, editor = driver.window, driver.editor
    _run_source(qtbot, window, "&Dictionary file…")
    assert window.sources.active_text.text() == "Suggestions: dictionary-places (dictionary)"
    assert _gold(path) == [[], [], [], []]  # suggestions only
    assert [(s.start, s.label) for s in editor.suggestions] == [(0, "PER"), (19, "LOC")]
    # the queue: by the dictionary's ambiguity (the two Washingtons first)
    order = window.document_list.order
    assert order.currentData() == DEFAULT_STRATEGY
    qtbot.waitUntil(lambda: window.state.queue is not None, timeout=10_000)
    assert window.state.queue[0] == 2
    # A accepts the suggestion under the cursor; X rejects one (and the source learns it)
    assert editor.selected_offsets() == (0, 4)
    qtbot.keyClick(editor, Qt.Key.Key_A)
    for _ in range(3):  # the accepted "Anna Berg" -> lives -> in -> Oslo
        qtbot.keyClick(editor, Qt.Key.Key_Right)
    assert DOCS[0][slice(*editor.selected_offsets())] == "Oslo"
    qtbot.keyClick(editor, Qt.Key.Key_X)
    assert _gold(path)[0] == [(0, 9, "PER")]
    assert editor.suggestions == []
    with Project.open(path) as project:
        run = project.runs.active()
        assert dict(project.dictionaries.rejections(run.id)) == {("oslo", "LOC"): 1}


def test_tagging_suggests_the_other_occurrences_at_once(qtbot, make_project, open_window):
    path = make_project(DOCS)
    driver = open_window(path)
    window, editor = driver.window, driver.editor
    _run_source(qtbot, window, "What I have &tagged (learnt dictionary)")
    assert window.sources.active_text.text() == "Suggestions: learnt (dictionary)"
    window.state.open_document(4)
    qtbot.waitUntil(lambda: window.state.document.id == 4)
    driver.drag(driver.at("Lima"), driver.at("Lima") + 4)
    driver.key(Qt.Key.Key_3)  # LOC
    second = DOCS[3].rindex("Lima")
    assert [(s.start, s.end, s.label) for s in editor.suggestions] == [(second, second + 4, "LOC")]
    assert _gold(path)[3] == [(0, 4, "LOC")]
    window.state.open_document(1)  # a document opened after it gets it too: Oslo
    window.state.open_document(4)
    assert [s.start for s in editor.suggestions] == [second]


def test_a_project_suggested_from_the_command_line_opens_in_queue_order(
    qtbot, make_project, open_window, tmp_path
):
    """``nerstudio suggest`` ran before the window opened (its core call here): the list
    opens in the active-learning order by the source's scores, the ambiguous Washingtons
    first. A project without a source opens by number; switching to the suggested one
    (File > Open, not a new window) turns the list to its queue too."""
    path = make_project(DOCS)
    gazetteer = tmp_path / "places.tsv"
    gazetteer.write_text(GAZETTEER, encoding="utf-8")
    with Project.open(path) as project:
        options = SourceOptions(labels=("PER", "ORG", "LOC"))
        suggest_unfinished(project, open_source(f"dictionary:{gazetteer}", options))
    driver = open_window(path)
    window = driver.window
    order = window.document_list.order
    qtbot.waitUntil(lambda: order.currentData() == DEFAULT_STRATEGY, timeout=5_000)
    qtbot.waitUntil(lambda: window.state.queue is not None, timeout=10_000)
    queue = window.state.queue
    assert queue[0] == 2 and queue[1] != 3, queue  # the row below 2 is not next
    qtbot.waitUntil(lambda: not window.documents.ordering.is_running(), timeout=5_000)
    driver.window.state.open_document(queue[0])
    driver.key(Qt.Key.Key_PageDown)  # the key follows the queue the list now shows
    assert window.state.document.id == queue[1], queue

    plain = open_window(make_project(["Plain text ."], name="plain.db")).window
    qtbot.wait(50)
    assert plain.document_list.order.currentData() is None  # no source: by number
    plain.state.open_project(path)
    qtbot.waitUntil(lambda: plain.document_list.order.currentData() == DEFAULT_STRATEGY)
    qtbot.waitUntil(lambda: plain.state.queue is not None, timeout=10_000)
    assert plain.state.queue[0] == 2


@pytest.fixture(scope="module")
def city_model(tiny_model, tmp_path_factory) -> Path:
    return tagging_model(tiny_model, tmp_path_factory.mktemp("m") / "city-model", "B-CITY")


def test_a_model_folder_suggests_with_its_labels_mapped(
    qtbot, make_project, open_window, city_model
):
    """The model's run is the core call the Suggest child makes (``suggest_unfinished``),
    here in the test's process, where torch is loaded already: the child's path is the
    dictionary test's."""
    path = make_project(DOCS)
    with Project.open(path) as project:
        options = SourceOptions(labels=("PER", "ORG", "LOC"), label_map={"CITY": "LOC"})
        suggest_unfinished(project, open_source(f"model:{city_model}", options))
    driver = open_window(path)
    window, editor = driver.window, driver.editor
    assert window.sources.active_text.text() == "Suggestions: model-city-model (model)"
    assert {s.label for s in editor.suggestions} == {"LOC"} and len(editor.suggestions) == 6
    assert _gold(path) == [[], [], [], []]
    qtbot.keyClick(editor, Qt.Key.Key_A)
    assert _gold(path)[0] == [(0, 4, "LOC")]
    window.document_list.order.setCurrentIndex(window.document_list.order.findData("mnlp"))
    qtbot.waitUntil(lambda: window.state.queue is not None, timeout=10_000)
    assert sorted(window.state.queue) == [1, 2, 3, 4]


def test_a_failing_suggest_child_shows_the_users_one_line(
    qtbot, make_project, open_window, tmp_path, monkeypatch, dialogs
):
    """The child's error arrives as its ``ChildFailed`` message: the dialog shows the
    person's one line (file, line, fix), no prefix and no traceback."""
    path = make_project(DOCS)
    gazetteer = tmp_path / "bad.tsv"
    gazetteer.write_text("Oslo\tLOC\nLima LOC\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(gazetteer), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    window = open_window(path).window
    _run_source(qtbot, window, "&Dictionary file…")
    assert dialogs.texts("warning") == [
        f"No suggestions were made: {gazetteer}: line 2: expected 'text<TAB>LABEL' (and an "
        "optional case column)"
    ]
    assert window.sources.active_text.text() == ""  # no source was made of it


def test_a_second_suggest_while_one_runs_is_refused_and_stop_keeps_the_result(
    qtbot, make_project, open_window, dialogs
):
    """One source child at a time (a ``JobSlot`` that refuses); Stop closes the child's
    stdin and its result, stopped before any batch, still reaches the window."""
    path = make_project(DOCS)
    window = open_window(path).window
    said: list[str] = []
    window.state.message.connect(said.append)
    assert window.sources.suggest("learnt")
    assert not window.sources.suggest("learnt")
    assert said[-1] == BUSY
    window.sources.stop()
    qtbot.waitUntil(lambda: not window.sources.is_running(), timeout=120_000)
    assert said[-1] == "Stopped after 0 documents with learnt (the active source now)"
    assert window.sources.active_text.text() == "Suggestions: learnt (dictionary)"
    assert dialogs.shown == []


def test_a_zero_shot_folder_that_is_no_model_is_refused_in_one_line(
    qtbot, make_project, open_window, tmp_path, monkeypatch, dialogs
):
    """Document → Suggest from → Zero-shot model folder… runs the source in its child;
    a folder without safetensors weights is refused before any document is read."""
    path = make_project(DOCS)
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    window = open_window(path).window
    _run_source(qtbot, window, "&Zero-shot model folder…")
    assert dialogs.texts("warning") == [
        f"No suggestions were made: {folder}: no model.safetensors; only safetensors weights load"
    ]
    assert window.sources.active_text.text() == ""
    assert _gold(path) == [[], [], [], []]
