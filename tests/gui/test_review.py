"""Suspicious annotations: after a run, the dock lists done documents where the model
confidently disagrees with gold; clicking one opens it with both shown."""

from __future__ import annotations

from PySide6.QtCore import Qt

from nerstudio.core.store import Project


def test_review_lists_a_wrong_gold_document_and_opens_it_with_both(
    qtbot, open_window, trained_project, tiny_model
):
    from tests.conftest import train_tiny

    train_tiny(trained_project, tiny_model, "m")
    with Project.open(trained_project) as project:
        project.runs.set_active("m")
        spans = project.spans.list(1)
        assert spans
        project.spans.remove_many([s.id for s in spans])  # an annotator forgot document 1
    window = open_window(trained_project).window  # settings isolated by the conftest
    view = window.review_list
    view.threshold.setValue(0.5)
    qtbot.mouseClick(view.check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.review.job.busy(), timeout=120_000)
    assert "disagrees" in view.summary.text(), view.summary.text()
    rows = {int(view.table.item(r, 0).text()): r for r in range(view.table.rowCount())}
    assert 1 in rows
    assert "is not tagged; the model says" in view.table.item(rows[1], 2).text()
    confidences = [float(view.table.item(r, 1).text()) for r in range(view.table.rowCount())]
    assert confidences == sorted(confidences, reverse=True)
    view.table.scrollToItem(view.table.item(rows[1], 0))
    rect = view.table.visualItemRect(view.table.item(rows[1], 0))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.state.document.id == 1
    details = view.details.text().splitlines()  # one disagreement a line, under the list
    assert view.details.isVisible() and details[0] == "Document 1:"
    assert all(line.startswith("• ") for line in details[1:]) and len(details) > 1
    assert window.editor.suggestions, "the model's spans are shown beside the (empty) gold"
    with Project.open(trained_project) as project:
        assert project.spans.list(1) == []  # reviewing never changes gold by itself
    window.close()
