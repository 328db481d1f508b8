"""Import through the TransferWorker in its own QThread: success grows the document list,
a bad file reports ``failed`` and changes nothing (all or nothing)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from nerstudio.core.store import Project
from nerstudio.gui.workers.transfer import TransferWorker

CONLL = "Anna\tB-PER\nBerg\tI-PER\nwins\tO\n\nAcme\tB-ORG\nhires\tO\n\nOslo\tB-LOC\nrains\tO\n"


def count_documents(path) -> int:
    with Project.open(path) as project:
        return project.documents.count()


def wait_for_threads(ui, qtbot) -> None:
    qtbot.waitUntil(lambda: not ui.window.jobs.workers, timeout=5000)
    assert not ui.window.jobs.busy.isVisible()


def test_import_worker_succeeds_and_list_grows(
    make_project, open_window, qtbot, tmp_path, record_threads
):
    ui = open_window(make_project(["First document.", "Second document."]))
    model = ui.window.documents
    assert model.rowCount() == 2
    source = tmp_path / "more.conll"
    source.write_text(CONLL, encoding="utf-8")
    worker = TransferWorker(ui.path, "import", [source])

    with qtbot.waitSignal(worker.succeeded, timeout=10_000) as blocker:
        ui.window.jobs.start(worker)
        assert ui.window.jobs.busy.isVisible()

    assert blocker.args == [
        "Imported 3 documents with 3 entities — more.conll: CoNLL columns (its content), "
        "3 documents, 3 entities"
    ]
    qtbot.waitUntil(lambda: model.rowCount() == 5, timeout=3000)
    assert count_documents(ui.path) == 5
    assert ui.window.progress_text.text() == "3 of 5 done"  # tagged CoNLL imports as done
    assert "Imported 3 documents" in ui.window.statusBar().currentMessage()
    assert ui.spans(3) == [(0, 9, "PER")]
    wait_for_threads(ui, qtbot)
    assert record_threads and all(t.isFinished() for t in record_threads)


def test_import_bad_file_fails_and_changes_nothing(
    make_project, open_window, qtbot, tmp_path, dialogs
):
    ui = open_window(make_project(["First document."]))
    good = tmp_path / "good.conll"
    good.write_text(CONLL, encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "fine"}) + "\n{not json\n", encoding="utf-8")
    worker = TransferWorker(ui.path, "import", [good, bad])  # one bad file: nothing at all

    succeeded: list[str] = []
    worker.succeeded.connect(succeeded.append)

    with qtbot.waitSignal(worker.failed, timeout=10_000) as blocker:
        ui.window.jobs.start(worker)

    message = blocker.args[0]
    assert "bad.jsonl" in message and "line 2" in message
    qtbot.waitUntil(lambda: bool(dialogs.texts("warning")), timeout=3000)
    assert dialogs.texts("warning")[0].startswith("Nothing was changed")
    assert count_documents(ui.path) == 1
    assert ui.window.documents.rowCount() == 1
    assert ui.window.progress_text.text() == "0 of 1 done"
    wait_for_threads(ui, qtbot)
    assert succeeded == []


def test_import_from_the_menu_into_an_empty_project(
    make_project, open_window, qtbot, tmp_path, monkeypatch
):
    ui = open_window(make_project([]))
    assert ui.state.document is None
    source = tmp_path / "notes.txt"
    source.write_text("Kofi Mensah visited Oslo.\n\nLi Wei stayed home.\n", encoding="utf-8")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(source)], ""))
    )

    qtbot.keyClick(ui.editor, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # File > Import

    qtbot.waitUntil(lambda: ui.window.documents.rowCount() > 0, timeout=10_000)
    wait_for_threads(ui, qtbot)
    assert ui.state.document is not None  # the first imported document opens
    assert ui.text.startswith("Kofi Mensah")
    assert ui.editor.selection == (0, 0)


def test_redo_after_an_import_edits_the_same_entity(make_project, open_window, qtbot, tmp_path):
    ui = open_window(make_project(["Kofi Mensah visited Oslo."]))
    ui.double_click(ui.at("Oslo", 1))
    ui.key("3")  # tag Oslo LOC
    ui.key("2")  # relabel it ORG
    ui.undo()
    ui.undo()
    assert ui.spans(1) == []
    source = tmp_path / "more.conll"
    source.write_text(CONLL, encoding="utf-8")
    worker = TransferWorker(ui.path, "import", [source])
    with qtbot.waitSignal(worker.succeeded, timeout=10_000):
        ui.window.jobs.start(worker)
    wait_for_threads(ui, qtbot)
    imported = {doc: ui.spans(doc) for doc in (2, 3, 4)}

    ui.redo()  # tag Oslo again
    ui.redo()  # relabel it again

    assert {doc: ui.spans(doc) for doc in (2, 3, 4)} == imported  # untouched by the redo
    assert ui.spans(1) == [ui.entity("Oslo", "ORG")]
