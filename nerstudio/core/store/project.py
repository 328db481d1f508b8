"""The Project: the one door to a project's SQLite file.

Every mutation is one transaction (``db.atomic()``, which begins IMMEDIATE so a second
writer waits for the lock): a failed import or edit leaves the file as it was, and a killed
process loses nothing that was committed. Connections are per thread; a worker thread
opens its own ``Project``. Opening checks the file (``quick_check``), backs it up before a
migration, and marks runs whose process died as interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import LabelError, ProjectError, SpanError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span, check_spans
from nerstudio.core.store import backup, edits, integrity, queries, schema
from nerstudio.core.store.annotations import (
    Annotations,
    check_annotator_name,
    default_annotator_name,
)
from nerstudio.core.store.edits import SpanRow
from nerstudio.core.store.labels import (
    Label,
    check_color,
    check_hotkey,
    check_label_name,
    default_color,
    default_hotkey,
)
from nerstudio.core.store.predictions import Predictions
from nerstudio.core.store.queries import DocumentQuery, DocumentRow, ProjectStats
from nerstudio.core.store.runs import Runs
from nerstudio.core.tokens import Token

_ALL = DocumentQuery()

Progress = Callable[[int], None]
"""Called with the number of items just done, for progress bars."""


@dataclass(frozen=True)
class StoredSpan:
    """A gold span with its row id, so it can be removed or relabelled."""

    id: int
    start: int
    end: int
    label: str
    origin: str = "human"

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.label)


@dataclass(frozen=True)
class AddResult:
    """What a bulk add did: new document ids, spans stored, labels created on the way."""

    document_ids: tuple[int, ...]
    spans: int
    labels_added: tuple[str, ...]


def encode_tokens(tokens: Sequence[Token]) -> str:
    """Tokens as a flat JSON array ``[s0, e0, s1, e1, ...]`` (compact, readable by SQL)."""
    return json.dumps([p for tok in tokens for p in tok], separators=(",", ":"))


class Project:
    """An open project file. Use ``Project.create`` or ``Project.open``; close when done."""

    def __init__(self, path: Path, db: sqlite_utils.Database, read_only: bool = False) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self.runs = Runs(db, path)
        self.predictions = Predictions(db)
        self.annotations = Annotations(db)

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: str | Path, labels: Iterable[str] = (), annotator: str | None = None
    ) -> Project:
        """Create a new project file; refuses to overwrite an existing file. Its edits are
        recorded for ``annotator`` (default: the OS user name)."""
        path = Path(path)
        name = check_annotator_name(annotator) if annotator is not None else None
        if path.exists():
            raise ProjectError(f"{path}: already exists; open it, or choose another name")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        db = schema.connect(path)
        schema.configure(db)
        schema.initialize(db)
        project = cls(path, db)
        project.annotations.rename(project.annotator(), name or default_annotator_name())
        for label in labels:
            project.add_label(label)
        return project

    @classmethod
    def open(cls, path: str | Path, check: bool = True) -> Project:
        """Open a project, upgrading an older schema; clear errors for anything else.

        A damaged file (``quick_check``) is refused, pointing at the newest backup, unless
        ``check`` is off (``nerstudio check`` itself). A file or folder without write
        permission opens read-only: reading works, every write says why it cannot.
        """
        path = Path(path)
        if not path.is_file():
            raise ProjectError(f"{path}: no such project file; create it with 'nerstudio init'")
        db, read_only = _connect(path)
        try:
            # The version first, before any pragma could touch a foreign file.
            version = schema.schema_version(db, path)
            if check:
                integrity.require_intact(db, path)
            if read_only:
                if version < schema.SCHEMA_VERSION:
                    raise ProjectError(
                        f"{path}: written by an older nerstudio and read-only, so it cannot "
                        "be upgraded; copy it somewhere writable and open the copy"
                    )
            else:
                schema.configure(db)
                if version < schema.SCHEMA_VERSION and version > 0:
                    backup.make(db.conn, path, f"before-schema-{schema.SCHEMA_VERSION}")
                schema.upgrade(db, path)
            project = cls(path, db, read_only)
            if not read_only:
                project.runs.mark_interrupted()
        except sqlite3.Error as err:
            db.close()
            raise schema.explain(path, err) from None
        except BaseException:
            db.close()
            raise
        return project

    def backup(self, reason: str) -> Path | None:
        """A rolling backup before a bulk operation (import, label merge, tag-all)."""
        if self.read_only:
            return None
        return backup.make(self.db.conn, self.path, reason)

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> contextlib.AbstractContextManager:
        """One all-or-nothing action made of several calls (a merge of annotators' work)."""
        return self.db.atomic()

    # -- annotators and guidelines ---------------------------------------------------------

    def annotator(self) -> str:
        """Who this project's edits are recorded for (spans, status changes)."""
        return self.annotations.current()

    def set_annotator(self, name: str) -> None:
        """Record further edits for ``name``; a new name becomes a new annotator."""
        self.annotations.set_current(name)

    def annotators(self) -> list[str]:
        return self.annotations.names()

    def guidelines(self) -> str | None:
        """The annotation guidelines (a project note that goes along to annotators)."""
        row = self.db.execute("SELECT value FROM project_meta WHERE key = 'guidelines'")
        found = row.fetchone()
        return found[0] if found else None

    def set_guidelines(self, text: str | None) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM project_meta WHERE key = 'guidelines'")
            if text:
                self.db.execute(
                    "INSERT INTO project_meta (key, value) VALUES ('guidelines', ?)", [text]
                )

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- labels ----------------------------------------------------------------------------

    def labels(self) -> list[Label]:
        """All labels in their display order."""
        rows = self.db.execute(
            "SELECT id, name, color, hotkey, position FROM labels ORDER BY position, id"
        ).fetchall()
        return [Label(*row) for row in rows]

    def label(self, name: str) -> Label:
        for label in self.labels():
            if label.name == name:
                return label
        raise LabelError(f"no label {name!r} in this project")

    def add_label(self, name: str, color: str | None = None, hotkey: str | None = None) -> Label:
        """Add a label at the end of the order, with a palette color and the next free digit."""
        with self.db.atomic():
            return self._add_label(name, color, hotkey)

    def _add_label(self, name: str, color: str | None, hotkey: str | None) -> Label:
        name = check_label_name(name)
        existing = self.labels()
        if any(label.name == name for label in existing):
            raise LabelError(f"label {name!r} exists already")
        taken = {label.hotkey for label in existing if label.hotkey}
        position = len(existing)
        key = check_hotkey(hotkey) if hotkey is not None else default_hotkey(taken)
        if key is not None and key in taken:
            raise LabelError(f"hotkey {key!r} is used by another label")
        used = {label.color for label in existing}
        color = check_color(color) if color else default_color(used, position)
        cursor = self.db.execute(
            "INSERT INTO labels (name, color, hotkey, position) VALUES (?, ?, ?, ?)",
            [name, color, key, position],
        )
        return Label(cursor.lastrowid, name, color, key, position)

    def rename_label(self, old: str, new: str) -> None:
        """Rename a label; its spans follow, since they refer to it by id."""
        new = check_label_name(new)
        with self.db.atomic():
            label = self.label(old)
            if new != old and any(other.name == new for other in self.labels()):
                raise LabelError(f"label {new!r} exists already; merge the two instead")
            self.db.execute("UPDATE labels SET name = ? WHERE id = ?", [new, label.id])

    def recolor_label(self, name: str, color: str) -> None:
        with self.db.atomic():
            label = self.label(name)
            self.db.execute(
                "UPDATE labels SET color = ? WHERE id = ?", [check_color(color), label.id]
            )

    def set_label_hotkey(self, name: str, hotkey: str | None) -> None:
        """Give a label a hotkey (or none); a key another label holds is refused."""
        key = check_hotkey(hotkey)
        with self.db.atomic():
            label = self.label(name)
            holder = next((lb for lb in self.labels() if key and lb.hotkey == key), None)
            if holder is not None and holder.id != label.id:
                raise LabelError(f"hotkey {key!r} is used by label {holder.name!r}")
            self.db.execute("UPDATE labels SET hotkey = ? WHERE id = ?", [key, label.id])

    def reorder_labels(self, names: Sequence[str]) -> None:
        """Put labels in the given order; every label must be named exactly once."""
        with self.db.atomic():
            by_name = {label.name: label for label in self.labels()}
            if sorted(names) != sorted(by_name):
                raise LabelError(
                    f"the new order must name each label once: {', '.join(sorted(by_name))}"
                )
            for position, name in enumerate(names):
                self.db.execute(
                    "UPDATE labels SET position = ? WHERE id = ?", [position, by_name[name].id]
                )

    def count_label_spans(self, name: str) -> int:
        """How many gold spans carry this label (what deleting it would remove)."""
        label = self.label(name)
        return self.db.execute(
            "SELECT count(*) FROM spans WHERE label_id = ?", [label.id]
        ).fetchone()[0]

    def delete_label(self, name: str) -> int:
        """Delete a label and its spans; returns how many spans went with it."""
        with self.db.atomic():
            count = self.count_label_spans(name)
            self.db.execute("DELETE FROM labels WHERE id = ?", [self.label(name).id])
            self._renumber_labels()
        return count

    def _renumber_labels(self) -> None:
        for position, label in enumerate(self.labels()):
            self.db.execute("UPDATE labels SET position = ? WHERE id = ?", [position, label.id])

    # -- documents -------------------------------------------------------------------------

    def add_documents(
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
        span_rows: list[tuple[int, int, int, int]] = []
        added: list[str] = []
        stamp = schema.now()
        with self.db.atomic():
            annotator_id = self.annotations.current_id()
            label_ids = {label.name: label.id for label in self.labels()}
            for name in labels:
                if name not in label_ids:
                    label_ids[name] = self._add_label(name, None, None).id
                    added.append(name)
            next_id = (self.db.execute("SELECT max(id) FROM documents").fetchone()[0] or 0) + 1
            doc_rows = []
            for record in records:
                try:
                    spans = check_spans(record.spans, record.tokens, len(record.text))
                except SpanError as err:
                    raise SpanError(f"{record.source or 'document'}: {err}") from None
                for span in spans:
                    if span.label not in label_ids:
                        try:
                            name = check_label_name(span.label)
                            if name not in label_ids:
                                label_ids[name] = self._add_label(name, None, None).id
                                added.append(name)
                            label_ids[span.label] = label_ids[name]
                        except LabelError as err:
                            where = record.source or "document"
                            raise LabelError(
                                f"{where}: span {span.start}-{span.end}: {err}"
                            ) from None
                    span_rows.append(
                        (next_id, span.start, span.end, label_ids[span.label], annotator_id)
                    )
                doc_rows.append(
                    (
                        next_id,
                        record.text,
                        encode_tokens(record.tokens),
                        Status(record.status).value,
                        record.split,
                        record.source,
                        hashlib.sha1(record.text.encode("utf-8")).hexdigest(),
                        json.dumps(record.meta) if record.meta else None,
                        stamp,
                        annotator_id,
                    )
                )
                ids.append(next_id)
                next_id += 1
                if len(doc_rows) >= 2000:
                    span_count += self._insert_documents(doc_rows, span_rows, progress)
            span_count += self._insert_documents(doc_rows, span_rows, progress)
        return AddResult(tuple(ids), span_count, tuple(added))

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

    def document(self, document_id: int) -> DocumentRecord:
        """One document with its tokens and gold spans."""
        row = self.db.execute(
            "SELECT id, text, tokens, status, split, source, meta FROM documents WHERE id = ?",
            [document_id],
        ).fetchone()
        if row is None:
            raise ProjectError(f"{self.path}: no document {document_id}")
        spans = tuple(s.span for s in self.spans(document_id))
        return queries.record_from_row(row, spans)

    def set_status(self, document_ids: Iterable[int], status: Status | str) -> None:
        status = Status(status)
        with self.db.atomic():
            annotator_id = self.annotations.current_id()
            self.db.conn.executemany(
                "UPDATE documents SET status = ?, status_annotator_id = ?, updated_at = ?"
                " WHERE id = ?",
                [(status.value, annotator_id, schema.now(), i) for i in document_ids],
            )

    def set_split(self, document_ids: Iterable[int], split: str | None) -> None:
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE documents SET split = ?, updated_at = ? WHERE id = ?",
                [(split, schema.now(), i) for i in document_ids],
            )

    def add_seconds_spent(self, document_id: int, seconds: float) -> None:
        """Add annotation time to a document (the status bar's timer)."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE documents SET seconds_spent = seconds_spent + ? WHERE id = ?",
                [seconds, document_id],
            )

    # -- spans -----------------------------------------------------------------------------

    def spans(self, document_id: int) -> list[StoredSpan]:
        """A document's gold spans in text order."""
        rows = self.db.execute(
            'SELECT s.id, s.start, s."end", l.name, s.origin FROM spans s'
            " JOIN labels l ON l.id = s.label_id WHERE s.document_id = ? ORDER BY s.start",
            [document_id],
        ).fetchall()
        return [StoredSpan(*row) for row in rows]

    def add_span(
        self, document_id: int, start: int, end: int, label: str, origin: str = "human"
    ) -> StoredSpan:
        """Add one gold span; refuses one off token boundaries or overlapping another."""
        with self.db.atomic():
            doc = self.document(document_id)
            label_id = self.label(label).id
            new = Span(start, end, label)
            check_spans([*doc.spans, new], doc.tokens, len(doc.text))
            cursor = self.db.execute(
                'INSERT INTO spans (document_id, start, "end", label_id, origin)'
                " VALUES (?, ?, ?, ?, ?)",
                [document_id, start, end, label_id, origin],
            )
            self._touch(document_id)
        return StoredSpan(cursor.lastrowid, start, end, label, origin)

    def remove_span(self, span_id: int) -> StoredSpan:
        """Remove a span and return it (so an undo can put it back)."""
        with self.db.atomic():
            stored, document_id = self._stored_span(span_id)
            self.db.execute("DELETE FROM spans WHERE id = ?", [span_id])
            self._touch(document_id)
        return stored

    def relabel_span(self, span_id: int, label: str) -> StoredSpan:
        """Give a span another label; returns the span as it was before."""
        with self.db.atomic():
            stored, document_id = self._stored_span(span_id)
            self.db.execute(
                "UPDATE spans SET label_id = ? WHERE id = ?", [self.label(label).id, span_id]
            )
            self._touch(document_id)
        return stored

    def add_spans(self, items: Iterable[tuple[int, int, int, str]]) -> list[int]:
        """Add many (document, start, end, label) spans at once: all or none."""
        with self.db.atomic():
            label_ids = {label.name: label.id for label in self.labels()}
            for item in items:
                if item[3] not in label_ids:
                    raise LabelError(f"no label {item[3]!r} in this project")
            return edits.insert_spans(self.db, label_ids, items)

    def remove_spans(self, span_ids: Sequence[int]) -> list[SpanRow]:
        """Remove spans; returns them so an undo can restore them with the same ids."""
        with self.db.atomic():
            return edits.delete_spans(self.db, span_ids)

    def restore_spans(self, rows: Sequence[SpanRow]) -> None:
        """Put removed spans back exactly (ids included)."""
        with self.db.atomic():
            label_ids = {label.name: label.id for label in self.labels()}
            edits.insert_spans(self.db, label_ids, rows)

    def relabel_spans(self, span_ids: Sequence[int], label: str) -> None:
        with self.db.atomic():
            label_id = self.label(label).id
            self.db.conn.executemany(
                "UPDATE spans SET label_id = ? WHERE id = ?", [(label_id, i) for i in span_ids]
            )

    def label_spans(self, name: str) -> list[SpanRow]:
        """Every gold span of a label (what deleting or merging it touches)."""
        return edits.span_rows(self.db, "l.name = ?", [name])

    def restore_label(self, label: Label, spans: Sequence[SpanRow] = ()) -> None:
        """Undo a delete: the label back at its place, with its id and spans."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE labels SET position = position + 1 WHERE position >= ?", [label.position]
            )
            self.db.execute(
                "INSERT INTO labels (id, name, color, hotkey, position) VALUES (?, ?, ?, ?, ?)",
                [label.id, label.name, label.color, label.hotkey, label.position],
            )
            self.restore_spans(spans)
            self._renumber_labels()

    def merge_labels(self, source: str, target: str) -> list[int]:
        """Give every ``source`` span the ``target`` label and delete ``source``."""
        if source == target:
            raise LabelError("choose two different labels to merge")
        self.backup("merge-labels")
        with self.db.atomic():
            moved = [row.id for row in self.label_spans(source)]
            self.relabel_spans(moved, target)
            self.annotations.relabel(self.label(source).id, self.label(target).id)
            self.delete_label(source)
        return moved

    def find_occurrences(
        self, words: Sequence[str], document_ids: Sequence[int] | None = None
    ) -> list[tuple[int, int, int]]:
        """Untagged exact matches of a token sequence, for 'tag all occurrences'."""
        return edits.find_occurrences(self.db, words, document_ids)

    def _stored_span(self, span_id: int) -> tuple[StoredSpan, int]:
        row = self.db.execute(
            'SELECT s.id, s.start, s."end", l.name, s.origin, s.document_id FROM spans s'
            " JOIN labels l ON l.id = s.label_id WHERE s.id = ?",
            [span_id],
        ).fetchone()
        if row is None:
            raise SpanError(f"no span {span_id} in this project")
        return StoredSpan(*row[:5]), row[5]

    def _touch(self, document_id: int) -> None:
        self.db.execute(
            "UPDATE documents SET updated_at = ? WHERE id = ?", [schema.now(), document_id]
        )

    # -- queries ---------------------------------------------------------------------------

    def list_documents(self, query: DocumentQuery = _ALL) -> list[DocumentRow]:
        """One page of documents matching the filters, in id order."""
        return queries.list_documents(self.db, query)

    def count_documents(self, query: DocumentQuery = _ALL) -> int:
        """How many documents match the filters (paging ignored)."""
        return queries.count_documents(self.db, query)

    def document_rows(self, ids: Sequence[int]) -> list[DocumentRow]:
        return queries.document_rows(self.db, ids)

    def neighbour_document(
        self, document_id: int, step: int, unfinished_only: bool = False
    ) -> int | None:
        """The next/previous document id (only new or in-progress ones if asked)."""
        return queries.neighbour_document(self.db, document_id, step, unfinished_only)

    def seconds_spent(self, document_id: int) -> float:
        row = self.db.execute(
            "SELECT seconds_spent FROM documents WHERE id = ?", [document_id]
        ).fetchone()
        return float(row[0]) if row else 0.0

    def iter_documents(
        self, status: Status | None = None, split: str | None = None, annotator: str | None = None
    ) -> Iterator[DocumentRecord]:
        """Every matching document with tokens and spans, streamed in id order. With
        ``annotator``: that person's merged annotation set instead of gold (their spans and
        their status, which ``status`` then filters on), only documents they have a set for.
        """
        if annotator is not None:
            return self.annotations.iter_documents(annotator, status, split)
        return queries.iter_documents(self.db, status, split)

    def stats(self) -> ProjectStats:
        """Counts for the status bar and ``nerstudio stats``."""
        return queries.stats(self.db, [label.name for label in self.labels()])


def _connect(path: Path) -> tuple[sqlite_utils.Database, bool]:
    """A read-write connection, or a read-only one where the file or its folder cannot be
    written (a read-only mount, a file without write permission)."""
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if writable:
        return schema.connect(path), False
    return schema.connect(path, read_only=True), True
