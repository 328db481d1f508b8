"""The queue drives the session (issue #14, items 1, 2, 7 and 8): Enter and PageDown follow
the active-learning order, the list says each document's rank, uncertainty and why it is
there, nothing of a closed project lingers, and reopening goes back to where one left off.
Setting a run active scores the pool in the background (tested with the tiny model in
``test_live_suggestions.py``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollBar

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.gui.models.documents import RANK_COLUMN, UNCERTAINTY_COLUMN, WHY_COLUMN

TEXTS = [
    f"Report {n} says {name} met {other} in {city}"
    for n, (name, other, city) in enumerate(
        [
            ("Anna", "Omar", "Lima"),
            ("Li", "Wei", "Oslo"),
            ("Maria", "Kofi", "Paris"),
            ("Ada", "Bob", "Rome"),
            ("Cy", "Di", "Kyiv"),
            ("Ed", "Flo", "Quito"),
            ("Gus", "Hal", "Accra"),
            ("Ivy", "Jo", "Hanoi"),
            ("Kim", "Lou", "Cairo"),
            ("Max", "Ned", "Dakar"),
            ("Oli", "Pat", "Bern"),
            ("Quin", "Ray", "Seoul"),
        ]
    )
]
# Document d scores d / 20, except document 1, which sits in the middle of the queue: the
# queue is 12, 11, 10, 9, 8, 7, 1, 6, 5, then a random pick (every tenth), and the rest.
UNCERTAINTY = {d: d / 20 for d in range(1, 13)} | {1: 0.33}


def make_queue_project(tmp_path, name: str = "queue.db"):
    path = tmp_path / name
    with Project.create(path, ["PER", "LOC"]) as project:
        added = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in TEXTS)
        run = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        project.runs.finish(run.id, "completed", {})
        project.predictions.save(
            run.id, [(d, [], {"mnlp": UNCERTAINTY[d]}) for d in added.document_ids]
        )
        project.runs.set_active("r")
    return path


def ordered_window(open_window, qtbot, path):
    ui = open_window(path)
    panel, model = ui.window.document_list, ui.window.documents
    panel.order.setCurrentIndex(panel.order.findData("mnlp"))
    qtbot.waitUntil(lambda: model.order is not None and len(model.rows) == 12, timeout=5000)
    qtbot.waitUntil(lambda: not model.ordering.is_running(), timeout=5000)
    return ui


def click_row(ui, row: int) -> None:
    table, model = ui.window.document_list.table, ui.window.documents
    rect = table.visualRect(model.index(row, 1))
    ui.qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_enter_serves_the_queue_not_the_row_below(open_window, qtbot, tmp_path):
    ui = open_window(make_queue_project(tmp_path))
    assert ui.document_id == 1  # opened at the first unfinished number, before any queue
    panel, model = ui.window.document_list, ui.window.documents
    panel.order.setCurrentIndex(panel.order.findData("mnlp"))
    qtbot.waitUntil(lambda: model.order is not None and len(model.rows) == 12, timeout=5000)
    queue = ui.state.queue
    assert queue[:8] == [12, 11, 10, 9, 8, 7, 1, 6]
    ui.editor.setFocus()
    ui.key(Qt.Key.Key_Return)  # done; the row below (by number: 2, in the list: 6) is not it
    assert ui.document_id == 12, "Enter went by row, not to the queue's most uncertain"
    assert model.data(model.index(6, 2)) == "done"  # document 1's row
    tip = model.data(model.index(6, 1), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("done: Report 0")
    grey = model.data(model.index(6, 1), Qt.ItemDataRole.ForegroundRole)
    assert (
        grey is not None and model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole) is None
    )
    ui.key(Qt.Key.Key_Return)
    assert ui.document_id == 11  # from the queue's top on, Enter walks down the queue
    click_row(ui, 4)  # the person picks a document further down: the queue goes on from it
    assert ui.document_id == 8
    ui.key(Qt.Key.Key_Return)
    assert ui.document_id == 7
    ui.key(Qt.Key.Key_PageDown)  # browsing goes by the queue's rows as the list shows them
    assert ui.document_id == 1
    ui.key(Qt.Key.Key_PageDown)
    assert ui.document_id == 6
    ui.key(Qt.Key.Key_PageUp)
    assert ui.document_id == 1
    ui.key(Qt.Key.Key_PageUp)
    assert ui.document_id == 7


def test_the_list_shows_rank_uncertainty_and_why_with_text_readable(open_window, qtbot, tmp_path):
    ui = open_window(make_queue_project(tmp_path))
    window, panel, model = ui.window, ui.window.document_list, ui.window.documents
    window.resize(1280, 720)
    table = panel.table
    for column in (RANK_COLUMN, UNCERTAINTY_COLUMN, WHY_COLUMN):
        assert table.isColumnHidden(column)  # by number: no queue, no queue columns
    panel.order.setFocus()
    qtbot.keyClick(panel.order, Qt.Key.Key_Down)  # By number -> Active learning: mnlp
    assert panel.order.currentData() == "mnlp"
    qtbot.waitUntil(lambda: model.order is not None and len(model.rows) == 12, timeout=5000)
    for column in (RANK_COLUMN, UNCERTAINTY_COLUMN, WHY_COLUMN):
        assert not table.isColumnHidden(column)
    cells = [
        [model.data(model.index(r, c)) for c in (RANK_COLUMN, UNCERTAINTY_COLUMN, WHY_COLUMN)]
        for r in range(12)
    ]
    assert cells[0] == [1, "0.600", "uncertain"] and cells[6][1] == "0.330"
    assert [c[0] for c in cells] == list(range(1, 13))
    assert cells[9][2] == "random"  # the tenth pick: marked, so its score may be out of order
    assert {c[2] for i, c in enumerate(cells) if i != 9} == {"uncertain"}
    tip = model.data(model.index(9, WHY_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("A random pick")
    qtbot.wait(50)  # the layout settles
    # The Text column keeps about twenty characters in the dock; status and entity count
    # give way (a finished row is greyed, its text's tooltip names the status).
    assert table.columnWidth(1) >= 140, "the Text column shrank to a few characters"
    assert table.isColumnHidden(2) and table.isColumnHidden(3)
    scrollbar: QScrollBar = table.horizontalScrollBar()
    assert not scrollbar.isVisible()


def test_a_new_project_starts_with_no_old_search(
    open_window, qtbot, tmp_path, make_project, open_project
):
    ui = open_window(make_queue_project(tmp_path))
    panel, model = ui.window.document_list, ui.window.documents
    qtbot.mouseClick(panel.search, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.search, "Anna")
    qtbot.waitUntil(lambda: len(model.rows) == 1, timeout=3000)
    other = make_project(["Tom went to Oslo", "Una met Val"], name="other.db")
    open_project(ui.window, other)
    assert panel.search.text() == ""
    qtbot.wait(400)  # longer than the search's debounce: no old query comes back
    assert len(model.rows) == 2


def test_the_timer_stops_on_the_welcome_page(open_window, qtbot, tmp_path):
    path = make_queue_project(tmp_path)
    ui = open_window(path)
    keeper = ui.window.timekeeper
    assert keeper.timer.isActive()
    qtbot.keyClick(ui.editor, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)  # close
    assert ui.state.project is None
    assert not keeper.timer.isActive() and keeper.document_id is None
    keeper._tick()  # even a late tick counts nothing now
    assert keeper.pending == 0.0


def test_a_transient_message_expires(open_window, qtbot, tmp_path):
    ui = open_window(make_queue_project(tmp_path))
    bar = ui.window.statusBar()
    ui.window.jobs.expiry.timer.setInterval(300)  # the test's clock; 10 s in the app
    ui.editor.setFocus()
    ui.key(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # tag all, nothing selected
    assert "Select an entity first" in bar.currentMessage()
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=3000)


def test_the_review_dock_names_the_active_model(open_window, tmp_path):
    path = make_queue_project(tmp_path)
    ui = open_window(path)
    summary = ui.window.review_list.summary.text()
    assert summary.endswith("the active model, r."), summary
    with Project.open(path) as project:
        project.runs.set_active(None)
    ui.window.review.model_changed()
    assert ui.window.review_list.summary.text().startswith("Train a model")


def test_reopening_goes_back_to_where_one_left_off(open_window, qtbot, tmp_path):
    path = make_queue_project(tmp_path)
    ui = open_window(path)
    assert ui.document_id == 1  # the first visit: the first unfinished document
    click_row(ui, 6)
    assert ui.document_id == 7
    ui.window.close()
    again = open_window(path)  # the same (isolated) settings, a new window
    assert again.document_id == 7
