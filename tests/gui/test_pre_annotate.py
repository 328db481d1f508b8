"""Document → Pre-annotate: the active model's suggestions for every unfinished document,
computed in a child process while the window stays usable."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize


def test_pre_annotate_fills_suggestions_for_unfinished_documents(
    qtbot, tmp_path, trained_project, tiny_model
):
    from tests.conftest import make_sentences, train_tiny

    train_tiny(trained_project, tiny_model, "m")
    texts = [" ".join(words) for words, _ in make_sentences(5, 9)]
    with Project.open(trained_project) as project:
        project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        project.runs.set_active("m")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    from nerstudio.gui.app import create_window

    window = create_window(trained_project)
    qtbot.addWidget(window)
    window.show()
    assert window.state.document.text == texts[0]  # the first unfinished document
    assert window.editor.suggestions == []
    window.jobs.pre_annotate()
    qtbot.waitUntil(lambda: not window.jobs.predicting.busy(), timeout=120_000)
    assert window.editor.suggestions, "the shown document got suggestions"
    with Project.open(trained_project) as project:
        run = project.runs.get("m")
        assert project.predictions.count(run.id) == 5  # only the unfinished documents
        assert project.stats().done == 200  # gold untouched
    window.close()
