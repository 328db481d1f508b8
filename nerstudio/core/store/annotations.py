"""Annotators and their own annotation sets, and the curation that settles them into gold.

Gold stays the ``spans`` table (what training and export read). Each annotator's work,
merged back from their project (``nerstudio merge``), is kept beside it as their own set
(``annotations`` + ``annotation_status``), which curation never changes. Where two or more
annotators finished a document, a *disagreement* is a group of overlapping candidate
spans (spans some of them marked but not all); ``settle`` takes one into gold or rejects
it, records the decision (``curation``) and returns a ``Settlement`` that ``undo`` reverses.
A document whose disagreements are all settled is done and marked curated (``curated_at``).
"""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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


def overlaps(a: Span, b: Span) -> bool:
    """Whether two spans share at least one character."""
    return a.start < b.end and b.start < a.end


@dataclass(frozen=True)
class AnnotationSet:
    """One annotator's spans and status for one document."""

    annotator: str
    status: Status
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Option:
    """A candidate span of a disagreement, who marked it, and the curator's decision
    (True taken into gold, False rejected, None not decided)."""

    span: Span
    annotators: tuple[str, ...]
    decision: bool | None = None


@dataclass(frozen=True)
class Disagreement:
    """Overlapping candidate spans, ``start``-``end`` their extent. It is settled once each
    option is decided or overlaps an accepted one. Annotators named by no option marked
    nothing here: rejecting every option is their answer."""

    document_id: int
    start: int
    end: int
    options: tuple[Option, ...]
    settled: bool


@dataclass(frozen=True)
class DisputedDocument:
    """A document several annotators finished, with how many disagreements are open."""

    document_id: int
    open: int
    settled: int


@dataclass(frozen=True)
class Choice:
    """What the curator decides: take ``span`` into gold (``accept``), or reject it."""

    span: Span
    accept: bool = True


@dataclass(frozen=True)
class _Snapshot:
    """A document's gold, decisions and state before a settle, so an undo restores it."""

    gold: tuple[tuple, ...]  # (id, start, end, label_id, origin, annotator_id)
    decisions: tuple[tuple, ...]  # (start, end, label_id, accepted, annotator_id, decided_at)
    state: tuple  # (status, status_annotator_id, curated_at, updated_at)


@dataclass(frozen=True)
class Settlement:
    """What one ``settle`` changed: gold spans added and removed, the document's status
    after it and whether it is now curated. ``Annotations.undo`` reverses it."""

    document_id: int
    choice: Choice
    added: tuple[Span, ...]
    removed: tuple[Span, ...]
    status: Status
    curated: bool
    before: _Snapshot = field(repr=False, compare=False)


@dataclass(frozen=True)
class GoldSummary:
    """What ``derive_gold`` made of documents: one finisher's spans taken as gold; every
    finisher agreeing; disagreements left to curate; all of them settled already (kept);
    nobody finished yet."""

    single: tuple[int, ...] = ()
    agreed: tuple[int, ...] = ()
    disputed: tuple[int, ...] = ()
    curated: tuple[int, ...] = ()
    unfinished: tuple[int, ...] = ()


def disagreements_of(
    document_id: int, sets: dict[str, frozenset[Span]], decisions: dict[Span, bool]
) -> list[Disagreement]:
    """Group the candidates (marked by some finishers, not all) into overlapping clusters."""
    if len(sets) < 2:
        return []
    union = frozenset().union(*sets.values())
    agreed = frozenset.intersection(*sets.values())
    groups: list[list[Span]] = []
    end = -1
    for span in sorted(union - agreed):
        if groups and span.start < end:
            groups[-1].append(span)
            end = max(end, span.end)
        else:
            groups.append([span])
            end = span.end
    found = []
    for group in groups:
        options = tuple(
            Option(s, tuple(sorted(n for n, spans in sets.items() if s in spans)), decisions.get(s))
            for s in group
        )
        accepted = [o.span for o in options if o.decision]
        settled = all(
            o.decision is not None or any(overlaps(o.span, a) for a in accepted) for o in options
        )
        extent = (min(s.start for s in group), max(s.end for s in group))
        found.append(Disagreement(document_id, *extent, options, settled))
    return found


