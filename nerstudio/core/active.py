"""The active-learning queue: which unannotated document the person should see next.

Strategies score a document by the model's uncertainty (least confidence, MNLP after Shen
et al. 2017, mean token entropy) or not at all (random). Uncertainty sampling is biased
(Lowell et al. 2019), so a share of the queue (10% by default) is random picks, and a
document that nearly repeats the one before it waits its turn further down.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from nerstudio.core.errors import NerstudioError

STRATEGIES = ("least-confidence", "mnlp", "entropy", "random")
_SCORE_KEYS = {"least-confidence": "least_confidence", "mnlp": "mnlp", "entropy": "entropy"}


@dataclass(frozen=True)
class Candidate:
    document_id: int
    text: str
    scores: dict[str, float]


def _shingles(text: str) -> set[str]:
    words = text.lower().split()
    return {" ".join(words[i : i + 2]) for i in range(max(1, len(words) - 1))}


def near_duplicates(a: str, b: str, threshold: float = 0.8) -> bool:
    """Word-bigram Jaccard similarity at or above ``threshold``."""
    sa, sb = _shingles(a), _shingles(b)
    return bool(sa or sb) and len(sa & sb) / len(sa | sb) >= threshold


def order_queue(
    candidates: Sequence[Candidate],
    strategy: str = "mnlp",
    random_share: float = 0.1,
    seed: int = 0,
) -> list[tuple[Candidate, float]]:
    """The pool in the order to annotate it, each with its uncertainty (higher = less sure)."""
    if strategy not in STRATEGIES:
        raise NerstudioError(f"strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    rng = random.Random(seed)
    if strategy == "random":
        pool = list(candidates)
        rng.shuffle(pool)
        return [(c, 0.0) for c in pool]
    key = _SCORE_KEYS[strategy]
    ranked = sorted(candidates, key=lambda c: (-c.scores.get(key, 0.0), c.document_id))
    randoms = list(ranked)
    rng.shuffle(randoms)
    every = round(1 / random_share) if random_share > 0 else 0
    ordered: list[Candidate] = []
    taken: set[int] = set()
    deferred: list[Candidate] = []
    cursor = 0
    while len(ordered) < len(ranked):
        if every and (len(ordered) + 1) % every == 0:
            pick = next((c for c in randoms if c.document_id not in taken), None)
        else:
            pick = None
            while cursor < len(ranked) and pick is None:
                c = ranked[cursor]
                cursor += 1
                if c.document_id in taken:
                    continue
                if ordered and near_duplicates(ordered[-1].text, c.text):
                    deferred.append(c)
                    continue
                pick = c
            if pick is None:
                pick = next((c for c in deferred if c.document_id not in taken), None)
        if pick is None:
            break
        ordered.append(pick)
        taken.add(pick.document_id)
    return [(c, c.scores.get(key, 0.0)) for c in ordered]
