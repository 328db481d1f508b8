"""Model suggestions, stored per run and never mixed into the gold spans."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlite_utils

from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import schema

PredictionRow = tuple[int, Sequence[ScoredSpan], dict[str, float]]
"""What ``save`` takes per document: (document id, its spans, its uncertainty scores)."""

QUEUE_SCORES = ("least_confidence", "mnlp", "entropy")
"""The scores the queue ranks by, each also a REAL column of ``predictions`` (0.0 when the
prediction has none, or a non-finite one) with an index in queue order."""
KEY_BITS = 62  # shuffle keys fit a positive SQLite integer
_MASK64 = (1 << 64) - 1
QueueRow = tuple[int, float, str, float]
"""A queue stream's row: (document id, the strategy's score, text, position key)."""
_POOL = " d.status IN ('new', 'in_progress') AND coalesce(d.split, '') NOT IN ('dev', 'test')"


def shuffle_key(value: int) -> int:
    """A document's fixed place in the random order (splitmix64, 62 bits): the random
    share is drawn along it by an index, so no shuffle of the whole pool is ever held."""
    z = (value + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return (z ^ (z >> 31)) >> (64 - KEY_BITS)


def finite_scores(scores: dict[str, float]) -> dict[str, float]:
    """The scores that are numbers: a NaN or infinite one is no score at all."""
    return {
        name: float(value)
        for name, value in scores.items()
        if isinstance(value, int | float) and math.isfinite(value)
    }


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
            _row(doc, run_id, spans, finite_scores(scores), stamp) for doc, spans, scores in items
        ]
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO predictions"
                " (document_id, run_id, spans, uncertainty, scores, created_at, shuffle_key, "
                + ", ".join(QUEUE_SCORES)
                + ") VALUES (?, ?, ?, ?, ?, ?, ?"
                + ", ?" * len(QUEUE_SCORES)
                + ")",
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

    def ranked(
        self, run_id: int, score: str, after: tuple[float, int] | None = None
    ) -> Iterator[QueueRow]:
        """The pool by ``score``, highest first, ties by document id (an index walk: the
        first rows come at once at any size); ``after`` (score, id) resumes past a row."""
        column = _score_column(score)
        select = (
            f"SELECT p.document_id, p.{column}, d.text, p.{column}"
            " FROM predictions p CROSS JOIN documents d ON d.id = p.document_id"
            f" WHERE p.run_id = ? AND {_POOL}"
        )
        if after is None:
            yield from self._rows(select + f" ORDER BY p.{column} DESC, p.document_id", [run_id])
            return
        value, doc = after
        yield from self._rows(
            select + f" AND p.{column} = ? AND p.document_id > ? ORDER BY p.document_id",
            [run_id, value, doc],
        )
        yield from self._rows(
            select + f" AND p.{column} < ? ORDER BY p.{column} DESC, p.document_id",
            [run_id, value],
        )

    def shuffled(
        self, run_id: int, score: str | None, start: int, after: tuple[float, int] | None = None
    ) -> Iterator[QueueRow]:
        """The pool in random order: by shuffle key from ``start`` round to just below it
        (``start`` comes from the seed), ties by document id; each with ``score`` (0.0 for
        None); ``after`` (key, id) resumes past a row."""
        value = f"p.{_score_column(score)}" if score is not None else "0.0"
        select = (
            f"SELECT p.document_id, {value}, d.text, p.shuffle_key"
            " FROM predictions p CROSS JOIN documents d ON d.id = p.document_id"
            f" WHERE p.run_id = ? AND {_POOL}"
        )
        order = " ORDER BY p.shuffle_key, p.document_id"
        segments = [(start, 1 << KEY_BITS), (0, start)]  # [low, high) of the keys, in turn
        if after is not None:
            key, doc = int(after[0]), after[1]
            at = 0 if key >= start else 1
            yield from self._rows(
                select + " AND p.shuffle_key = ? AND p.document_id > ?" + order, [run_id, key, doc]
            )
            segments = [(key + 1, segments[at][1]), *segments[at + 1 :]]
        for low, high in segments:
            yield from self._rows(
                select + " AND p.shuffle_key >= ? AND p.shuffle_key < ?" + order,
                [run_id, low, high],
            )

    def _rows(self, sql: str, params: list) -> Iterator[QueueRow]:
        """Rows one at a time from an open statement, closed when the caller stops."""
        cursor = self.db.execute(sql, params)
        try:
            yield from cursor
        finally:
            cursor.close()

    def unscored(self, run_id: int) -> list[int]:
        """The queue's pool without a prediction of the run, by id: what is left to score
        (one query on the primary key; no scores or texts read)."""
        rows = self.db.execute(
            f"SELECT d.id FROM documents d WHERE {_POOL} AND NOT EXISTS (SELECT 1"
            " FROM predictions p WHERE p.document_id = d.id AND p.run_id = ?) ORDER BY d.id",
            [run_id],
        )
        return [doc for (doc,) in rows]

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


def _score_column(score: str) -> str:
    if score not in QUEUE_SCORES:
        raise ValueError(f"no queue column for score {score!r}")
    return score


def _row(
    doc: int, run_id: int, spans: Sequence[ScoredSpan], scores: dict[str, float], stamp: str
) -> tuple:
    """One ``predictions`` row: the scores as JSON and, for the queue, as columns."""
    columns = tuple(scores.get(name, 0.0) for name in QUEUE_SCORES)
    return (
        doc,
        run_id,
        encode_spans(spans),
        scores.get("mnlp"),
        json.dumps(scores),
        stamp,
        shuffle_key(doc),
        *columns,
    )


def _prediction(row: tuple) -> StoredPrediction:
    doc, run, spans, scores = row
    return StoredPrediction(doc, run, decode_spans(spans), json.loads(scores) if scores else {})
