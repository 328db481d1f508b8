"""The active-learning queue: which unannotated document the person should see next.

Strategies score a document by the model's uncertainty (least confidence, MNLP after Shen
et al. 2017, mean token entropy) or not at all (random). Uncertainty sampling is biased
(Lowell et al. 2019), so a share of the queue (10% by default) is random picks, and a
document that nearly repeats the one before it waits its turn further down.

The rules walk two streams lazily — the pool ranked by score and the pool in a random
order (each document's fixed shuffle key, read from where the seed starts) — plus the
deferred list, each by a cursor that only moves forward (a document once taken stays
taken). In the store both streams are index walks (``Predictions.ranked``/``shuffled``),
so the top of the queue costs the same at 1M documents as at 1k, and a partly read queue
goes on later from plain data (``QueueCursor``, ``extend_queue``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice, pairwise
from typing import TYPE_CHECKING

from nerstudio.core.errors import NerstudioError
from nerstudio.core.store.predictions import KEY_BITS, shuffle_key

if TYPE_CHECKING:
    from nerstudio.core.store import Project

STRATEGIES = ("mnlp", "least-confidence", "entropy", "random")
"""Every active-learning strategy, the default (``DEFAULT_STRATEGY``) first: the order the
CLI and the window offer them."""
DEFAULT_STRATEGY = STRATEGIES[0]
_SCORE_KEYS = {"least-confidence": "least_confidence", "mnlp": "mnlp", "entropy": "entropy"}
NEAR_DUPLICATE = 0.8
QUEUE_CHUNK = 1000  # documents of the queue the window reads at a time (``limit``)


@dataclass(frozen=True)
class Candidate:
    document_id: int
    text: str
    scores: dict[str, float]


class Reason(str, Enum):
    """Why a document has its place in the queue."""

    UNCERTAIN = "uncertain"  # ranked by the strategy's score
    RANDOM = "random"  # a random pick (the random share, or the random strategy)
    DEFERRED = "deferred"  # nearly repeated the pick before it; served after the ranked ones


@dataclass(frozen=True)
class QueueEntry:
    """One place in the queue."""

    document_id: int
    uncertainty: float  # the strategy's score (higher = less sure); 0.0 for random
    reason: Reason


@dataclass(frozen=True)
class QueueOrder:
    """The queue, first to last, as parallel tuples: one immutable object rather than one
    per document (cheap at 100k, and plain data that may cross to another thread)."""

    document_ids: tuple[int, ...] = ()
    uncertainties: tuple[float, ...] = ()
    reasons: tuple[Reason, ...] = ()
    more: QueueCursor | None = None  # where the rest comes from (``extend_queue``); None: all

    def __len__(self) -> int:
        return len(self.document_ids)

    def __iter__(self) -> Iterator[QueueEntry]:
        return map(QueueEntry, self.document_ids, self.uncertainties, self.reasons)

    def top(self, count: int) -> list[QueueEntry]:
        return list(islice(self, count))


def score_key(strategy: str) -> str | None:
    """The key of the strategy's score in a prediction's scores (None for random)."""
    if strategy not in STRATEGIES:
        raise NerstudioError(f"strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    return _SCORE_KEYS.get(strategy)


def _shingles(text: str) -> set[str]:
    """Word bigrams (a text of under two words is its one shingle)."""
    words = text.lower().split()
    if len(words) < 2:
        return {" ".join(words)}
    return set(map(" ".join, pairwise(words)))


def _similar(sa: set[str], sb: set[str], threshold: float) -> bool:
    small, big = sorted((len(sa), len(sb)))
    if small / big < threshold:  # Jaccard is at most |smaller| / |larger|
        return False
    common = len(sa & sb)
    return common / (len(sa) + len(sb) - common) >= threshold


def near_duplicates(a: str, b: str, threshold: float = NEAR_DUPLICATE) -> bool:
    """Word-bigram Jaccard similarity at or above ``threshold``."""
    return _similar(_shingles(a), _shingles(b), threshold)


Row = tuple[int, float, str, float]  # document id, score, text, position key in its stream


@dataclass
class _Walk:
    """Where a walk of the queue's rules stands (``_walk`` moves it on).

    Ranked by score, highest first (ties by document id); every ``every``-th pick is the
    first not-yet-taken document of the random order; a ranked document nearly repeating
    the pick before it is deferred, and the deferred ones are served, in the order they
    were deferred, once the ranked list runs dry. Random picks are never checked against
    the pick before them: they are there to be an unbiased sample.
    """

    every: int
    picked: int = 0
    taken: set[int] = field(default_factory=set)  # ids, so a repeated id is served once
    deferred: deque[Row] = field(default_factory=deque)
    last_text: str | None = None  # of the latest pick
    ranked_after: tuple[float, int] | None = None  # position keys of the last rows read
    random_after: tuple[float, int] | None = None


def _walk(
    state: _Walk, ranked: Iterator[Row], randoms: Iterator[Row]
) -> Iterator[tuple[Row, Reason]]:
    """The queue's picks, lazily: each stream is read only as far as the picks need, so the
    top of a 1M-document queue costs about as much as the top of a small one."""
    last: set[str] | None = None  # shingles of the latest pick, once computed
    while True:
        pick: Row | None = None
        shingles = None
        if state.every and (state.picked + 1) % state.every == 0:
            for row in randoms:
                state.random_after = (row[3], row[0])
                if row[0] not in state.taken:
                    pick, reason = row, Reason.RANDOM
                    break
        else:
            for row in ranked:
                state.ranked_after = (row[3], row[0])
                if row[0] in state.taken:
                    continue
                if state.last_text is not None:
                    if last is None:
                        last = _shingles(state.last_text)
                    shingles = _shingles(row[2])
                    if _similar(last, shingles, NEAR_DUPLICATE):
                        state.deferred.append(row)
                        continue
                pick, reason = row, Reason.UNCERTAIN
                break
            while pick is None and state.deferred:  # the ranked list ran dry
                row = state.deferred.popleft()
                if row[0] not in state.taken:
                    pick, reason = row, Reason.DEFERRED
        if pick is None:
            return  # everything is taken
        state.picked += 1
        state.taken.add(pick[0])
        state.last_text = pick[2]
        # A ranked pick's shingles were just computed; the others' are, when needed.
        last = shingles if reason is Reason.UNCERTAIN else None
        yield pick, reason


def random_rank(document_id: int, seed: int) -> int:
    """A document's place in the seed's random order (lower comes first): its fixed shuffle
    key, counted from the seed's starting key round to just below it."""
    return (shuffle_key(document_id) - _random_start(seed)) % (1 << KEY_BITS)


