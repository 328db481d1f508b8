"""Auto-retrain: every N newly done documents a run starts in the background, becomes the
active model and re-predicts the pool, while the person keeps annotating."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize


def test_auto_retrain_runs_in_the_background_and_refreshes_suggestions(
    qtbot, open_window, trained_project, tiny_model
):
    from tests.conftest import make_sentences

    texts = [" ".join(words) for words, _ in make_sentences(5, 21)]
    with Project.open(trained_project) as project:
        project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
    window = open_window(trained_project).window  # settings isolated by the conftest
    panel = window.training
    panel.form.model.setEditText(str(tiny_model))
    panel.form.editors["epochs"].setValue(1)
    panel.form.editors["batch_size"].setValue(8)
    panel.form.editors["learning_rate"].setText("0.02")
    panel.form.editors["train_word_embeddings"].setChecked(True)  # the tiny model is not pretrained
    panel.form.auto_every.setValue(2)
    panel.form.auto_retrain.setChecked(True)

    editor = window.editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # done: 1 of 2
    assert not panel.is_running()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # done: 2 of 2 -> retrain
    assert panel.is_running()

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(interval=10)
    timer.timeout.connect(tick)
    timer.start()
    shown = window.state.document.id
    qtbot.keyClick(editor, Qt.Key.Key_1)  # annotating goes on meanwhile (PER on a word)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=180_000)

    def pool_scored() -> bool:  # the new active run scores the pool in the background
        with Project.open(trained_project) as project:
            active = project.runs.active()
            return active is not None and project.predictions.count(active.id) == 3

    qtbot.waitUntil(pool_scored, timeout=180_000)
    qtbot.waitUntil(lambda: not window.live_suggestions.is_scoring(), timeout=30_000)
    timer.stop()

    assert max(gaps) < 1.0, "the GUI thread was blocked while retraining"
    with Project.open(trained_project) as project:
        active = project.runs.active()
        assert active is not None and active.name.startswith("auto-")
        assert project.predictions.count(active.id) == 3  # the unfinished documents
        assert project.spans.list(shown), "the edit made during training is stored"
    assert "auto-" in panel.run_history.table.item(0, 0).text()
    window.close()


def test_a_projects_first_model_comes_at_ten_done_documents(
    qtbot, open_window, tmp_path, monkeypatch
):
    """Auto-retrain every 20 done: a project without a run trains when it reaches 10 done
    (its first model), not after 20 more; that first run is tried once, so one the person
    stopped does not start again at the next done document. (The run itself is not
    started: the first test above runs one for real.)"""
    from nerstudio.core.training.config import FIRST_RUN_AFTER
    from nerstudio.core.transfer import import_files
    from tests.conftest import make_sentences, write_conll

    path = tmp_path / "new.db"
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        done = write_conll(tmp_path / "done.conll", make_sentences(FIRST_RUN_AFTER - 1, 3))
        import_files(project, [done])
        texts = [" ".join(words) for words, _ in make_sentences(3, 4)]
        project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
    window = open_window(path).window
    started = []
    monkeypatch.setattr(
        window.auto_retrain.training,
        "start",
        lambda config, automatic=False: started.append((config.name, automatic)) or True,
    )
    window.training.form.auto_every.setValue(20)
    window.training.form.auto_retrain.setChecked(True)
    assert "first model comes at 10 done documents" in window.training.form.auto_every.toolTip()

    editor = window.editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the 10th done document
    assert len(started) == 1 and started[0][0].startswith("auto-") and started[0][1]
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # 11 done: the next run waits for 20 more
    assert len(started) == 1
    window.close()
