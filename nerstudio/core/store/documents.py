"""``project.documents``: the bulk add an import is made of, one document with its gold
spans, the lists and counts the window pages through, and the per-document fields the
window changes (status, split, time)."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import LabelError, ProjectError, SpanError
from nerstudio.core.records import DocumentRecord, Origin, Status
from nerstudio.core.spans import Span, check_spans
from nerstudio.core.store import provenance, queries, schema
from nerstudio.core.store.annotation_sets import AnnotationSets, current_annotator_id
from nerstudio.core.store.labels import Labels, LabelsInUse, check_label_name, insert_label
from nerstudio.core.store.queries import DocumentQuery, DocumentRow
from nerstudio.core.store.spans import span_rows
from nerstudio.core.store.token_bounds import (
    TokenBounds,
    current_stamp,
    remember,
    restamp,
    still_good,
)
from nerstudio.core.tokens import Token

Progress = Callable[[int], None]
"""Called with the number of items just done, for progress bars."""

FLUSH_EVERY = 2000  # documents buffered before an executemany (memory stays flat)
REMEMBERED_TOKENS = 20_000  # a document this long keeps its token boundaries for span edits


@dataclass(frozen=True)
class AddResult:
    """What a bulk add did: new document ids, spans stored, labels created on the way."""

    document_ids: tuple[int, ...]
    spans: int
    labels_added: tuple[str, ...]


def encode_tokens(tokens: Sequence[Token]) -> str:
    """Tokens as a flat JSON array ``[s0, e0, s1, e1, ...]`` (compact, readable by SQL)."""
    return json.dumps([p for tok in tokens for p in tok], separators=(",", ":"))


_ALL = DocumentQuery()


class Documents:
    """``project.documents``: the project's documents. Every write is one transaction."""

    def __init__(
        self, db: sqlite_utils.Database, path: Path, labels: Labels, sets: AnnotationSets
    ) -> None:
        self.db = db
        self.path = path
        self._labels = labels
        self._sets = sets

    def add(
        self,
        records: Iterable[DocumentRecord],
        progress: Progress | None = None,
        labels: Sequence[str] = (),
    ) -> AddResult:
        """Store many documents in one transaction: all of them, or none on any error.

        Labels the records use, and ``labels`` (declared by the file even where unused),
        are added when the project lacks them; each record's spans are checked against
        its tokens (in range, on boundaries, not overlapping).
        """
        ids: list[int] = []
        span_count = 0
        span_rows: list[tuple[int, int, int, int, int]] = []
        added: list[str] = []
        stamp = schema.now()
        with self.db.atomic():
            annotator_id = current_annotator_id(self.db)
            existing = self._labels.list()
            in_use = LabelsInUse(existing)
            label_ids = {label.name: label.id for label in existing}
            for name in labels:
                if name not in label_ids:
                    label_ids[name] = insert_label(self.db, in_use, name, None, None).id
                    added.append(name)
            next_id = (self.db.execute("SELECT max(id) FROM documents").fetchone()[0] or 0) + 1
            doc_rows: list[tuple] = []
            origin_rows: tuple[list[tuple], list[tuple]] = ([], [])
            for record in records:
                try:
                    spans = check_spans(record.spans, record.tokens, len(record.text))
                except SpanError as err:
                    raise SpanError(f"{record.source or 'document'}: {err}") from None
                for span in spans:
                    label_id = self._label_id(span, record, label_ids, in_use, added)
                    span_rows.append((next_id, span.start, span.end, label_id, annotator_id))
                doc_rows.append(_document_row(next_id, record, stamp, annotator_id))
                if record.origin is not None:
                    provenance.origin_rows(next_id, record.origin, *origin_rows)
                ids.append(next_id)
                next_id += 1
                if len(doc_rows) >= FLUSH_EVERY:
                    span_count += self._insert_documents(doc_rows, span_rows, progress)
                    provenance.insert(self.db, *origin_rows)
            span_count += self._insert_documents(doc_rows, span_rows, progress)
            provenance.insert(self.db, *origin_rows)
        return AddResult(tuple(ids), span_count, tuple(added))

    def _label_id(
        self,
        span: Span,
        record: DocumentRecord,
        label_ids: dict[str, int],
        in_use: LabelsInUse,
        added: list[str],
    ) -> int:
        """The id of a span's label, adding the label (to ``label_ids`` and ``added``) when
        the project lacks it; a name no label may have is an error at that span."""
        if span.label in label_ids:
            return label_ids[span.label]
        try:
            name = check_label_name(span.label)
            if name not in label_ids:
                label_ids[name] = insert_label(self.db, in_use, name, None, None).id
                added.append(name)
            label_ids[span.label] = label_ids[name]
        except LabelError as err:
            where = record.source or "document"
            raise LabelError(f"{where}: span {span.start}-{span.end}: {err}") from None
        return label_ids[span.label]

    def _insert_documents(
        self, doc_rows: list[tuple], span_rows: list[tuple], progress: Progress | None
    ) -> int:
        """Flush buffered rows (inside the caller's transaction) and report progress."""
        self.db.conn.executemany(
            "INSERT INTO documents (id, text, tokens, status, split, source, content_hash,"
            " meta, updated_at, status_annotator_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            doc_rows,
        )
        self.db.conn.executemany(
            'INSERT INTO spans (document_id, start, "end", label_id, annotator_id)'
            " VALUES (?, ?, ?, ?, ?)",
            span_rows,
        )
        if progress is not None and doc_rows:
            progress(len(doc_rows))
        inserted = len(span_rows)
        doc_rows.clear()
        span_rows.clear()
        return inserted

    def get(self, document_id: int) -> DocumentRecord:
        """One document with its tokens and gold spans."""
        stamp = None if self.db.conn.in_transaction else current_stamp(self.db)
        row = self.db.execute(
            "SELECT id, text, tokens, status, split, source, meta FROM documents WHERE id = ?",
            [document_id],
        ).fetchone()
        if row is None:
            raise ProjectError(f"{self.path}: no document {document_id}")
        spans = tuple(s.span for s in span_rows(self.db, "s.document_id = ?", [document_id]))
        origin = provenance.origins(self.db, [document_id]).get(document_id)
        record = replace(queries.record_from_row(row, spans), origin=origin)
        if stamp is not None and len(record.tokens) >= REMEMBERED_TOKENS:
            offsets = list(itertools.chain.from_iterable(record.tokens))
            remember(self.db, document_id, stamp, TokenBounds.from_offsets(len(row[1]), offsets))
        return record

    def origins(self, document_ids: Iterable[int]) -> dict[int, Origin]:
        """Where each of these documents read from a PDF, Word, HTML ... file came from."""
        return provenance.origins(self.db, document_ids)

    def sources(self, document_ids: Sequence[int]) -> dict[int, tuple[str, int | None]]:
        """The file and first page of each of these documents read from a document file."""
        return provenance.sources(self.db, document_ids)

    def has_files(self) -> bool:
        """Whether any document came from a PDF, Word, HTML ... file (the list shows them)."""
        return provenance.any_origin(self.db)

    def set_status(self, document_ids: Iterable[int], status: Status | str) -> None:
        status = Status(status)
        with self.db.atomic():
            good = still_good(self.db)  # no text or tokens change: kept boundaries stay good
            annotator_id = current_annotator_id(self.db)
            self.db.conn.executemany(
                "UPDATE documents SET status = ?, status_annotator_id = ?, updated_at = ?"
                " WHERE id = ?",
                [(status.value, annotator_id, schema.now(), i) for i in document_ids],
            )
            if good:
                restamp(self.db)

    def set_split(self, document_ids: Iterable[int], split: str | None) -> None:
        with self.db.atomic():
            good = still_good(self.db)
            self.db.conn.executemany(
                "UPDATE documents SET split = ?, updated_at = ? WHERE id = ?",
                [(split, schema.now(), i) for i in document_ids],
            )
            if good:
                restamp(self.db)

    def add_seconds_spent(self, document_id: int, seconds: float) -> None:
        """Add annotation time to a document (the status bar's timer)."""
        with self.db.atomic():
            good = still_good(self.db)
            self.db.execute(
                "UPDATE documents SET seconds_spent = seconds_spent + ? WHERE id = ?",
                [seconds, document_id],
            )
            if good:
                restamp(self.db)

    def seconds_spent(self, document_id: int) -> float:
        row = self.db.execute(
            "SELECT seconds_spent FROM documents WHERE id = ?", [document_id]
        ).fetchone()
        return float(row[0]) if row else 0.0

    def list(self, query: DocumentQuery = _ALL) -> list[DocumentRow]:
        """One page of documents matching the filters, in id order."""
        return queries.list_documents(self.db, query)

    def count(self, query: DocumentQuery = _ALL) -> int:
        """How many documents match the filters (paging ignored)."""
        return queries.count_documents(self.db, query)

    def rows(self, ids: Sequence[int]) -> list[DocumentRow]:
        return queries.document_rows(self.db, ids)

    def neighbour(self, document_id: int, step: int, unfinished_only: bool = False) -> int | None:
        """The next/previous document id (only new or in-progress ones if asked)."""
        return queries.neighbour_document(self.db, document_id, step, unfinished_only)

    def iter(
        self, status: Status | None = None, split: str | None = None, annotator: str | None = None
    ) -> Iterator[DocumentRecord]:
        """Every matching document with tokens and spans, streamed in id order. With
        ``annotator``: that person's merged annotation set instead of gold (their spans and
        their status, which ``status`` then filters on), only documents they have a set for.
        """
        if annotator is not None:
            return self._sets.iter_documents(annotator, status, split)
        return queries.iter_documents(self.db, status, split)

    def splits(self) -> dict[str, int]:
        """Documents per split (``(none)`` for those without), by the index on ``split``:
        cheap enough for the GUI thread where ``stats`` is not."""
        rows = self.db.execute("SELECT split, count(*) FROM documents GROUP BY split")
        return {split or "(none)": n for split, n in rows}


def _document_row(document_id: int, record: DocumentRecord, stamp: str, annotator: int) -> tuple:
    """A ``documents`` row for a new record (the columns ``_insert_documents`` names)."""
    return (
        document_id,
        record.text,
        encode_tokens(record.tokens),
        Status(record.status).value,
        record.split,
        record.source,
        hashlib.sha1(record.text.encode("utf-8")).hexdigest(),
        json.dumps(record.meta) if record.meta else None,
        stamp,
        annotator,
    )
