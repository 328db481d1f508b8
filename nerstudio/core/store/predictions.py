"""Model suggestions, stored per run and never mixed into the gold spans."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import schema

PredictionRow = tuple[int, Sequence[ScoredSpan], dict[str, float]]
"""What ``save`` takes per document: (document id, its spans, its uncertainty scores)."""


@dataclass(frozen=True)
class StoredPrediction:
    document_id: int
    run_id: int
    spans: tuple[ScoredSpan, ...]  # stored as [{"start", "end", "label", "score"}, ...]
    scores: dict[str, float]  # uncertainty by strategy


def encode_spans(spans: Iterable[ScoredSpan]) -> str:
    """The ``predictions.spans`` column: a JSON array of ``{start, end, label, score}``."""
    return json.dumps([span.to_json() for span in spans])


def decode_spans(text: str) -> tuple[ScoredSpan, ...]:
    return tuple(ScoredSpan.from_json(item) for item in json.loads(text))


class Predictions:
    """The ``predictions`` table of one project connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(self, run_id: int, items: Iterable[PredictionRow]) -> int:
        """Store (document, spans, scores) for a run, replacing earlier ones; one transaction."""
        stamp = schema.now()
        rows = [
            (doc, run_id, encode_spans(spans), scores.get("mnlp"), json.dumps(scores), stamp)
            for doc, spans, scores in items
        ]
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO predictions"
                " (document_id, run_id, spans, uncertainty, scores, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def get(self, run_id: int, document_id: int) -> StoredPrediction | None:
        row = self.db.execute(
            "SELECT document_id, run_id, spans, scores FROM predictions"
            " WHERE run_id = ? AND document_id = ?",
            [run_id, document_id],
        ).fetchone()
        return None if row is None else _prediction(row)

    def reject(self, run_id: int, document_id: int, start: int, end: int) -> list[ScoredSpan]:
        """Drop one suggestion (the user said no), keeping the document's others; returns
        what was dropped so an undo can ``restore`` it."""
        with self.db.atomic():
            stored = self.get(run_id, document_id)
            if stored is None:
                return []
            dropped = [s for s in stored.spans if (s.start, s.end) == (start, end)]
            kept = [s for s in stored.spans if (s.start, s.end) != (start, end)]
            self._set_spans(run_id, document_id, kept)
        return dropped

    def restore(self, run_id: int, document_id: int, spans: Iterable[ScoredSpan]) -> None:
        """Put rejected suggestions back (undo of a reject)."""
        with self.db.atomic():
            stored = self.get(run_id, document_id)
            if stored is None:
                return
            merged = sorted([*stored.spans, *spans], key=lambda s: (s.start, s.end))
            self._set_spans(run_id, document_id, merged)

    def _set_spans(self, run_id: int, document_id: int, spans: list[ScoredSpan]) -> None:
        self.db.execute(
            "UPDATE predictions SET spans = ? WHERE run_id = ? AND document_id = ?",
            [encode_spans(spans), run_id, document_id],
        )

    def pool(
        self, run_id: int, score: str | None = None
    ) -> list[tuple[int, str, dict[str, float]]]:
        """Documents the queue may serve: not done, not skipped, outside dev and test.

        Each comes with its scores; with ``score`` only that one is read (SQLite's
        ``json_extract``, so nothing is JSON-parsed in Python: fast at 100k documents).
        """
        where = (
            " FROM documents d JOIN predictions p ON p.document_id = d.id AND p.run_id = ?"
            " WHERE d.status IN ('new', 'in_progress')"
            " AND coalesce(d.split, '') NOT IN ('dev', 'test') ORDER BY d.id"
        )
        if score is None:
            rows = self.db.execute("SELECT d.id, d.text, p.scores" + where, [run_id]).fetchall()
            return [(doc, text, json.loads(s) if s else {}) for doc, text, s in rows]
        rows = self.db.execute(
            "SELECT d.id, d.text, json_extract(p.scores, ?)" + where,
            [f'$."{score}"', run_id],
        ).fetchall()
        return [(doc, text, {} if s is None else {score: s}) for doc, text, s in rows]

    def for_done_documents(self, run_id: int) -> list[tuple[int, StoredPrediction]]:
        """This run's predictions of done documents (to review gold against the model)."""
        rows = self.db.execute(
            "SELECT p.document_id, p.run_id, p.spans, p.scores FROM predictions p"
            " JOIN documents d ON d.id = p.document_id"
            " WHERE p.run_id = ? AND d.status = 'done' ORDER BY p.document_id",
            [run_id],
        ).fetchall()
        return [(row[0], _prediction(row)) for row in rows]

    def count(self, run_id: int) -> int:
        return self.db.execute(
            "SELECT count(*) FROM predictions WHERE run_id = ?", [run_id]
        ).fetchone()[0]


def _prediction(row: tuple) -> StoredPrediction:
    doc, run, spans, scores = row
    return StoredPrediction(doc, run, decode_spans(spans), json.loads(scores) if scores else {})
