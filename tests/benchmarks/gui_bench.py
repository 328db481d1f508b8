"""GUI benchmark (offscreen): a 20,000-word document with 2,000 entities; prints JSON.

Times opening the document in the window (until painted) and the delay from a label key
press to the new entity being stored and painted; and the curation page's list of disputed
documents filled with 100,000 of them (until painted), and one row's update after a settle.

Usage: QT_QPA_PLATFORM=offscreen python tests/benchmarks/gui_bench.py
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

WORDS = "the market said government minister shares week police team match year".split()
NAMES = ["Berlin", "Reuters", "Clinton", "Paris", "NATO"]


def long_document(words: int, entities: int, rng: random.Random) -> DocumentRecord:
    parts = []
    for i in range(words):
        parts.append(rng.choice(NAMES) if i % (words // entities) == 0 else rng.choice(WORDS))
        if i % 40 == 39:
            parts[-1] += "."
    text = " ".join(parts)
    tokens = tuple(tokenize(text))
    spans = tuple(Span(s, e, "PER") for s, e in tokens if text[s:e] in NAMES)[:entities]
    return DocumentRecord(text=text, tokens=tokens, spans=spans, status=Status.NEW)


def main() -> None:
    rng = random.Random(0)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        path = Path(tmp) / "long.db"
        record = long_document(20_000, 2_000, rng)
        with Project.create(path, ["PER", "ORG", "LOC"]) as project:
            project.add_documents(
                [
                    DocumentRecord(
                        "A short first document.", tuple(tokenize("A short first document."))
                    )
                ]
            )
            doc_id = project.add_documents([record]).document_ids[0]
        from nerstudio.gui.app import create_window

        window = create_window(path)
        window.resize(1400, 900)
        window.show()
        QTest.qWaitForWindowExposed(window)
        app.processEvents()
        opens = []
        for _ in range(3):
            window.state.open_document(1)
            app.processEvents()
            start = time.perf_counter()
            window.state.open_document(doc_id)
            window.editor.viewport().repaint()
            app.processEvents()
            opens.append(time.perf_counter() - start)
        editor = window.editor
        free = [i for i in range(len(editor.starts)) if editor.span_at_token(i) is None][:400]
        latencies = []
        for index in free[::20]:
            editor.selection = (index, index)
            editor.selected_span = None
            before = len(window.state.spans)
            start = time.perf_counter()
            QTest.keyClick(editor, Qt.Key.Key_2)
            editor.viewport().repaint()
            app.processEvents()
            latencies.append(time.perf_counter() - start)
            assert len(window.state.spans) == before + 1, "the key press created no entity"
        window.close()
    queue = curation_queue_ms(app, 100_000)
    print(
        json.dumps(
            {
                **queue,
                "document_words": 20_000,
                "entities": len(record.spans),
                "open_ms_median": round(1000 * statistics.median(opens), 1),
                "open_ms_max": round(1000 * max(opens), 1),
                "new_entity_ms_median": round(1000 * statistics.median(latencies), 1),
                "new_entity_ms_max": round(1000 * max(latencies), 1),
                "new_entity_samples": len(latencies),
            }
        )
    )


def curation_queue_ms(app: QApplication, count: int) -> dict:
    """The curation page's queue: filled with ``count`` disputed documents, then one
    row updated (a settle), each until painted; median of three."""
    from nerstudio.core.store.annotations import DisputedDocument
    from nerstudio.gui.curation.view import CurationView

    view = CurationView()
    view.resize(1400, 900)
    view.show()
    QTest.qWaitForWindowExposed(view)
    disputed = [DisputedDocument(i, 1 + i % 3, i % 2) for i in range(1, count + 1)]
    previews = {d.document_id: f"Document {d.document_id} begins with these" for d in disputed}
    fills, updates = [], []
    for _ in range(3):
        view.set_queue_reading()
        app.processEvents()
        start = time.perf_counter()
        view.set_queue(disputed, previews)
        view.queue.viewport().repaint()
        app.processEvents()
        fills.append(time.perf_counter() - start)
        start = time.perf_counter()
        view.update_queue(DisputedDocument(count // 2, 0, 3))
        view.queue.viewport().repaint()
        app.processEvents()
        updates.append(time.perf_counter() - start)
    view.close()
    return {
        "curation_queue_documents": count,
        "curation_queue_fill_ms_median": round(1000 * statistics.median(fills), 1),
        "curation_queue_update_ms_median": round(1000 * statistics.median(updates), 1),
    }


if __name__ == "__main__":
    main()
