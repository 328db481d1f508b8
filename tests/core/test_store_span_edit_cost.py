"""A span edit's cost does not grow with its document (issue 23 item 13): it reads the
stored spans around the new one and the tokens at its ends, never the whole document's
spans or tokens again; and kept token boundaries are never used once they may be stale."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from nerstudio.core.errors import SpanError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project, spans, token_bounds
from nerstudio.core.store.token_bounds import TokenBounds
from nerstudio.core.tokens import tokenize

WORDS = 30_000  # long enough for the window to keep its boundaries when it opens it


def long_record(words: int = WORDS) -> DocumentRecord:
    """``w0 w1 ...``, a PER span on every 10th word."""
    text = " ".join(f"w{i}" for i in range(words))
    tokens = tuple(tokenize(text))
    gold = tuple(Span(s, e, "PER") for s, e in tokens[::10])
    return DocumentRecord(text=text, tokens=tokens, spans=gold, status=Status.NEW)


@pytest.fixture
def big(tmp_path: Path) -> tuple[Project, int, DocumentRecord]:
    record = long_record()
    project = Project.create(tmp_path / "p.db", ["PER", "LOC"])
    (doc,) = project.documents.add([record]).document_ids
    yield project, doc, record
    project.close()


class Reads:
    """Counts the tokens JSON decoded and the span rows read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.decodes = 0
        self.span_rows = 0
        from_json, span_rows = TokenBounds.from_json.__func__, spans.span_rows

        def counted_from_json(cls, *args):
            self.decodes += 1
            return from_json(cls, *args)

        def counted_span_rows(*args):
            found = span_rows(*args)
            self.span_rows += len(found)
            return found

        monkeypatch.setattr(TokenBounds, "from_json", classmethod(counted_from_json))
        monkeypatch.setattr(spans, "span_rows", counted_span_rows)


def test_span_edits_do_not_read_the_whole_document(big, monkeypatch):
    project, doc, record = big
    reads = Reads(monkeypatch)
    free = [t for i, t in enumerate(record.tokens) if i % 10][:40:4]
    for start, end in free:  # a label key, Delete, undo, redo, a relabel: as the window does
        (span_id,) = project.spans.add_many([(doc, start, end, "LOC")])
        project.documents.set_status([doc], Status.IN_PROGRESS)
        project.documents.set_split([doc], "train")
        project.documents.add_seconds_spent(doc, 1.5)
        removed = project.spans.remove_many([span_id])
        project.spans.restore(removed)
        project.spans.relabel_many([span_id], "PER")
        project.spans.remove(span_id)
    assert reads.decodes == 1  # the first edit; none after it
    assert reads.span_rows <= 6 * len(free)  # neighbours and the spans removed, not 3,000
    assert len(project.spans.list(doc)) == len(record.spans)


def test_opening_a_long_document_spares_its_first_edit_the_decode(big, monkeypatch):
    project, doc, record = big
    project.documents.get(doc)  # the window opening it
    reads = Reads(monkeypatch)
    project.spans.add(doc, *record.tokens[1], "LOC")
    assert reads.decodes == 0


def test_span_edits_keep_every_rule_on_a_long_document(big):
    project, doc, record = big
    gold = record.spans[500]
    with pytest.raises(SpanError, match=f"{gold.start}-{gold.end} .* overlaps {gold.start}-"):
        project.spans.add_many([(doc, gold.start, gold.end, "LOC")])
    before, after = record.tokens[4999], record.tokens[5001]
    with pytest.raises(SpanError, match=rf"span {gold.start}-{gold.end} \(PER\) overlaps"):
        project.spans.add_many([(doc, before[0], after[1], "LOC")])  # around a gold span
    with pytest.raises(SpanError, match="token boundaries"):
        project.spans.add_many([(doc, before[0] + 1, before[1], "LOC")])
    with pytest.raises(SpanError, match=f"outside the text \\(length {len(record.text)}\\)"):
        project.spans.add_many([(doc, before[0], len(record.text) + 1, "LOC")])
    with pytest.raises(SpanError, match="overlaps"):  # two new ones overlapping each other
        project.spans.add_many([(doc, *before, "LOC"), (doc, before[0], before[1], "PER")])
    project.spans.add_many([(doc, *before, "LOC")])  # next to a gold span: allowed
    assert len(project.spans.list(doc)) == len(record.spans) + 1


def _retokenize(path: Path, doc: int, text: str) -> None:
    """Another process splitting every word in two (``w1`` -> ``w`` ``1``)."""
    tokens = [p for s, e in tokenize(text) for p in (s, s + 1, s + 1, e)]
    with sqlite3.connect(path) as other:
        other.execute("UPDATE documents SET tokens = ? WHERE id = ?", [json.dumps(tokens), doc])


def test_tokens_changed_by_another_connection_are_read_again(big, tmp_path):
    project, doc, record = big
    word = record.tokens[11]
    project.spans.add(doc, *record.tokens[12], "LOC")  # boundaries kept
    with pytest.raises(SpanError, match="token boundaries"):
        project.spans.add(doc, word[0] + 1, word[1], "LOC")
    _retokenize(tmp_path / "p.db", doc, record.text)
    project.spans.add(doc, word[0] + 1, word[1], "LOC")  # "11" is a token now


def test_tokens_changed_on_the_same_connection_are_read_again(big):
    project, doc, record = big
    word = record.tokens[11]
    project.spans.add(doc, *word, "LOC")
    with project.db.atomic():
        project.db.execute("DELETE FROM documents WHERE id = ?", [doc])
    other = DocumentRecord(text="short text", tokens=((0, 5), (6, 10)))
    assert project.documents.add([other]).document_ids == (doc,)  # the same id again
    with pytest.raises(SpanError, match="outside the text"):
        project.spans.add(doc, *word, "LOC")
    project.spans.add(doc, 6, 10, "LOC")


def test_tokens_read_inside_a_transaction_that_rolls_back_are_not_kept(big, tmp_path):
    project, doc, record = big
    word = record.tokens[11]
    project.spans.add(doc, *record.tokens[1], "LOC")  # boundaries kept

    class Undone(Exception):
        pass

    with pytest.raises(Undone), project.db.atomic():
        project.db.execute("UPDATE documents SET tokens = '[]' WHERE id = ?", [doc])
        with pytest.raises(SpanError, match="token boundaries"):
            project.spans.add_many([(doc, *word, "LOC")])
        raise Undone
    project.spans.add_many([(doc, *word, "LOC")])  # the tokens as committed


def test_a_span_edit_leaves_the_documents_row_alone(big):
    project, doc, record = big
    row = "SELECT updated_at, status FROM documents WHERE id = ?"
    before = project.db.execute(row, [doc]).fetchone()
    project.spans.add(doc, *record.tokens[1], "LOC")
    assert project.db.execute(row, [doc]).fetchone() == before
    edited = project.db.execute(
        "SELECT updated_at FROM document_edits WHERE document_id = ?", [doc]
    ).fetchone()
    assert edited is not None and edited[0] >= before[0]


def test_kept_boundaries_stay_few(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER"]) as project:
        texts = [f"doc {i} here" for i in range(token_bounds.KEPT_DOCUMENTS + 3)]
        ids = project.documents.add(
            [DocumentRecord(text=t, tokens=tuple(tokenize(t))) for t in texts]
        ).document_ids
        for doc in ids:
            project.spans.add(doc, 0, 3, "PER")
        assert len(token_bounds._KEPT[project.db].documents) == token_bounds.KEPT_DOCUMENTS
