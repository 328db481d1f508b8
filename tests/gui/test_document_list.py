"""The document list over a 100k-document project: one page at a time, filters that change
the rows, and picking a row opens that document."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.gui.models.documents import PAGE

COUNT = 100_000
CITIES = ("Paris", "Oslo", "Lima", "Osaka", "Nairobi")


@pytest.fixture
def big_project(tmp_path):
    """Document i (id i + 1): a city entity when i % 10 == 0, done when i % 4 == 0."""
    records = []
    for i in range(COUNT):
        text = f"Report {i} from {CITIES[i % 5]} about item {i * 7}."
        tokens = tuple(tokenize(text))
        spans = (Span(tokens[3][0], tokens[3][1], "LOC"),) if i % 10 == 0 else ()
        status = Status.DONE if i % 4 == 0 else Status.NEW
        records.append(DocumentRecord(text=text, tokens=tokens, spans=spans, status=status))
    path = tmp_path / "big.db"
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        project.documents.add(records)
    return path


def ids(model) -> list[int]:
    return [
        model.data(model.index(row, 0), Qt.ItemDataRole.UserRole) for row in range(model.rowCount())
    ]


def test_document_list_pages_and_filters_over_100k(big_project, open_window, qtbot):
    started = time.monotonic()
    ui = open_window(big_project)
    assert time.monotonic() - started < 5, "opening a 100k project must stay quick"
    model = ui.window.documents
    panel = ui.window.document_list

    # One page, not 100k rows; more pages on demand.
    assert model.rowCount() == PAGE == 200
    assert model.total == COUNT
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE
    assert ids(model)[:3] == [1, 2, 3] and ids(model)[-1] == 2 * PAGE
    panel.table.scrollToBottom()  # the view asks for the next page itself
    qtbot.waitUntil(lambda: model.rowCount() >= 3 * PAGE, timeout=2000)
    assert model.rowCount() < 10 * PAGE
    assert model.data(model.index(0, 2)) == "done"
    assert model.data(model.index(1, 2)) == "new"
    assert model.data(model.index(0, 3)) == 1  # document 1 has an entity

    panel.status.setCurrentIndex(panel.status.findData(Status.DONE))
    assert model.total == COUNT // 4
    assert model.rowCount() == PAGE
    assert {model.data(model.index(r, 2)) for r in range(model.rowCount())} == {"done"}

    panel.status.setCurrentIndex(0)  # all statuses
    panel.label.setCurrentIndex(panel.label.findData("LOC"))
    assert model.total == COUNT // 10
    assert ids(model)[:3] == [1, 11, 21]

    panel.label.setCurrentIndex(0)
    qtbot.keyClicks(panel.search, "4242")  # "Report 4242" and "item 4242" (606 * 7)
    qtbot.waitUntil(lambda: model.total == 2, timeout=3000)
    assert sorted(ids(model)) == [607, 4243]

    # Picking a row opens that document in the editor.
    table = panel.table
    rect = table.visualRect(model.index(1, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert ui.document_id == ids(model)[1]
    assert "4242" in ui.text

    panel.search.clear()
    qtbot.waitUntil(lambda: model.total == COUNT, timeout=3000)
    assert model.rowCount() == PAGE