def _random_start(seed: int) -> int:
    return shuffle_key(~seed & ((1 << 64) - 1))


def _in_memory(
    ids: Sequence[int], texts: Sequence[str], scores: Sequence[float], seed: int
) -> tuple[Iterator[Row], Iterator[Row]]:
    """The ranked and random streams of a pool held in memory."""
    # By id, then (stably) by score: the order of the key (-score, id) without a tuple per
    # document; the pool comes sorted by id, which makes the first sort linear.
    ranked = sorted(range(len(ids)), key=ids.__getitem__)
    negated = [-score for score in scores]
    ranked.sort(key=negated.__getitem__)
    keys = [random_rank(doc, seed) for doc in ids]
    randoms = sorted(ranked, key=keys.__getitem__)

    def rows(order: list[int]) -> Iterator[Row]:
        return ((ids[i], scores[i], texts[i], i) for i in order)  # key: the position

    return rows(ranked), rows(randoms)


def _every(random_share: float) -> int:
    return round(1 / random_share) if random_share > 0 else 0


def _finite(value: object) -> float:
    """A score as the queue ranks it: a missing, NaN or infinite one is 0.0."""
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else 0.0


def _columns(
    candidates: Sequence[Candidate], key: str | None
) -> tuple[list[int], list[str], list[float]]:
    ids = [c.document_id for c in candidates]
    texts = [c.text for c in candidates]
    scores = [_finite(c.scores.get(key)) for c in candidates] if key else [0.0] * len(ids)
    return ids, texts, scores


