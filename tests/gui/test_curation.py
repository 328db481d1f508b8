"""The curation mode and the agreement view, driven with real keys and clicks on a project two
annotators worked on (split out with ``assign``, annotated, merged back with ``merge``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.team import agreement, assign, merge
from nerstudio.core.tokens import tokenize
from nerstudio.core.training.data import snapshot
from nerstudio.core.transfer.exporting import export_corpus

ANNA = "Anna Berg met Omar in Paris ."
OSLO = "Oslo is cold ."
SAME = "Acme hired Li Wei ."
MARKS = {  # what each annotator marks: they agree on Omar and on the whole of SAME
    "alice": {
        ANNA: [("Anna Berg", "PER"), ("Omar", "PER"), ("Paris", "LOC")],
        OSLO: [("Oslo", "LOC")],
        SAME: [("Acme", "ORG"), ("Li Wei", "PER")],
    },
    "bob": {
        ANNA: [("Anna", "PER"), ("Omar", "PER"), ("Paris", "ORG")],
        OSLO: [],
        SAME: [("Acme", "ORG"), ("Li Wei", "PER")],
    },
}


def span_of(text: str, words: str, label: str) -> Span:
    start = text.index(words)
    return Span(start, start + len(words), label)


def spans_of(text: str, *marks: tuple[str, str]) -> list[tuple[int, int, str]]:
    return sorted((s.start, s.end, s.label) for s in (span_of(text, *m) for m in marks))


@pytest.fixture
def team_project(tmp_path) -> Path:
    """The lead's project after alice's and bob's work came back (every document shared)."""
    lead = tmp_path / "corpus.db"
    with Project.create(lead, ["PER", "ORG", "LOC"], annotator="lead") as project:
        project.documents.add([DocumentRecord(t, tuple(tokenize(t))) for t in (ANNA, OSLO, SAME)])
        assign(project, ["alice", "bob"], tmp_path / "team", overlap=1.0)
    copies = [tmp_path / "team" / f"corpus-{name}.db" for name in ("alice", "bob")]
    for path, name in zip(copies, ("alice", "bob")):
        with Project.open(path) as copy:
            for doc in copy.documents.iter():
                found = [span_of(doc.text, w, label) for w, label in MARKS[name][doc.text]]
                copy.spans.add_many([(doc.id, s.start, s.end, s.label) for s in found])
                copy.documents.set_status([doc.id], Status.DONE)
    with Project.open(lead) as project:
        merge(project, copies)
    return lead


def document_id(path: Path, text: str) -> int:
    with Project.open(path) as project:
        return next(d.id for d in project.documents.iter() if d.text == text)


def gold(path: Path, text: str) -> list[tuple[int, int, str]]:
    """The gold spans as a fresh connection reads them (what export and training read)."""
    with Project.open(path) as project:
        return sorted(
            (s.start, s.end, s.label) for s in project.spans.list(document_id(path, text))
        )


def painted_behind(rendering, offset: int) -> str:
    """The most common color behind the character at ``offset`` of a rendering."""
    cursor = QTextCursor(rendering.document())
    cursor.setPosition(offset)
    left = rendering.cursorRect(cursor)
    cursor.setPosition(offset + 1)
    right = rendering.cursorRect(cursor)
    image = rendering.viewport().grab().toImage()
    counts = Counter(
        image.pixelColor(QPoint(x, y)).name()
        for x in range(left.left() + 1, right.left())
        for y in range(left.top(), left.bottom() + 1)
    )
    return counts.most_common(1)[0][0]


def menu_action(window, menu: str, text: str):
    """The action a user clicks in the window's menu bar."""
    (found,) = (m for m in window.menuBar().actions() if m.text() == menu)
    return next(a for a in found.menu().actions() if a.text() == text)


