"""On-the-fly suggestions: a document shown without a stored prediction is predicted by a
long-lived child process and its suggestions appear, without a click; the same child then
scores the rest of the pool for the queue."""

from __future__ import annotations

import subprocess
import sys

from nerstudio.core.child_protocol import decode_line
from nerstudio.core.prediction import PredictionFailed, ServeReady
from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize


def test_a_shown_document_gets_suggestions_on_the_fly(
    qtbot, open_window, trained_project, tiny_model
):
    from tests.conftest import make_sentences, train_tiny

    train_tiny(trained_project, tiny_model, "m")
    texts = [" ".join(words) for words, _ in make_sentences(3, 11)]
    with Project.open(trained_project) as project:
        ids = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        project.runs.set_active("m")
        run_id = project.runs.get("m").id
    window = open_window(trained_project).window  # settings isolated by the conftest
    assert window.state.document.text == texts[0]
    qtbot.waitUntil(lambda: bool(window.editor.suggestions), timeout=120_000)
    assert window.live_suggestions.last_ms is not None
    window.state.open_document(ids.document_ids[1])  # the next one comes from the warm child
    qtbot.waitUntil(lambda: bool(window.editor.suggestions), timeout=30_000)
    with Project.open(trained_project) as project:
        assert project.predictions.get(run_id, ids.document_ids[1]) is not None
        assert project.stats().done == 200  # gold untouched
    window.close()
    assert not window.live_suggestions.is_running()


def test_predict_serve_answers_each_id_and_reports_bad_ones(tmp_path, trained_project, tiny_model):
    from tests.conftest import train_tiny

    train_tiny(trained_project, tiny_model, "m")
    command = [sys.executable, "-m", "nerstudio", "predict", str(trained_project), "--run", "m"]
    done = subprocess.run(
        [*command, "--serve"], input="1\nnot-a-number\n99999\n2\n", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    answers = [decode_line(line) for line in done.stdout.splitlines()]
    assert answers[0] == ServeReady()
    assert answers[1].document_id == 1 and answers[1].ms > 0
    assert isinstance(answers[2], PredictionFailed) and isinstance(answers[3], PredictionFailed)
    assert "99999" in answers[3].error
    assert answers[4].document_id == 2


def test_set_active_scores_the_pool_in_the_background_and_the_queue_follows(
    qtbot, open_window, trained_project, tiny_model
):
    """Set active: the model loads once, the shown document is predicted first, the rest
    of the pool is scored with progress shown, and the queue orders itself as scores land."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from tests.conftest import make_sentences, train_tiny

    train_tiny(trained_project, tiny_model, "m")
    texts = [" ".join(words) for words, _ in make_sentences(30, 12)]
    with Project.open(trained_project) as project:
        added = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
    pool = set(added.document_ids)
    ui = open_window(trained_project)
    window, state = ui.window, ui.state
    panel = window.document_list
    panel.order.setCurrentIndex(panel.order.findData("mnlp"))
    assert not window.live_suggestions.is_running()  # no active run yet
    shown = state.document.id
    assert shown in pool
    progress: list[tuple[int, int]] = []
    state.poolScoring.connect(lambda scored, total: progress.append((scored, total)))
    messages: list[str] = []
    state.message.connect(messages.append)

    history = window.training.run_history
    history.table.selectRow(0)
    button = next(
        b
        for b in window.training.findChildren(QPushButton)
        if b.property("request") == "Set active"
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert messages and messages[0].startswith("Run m is active")
    assert window.live_suggestions.is_running()
    order: list[int] = []
    window.live_suggestions.live.worker.predicted.connect(lambda doc, _ms: order.append(doc))
    qtbot.waitUntil(lambda: bool(window.editor.suggestions), timeout=120_000)
    qtbot.waitUntil(
        lambda: not window.live_suggestions.is_scoring() and len(order) == 30, timeout=120_000
    )
    assert order[0] == shown, "the document on screen is predicted before the pool"
    assert sorted(order) == sorted(pool)  # each once
    assert progress[0] == (0, 30) and progress[-1] == (30, 30)
    assert not panel.scoring.isVisible()
    assert any(m.startswith("Scored 30 documents with m") for m in messages), messages
    model = window.documents
    qtbot.waitUntil(
        lambda: state.queue is not None and len(state.queue) == 30 and not model.ordering_busy,
        timeout=10_000,
    )
    assert [row.id for row in model.rows] == state.queue
    with Project.open(trained_project) as project:
        run = project.runs.get("m")
        assert all(project.predictions.get(run.id, d) is not None for d in pool)
        assert project.stats().done == 200  # gold untouched
    window.close()
    assert not window.live_suggestions.is_running()


def test_set_active_hands_the_run_to_the_standby_process_that_loaded_torch_already(
    qtbot, open_window, trained_project, tiny_model, monkeypatch
):
    """A project with a run that could be set active keeps a standby prediction process
    (torch loaded, waiting for a run); Set active gives it the run instead of starting
    a fresh process, and suggestions appear; closing the project ends the standby."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from tests.conftest import train_tiny

    monkeypatch.setenv("NERSTUDIO_STANDBY", "1")
    train_tiny(trained_project, tiny_model, "m")
    with Project.open(trained_project) as project:
        project.documents.add([DocumentRecord(t, tuple(tokenize(t))) for t in ("Ann met Bo .",)])
    ui = open_window(trained_project)
    window, live = ui.window, ui.window.live_suggestions
    assert live.spare is not None and live.spare.is_running()
    assert not live.is_running()  # no active run: nothing predicts yet
    standby = live.spare
    window.training.run_history.table.selectRow(0)
    button = next(
        b
        for b in window.training.findChildren(QPushButton)
        if b.property("request") == "Set active"
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert live.live is standby, "the standby serves the run; no second start"
    assert live.spare is None  # the only run is active now: no other to stand by for
    qtbot.waitUntil(lambda: not live.is_scoring() and live.last_ms is not None, timeout=120_000)
    assert standby.is_running()
    window.close_project()
    qtbot.waitUntil(lambda: not standby.is_running(), timeout=20_000)
