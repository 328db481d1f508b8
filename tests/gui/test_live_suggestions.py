"""On-the-fly suggestions: a document shown without a stored prediction is predicted by a
long-lived child process and its suggestions appear, without a click."""

from __future__ import annotations

import json
import subprocess
import sys

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
        ids = project.add_documents(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
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
        assert project.predictions.get(run_id, ids.document_ids[2]) is None  # never shown
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
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert answers[0] == {"ready": True}
    assert answers[1]["id"] == 1 and answers[1]["ms"] > 0
    assert "error" in answers[2] and "error" in answers[3] and "99999" in answers[3]["error"]
    assert answers[4]["id"] == 2
