"""Annotators and their own annotation sets: who the project's edits are recorded for,
and each annotator's spans and status per document as merged from their project
(``nerstudio merge``), kept beside gold, which curation (``store.curation``) settles."""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlite_utils

from nerstudio.core.errors import LabelError, ProjectError, SpanError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span, check_spans
from nerstudio.core.store import queries, schema

_NAME_RULE = "letters, digits, '.', '_' and '-', not starting with '.' or '-', at most 64"
_DOC_SELECT = "SELECT d.id, d.text, d.tokens, {status}, d.split, d.source, d.meta FROM documents d"


def check_annotator_name(name: str) -> str:
    """An annotator's name ends up in file names (``corpus-alice.db``): keep it one safe word."""
    name = name.strip()
    ok = 0 < len(name) <= 64 and name[0] not in ".-"
    if not ok or not all(c.isalnum() or c in "._-" for c in name):
        raise ProjectError(f"annotator name {name!r}: use {_NAME_RULE} characters")
    return name


def default_annotator_name() -> str:
    """The OS user name when it is a valid annotator name, else ``annotator``."""
    try:
        return check_annotator_name(getpass.getuser())
    except (KeyError, OSError, ImportError, ProjectError):
        return "annotator"


def current_annotator_id(db: sqlite_utils.Database) -> int:
    """The id of the annotator this project's edits are recorded for."""
    row = db.execute(
        "SELECT a.id FROM annotators a JOIN project_meta m"
        " ON m.key = 'annotator' AND m.value = a.name"
    ).fetchone()
    return row[0] if row else 1


def follow_label_merge(db: sqlite_utils.Database, source_id: int, target_id: int) -> None:
    """Sets and curation decisions follow a label merge (inside the caller's transaction)."""
    for table in ("annotations", "curation"):
        db.execute(
            f"UPDATE OR REPLACE {table} SET label_id = ? WHERE label_id = ?",
            [target_id, source_id],
        )


@dataclass(frozen=True)
class AnnotationSet:
    """One annotator's spans and status for one document."""

    annotator: str
    status: Status
    spans: tuple[Span, ...]