def _start(strategy: str, random_share: float) -> _Walk:
    """A walk from the top; the random strategy is all random picks."""
    return _Walk(every=1 if score_key(strategy) is None else _every(random_share))


def _picks(candidates: Sequence[Candidate], strategy: str, share: float, seed: int):
    ids, texts, scores = _columns(candidates, score_key(strategy))
    ranked, randoms = _in_memory(ids, texts, scores, seed)
    return _walk(_start(strategy, share), ranked, randoms)


def _order_of(picks: Iterable[tuple[Row, Reason]], more: QueueCursor | None = None) -> QueueOrder:
    rows = list(picks)
    return QueueOrder(
        tuple(row[0] for row, _ in rows),
        tuple(row[1] for row, _ in rows),
        tuple(reason for _, reason in rows),
        more,
    )


def build_queue(
    candidates: Sequence[Candidate],
    strategy: str = DEFAULT_STRATEGY,
    random_share: float = 0.1,
    seed: int = 0,
) -> QueueOrder:
    """The pool in the order to annotate it, with each document's uncertainty and reason."""
    return _order_of(_picks(candidates, strategy, random_share, seed))


@dataclass(frozen=True)
class QueueCursor:
    """Where a partly computed queue of a run stands, as plain data: ``extend_queue``
    computes what follows on any connection, the rules going on as if never paused."""

    run_id: int
    strategy: str
    seed: int
    every: int
    picked: int
    taken: frozenset[int]
    deferred: tuple[Row, ...]
    last_text: str | None
    ranked_after: tuple[float, int] | None
    random_after: tuple[float, int] | None


def queue_for_run(
    project: Project,
    run_id: int,
    strategy: str,
    random_share: float = 0.1,
    seed: int = 0,
    limit: int | None = None,
) -> QueueOrder:
    """The queue of a project's unfinished pool by one run's stored uncertainties (what the
    window shows; the same as ``build_queue`` over ``Predictions.pool``).

    Read along the store's indexes, so the first ``limit`` documents cost the same at 1M
    documents as at 1k; with a ``limit`` the order's ``more`` is where to go on from
    (``extend_queue``), None once the queue is complete.
    """
    cursor = QueueCursor(
        run_id,
        strategy,
        seed,
        _start(strategy, random_share).every,
        0,
        frozenset(),
        (),
        None,
        None,
        None,
    )
    return _continue(project, cursor, (), limit)


def extend_queue(project: Project, order: QueueOrder, count: int) -> QueueOrder:
    """``order`` with up to ``count`` more documents (itself when it is complete)."""
    if order.more is None:
        return order
    return _continue(project, order.more, order, count)


def _continue(
    project: Project, cursor: QueueCursor, before: Iterable[QueueEntry], limit: int | None
) -> QueueOrder:
    key = score_key(cursor.strategy)
    state = _Walk(
        cursor.every,
        cursor.picked,
        set(cursor.taken),
        deque(cursor.deferred),
        cursor.last_text,
        cursor.ranked_after,
        cursor.random_after,
    )
    store = project.predictions
    ranked = iter(()) if key is None else store.ranked(cursor.run_id, key, state.ranked_after)
    start = _random_start(cursor.seed)
    randoms = store.shuffled(cursor.run_id, key, start, state.random_after)
    walk = _walk(state, ranked, randoms)
    new = list(islice(walk, limit)) if limit is not None else list(walk)
    complete = limit is None or len(new) < limit
    for stream in (walk, ranked, randoms):
        if hasattr(stream, "close"):
            stream.close()  # the open statements end here
    more = None if complete else _cursor_of(cursor, state)
    earlier = [((e.document_id, e.uncertainty, "", 0.0), e.reason) for e in before]
    return _order_of([*earlier, *new], more)


def _cursor_of(cursor: QueueCursor, state: _Walk) -> QueueCursor:
    return QueueCursor(
        cursor.run_id,
        cursor.strategy,
        cursor.seed,
        state.every,
        state.picked,
        frozenset(state.taken),
        tuple(state.deferred),
        state.last_text,
        state.ranked_after,
        state.random_after,
    )
