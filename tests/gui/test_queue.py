"""The document list's active-learning order: most uncertain first; Enter follows it. The
order is computed by a worker, off the GUI thread, and the newest request wins."""

from __future__ import annotations

import threading

from PySide6.QtCore import QSettings, Qt

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.gui.models.documents import UNCERTAINTY_COLUMN
from nerstudio.gui.workers import queue_order

TEXTS = [
    "Anna met Omar today",
    "Li Wei flew to Lima",
    "Maria works in Oslo now",
    "Kofi visited Paris once",
]
UNCERTAINTY = {1: 0.1, 2: 0.9, 3: 0.5, 4: 0.7}
ENTROPY = {1: 0.8, 2: 0.2, 3: 0.6, 4: 0.4}


def make_scored_project(tmp_path, name="q.db"):
    path = tmp_path / name
    with Project.create(path, ["PER", "LOC"]) as project:
        ids = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in TEXTS)
        run = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        project.runs.finish(run.id, "completed", {})
        project.predictions.save(
            run.id,
            [(d, [], {"mnlp": UNCERTAINTY[d], "entropy": ENTROPY[d]}) for d in ids.document_ids],
        )
        project.runs.set_active("r")
    return path


def ids(model) -> list[int]:
    return [row.id for row in model.rows]


def test_the_queue_orders_by_uncertainty_and_next_follows_it(qtbot, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    path = make_scored_project(tmp_path)
    from nerstudio.gui.app import create_window

    window = create_window(path)
    qtbot.addWidget(window)
    window.show()
    window.document_list.order.setCurrentIndex(1)  # Active learning: mnlp
    model = window.documents
    qtbot.waitUntil(lambda: ids(model) == [2, 4, 3, 1], timeout=5000)
    qtbot.waitUntil(lambda: not model.ordering.is_running(), timeout=5000)
    assert model.data(model.index(0, UNCERTAINTY_COLUMN)) == "0.900"
    assert window.state.queue == [2, 4, 3, 1]
    window.state.open_document(2)
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)  # done, then the next in the queue
    assert window.state.document.id == 4
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)
    assert window.state.document.id == 3
    window.document_list.order.setCurrentIndex(0)  # back to document order
    assert [row.id for row in model.rows] == [1, 2, 3, 4]
    assert window.state.queue is None