class AnnotationSets:
    """Annotators and annotation sets of one project connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- annotators ------------------------------------------------------------------------

    def current(self) -> str:
        """The annotator this project's edits are recorded for."""
        row = self.db.execute("SELECT value FROM project_meta WHERE key = 'annotator'").fetchone()
        return row[0] if row else self._name(1)

    def current_id(self) -> int:
        return current_annotator_id(self.db)

    def set_current(self, name: str) -> None:
        """Record further edits for ``name`` (added as an annotator if new)."""
        with self.db.atomic():
            self.ensure(name)
            self.db.execute(
                "INSERT OR REPLACE INTO project_meta (key, value) VALUES ('annotator', ?)",
                [check_annotator_name(name)],
            )

    def names(self) -> list[str]:
        """Every annotator the project knows, by name."""
        return [r[0] for r in self.db.execute("SELECT name FROM annotators ORDER BY name")]

    def ensure(self, name: str) -> int:
        """The annotator's id, adding them if new (inside the caller's transaction)."""
        name = check_annotator_name(name)
        self.db.execute(
            "INSERT OR IGNORE INTO annotators (name, created_at) VALUES (?, ?)",
            [name, schema.now()],
        )
        return self.db.execute("SELECT id FROM annotators WHERE name = ?", [name]).fetchone()[0]

    def rename(self, old: str, new: str) -> None:
        """Rename an annotator; everything they made follows (it refers to them by id)."""
        new = check_annotator_name(new)
        with self.db.atomic():
            if (
                new != old
                and self.db.execute("SELECT 1 FROM annotators WHERE name = ?", [new]).fetchone()
            ):
                raise ProjectError(f"an annotator named {new!r} exists already")
            self.db.execute("UPDATE annotators SET name = ? WHERE name = ?", [new, old])
            self.db.execute(
                "UPDATE project_meta SET value = ? WHERE key = 'annotator' AND value = ?",
                [new, old],
            )

    def _name(self, annotator_id: int) -> str:
        row = self.db.execute("SELECT name FROM annotators WHERE id = ?", [annotator_id])
        found = row.fetchone()
        return found[0] if found else "annotator"

    def id_of(self, name: str) -> int:
        row = self.db.execute("SELECT id FROM annotators WHERE name = ?", [name]).fetchone()
        if row is None:
            known = ", ".join(self.with_sets()) or "none: merge annotators' projects first"
            raise ProjectError(f"no annotator {name!r} in this project (annotation sets: {known})")
        return row[0]

    # -- annotation sets -------------------------------------------------------------------

    def with_sets(self) -> list[str]:
        """Annotators who have an annotation set in this project, by name."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT a.name FROM annotation_status s"
                " JOIN annotators a ON a.id = s.annotator_id ORDER BY a.name"
            )
        ]

    def annotated_documents(self) -> set[int]:
        """Documents that have at least one annotation set."""
        return {r[0] for r in self.db.execute("SELECT DISTINCT document_id FROM annotation_status")}

    def document_hashes(self) -> list[tuple[int, str, Status]]:
        """(id, content hash, status) of every document, in id order (to match copies)."""
        rows = self.db.execute("SELECT id, content_hash, status FROM documents ORDER BY id")
        return [(i, h, Status(s)) for i, h, s in rows]

    def sets(self, document_id: int) -> dict[str, AnnotationSet]:
        """Every annotator's set for a document, by annotator name (for side-by-side views)."""
        found = {
            name: AnnotationSet(name, Status(status), ())
            for name, status in self.db.execute(
                "SELECT a.name, s.status FROM annotation_status s"
                " JOIN annotators a ON a.id = s.annotator_id WHERE s.document_id = ?"
                " ORDER BY a.name",
                [document_id],
            )
        }
        spans: dict[str, list[Span]] = {name: [] for name in found}
        for name, start, end, label in self.db.execute(
            'SELECT a.name, n.start, n."end", l.name FROM annotations n'
            " JOIN annotators a ON a.id = n.annotator_id JOIN labels l ON l.id = n.label_id"
            " WHERE n.document_id = ? ORDER BY n.start",
            [document_id],
        ):
            spans.setdefault(name, []).append(Span(start, end, label))
        return {
            name: AnnotationSet(name, s.status, tuple(spans.get(name, ())))
            for name, s in found.items()
        }

    def save_sets(
        self, annotator: str, items: Iterable[tuple[int, Status, Sequence[Span]]]
    ) -> list[int]:
        """Store an annotator's (document, status, spans) sets, replacing their earlier set
        of the same document; returns the documents whose set changed (an unchanged set is
        not rewritten, so merging the same work twice changes nothing)."""
        changed = []
        with self.db.atomic():
            annotator_id = self.ensure(annotator)
            label_ids = {name: i for i, name in self.db.execute("SELECT id, name FROM labels")}
            for document_id, status, spans in items:
                status, spans = Status(status), tuple(sorted(spans))
                old = self.sets(document_id).get(annotator)
                if old is not None and (old.status, tuple(sorted(old.spans))) == (status, spans):
                    continue
                self._check(document_id, spans, label_ids)
                self.db.execute(
                    "DELETE FROM annotations WHERE document_id = ? AND annotator_id = ?",
                    [document_id, annotator_id],
                )
                rows = [
                    (document_id, annotator_id, s.start, s.end, label_ids[s.label]) for s in spans
                ]
                self.db.conn.executemany(
                    'INSERT INTO annotations (document_id, annotator_id, start, "end", label_id)'
                    " VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
                self.db.execute(
                    "INSERT OR REPLACE INTO annotation_status"
                    " (document_id, annotator_id, status, updated_at) VALUES (?, ?, ?, ?)",
                    [document_id, annotator_id, status.value, schema.now()],
                )
                changed.append(document_id)
        return changed

    def _check(self, document_id: int, spans: Sequence[Span], label_ids: dict[str, int]) -> None:
        record = self._record(document_id)
        for span in spans:
            if span.label not in label_ids:
                raise LabelError(f"document {document_id}: no label {span.label!r} in the project")
        try:
            check_spans(spans, record.tokens, len(record.text))
        except SpanError as err:
            raise SpanError(f"document {document_id}: {err}") from None

    def _record(self, document_id: int) -> DocumentRecord:
        row = self.db.execute(
            _DOC_SELECT.format(status="d.status") + " WHERE d.id = ?", [document_id]
        ).fetchone()
        if row is None:
            raise ProjectError(f"no document {document_id} in this project")
        return queries.record_from_row(row, ())

    def iter_documents(
        self, annotator: str, status: Status | None = None, split: str | None = None
    ) -> Iterator[DocumentRecord]:
        """The documents an annotator has a set for, with their spans and their status
        (``status`` filters on it), in id order: that one person's corpus, for export."""
        where, params = " WHERE s.annotator_id = ?", [self.id_of(annotator)]
        if status is not None:
            where += " AND s.status = ?"
            params.append(Status(status).value)
        if split is not None:
            where += " AND d.split = ?"
            params.append(split)
        join = " JOIN annotation_status s ON s.document_id = d.id"
        docs = self.db.conn.execute(
            _DOC_SELECT.format(status="s.status") + join + where + " ORDER BY d.id", params
        )
        spans = self.db.conn.execute(
            'SELECT n.document_id, n.start, n."end", l.name FROM annotations n'
            " JOIN labels l ON l.id = n.label_id JOIN documents d ON d.id = n.document_id"
            " JOIN annotation_status s ON s.document_id = n.document_id"
            f" AND s.annotator_id = n.annotator_id{where} ORDER BY n.document_id, n.start",
            params,
        )
        yield from queries.join_spans(docs, spans)

    def iter_sets(
        self, status: Status = Status.DONE
    ) -> Iterator[tuple[DocumentRecord, dict[str, tuple[Span, ...]]]]:
        """Each document with a set of this status, and those sets' spans by annotator."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT document_id FROM annotation_status WHERE status = ?"
                " ORDER BY document_id",
                [Status(status).value],
            )
        ]
        for document_id in ids:
            sets = self.sets(document_id)
            yield (
                self._record(document_id),
                {name: s.spans for name, s in sets.items() if s.status is status},
            )

    def done_sets(self, document_id: int) -> dict[str, frozenset[Span]]:
        return {
            name: frozenset(s.spans)
            for name, s in self.sets(document_id).items()
            if s.status is Status.DONE
        }
