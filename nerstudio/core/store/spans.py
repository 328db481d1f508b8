"""Gold spans in the store: the stored-span type, the queries on the ``spans`` table and
the edits the annotation window makes (one span, or many as one undoable step).

Bulk functions run inside the caller's transaction (``Spans`` wraps them in
``db.atomic()``), so a tag-all over many documents or a label merge is all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import LabelError, ProjectError, SpanError
from nerstudio.core.records import Status
from nerstudio.core.spans import DisjointSpans, Span, check_spans
from nerstudio.core.store import queries, schema
from nerstudio.core.store.token_bounds import restamp, still_good, token_bounds

_SELECT = (
    'SELECT s.id, s.document_id, s.start, s."end", l.name, s.origin FROM spans s'
    " JOIN labels l ON l.id = s.label_id"
)


@dataclass(frozen=True, order=True, kw_only=True)
class StoredSpan(Span):
    """A gold span as a row: its id (to remove, relabel or put it back exactly after an
    undo), its document and whether a person or a model made it. ``id`` and
    ``document_id`` are None only for a span not stored (yet)."""

    id: int | None = None
    document_id: int | None = None
    origin: str = "human"


def span_rows(db: sqlite_utils.Database, where: str, params: Sequence) -> list[StoredSpan]:
    """Stored spans matching ``where`` (over ``s`` spans and ``l`` labels), in text order."""
    rows = db.execute(
        f"{_SELECT} WHERE {where} ORDER BY s.document_id, s.start", list(params)
    ).fetchall()
    return [
        StoredSpan(start, end, label, id=span_id, document_id=doc, origin=origin)
        for span_id, doc, start, end, label, origin in rows
    ]


def insert_spans(
    db: sqlite_utils.Database,
    label_ids: dict[str, int],
    spans: Iterable[StoredSpan],
    keep: bool = False,
) -> list[int]:
    """Insert spans (keeping given ids when restoring), each checked against the stored
    spans around it and the tokens at its ends: the cost of an edit does not grow with
    the document. ``keep``: the transaction is the caller's own (``token_bounds``)."""
    by_doc: dict[int | None, list[StoredSpan]] = {}
    for span in spans:
        by_doc.setdefault(span.document_id, []).append(span)
    ids: list[int] = []
    for document_id, new in by_doc.items():
        bounds = token_bounds(db, document_id, keep)
        good = still_good(db)
        checked = {s.id: s for s in _neighbours(db, document_id, new)}
        near = [*checked.values(), *new]
        tokens = bounds.tokens_at({o for s in near for o in (s.start, s.end) if type(o) is int})
        check_spans(near, tokens, bounds.text_length)
        for span in new:
            cursor = db.execute(
                'INSERT INTO spans (id, document_id, start, "end", label_id, origin)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                [span.id, document_id, span.start, span.end, label_ids[span.label], span.origin],
            )
            ids.append(cursor.lastrowid)
        touch(db, document_id)
        if good:
            restamp(db)
    return ids


def _neighbours(
    db: sqlite_utils.Database, document_id: int | None, new: Sequence[Span]
) -> list[StoredSpan]:
    """The stored spans a new one could overlap: those starting inside it and the last
    one starting before it (stored spans never overlap one another), by the index on
    ``spans(document_id, start)``."""
    found: list[StoredSpan] = []
    for span in new:
        found += span_rows(
            db,
            "s.document_id = ? AND s.start >= ? AND s.start < ?",
            [document_id, span.start, max(span.start, span.end)],
        )
        found += span_rows(
            db,
            "s.id = (SELECT id FROM spans WHERE document_id = ? AND start < ?"
            " ORDER BY start DESC LIMIT 1)",
            [document_id, span.start],
        )
    return found


def delete_spans(db: sqlite_utils.Database, span_ids: Sequence[int]) -> list[StoredSpan]:
    """Delete spans by id and return them as they were."""
    if not span_ids:
        return []
    marks = ",".join("?" * len(span_ids))
    good = still_good(db)
    removed = span_rows(db, f"s.id IN ({marks})", span_ids)
    db.execute(f"DELETE FROM spans WHERE id IN ({marks})", list(span_ids))
    if good:
        restamp(db)
    return removed


def touch(db: sqlite_utils.Database, document_id: int | None) -> None:
    """Mark a document's spans changed now, in its narrow ``document_edits`` row: an
    update of the documents row rewrites its whole text and tokens."""
    db.execute(
        "INSERT INTO document_edits (document_id, updated_at) VALUES (?, ?)"
        " ON CONFLICT (document_id) DO UPDATE SET updated_at = excluded.updated_at",
        [document_id, schema.now()],
    )


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
        where, params = "d.status != ?", [Status.DONE.value]
        found = queries.text_filter(db, " ".join(words))
        if found is not None:
            where += f" AND {found[0]}"
            params += found[1]
    found = []
    wanted, n = list(words), len(words)
    for doc in db.execute(
        f"SELECT d.id, d.text, d.tokens, d.status, d.split, d.source, d.meta FROM documents d"
        f" WHERE {where} ORDER BY d.id",
        params,
    ).fetchall():
        record = queries.record_from_row(doc, ())
        texts = [record.text[s:e] for s, e in record.tokens]
        gold = _gold(span_rows(db, "s.document_id = ?", [record.id]))
        last_end = -1  # of the last match found: matches come in text order
        for i in range(len(texts) - n + 1):
            if texts[i] == wanted[0] and texts[i : i + n] == wanted:
                match = Span(record.tokens[i][0], record.tokens[i + n - 1][1], "")
                if match.start >= last_end and gold.first_overlapping(match) is None:
                    found.append((record.id, match.start, match.end))
                    last_end = match.end
    return found


