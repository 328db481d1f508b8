"""GUI benchmark (offscreen): a 20,000-word document with 2,000 entities; prints JSON.

Times opening the document in the window (until painted) and the delay from a label key
press to the new entity being stored and painted; and the curation page's list of disputed
documents filled with 100,000 of them (until painted), and one row's update after a settle.
Then the keys on one document of ``--big-words`` words (900,000 by default, as a CoNLL
import makes it: one line, an entity every 10th word): ms per key for Right, Shift+Right, a
label key (a new entity, stored) and Delete, each until painted (``--big-words 0`` skips it;
building and opening that document takes a minute).

Usage: QT_QPA_PLATFORM=offscreen python tests/benchmarks/gui_bench.py [--big-words N]
"""

from __future__ import annotations

import argparse
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-words", type=int, default=900_000)
    big_words = parser.parse_args().big_words
    rng = random.Random(0)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        path = Path(tmp) / "long.db"
        record = long_document(20_000, 2_000, rng)
        with Project.create(path, ["PER", "ORG", "LOC"]) as project:
            project.documents.add(
                [
                    DocumentRecord(
                        "A short first document.", tuple(tokenize("A short first document."))
                    )
                ]
            )
            doc_id = project.documents.add([record]).document_ids[0]
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
    big = big_document_keys_ms(app, big_words) if big_words else {}
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
                **big,
            }
        )
    )


def big_document_keys_ms(app: QApplication, words: int, presses: int = 15) -> dict:
    """Median ms per key, until painted, on one document of ``words`` words."""
    from nerstudio.gui.app import create_window

    record = long_document(words, words // 10, random.Random(1))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        with Project.create(path, ["PER", "ORG", "LOC"]) as project:
            project.documents.add([record])
        window = create_window(path)
        window.resize(1400, 900)
        window.show()
        QTest.qWaitForWindowExposed(window)
        editor = window.editor
        editor.document().size()  # the whole text laid out (Qt does it in chunks otherwise)
        app.processEvents()

        def press(key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> float:
            start = time.perf_counter()
            QTest.keyClick(editor, key, modifier)
            editor.viewport().repaint()
            app.processEvents()
            return 1000 * (time.perf_counter() - start)

        right = [press(Qt.Key.Key_Right) for _ in range(presses)]
        shift = [press(Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier) for _ in range(presses)]
        label, delete = [], []
        free = [i for i in range(200, 2000) if editor.span_at_token(i) is None]
        for index in free[: 5 * 3 : 3]:
            editor.selection = (index, index)
            editor.selected_span = None
            label.append(press(Qt.Key.Key_2))
            assert editor.selected_span is not None, "the key press created no entity"
            delete.append(press(Qt.Key.Key_Delete))
        window.close()
    return {
        "big_document_tokens": len(record.tokens),
        "big_document_entities": len(record.spans),
        "big_right_ms_median": round(statistics.median(right), 1),
        "big_shift_right_ms_median": round(statistics.median(shift), 1),
        "big_label_key_ms_median": round(statistics.median(label), 1),
        "big_delete_ms_median": round(statistics.median(delete), 1),
    }


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
