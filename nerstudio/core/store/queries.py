"""Read-only queries over a project: paged listing, full-text search, streaming, stats.

Built to stay fast at 100k documents: filters use indexes, search goes through FTS5,
pages are bounded, and exports stream documents and spans side by side in id order.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import unspaced


@dataclass(frozen=True)
class DocumentQuery:
    """Filters and a page for the document list; ``None`` means 'any'."""

    status: Status | None = None
    split: str | None = None
    label: str | None = None
    search: str | None = None
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class DocumentRow:
    """One line of the document list."""

    id: int
    preview: str
    status: Status
    split: str | None
    entity_count: int


@dataclass(frozen=True)
class ProjectStats:
    """Counts over the whole project."""

    documents: int
    done: int
    tokens: int
    entities: dict[str, int]
    by_status: dict[str, int] = field(default_factory=dict)
    by_split: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "done": self.done,
            "tokens": self.tokens,
            "entities": self.entities,
            "by_status": self.by_status,
            "by_split": self.by_split,
        }


PREVIEW_CHARS = 160
_ROW_SELECT = (
    f"SELECT d.id, substr(d.text, 1, {PREVIEW_CHARS}), d.status, d.split,"
    " (SELECT count(*) FROM spans s WHERE s.document_id = d.id) FROM documents d"
)


def _where(db: sqlite_utils.Database, query: DocumentQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.status is not None:
        clauses.append("d.status = ?")
        params.append(Status(query.status).value)
    if query.split is not None:
        clauses.append("d.split = ?")
        params.append(query.split)
    if query.label is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM spans s JOIN labels l ON l.id = s.label_id"
            " WHERE l.name = ? AND s.document_id = d.id)"
        )
        params.append(query.label)
    found = text_filter(db, query.search or "")
    if found is not None:
        clauses.append(found[0])
        params += found[1]
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    return where, params


def text_filter(db: sqlite_utils.Database, search: str) -> tuple[str, list[Any]] | None:
    """SQL for "the document's text holds every word of ``search``" (None: nothing to
    look for; a search of only quotes or symbols is no filter, not an error).

    Words of spaced scripts go through the full-text index. A word in Han or kana is a
    substring test instead: the index (unicode61) holds a whole unspaced run as one word,
    so 北京 was never found in 张三在北京大学工作.
    """
    words = [word for word in search.split() if any(ch.isalnum() for ch in word)]
    if not words:
        return None
    clauses, params = [], []
    spaced = [word for word in words if not unspaced(word)]
    if spaced:
        clauses.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
        params.append(db.quote_fts(" ".join(spaced)))
    for word in words:
        if unspaced(word):
            clauses.append("instr(d.text, ?) > 0")
            params.append(word)
    return " AND ".join(clauses), params


def list_documents(db: sqlite_utils.Database, query: DocumentQuery) -> list[DocumentRow]:
    where, params = _where(db, query)
    rows = db.execute(
        f"{_ROW_SELECT}{where} ORDER BY d.id LIMIT ? OFFSET ?",
        [*params, query.limit, query.offset],
    ).fetchall()
    return [DocumentRow(r[0], r[1], Status(r[2]), r[3], r[4]) for r in rows]


ID_CHUNK = 900


def document_rows(db: sqlite_utils.Database, ids: Sequence[int]) -> list[DocumentRow]:
    """List rows for specific documents (to refresh them in a list after an edit), in id
    order. Asked in chunks: SQLite caps the variables of one statement (32,766 in recent
    builds, 999 in old ones), and a curation queue can name more documents than that."""
    rows = []
    ids = sorted(set(ids))
    for at in range(0, len(ids), ID_CHUNK):
        chunk = ids[at : at + ID_CHUNK]
        marks = ",".join("?" * len(chunk))
        rows += db.execute(f"{_ROW_SELECT} WHERE d.id IN ({marks}) ORDER BY d.id", chunk)
    return [DocumentRow(r[0], r[1], Status(r[2]), r[3], r[4]) for r in rows]


def neighbour_document(
    db: sqlite_utils.Database, document_id: int, step: int, unfinished_only: bool
) -> int | None:
    """The next (step > 0) or previous document id, optionally only new/in-progress ones."""
    op, order = (">", "ASC") if step > 0 else ("<", "DESC")
    where = f"id {op} ?"
    if unfinished_only:
        where += " AND status IN ('new', 'in_progress')"
    row = db.execute(
        f"SELECT id FROM documents WHERE {where} ORDER BY id {order} LIMIT 1", [document_id]
    ).fetchone()
    return row[0] if row else None


def count_documents(db: sqlite_utils.Database, query: DocumentQuery) -> int:
    where, params = _where(db, query)
    return db.execute(f"SELECT count(*) FROM documents d{where}", params).fetchone()[0]


def record_from_row(row: Sequence[Any], spans: tuple[Span, ...]) -> DocumentRecord:
    """A DocumentRecord from ``id, text, tokens, status, split, source, meta``."""
    doc_id, text, tokens, status, split, source, meta = row
    flat = json.loads(tokens)
    return DocumentRecord(
        text=text,
        tokens=tuple(zip(flat[::2], flat[1::2])),
        spans=spans,
        status=Status(status),
        split=split,
        source=source,
        meta=json.loads(meta) if meta else {},
        id=doc_id,
    )


def iter_documents(
    db: sqlite_utils.Database, status: Status | None, split: str | None
) -> Iterator[DocumentRecord]:
    """Stream documents and their spans with two cursors walking the same id order."""
    where, params = _where(db, DocumentQuery(status=status, split=split))
    docs = db.conn.execute(
        f"SELECT d.id, d.text, d.tokens, d.status, d.split, d.source, d.meta"
        f" FROM documents d{where} ORDER BY d.id",
        params,
    )
    span_cursor = db.conn.execute(
        'SELECT s.document_id, s.start, s."end", l.name FROM spans s'
        f" JOIN labels l ON l.id = s.label_id JOIN documents d ON d.id = s.document_id{where}"
        " ORDER BY s.document_id, s.start",
        params,
    )
    yield from join_spans(docs, span_cursor)


def join_spans(docs: Iterable[tuple], spans: sqlite3.Cursor) -> Iterator[DocumentRecord]:
    """Each document row as a record with its spans, from document rows and
    (document id, start, end, label) rows both in document order: a merge join, one pass
    over each, so a large export holds one document at a time."""
    pending = spans.fetchone()
    for row in docs:
        found: list[Span] = []
        while pending is not None and pending[0] < row[0]:
            pending = spans.fetchone()
        while pending is not None and pending[0] == row[0]:
            found.append(Span(pending[1], pending[2], pending[3]))
            pending = spans.fetchone()
        yield record_from_row(row, tuple(found))


def stats(db: sqlite_utils.Database, label_names: Sequence[str]) -> ProjectStats:
    by_status = dict(db.execute("SELECT status, count(*) FROM documents GROUP BY status"))
    by_split = {
        split or "(none)": n
        for split, n in db.execute("SELECT split, count(*) FROM documents GROUP BY split")
    }
    tokens = db.execute(
        "SELECT coalesce(sum(json_array_length(tokens)), 0) / 2 FROM documents"
    ).fetchone()[0]
    counts = dict(
        db.execute(
            "SELECT l.name, count(s.id) FROM labels l LEFT JOIN spans s ON s.label_id = l.id"
            " GROUP BY l.id"
        )
    )
    return ProjectStats(
        documents=sum(by_status.values()),
        done=by_status.get(Status.DONE.value, 0),
        tokens=tokens,
        entities={name: counts.get(name, 0) for name in label_names},
        by_status={s.value: by_status.get(s.value, 0) for s in Status},
        by_split=by_split,
    )
