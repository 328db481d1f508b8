"""Curation: where two or more annotators finished a document, a *disagreement* is a group
of overlapping candidate spans (spans some of them marked but not all). ``settle`` takes
one into gold or rejects it, records the decision (``curation``) and returns a
``Settlement`` that ``undo`` reverses. A document whose disagreements are all settled is
done and marked curated (``curated_at``); ``derive_gold`` rebuilds gold from the sets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

from nerstudio.core.errors import ProjectError
from nerstudio.core.records import Status
from nerstudio.core.spans import Span
from nerstudio.core.store import schema
from nerstudio.core.store.annotation_sets import AnnotationSets, current_annotator_id


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
    after it and whether it is now curated. ``Curation.undo`` reverses it."""

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
            o.decision is not None or any(o.span.overlaps(a) for a in accepted) for o in options
        )
        extent = (min(s.start for s in group), max(s.end for s in group))
        found.append(Disagreement(document_id, *extent, options, settled))
    return found


class Curation:
    """``project.curation``: gold derived from the annotation sets, and the curator's
    decisions on disagreements. Every public method is one transaction."""

    def __init__(self, db: sqlite_utils.Database, sets: AnnotationSets) -> None:
        self.db = db
        self._sets = sets

    # -- gold from the sets ----------------------------------------------------------------

    def derive_gold(self, document_ids: Iterable[int]) -> GoldSummary:
        """Rebuild these documents' gold from their finished sets: one finisher's spans (and
        status done); with several, the spans all agree on plus the spans curation took,
        the document in progress while a disagreement is open, done once none is. Gold
        edited by hand in such a document is replaced (only changed sets bring it here)."""
        found: dict[str, list[int]] = {k: [] for k in GoldSummary.__dataclass_fields__}
        with self.db.atomic():
            for document_id in document_ids:
                sets = self._sets.done_sets(document_id)
                if not sets:
                    found["unfinished"].append(document_id)
                    continue
                ids = {name: self._sets.id_of(name) for name in sets}
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
                self._write_state(document_id, status, current_annotator_id(self.db), curated)
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
            document_id, self._sets.done_sets(document_id), self._decisions(document_id)
        )

    def disputed_documents(self, open_only: bool = True) -> list[DisputedDocument]:
        """Documents several annotators finished that have disagreements (open ones only,
        unless ``open_only`` is off), in id order: the curation queue.

        Three reads for the whole project, not three per document: at 100k merged
        documents a per-document loop is hundreds of thousands of queries."""
        finished: dict[int, set[str]] = {}
        for document_id, name in self.db.execute(
            "SELECT s.document_id, a.name FROM annotation_status s"
            " JOIN annotators a ON a.id = s.annotator_id WHERE s.status = 'done'"
            " AND s.document_id IN (SELECT document_id FROM annotation_status"
            " WHERE status = 'done' GROUP BY document_id HAVING count(*) >= 2)"
        ):
            finished.setdefault(document_id, set()).add(name)
        marks: dict[int, dict[str, set[Span]]] = {
            document_id: {name: set() for name in names} for document_id, names in finished.items()
        }
        for document_id, name, start, end, label in self.db.execute(
            'SELECT n.document_id, a.name, n.start, n."end", l.name FROM annotations n'
            " JOIN annotators a ON a.id = n.annotator_id JOIN labels l ON l.id = n.label_id"
        ):
            sets = marks.get(document_id)
            if sets is not None and name in sets:
                sets[name].add(Span(start, end, label))
        decisions: dict[int, dict[Span, bool]] = {}
        for document_id, start, end, label, accepted in self.db.execute(
            'SELECT c.document_id, c.start, c."end", l.name, c.accepted FROM curation c'
            " JOIN labels l ON l.id = c.label_id"
        ):
            decisions.setdefault(document_id, {})[Span(start, end, label)] = bool(accepted)
        found = []
        for document_id in sorted(marks):
            sets = {name: frozenset(spans) for name, spans in marks[document_id].items()}
            groups = disagreements_of(document_id, sets, decisions.get(document_id, {}))
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
            sets = self._sets.done_sets(document_id)
            _refuse_unless_disputed(document_id, span, sets)
            before = self._snapshot(document_id)
            label_id = self.db.execute("SELECT id FROM labels WHERE name = ?", [span.label])
            label_id = label_id.fetchone()[0]
            gold = self._gold(document_id)
            curator = current_annotator_id(self.db)
            if choice.accept:
                gone = [(s, i) for s, i in gold if s.overlaps(span) and s != span]
                for other, accepted in self._decisions(document_id).items():
                    if accepted and other != span and other.overlaps(span):
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
                            self._sets.id_of(min(n for n in sets if span in sets[n])),
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


def _refuse_unless_disputed(document_id: int, span: Span, sets: dict[str, frozenset[Span]]) -> None:
    """Only a span some finished annotators marked and others did not can be settled."""
    union = frozenset().union(*sets.values()) if sets else frozenset()
    agreed = frozenset.intersection(*sets.values()) if len(sets) >= 2 else union
    if span not in union - agreed:
        raise ProjectError(
            f"document {document_id}: {span.start}-{span.end} {span.label} is not one "
            "of its disagreements (only spans some finished annotators marked and "
            "others did not can be settled)"
        )