def test_ordering_runs_in_a_worker_the_list_stays_usable_and_the_newest_request_wins(
    open_window, qtbot, tmp_path, monkeypatch
):
    release = threading.Event()
    calls: list[tuple[str, bool]] = []  # (strategy, ran on the GUI thread)
    real = queue_order.queue_for_run

    def held_queue_for_run(project, run_id, strategy, *args, **kwargs):
        calls.append((strategy, threading.current_thread() is threading.main_thread()))
        assert release.wait(10), "the test never released the worker"
        return real(project, run_id, strategy, *args, **kwargs)

    monkeypatch.setattr(queue_order, "queue_for_run", held_queue_for_run)
    ui = open_window(make_scored_project(tmp_path))
    panel, model = ui.window.document_list, ui.window.documents

    panel.order.setCurrentIndex(panel.order.findData("mnlp"))
    ordering = model.ordering
    qtbot.waitUntil(lambda: calls == [("mnlp", False)], timeout=5000)
    # While the worker computes: the list says so, keeps its rows and still opens documents.
    assert model.ordering_busy and panel.ordering_note.isVisible()
    assert "Ordering" in panel.ordering_note.text()
    assert ids(model) == [1, 2, 3, 4]
    table = panel.table
    rect = table.visualRect(model.index(2, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ui.document_id == 3

    delivered: list[tuple[int, ...] | None] = []
    ordering.ordered.connect(lambda order: delivered.append(order and order.document_ids))
    panel.order.setCurrentIndex(panel.order.findData("entropy"))  # supersedes mnlp
    assert model.ordering_busy
    release.set()
    qtbot.waitUntil(lambda: not ordering.is_running() and not model.ordering_busy, timeout=5000)
    assert calls == [("mnlp", False), ("entropy", False)]
    assert delivered == [(1, 3, 4, 2)]  # mnlp's order, though computed, never reached the list
    assert ids(model) == [1, 3, 4, 2]
    assert ui.state.queue == [1, 3, 4, 2]
    assert model.data(model.index(0, UNCERTAINTY_COLUMN)) == "0.800"
    assert model.data(model.index(0, UNCERTAINTY_COLUMN), Qt.ItemDataRole.ToolTipRole).startswith(
        "Here for"
    )
    assert not panel.ordering_note.isVisible()


def test_without_an_active_run_the_list_stays_in_document_order(open_window, tmp_path):
    path = make_scored_project(tmp_path)
    with Project.open(path) as project:
        project.runs.set_active(None)
    ui = open_window(path)
    panel, model = ui.window.document_list, ui.window.documents
    messages: list[str] = []
    ui.state.message.connect(messages.append)
    panel.order.setCurrentIndex(panel.order.findData("mnlp"))
    assert messages == ["Set a run active and pre-annotate first."]
    assert ids(model) == [1, 2, 3, 4]
    assert not model.ordering_busy and not model.ordering.is_running()
    assert ui.state.queue is None


def test_another_project_gets_its_own_queue(open_window, qtbot, tmp_path):
    ui = open_window(make_scored_project(tmp_path))
    panel, model = ui.window.document_list, ui.window.documents
    panel.order.setCurrentIndex(panel.order.findData("entropy"))
    qtbot.waitUntil(lambda: ids(model) == [1, 3, 4, 2], timeout=5000)
    ordering = model.ordering
    qtbot.waitUntil(lambda: not ordering.is_running(), timeout=5000)

    other = tmp_path / "other.db"
    with Project.create(other, ["PER"]) as project:
        texts = ["Ada wrote to Bob", "Cy met Di in Rome", "Ed left Lima", "Flo saw Gus"]
        added = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        run = project.runs.start("s", "tiny", "full", {}, str(tmp_path / "s"))
        project.predictions.save(
            run.id, [(d, [], {"entropy": d / 10}) for d in added.document_ids[1:]]
        )
        project.runs.set_active("s")
    ui.state.open_project(other)
    assert ui.state.queue is None  # never the first project's ids
    qtbot.waitUntil(lambda: ids(model) == [4, 3, 2], timeout=5000)
    qtbot.waitUntil(lambda: not ordering.is_running(), timeout=5000)
    assert ui.state.queue == [4, 3, 2]
    assert panel.order.currentData() == "entropy"


def test_a_long_queue_is_read_a_chunk_at_a_time_as_the_list_scrolls_and_enter_walks(
    open_window, qtbot, tmp_path, monkeypatch
):
    """The worker reads only the top of the queue; the list and Enter read on past it."""
    from nerstudio.core.active import queue_for_run

    monkeypatch.setattr(queue_order, "QUEUE_CHUNK", 3)
    path = tmp_path / "long.db"
    texts = [f"Anna met Omar in town number {i}" for i in range(12)]
    with Project.create(path, ["PER"]) as project:
        docs = project.documents.add(
            DocumentRecord(t, tuple(tokenize(t))) for t in texts
        ).document_ids
        run = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        project.runs.finish(run.id, "completed", {})
        scores = [(d, [], {"mnlp": (i * 5 % 12) / 12}) for i, d in enumerate(docs)]
        project.predictions.save(run.id, scores)
        project.runs.set_active("r")
        whole = list(queue_for_run(project, run.id, "mnlp").document_ids)
    ui = open_window(path)
    panel, model = ui.window.document_list, ui.window.documents
    panel.order.setCurrentIndex(panel.order.findData("mnlp"))
    qtbot.waitUntil(lambda: model.order is not None and not model.ordering_busy, timeout=5000)
    assert len(ui.state.queue) < len(whole)  # only the top was read
    assert ids(model) == whole[: len(ids(model))]
    ui.state.open_document(whole[0])
    ui.window.editor.setFocus()
    seen = [whole[0]]
    for _ in whole[1:]:
        qtbot.keyClick(ui.window.editor, Qt.Key.Key_Return)  # done, then the next in the queue
        seen.append(ui.state.document.id)
    assert seen == whole  # Enter read on past the first chunk
    while model.canFetchMore():
        model.fetchMore()
    assert ids(model) == whole and model.order.more is None