def curate(driver):
    """Team > Curate disagreements… by its shortcut, from the editor."""
    driver.key(
        Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    view = driver.window.team.view
    assert driver.window.pages.currentWidget() is view and view.hasFocus()
    with driver.qtbot.waitSignal(driver.window.team.curation.queueRead, timeout=10_000):
        pass  # the queue of disputed documents is read in the background
    return view


def press(qtbot, view, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(view, key, modifier)


def test_keys_settle_disagreements_undoably_into_the_gold_export_and_training_read(
    team_project, open_window, qtbot
):
    driver = open_window(team_project)
    view = curate(driver)
    anna = document_id(team_project, ANNA)
    assert driver.state.document.id == anna  # the first document with an open disagreement
    assert [r.title.text() for r in view.rows] == ["1  alice", "2  bob"]
    assert view.queue_model.rowCount() == 2  # ANNA and OSLO; SAME was agreed and needs nothing
    # what both marked is merged already: Omar is gold before any key
    assert gold(team_project, ANNA) == spans_of(ANNA, ("Omar", "PER"))
    assert view.heading.text().endswith("disagreement 1 of 2 · 2 open")
    assert view.rows[0].detail.text() == "PER “Anna Berg”"
    assert view.rows[1].detail.text() == "PER “Anna”"
    per = next(label.color for label in driver.state.labels if label.name == "PER")
    plain = view.curated.rendering.viewport().palette().base().color().name()
    berg = ANNA.index("Berg")
    assert painted_behind(view.curated.rendering, berg) == plain

    press(qtbot, view, Qt.Key.Key_1)  # alice's Anna Berg
    assert gold(team_project, ANNA) == spans_of(ANNA, ("Anna Berg", "PER"), ("Omar", "PER"))
    assert driver.state.undo_stack.undoText() == "Take alice's PER"
    assert painted_behind(view.curated.rendering, berg) == per
    assert view.heading.text().endswith("disagreement 2 of 2 · 1 open")  # moved on to Paris

    driver.undo()  # Ctrl+Z: as it was, and the frame back on Anna
    assert gold(team_project, ANNA) == spans_of(ANNA, ("Omar", "PER"))
    assert painted_behind(view.curated.rendering, berg) == plain
    assert view.heading.text().endswith("disagreement 1 of 2 · 2 open")

    press(qtbot, view, Qt.Key.Key_2)  # bob's Anna
    assert gold(team_project, ANNA) == spans_of(ANNA, ("Anna", "PER"), ("Omar", "PER"))
    assert driver.state.undo_stack.undoText() == "Take bob's PER"
    assert [r.detail.text() for r in view.rows] == ["LOC “Paris”", "ORG “Paris”"]
    press(qtbot, view, Qt.Key.Key_1)  # alice's Paris LOC settles the last one
    assert driver.state.undo_stack.undoText() == "Take alice's LOC"
    assert view.heading.text().endswith("all settled: curated")
    assert driver.status(anna) is Status.DONE

    press(qtbot, view, Qt.Key.Key_PageDown)  # the next disputed document
    assert driver.state.document.text == OSLO
    press(qtbot, view, Qt.Key.Key_0)  # bob marked nothing: reject alice's Oslo
    assert driver.state.undo_stack.undoText().startswith("Reject all")
    assert gold(team_project, OSLO) == []
    assert "0 of 2 open" in view.queue_title.text()

    # the curated gold is what export writes and training reads
    out = team_project.parent / "gold.jsonl"
    with Project.open(team_project) as project:
        export_corpus(project, out)
    exported = {r["text"]: sorted(map(tuple, r["label"])) for r in map(json.loads, out.open())}
    assert exported[ANNA] == [(0, 4, "PER"), (14, 18, "PER"), (22, 27, "LOC")]
    assert exported[OSLO] == []
    data = snapshot(team_project, 0.3)
    examples = {" ".join(e.words): e.tags for e in data.train + data.dev}
    assert examples[ANNA] == ("B-PER", "O", "O", "B-PER", "O", "B-LOC", "O")
    assert examples[OSLO] == ("O", "O", "O", "O")

    press(qtbot, view, Qt.Key.Key_Escape)
    assert driver.window.pages.currentWidget() is driver.window.editor_page


def test_the_queue_is_read_off_the_gui_thread_and_the_page_works_meanwhile(
    team_project, open_window, qtbot, monkeypatch
):
    import threading

    from nerstudio.core.store.curation import Curation

    readers, release = [], threading.Event()
    real = Curation.disputed_documents

    def slow_read(self, open_only=True):
        readers.append(threading.current_thread() is threading.main_thread())
        release.wait(10)  # a 100k-document project: the read takes a while
        return real(self, open_only)

    monkeypatch.setattr(Curation, "disputed_documents", slow_read)
    driver = open_window(team_project)
    anna = document_id(team_project, ANNA)
    driver.state.open_document(anna)
    driver.key(
        Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    view = driver.window.team.view
    qtbot.waitUntil(lambda: bool(readers), timeout=5_000)
    assert readers == [False]  # the worker's thread, never the window's
    assert view.queue_title.text() == "Disputed documents: reading…"
    assert "disagreement 1 of 2" in view.heading.text()  # the shown document works already
    press(qtbot, view, Qt.Key.Key_1)  # a settle while the queue is still being read
    assert gold(team_project, ANNA) == spans_of(ANNA, ("Anna Berg", "PER"), ("Omar", "PER"))
    with qtbot.waitSignal(driver.window.team.curation.queueRead, timeout=10_000):
        release.set()  # the stale read is dropped and read again, after the settle
    assert len(readers) == 2
    assert "1 open" in view.queue_model.index(0).data()  # ANNA: Paris is still open


def test_a_click_in_the_queue_opens_that_document_and_a_settle_updates_its_row(
    team_project, open_window, qtbot
):
    driver = open_window(team_project)
    view = curate(driver)
    oslo = document_id(team_project, OSLO)
    model = view.queue_model
    row = model.rows_by_id[oslo]
    assert model.index(row).data().startswith(f"#{oslo}  1 open\n")
    rect = view.queue.visualRect(model.index(row))
    qtbot.mouseClick(view.queue.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert driver.state.document.text == OSLO
    assert view.queue.currentIndex().row() == row  # the shown document is the one marked
    press(qtbot, view, Qt.Key.Key_0)  # reject alice's Oslo: the last open one there
    assert model.index(row).data().startswith(f"#{oslo}  ✓ curated\n")
    assert view.queue_title.text() == "Disputed documents: 1 of 2 open"


def test_tab_moves_between_disagreements_and_a_number_without_annotator_is_refused(
    team_project, open_window, qtbot, open_project
):
    driver = open_window(team_project)
    view = curate(driver)
    messages = []
    driver.state.message.connect(messages.append)
    press(qtbot, view, Qt.Key.Key_Tab)
    assert view.heading.text().startswith(f"Document #{driver.state.document.id} · disagreement 2")
    assert "Paris" in view.rows[1].detail.text()
    press(qtbot, view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert "disagreement 1 of 2" in view.heading.text()
    press(qtbot, view, Qt.Key.Key_3)
    assert messages == ["Key 3: this document has 2 annotators"]
    assert driver.state.undo_stack.count() == 0

    press(qtbot, view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # close the project
    assert driver.window.pages.currentWidget() is driver.window.welcome
    open_project(driver.window, team_project)  # another project opens in the editor
    assert driver.window.pages.currentWidget() is driver.window.editor_page


def test_the_agreement_view_shows_the_core_figures_and_opens_a_document(
    team_project, open_window, qtbot
):
    driver = open_window(team_project)
    window = driver.window
    menu_action(window, "&Team", "&Agreement…").trigger()
    panel = window.team.agreement_panel
    qtbot.waitUntil(
        lambda: not window.team.agreement.is_running() and bool(panel.pairs), timeout=20000
    )
    with Project.open(team_project) as project:
        (expected,) = agreement(project)
    assert panel.chart.labels == list(expected.per_label)
    assert panel.chart.heights == pytest.approx([s.f1 for s in expected.per_label.values()])
    assert panel.pairs_table.item(0, 0).text() == "alice – bob"
    assert panel.pairs_table.item(0, 2).text() == f"{expected.f1:.2f}"
    worst = expected.worst_documents[0]
    assert panel.documents_table.item(0, 0).text() == str(worst.document_id)

    rect = panel.documents_table.visualItemRect(panel.documents_table.item(0, 1))
    qtbot.mouseClick(panel.documents_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.pages.currentWidget() is window.team.view
    assert driver.state.document.id == worst.document_id
    qtbot.waitUntil(lambda: not window.team.curation.reading.busy(), timeout=10_000)


# -- the keys go where the screen says, after every way of moving ---------------------------


def type_key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key as a person types it: to whichever widget has the keyboard now."""
    from PySide6.QtWidgets import QApplication

    focused = QApplication.focusWidget()
    assert focused is not None and focused.isVisible(), f"keys go to a hidden {focused!r}"
    qtbot.keyClick(focused, key, modifier)


def test_a_digit_after_page_down_takes_an_annotators_version_not_a_tag_in_the_hidden_editor(
    team_project, open_window, qtbot
):
    driver = open_window(team_project)
    driver.window.resize(1280, 720)
    curate(driver)
    type_key(qtbot, Qt.Key.Key_PageDown)  # ANNA -> OSLO, as a person moves on
    assert driver.state.document.text == OSLO

    type_key(qtbot, Qt.Key.Key_1)  # alice's Oslo
    assert driver.state.undo_stack.undoText() == "Take alice's LOC"
    assert gold(team_project, OSLO) == spans_of(OSLO, ("Oslo", "LOC"))
    type_key(qtbot, Qt.Key.Key_PageUp)
    type_key(qtbot, Qt.Key.Key_2)  # bob's Anna
    assert driver.state.undo_stack.undoText() == "Take bob's PER"


def test_a_digit_after_a_click_in_the_disputed_list_takes_a_version(
    team_project, open_window, qtbot
):
    driver = open_window(team_project)
    driver.window.resize(1280, 720)
    view = curate(driver)
    model = view.queue_model
    rect = view.queue.visualRect(model.index(model.rows_by_id[document_id(team_project, OSLO)]))
    qtbot.mouseClick(view.queue.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert driver.state.document.text == OSLO

    type_key(qtbot, Qt.Key.Key_0)  # reject alice's Oslo
    assert driver.state.undo_stack.undoText().startswith("Reject all")
    assert gold(team_project, OSLO) == []


def test_after_the_shortcut_sheet_closes_in_curation_the_keys_stay_with_curation(
    team_project, open_window, qtbot
):
    driver = open_window(team_project)
    view = curate(driver)
    driver.window.keyboard.show_sheet()
    driver.window.keyboard.sheet.close()
    qtbot.waitUntil(view.hasFocus, timeout=3000)

    type_key(qtbot, Qt.Key.Key_1)
    assert driver.state.undo_stack.undoText() == "Take alice's PER"