class Annotations:
    """Annotators, annotation sets and curation of one project connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- annotators ------------------------------------------------------------------------

    def current(self) -> str:
        """The annotator this project's edits are recorded for."""
        row = self.db.execute("SELECT value FROM project_meta WHERE key = 'annotator'").fetchone()
        return row[0] if row else self._name(1)

    def current_id(self) -> int:
        row = self.db.execute(
            "SELECT a.id FROM annotators a JOIN project_meta m"
            " ON m.key = 'annotator' AND m.value = a.name"
        ).fetchone()
        return row[0] if row else 1

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

    def _id(self, name: str) -> int:
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
        where, params = " WHERE s.annotator_id = ?", [self._id(annotator)]
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
        pending = spans.fetchone()
        for row in docs:
            found: list[Span] = []
            while pending is not None and pending[0] < row[0]:
                pending = spans.fetchone()
            while pending is not None and pending[0] == row[0]:
                found.append(Span(*pending[1:]))
                pending = spans.fetchone()
            yield queries.record_from_row(row, tuple(found))

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

    def _done_sets(self, document_id: int) -> dict[str, frozenset[Span]]:
        return {
            name: frozenset(s.spans)
            for name, s in self.sets(document_id).items()
            if s.status is Status.DONE
        }

    # -- gold from the sets ----------------------------------------------------------------

    def derive_gold(self, document_ids: Iterable[int]) -> GoldSummary:
        """Rebuild these documents' gold from their finished sets: one finisher's spans (and
        status done); with several, the spans all agree on plus the spans curation took,
        the document in progress while a disagreement is open, done once none is. Gold
        edited by hand in such a document is replaced (only changed sets bring it here)."""
        found: dict[str, list[int]] = {k: [] for k in GoldSummary.__dataclass_fields__}
        with self.db.atomic():
            for document_id in document_ids:
                sets = self._done_sets(document_id)
                if not sets:
                    found["unfinished"].append(document_id)
                    continue
                ids = {name: self._id(name) for name in sets}
                if len(sets) == 1:
                    ((name, spans),) = sets.items()
                    self._write_gold(document_id, {s: ids[name] for s in spans})
                    self._write_state(document_id, Status.DONE, ids[name], curated=False)
                    found["single"].append(document_id)
                    continue
                decisions = self._decisions(document_id)
                union = frozenset().union(*sets.values())
                gold = frozenset.intersection(*sets.values()) | {
                    s for s, accepted in decisions.items() if accepted and s in union
                }
                proposer = {s: min(n for n in sets if s in sets[n]) for s in gold}
                self._write_gold(document_id, {s: ids[proposer[s]] for s in gold})
                groups = disagreements_of(document_id, sets, decisions)
                still_open = any(not g.settled for g in groups)
                status = Status.IN_PROGRESS if still_open else Status.DONE
                curated = bool(groups) and not still_open
                self._write_state(document_id, status, self.current_id(), curated)
                key = "disputed" if still_open else "curated" if groups else "agreed"
                found[key].append(document_id)
        return GoldSummary(**{k: tuple(v) for k, v in found.items()})

    def _gold(self, document_id: int) -> list[tuple[Span, int]]:
        rows = self.db.execute(
            'SELECT s.start, s."end", l.name, s.id FROM spans s JOIN labels l'
            " ON l.id = s.label_id WHERE s.document_id = ? ORDER BY s.start",
            [document_id],
        )
        return [(Span(a, b, label), span_id) for a, b, label, span_id in rows]

    def _write_gold(self, document_id: int, spans: dict[Span, int]) -> None:
        """Make the document's gold exactly ``spans`` (span -> annotator id); untouched if
        it is already."""
        if {span for span, _ in self._gold(document_id)} == set(spans):
            return
        label_ids = {name: i for i, name in self.db.execute("SELECT id, name FROM labels")}
        self.db.execute("DELETE FROM spans WHERE document_id = ?", [document_id])
        self.db.conn.executemany(
            'INSERT INTO spans (document_id, start, "end", label_id, annotator_id)'
            " VALUES (?, ?, ?, ?, ?)",
            [(document_id, s.start, s.end, label_ids[s.label], by) for s, by in spans.items()],
        )

    def _write_state(
        self, document_id: int, status: Status, annotator_id: int, curated: bool
    ) -> None:
        """Set status (by whom) and the curated mark, only where they change."""
        old_status, old_curated = self.db.execute(
            "SELECT status, curated_at FROM documents WHERE id = ?", [document_id]
        ).fetchone()
        curated_at = (old_curated or schema.now()) if curated else None
        if (old_status, old_curated) != (status.value, curated_at):
            self.db.execute(
                "UPDATE documents SET status = ?, status_annotator_id = ?, curated_at = ?,"
                " updated_at = ? WHERE id = ?",
                [status.value, annotator_id, curated_at, schema.now(), document_id],
            )

    # -- curation --------------------------------------------------------------------------

    def _decisions(self, document_id: int) -> dict[Span, bool]:
        rows = self.db.execute(
            'SELECT c.start, c."end", l.name, c.accepted FROM curation c'
            " JOIN labels l ON l.id = c.label_id WHERE c.document_id = ?",
            [document_id],
        )
        return {Span(a, b, label): bool(accepted) for a, b, label, accepted in rows}

    def disagreements(self, document_id: int) -> list[Disagreement]:
        """A document's disagreements in text order, settled ones included."""
        return disagreements_of(
            document_id, self._done_sets(document_id), self._decisions(document_id)
        )

    def disputed_documents(self, open_only: bool = True) -> list[DisputedDocument]:
        """Documents several annotators finished that have disagreements (open ones only,
        unless ``open_only`` is off), in id order: the curation queue."""
        found = []
        for (document_id,) in self.db.execute(
            "SELECT document_id FROM annotation_status WHERE status = 'done'"
            " GROUP BY document_id HAVING count(*) >= 2 ORDER BY document_id"
        ).fetchall():
            groups = self.disagreements(document_id)
            still_open = sum(not g.settled for g in groups)
            if groups and (still_open or not open_only):
                found.append(DisputedDocument(document_id, still_open, len(groups) - still_open))
        return found

    def settle(self, document_id: int, choice: Choice) -> Settlement:
        """Take one candidate span into gold (replacing gold spans it overlaps) or reject it.

        An accepted span also rejects the accepted ones it overlaps. When the document's
        last disagreement is settled it becomes done and curated; reopening one (rejecting
        what was taken) makes it in progress again. Returns what changed, for ``undo``.
        """
        span = choice.span
        with self.db.atomic():
            sets = self._done_sets(document_id)
            union = frozenset().union(*sets.values()) if sets else frozenset()
            agreed = frozenset.intersection(*sets.values()) if len(sets) >= 2 else union
            if span not in union - agreed:
                raise ProjectError(
                    f"document {document_id}: {span.start}-{span.end} {span.label} is not one "
                    "of its disagreements (only spans some finished annotators marked and "
                    "others did not can be settled)"
                )
            before = self._snapshot(document_id)
            label_id = self.db.execute("SELECT id FROM labels WHERE name = ?", [span.label])
            label_id = label_id.fetchone()[0]
            gold = self._gold(document_id)
            curator = self.current_id()
            if choice.accept:
                gone = [(s, i) for s, i in gold if overlaps(s, span) and s != span]
                for other, accepted in self._decisions(document_id).items():
                    if accepted and other != span and overlaps(other, span):
                        self._decide(document_id, other, False, curator)
                if all(s != span for s, _ in gold):
                    self.db.execute(
                        'INSERT INTO spans (document_id, start, "end", label_id, annotator_id)'
                        " VALUES (?, ?, ?, ?, ?)",
                        [
                            document_id,
                            span.start,
                            span.end,
                            label_id,
                            self._id(min(n for n in sets if span in sets[n])),
                        ],
                    )
                    added: tuple[Span, ...] = (span,)
                else:
                    added = ()
            else:
                gone = [(s, i) for s, i in gold if s == span]
                added = ()
            self.db.conn.executemany("DELETE FROM spans WHERE id = ?", [(i,) for _, i in gone])
            self._decide(document_id, span, choice.accept, curator)
            groups = self.disagreements(document_id)
            still_open = any(not g.settled for g in groups)
            status = Status.IN_PROGRESS if still_open else Status.DONE
            self._write_state(document_id, status, curator, curated=not still_open)
        return Settlement(
            document_id,
            choice,
            added,
            tuple(s for s, _ in gone),
            status,
            not still_open,
            before,
        )

    def _decide(self, document_id: int, span: Span, accepted: bool, curator: int) -> None:
        self.db.execute(
            'INSERT OR REPLACE INTO curation (document_id, start, "end", label_id, accepted,'
            " annotator_id, decided_at) SELECT ?, ?, ?, id, ?, ?, ? FROM labels WHERE name = ?",
            [document_id, span.start, span.end, int(accepted), curator, schema.now(), span.label],
        )

    def _snapshot(self, document_id: int) -> _Snapshot:
        gold = self.db.execute(
            'SELECT id, start, "end", label_id, origin, annotator_id FROM spans'
            " WHERE document_id = ?",
            [document_id],
        ).fetchall()
        decisions = self.db.execute(
            'SELECT start, "end", label_id, accepted, annotator_id, decided_at FROM curation'
            " WHERE document_id = ?",
            [document_id],
        ).fetchall()
        state = self.db.execute(
            "SELECT status, status_annotator_id, curated_at, updated_at FROM documents"
            " WHERE id = ?",
            [document_id],
        ).fetchone()
        return _Snapshot(tuple(gold), tuple(decisions), tuple(state))

    def undo(self, settlement: Settlement) -> None:
        """Put a document's gold, decisions and status back as they were before a settle."""
        document_id, before = settlement.document_id, settlement.before
        with self.db.atomic():
            self.db.execute("DELETE FROM spans WHERE document_id = ?", [document_id])
            self.db.conn.executemany(
                'INSERT INTO spans (id, document_id, start, "end", label_id, origin,'
                " annotator_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(row[0], document_id, *row[1:]) for row in before.gold],
            )
            self.db.execute("DELETE FROM curation WHERE document_id = ?", [document_id])
            self.db.conn.executemany(
                'INSERT INTO curation (document_id, start, "end", label_id, accepted,'
                " annotator_id, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(document_id, *row) for row in before.decisions],
            )
            self.db.execute(
                "UPDATE documents SET status = ?, status_annotator_id = ?, curated_at = ?,"
                " updated_at = ? WHERE id = ?",
                [*before.state, document_id],
            )

    def relabel(self, source_label_id: int, target_label_id: int) -> None:
        """Sets and decisions follow a label merge (inside the caller's transaction)."""
        for table in ("annotations", "curation"):
            self.db.execute(
                f"UPDATE OR REPLACE {table} SET label_id = ? WHERE label_id = ?",
                [target_label_id, source_label_id],
            )

    # -- an annotator's copy ---------------------------------------------------------------

    def copy_to(self, target: Path) -> None:
        """Copy the whole project into ``target`` (SQLite's backup API: a consistent copy
        while others may be writing), as one file without a write-ahead log."""
        copy = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()

    def keep_only(self, document_ids: Iterable[int], annotator: str) -> None:
        """Make this (copied) project one annotator's: only these documents, no team sets
        or curation, the active run kept as an ``imported`` run without its folder (its
        suggestions for the kept documents stay) and other runs gone; then compacted into
        one self-contained file, so removed documents' text does not linger in free pages.
        """
        with self.db.atomic():
            self.db.execute("CREATE TEMP TABLE keep_ids (id INTEGER PRIMARY KEY)")
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO temp.keep_ids VALUES (?)", [(i,) for i in document_ids]
            )
            self.db.execute("DELETE FROM documents WHERE id NOT IN (SELECT id FROM temp.keep_ids)")
            self.db.execute("DROP TABLE temp.keep_ids")
            for table in ("annotations", "annotation_status", "curation", "run_metrics"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("UPDATE documents SET curated_at = NULL WHERE curated_at IS NOT NULL")
            self.db.execute(
                "DELETE FROM runs WHERE name IS NOT"
                " (SELECT value FROM project_meta WHERE key = 'active_run')"
            )
            self.db.execute(
                "UPDATE runs SET status = 'imported', path = NULL, pid = NULL, host = NULL"
            )
            self.set_current(annotator)
            self.db.execute(
                "DELETE FROM annotators WHERE id != 1 AND name != ?"
                " AND id NOT IN (SELECT annotator_id FROM spans WHERE annotator_id IS NOT NULL)"
                " AND id NOT IN (SELECT status_annotator_id FROM documents)",
                [check_annotator_name(annotator)],
            )
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA journal_mode=DELETE")
