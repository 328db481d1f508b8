"""Document files (PDF, Word ...) in the window: the import dialog offers them, files dropped
anywhere on the window are imported off the GUI thread with a per-file report, the list
shows each document's source file and page, and the editor marks pages and headings
(issue 27)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont, QTextCursor
from PySide6.QtWidgets import QApplication

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import document_readers as registry
from nerstudio.core.formats.documents.plain import read as read_plain_document
from nerstudio.core.formats.extracted import Block, Extracted
from nerstudio.gui.controllers.jobs import import_filter
from nerstudio.gui.dialogs.import_report import ImportReport
from nerstudio.gui.models.documents import SOURCE_COLUMN

PAGES = [
    "Harbour Works\n\nAlice Moreau inspected the pier at Brest.",
    "Omar Haddad signed the contract in Lyon.",
    "Alice Moreau came back.",
]


def read_fake_pdf(path: Path) -> Extracted:
    """A stand-in PDF reader: pages split at form feeds, each page's first paragraph of
    the first page a heading; ``%broken`` is refused as a damaged file."""
    data = path.read_text(encoding="utf-8")
    if data.startswith("%broken"):
        raise FormatError(path, "not a PDF (damaged or cut short)")
    text, pages, blocks = "", [], []
    for number, page in enumerate(data.split("\f"), 1):
        text += "\n\n" if text else ""
        pages.append((len(text), len(text) + len(page)))
        for k, para in enumerate(page.split("\n\n")):
            at = len(text) + page.index(para)
            kind, level = ("heading", 1) if number == 1 and k == 0 else ("paragraph", None)
            blocks.append(Block(at, at + len(para), kind, number, level))
        text += page
    return Extracted(path.name, text, tuple(blocks), tuple(pages), dropped=("3 page numbers",))


@pytest.fixture(autouse=True)
def pdf_reader(monkeypatch):
    readers = {".txt": read_plain_document, ".pdf": read_fake_pdf}
    monkeypatch.setattr(registry, "document_readers", lambda: readers)


def drop(target, paths: list[Path]) -> bool:
    """Drag ``paths`` from a file manager onto ``target`` and drop them; whether accepted."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where, copy = target.rect().center(), Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where, copy, data, buttons, keys)
    QApplication.sendEvent(target, enter)
    QApplication.sendEvent(target, QDropEvent(QPointF(where), copy, data, buttons, keys))
    return enter.isAccepted()


def test_the_import_dialog_offers_document_files_beside_corpora():
    first = import_filter().split(";;")[0]
    assert "*.pdf" in first and "*.conll" in first and "*.txt" in first


def test_files_dropped_on_the_window_are_imported_with_a_report_per_file(
    make_project, open_window, qtbot, tmp_path
):
    ui = open_window(make_project(["An old document."]))
    pdf = tmp_path / "report.pdf"
    pdf.write_text("\f".join(PAGES), encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_text("%broken", encoding="utf-8")
    assert drop(ui.window, [pdf, broken])
    qtbot.waitUntil(lambda: ui.window.jobs.report is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not ui.window.jobs.is_busy(), timeout=10_000)
    report: ImportReport = ui.window.jobs.report
    assert report.isVisible() and not report.isModal()
    assert report.heading.text() == "1 file read, 1 file refused (the others were kept)"
    lines = report.lines.toPlainText().splitlines()
    assert lines[0].startswith("Read report.pdf: 3 pages, ")
    assert "left out 3 page numbers" in lines[0]
    assert lines[1].startswith("Refused ") and "broken.pdf" in lines[1]
    assert "not a PDF" in lines[1]
    assert "1 file refused" in ui.window.statusBar().currentMessage()
    model, table = ui.window.documents, ui.window.document_list.table
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=3000)
    assert not table.isColumnHidden(SOURCE_COLUMN)
    assert model.data(model.index(1, SOURCE_COLUMN)) == "report.pdf p. 1"
    assert model.data(model.index(0, SOURCE_COLUMN)) == ""
    report.close()


def test_the_editor_marks_pages_and_sets_headings_heavier(
    make_project, open_window, qtbot, tmp_path
):
    ui = open_window(make_project(["An old document."]))
    pdf = tmp_path / "report.pdf"
    pdf.write_text("\f".join(PAGES), encoding="utf-8")
    ui.window.jobs.import_files([pdf])
    qtbot.waitUntil(lambda: ui.window.documents.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: not ui.window.jobs.is_busy(), timeout=10_000)
    ui.window.document_list.documentActivated.emit(2)
    qtbot.waitUntil(lambda: ui.state.document is not None and ui.state.document.id == 2)
    editor = ui.editor
    text = ui.text
    assert editor.page_marks == [(0, 1), (text.index("Omar"), 2), (text.index("Alice", 20), 3)]
    cursor = QTextCursor(editor.document())
    cursor.setPosition(ui.qt_position(text.index("Works")) + 1)
    assert cursor.charFormat().fontWeight() == QFont.Weight.DemiBold
    cursor.setPosition(ui.qt_position(text.index("Omar")) + 1)
    assert cursor.charFormat().fontWeight() != QFont.Weight.DemiBold
    editor.viewport().grab()  # the marks paint without error
    ui.window.document_list.documentActivated.emit(1)  # a document without pages
    qtbot.waitUntil(lambda: ui.state.document.id == 1)
    assert editor.page_marks == []


def test_file_import_asks_how_to_cut_a_document_file_and_cancel_imports_nothing(
    make_project, open_window, qtbot, tmp_path, monkeypatch
):
    """File → Import… with a PDF asks how its documents are made (the CLI's ``--per``);
    per page gives one document a page, Cancel imports nothing."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    ui = open_window(make_project(["An old document."]))
    pdf = tmp_path / "report.pdf"
    pdf.write_text("\f".join(PAGES), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(pdf)], ""))
    asked: list[list[str]] = []

    def answer(choice: str, ok: bool):
        def get_item(parent, title, label, items, current, editable):
            asked.append(list(items))
            return next(i for i in items if i.startswith(choice)), ok

        monkeypatch.setattr(QInputDialog, "getItem", get_item)

    answer("One document per page", False)
    ui.window.jobs.import_dialog()
    assert not ui.window.jobs.is_busy() and ui.window.documents.rowCount() == 1
    answer("One document per page", True)
    ui.window.jobs.import_dialog()
    qtbot.waitUntil(lambda: ui.window.documents.rowCount() == 4, timeout=10_000)
    qtbot.waitUntil(lambda: not ui.window.jobs.is_busy(), timeout=10_000)
    assert asked[0][0].startswith("Automatic") and len(asked[0]) == 5
    model = ui.window.documents
    assert [model.data(model.index(r, SOURCE_COLUMN)) for r in (1, 2, 3)] == [
        "report.pdf p. 1",
        "report.pdf p. 2",
        "report.pdf p. 3",
    ]
    lines = ui.window.jobs.report.lines.toPlainText()
    assert "one per page: as asked" in lines
    ui.window.jobs.report.close()


def test_a_corpus_file_is_imported_without_asking_how_to_cut(
    make_project, open_window, qtbot, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    ui = open_window(make_project(["An old document."]))
    conll = tmp_path / "a.conll"
    conll.write_text("Anna\tB-PER\nsings\tO\n\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(conll)], ""))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: pytest.fail("asked"))
    ui.window.jobs.import_dialog()
    qtbot.waitUntil(lambda: ui.window.documents.rowCount() == 2, timeout=10_000)
