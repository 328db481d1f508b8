"""Bulk edits the annotation window needs as single undoable steps.

Each function runs inside the caller's transaction (``Project`` wraps them in
``db.atomic()``), so a tag-all over many documents or a label merge is all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from nerstudio.core.errors import SpanError
from nerstudio.core.records import Status
from nerstudio.core.spans import Span, check_spans
from nerstudio.core.store import queries, schema


@dataclass(frozen=True)
class SpanRow:
    """A gold span with everything needed to put it back after a removal."""

    id: int
    document_id: int
    start: int
    end: int
    label: str
    origin: str = "human"


def span_rows(db: sqlite_utils.Database, where: str, params: Sequence) -> list[SpanRow]:
    rows = db.execute(
        'SELECT s.id, s.document_id, s.start, s."end", l.name, s.origin FROM spans s'
        f" JOIN labels l ON l.id = s.label_id WHERE {where} ORDER BY s.document_id, s.start",
        list(params),
    ).fetchall()
    return [SpanRow(*row) for row in rows]


def insert_spans(
    db: sqlite_utils.Database, label_ids: dict[str, int], rows: Iterable[SpanRow | tuple]
) -> list[int]:
    """Insert spans (keeping given ids when restoring), checking each document once."""
    by_doc: dict[int, list] = {}
    for row in rows:
        row = row if isinstance(row, SpanRow) else SpanRow(None, *row)  # type: ignore[arg-type]
        by_doc.setdefault(row.document_id, []).append(row)
    ids: list[int] = []
    for document_id, new in by_doc.items():
        doc = db.execute(
            "SELECT id, text, tokens, status, split, source, meta FROM documents WHERE id = ?",
            [document_id],
        ).fetchone()
        if doc is None:
            raise SpanError(f"no document {document_id}")
        existing = [
            Span(r.start, r.end, r.label) for r in span_rows(db, "s.document_id = ?", [document_id])
        ]
        record = queries.record_from_row(doc, ())
        check_spans(
            [*existing, *(Span(r.start, r.end, r.label) for r in new)],
            record.tokens,
            len(record.text),
        )
        for row in new:
            cursor = db.execute(
                'INSERT INTO spans (id, document_id, start, "end", label_id, origin)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                [row.id, document_id, row.start, row.end, label_ids[row.label], row.origin],
            )
            ids.append(cursor.lastrowid)
        db.execute("UPDATE documents SET updated_at = ? WHERE id = ?", [schema.now(), document_id])
    return ids


def delete_spans(db: sqlite_utils.Database, span_ids: Sequence[int]) -> list[SpanRow]:
    """Delete spans by id and return them as they were."""
    if not span_ids:
        return []
    marks = ",".join("?" * len(span_ids))
    removed = span_rows(db, f"s.id IN ({marks})", span_ids)
    db.execute(f"DELETE FROM spans WHERE id IN ({marks})", list(span_ids))
    return removed


def find_occurrences(
    db: sqlite_utils.Database, words: Sequence[str], document_ids: Sequence[int] | None
) -> list[tuple[int, int, int]]:
    """(document, start, end) of every exact token-sequence match of ``words`` not yet
    covered by a span, in the given documents or else in every document not done."""
    if not words:
        return []
    if document_ids is not None:
        marks = ",".join("?" * len(document_ids))
        where, params = f"d.id IN ({marks})", list(document_ids)
    else:
        search = " ".join(w for w in words if any(ch.isalnum() for ch in w))
        where, params = "d.status != ?", [Status.DONE.value]
        if search:
            where += " AND d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
            params.append(db.quote_fts(search))
    found = []
    n = len(words)
    for doc in db.execute(
        f"SELECT d.id, d.text, d.tokens, d.status, d.split, d.source, d.meta FROM documents d"
        f" WHERE {where} ORDER BY d.id",
        params,
    ).fetchall():
        record = queries.record_from_row(doc, ())
        texts = [record.text[s:e] for s, e in record.tokens]
        taken = [(r.start, r.end) for r in span_rows(db, "s.document_id = ?", [record.id])]
        for i in range(len(texts) - n + 1):
            if texts[i : i + n] == list(words):
                start, end = record.tokens[i][0], record.tokens[i + n - 1][1]
                if all(end <= a or start >= b for a, b in taken):
                    found.append((record.id, start, end))
                    taken.append((start, end))
    return found