def _gold(spans: Iterable[Span]) -> DisjointSpans:
    """A document's gold spans (in text order), looked up by bisection rather than one by
    one: a tag-all on a long document compared each match with every span. Of gold spans
    that overlap (a damaged file) the first is kept: storing there is refused anyway."""
    gold = DisjointSpans()
    for span in spans:
        if gold.first_overlapping(span) is None:
            gold.add(span)
    return gold


def relabel_rows(db: sqlite_utils.Database, span_ids: Sequence[int], label_id: int) -> None:
    """Give spans another label (inside the caller's transaction)."""
    good = still_good(db)
    db.conn.executemany(
        "UPDATE spans SET label_id = ? WHERE id = ?", [(label_id, i) for i in span_ids]
    )
    if good:
        restamp(db)


def label_ids(db: sqlite_utils.Database) -> dict[str, int]:
    """Every label's id by name."""
    return dict(db.execute("SELECT name, id FROM labels").fetchall())


def label_id(db: sqlite_utils.Database, name: str) -> int:
    row = db.execute("SELECT id FROM labels WHERE name = ?", [name]).fetchone()
    if row is None:
        raise LabelError(f"no label {name!r} in this project")
    return row[0]


def entity_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Gold spans per label, every label listed (in label order), by the index on
    ``spans(label_id)``: cheap enough for the GUI thread where ``stats`` is not."""
    rows = db.execute(
        "SELECT l.name, (SELECT count(*) FROM spans s WHERE s.label_id = l.id)"
        " FROM labels l ORDER BY l.position, l.id"
    ).fetchall()
    return dict(rows)


class Spans:
    """``project.spans``: gold spans. Every public method is one transaction."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    def list(self, document_id: int) -> list[StoredSpan]:
        """A document's gold spans in text order."""
        return span_rows(self.db, "s.document_id = ?", [document_id])

    def add(
        self, document_id: int, start: int, end: int, label: str, origin: str = "human"
    ) -> StoredSpan:
        """Add one gold span; refuses one off token boundaries or overlapping another."""
        keep = not self.db.conn.in_transaction
        with self.db.atomic():
            found = self.db.execute("SELECT 1 FROM documents WHERE id = ?", [document_id])
            if found.fetchone() is None:
                raise ProjectError(f"{self.path}: no document {document_id}")
            new = StoredSpan(start, end, label, document_id=document_id, origin=origin)
            (span_id,) = insert_spans(self.db, {label: label_id(self.db, label)}, [new], keep)
        return StoredSpan(start, end, label, id=span_id, document_id=document_id, origin=origin)

    def remove(self, span_id: int) -> StoredSpan:
        """Remove a span and return it (so an undo can put it back)."""
        with self.db.atomic():
            good = still_good(self.db)
            stored = self._stored(span_id)
            self.db.execute("DELETE FROM spans WHERE id = ?", [span_id])
            touch(self.db, stored.document_id)
            if good:
                restamp(self.db)
        return stored

    def relabel(self, span_id: int, label: str) -> StoredSpan:
        """Give a span another label; returns the span as it was before."""
        with self.db.atomic():
            good = still_good(self.db)
            stored = self._stored(span_id)
            self.db.execute(
                "UPDATE spans SET label_id = ? WHERE id = ?", [label_id(self.db, label), span_id]
            )
            touch(self.db, stored.document_id)
            if good:
                restamp(self.db)
        return stored

    def add_many(self, items: Iterable[tuple[int, int, int, str]]) -> list[int]:
        """Add many (document, start, end, label) spans at once: all or none."""
        keep = not self.db.conn.in_transaction
        with self.db.atomic():
            ids = label_ids(self.db)
            new = []
            for document_id, start, end, label in items:
                if label not in ids:
                    raise LabelError(f"no label {label!r} in this project")
                new.append(StoredSpan(start, end, label, document_id=document_id))
            return insert_spans(self.db, ids, new, keep)

    def remove_many(self, span_ids: Sequence[int]) -> list[StoredSpan]:
        """Remove spans; returns them so an undo can restore them with the same ids."""
        with self.db.atomic():
            return delete_spans(self.db, span_ids)

    def restore(self, spans: Sequence[StoredSpan]) -> None:
        """Put removed spans back exactly (ids included)."""
        keep = not self.db.conn.in_transaction
        with self.db.atomic():
            insert_spans(self.db, label_ids(self.db), spans, keep)

    def relabel_many(self, span_ids: Sequence[int], label: str) -> None:
        with self.db.atomic():
            relabel_rows(self.db, span_ids, label_id(self.db, label))

    def of_label(self, name: str) -> list[StoredSpan]:
        """Every gold span of a label (what deleting or merging it touches)."""
        return span_rows(self.db, "l.name = ?", [name])

    def entity_counts(self) -> dict[str, int]:
        """Gold spans per label (what the training panel and Export show)."""
        return entity_counts(self.db)

    def find_occurrences(
        self, words: Sequence[str], document_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, int]]:
        """Untagged exact matches of a token sequence, for 'tag all occurrences'."""
        return find_occurrences(self.db, words, document_ids)

    def _stored(self, span_id: int) -> StoredSpan:
        found = span_rows(self.db, "s.id = ?", [span_id])
        if not found:
            raise SpanError(f"no span {span_id} in this project")
        return found[0]
