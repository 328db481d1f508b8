"""The document list's active-learning order: most uncertain first; Enter follows it."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

TEXTS = [
    "Anna met Omar today",
    "Li Wei flew to Lima",
    "Maria works in Oslo now",
    "Kofi visited Paris once",
]
UNCERTAINTY = {1: 0.1, 2: 0.9, 3: 0.5, 4: 0.7}


def test_the_queue_orders_by_uncertainty_and_next_follows_it(qtbot, tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    path = tmp_path / "q.db"
    with Project.create(path, ["PER", "LOC"]) as project:
        ids = project.add_documents(DocumentRecord(t, tuple(tokenize(t))) for t in TEXTS)
        run = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        project.runs.finish(run.id, "completed", {})
        project.predictions.save(
            run.id, [(d, [], {"mnlp": UNCERTAINTY[d]}) for d in ids.document_ids]
        )
        project.runs.set_active("r")
    from nerstudio.gui.app import create_window

    window = create_window(path)
    qtbot.addWidget(window)
    window.show()
    window.document_list.order.setCurrentIndex(1)  # Active learning: mnlp
    model = window.documents
    assert [row.id for row in model.rows] == [2, 4, 3, 1]
    assert model.data(model.index(0, 4)) == "0.900"
    window.state.open_document(2)
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)  # done, then the next in the queue
    assert window.state.document.id == 4
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)
    assert window.state.document.id == 3
    window.document_list.order.setCurrentIndex(0)  # back to document order
    assert [row.id for row in model.rows] == [1, 2, 3, 4]
    assert window.state.queue is None
