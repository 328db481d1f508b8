"""The active-learning queue: which unannotated document the person should see next.

Strategies score a document by the model's uncertainty (least confidence, MNLP after Shen
et al. 2017, mean token entropy) or not at all (random). Uncertainty sampling is biased
(Lowell et al. 2019), so a share of the queue (10% by default) is random picks, and a
document that nearly repeats the one before it waits its turn further down.

Ordering is one sort plus one pass: the ranked list, the shuffled list the random picks
come from and the deferred list are each walked by a cursor that only moves forward (a
document once taken stays taken), so 100k documents take well under a second.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import islice, pairwise
from typing import TYPE_CHECKING

from nerstudio.core.errors import NerstudioError

if TYPE_CHECKING:
    from nerstudio.core.store import Project

STRATEGIES = ("least-confidence", "mnlp", "entropy", "random")
_SCORE_KEYS = {"least-confidence": "least_confidence", "mnlp": "mnlp", "entropy": "entropy"}
NEAR_DUPLICATE = 0.8


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


def _order(
    ids: Sequence[int], texts: Sequence[str], scores: Sequence[float], every: int, seed: int
) -> tuple[list[int], list[Reason]]:
    """The rules of the queue, over parallel lists: positions in queue order, and why.

    Ranked by score, highest first (ties by document id); every ``every``-th pick is the
    first not-yet-taken document of a seeded shuffle; a ranked document nearly repeating
    the pick before it is deferred, and the deferred ones are served, in the order they
    were deferred, once the ranked list runs dry. Random picks are never checked against
    the pick before them: they are there to be an unbiased sample.
    """
    total = len(ids)
    # By id, then (stably) by score: the order of the key (-score, id) without a tuple per
    # document; the pool comes sorted by id, which makes the first sort linear.
    ranked = sorted(range(total), key=ids.__getitem__)
    negated = [-score for score in scores]
    ranked.sort(key=negated.__getitem__)
    randoms = list(ranked)
    random.Random(seed).shuffle(randoms)
    picks: list[int] = []
    reasons: list[Reason] = []
    taken: set[int] = set()  # document ids, so a repeated id is served once
    deferred: list[int] = []
    ranked_at = random_at = deferred_at = 0  # cursors: all before them is taken
    last: set[str] | None = None  # shingles of the latest pick, once computed
    while len(picks) < total:
        pick = -1
        shingles = None
        if every and (len(picks) + 1) % every == 0:
            while random_at < total and ids[randoms[random_at]] in taken:
                random_at += 1
            if random_at < total:
                pick, reason = randoms[random_at], Reason.RANDOM
        else:
            while ranked_at < total:
                i = ranked[ranked_at]
                ranked_at += 1
                if ids[i] in taken:
                    continue
                if picks:
                    if last is None:
                        last = _shingles(texts[picks[-1]])
                    shingles = _shingles(texts[i])
                    if _similar(last, shingles, NEAR_DUPLICATE):
                        deferred.append(i)
                        continue
                pick, reason = i, Reason.UNCERTAIN
                break
            if pick < 0:  # the ranked list ran dry, so nothing is deferred any more
                while deferred_at < len(deferred) and ids[deferred[deferred_at]] in taken:
                    deferred_at += 1
                if deferred_at < len(deferred):
                    pick, reason = deferred[deferred_at], Reason.DEFERRED
        if pick < 0:
            break  # only repeated document ids are left
        picks.append(pick)
        reasons.append(reason)
        taken.add(ids[pick])
        # A ranked pick's shingles were just computed; the others' are, when needed.
        last = shingles if reason is Reason.UNCERTAIN else None
    return picks, reasons


def _every(random_share: float) -> int:
    return round(1 / random_share) if random_share > 0 else 0


def _columns(
    candidates: Sequence[Candidate], key: str | None
) -> tuple[list[int], list[str], list[float]]:
    ids = [c.document_id for c in candidates]
    texts = [c.text for c in candidates]
    scores = [c.scores.get(key, 0.0) for c in candidates] if key else [0.0] * len(ids)
    return ids, texts, scores


def _positions(
    ids: list[int], texts: list[str], scores: list[float], strategy: str, share: float, seed: int
) -> tuple[list[int], list[Reason]]:
    """Positions in queue order and their reasons, by any strategy."""
    if score_key(strategy) is None:
        picks = list(range(len(ids)))
        random.Random(seed).shuffle(picks)
        return picks, [Reason.RANDOM] * len(picks)
    return _order(ids, texts, scores, _every(share), seed)


def _queue_order(
    ids: list[int], texts: list[str], scores: list[float], strategy: str, share: float, seed: int
) -> QueueOrder:
    picks, reasons = _positions(ids, texts, scores, strategy, share, seed)
    return QueueOrder(
        tuple(map(ids.__getitem__, picks)), tuple(map(scores.__getitem__, picks)), tuple(reasons)
    )


def build_queue(
    candidates: Sequence[Candidate],
    strategy: str = "mnlp",
    random_share: float = 0.1,
    seed: int = 0,
) -> QueueOrder:
    """The pool in the order to annotate it, with each document's uncertainty and reason."""
    ids, texts, scores = _columns(candidates, score_key(strategy))
    return _queue_order(ids, texts, scores, strategy, random_share, seed)


def order_queue(
    candidates: Sequence[Candidate],
    strategy: str = "mnlp",
    random_share: float = 0.1,
    seed: int = 0,
) -> list[tuple[Candidate, float]]:
    """The pool in the order to annotate it, each with its uncertainty (higher = less sure)."""
    ids, texts, scores = _columns(candidates, score_key(strategy))
    picks, _ = _positions(ids, texts, scores, strategy, random_share, seed)
    return [(candidates[i], scores[i]) for i in picks]


def queue_for_run(
    project: Project, run_id: int, strategy: str, random_share: float = 0.1, seed: int = 0
) -> QueueOrder:
    """The queue of a project's unfinished pool by one run's stored uncertainties (what the
    window shows; the same as ``build_queue`` over ``Predictions.pool``)."""
    key = score_key(strategy)
    pool = project.predictions.pool(run_id, score=key or "mnlp")  # random: any one score
    ids = [doc for doc, _, _ in pool]
    texts = [text for _, text, _ in pool]
    scores = [found.get(key, 0.0) for _, _, found in pool] if key else [0.0] * len(pool)
    return _queue_order(ids, texts, scores, strategy, random_share, seed)
