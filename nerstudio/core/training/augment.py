"""Mention replacement: extra training copies of a tiny corpus, each entity swapped for
another entity of the same label from the same corpus (Dai & Adel, "An Analysis of Simple
Data Augmentation for Named Entity Recognition", COLING 2020; it helped most below a few
hundred sentences). The copies only ever exist in memory, for one run.

Why hand-written: the published augmenters (nlpaug, the paper's scripts) work on plain
text or on their own file formats, not on our word/IOB2 examples, and a label's mentions
are a few lines to collect here.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from nerstudio.core.spans import tags_to_entities
from nerstudio.core.training.data import Example

REPLACE_PROBABILITY = 0.5  # each mention of a copy is swapped with this chance (one at least)


def mentions(example: Example) -> list[tuple[int, int, str]]:
    """The entities of an IOB2 example as (first word, end word, label), decoded the one
    way the project reads tags (``spans.tags_to_entities``: a stray I- opens an entity)."""
    return [(e.first, e.last + 1, e.label) for e in tags_to_entities(example.tags)]


def replaced_copies(examples: Sequence[Example], copies: int, seed: int) -> list[Example]:
    """``copies`` new examples for each example with an entity whose label has another
    mention to swap in; the originals are not included. Deterministic for a seed."""
    if copies <= 0:
        return []
    pool: dict[str, list[tuple[str, ...]]] = {}
    for example in examples:
        for start, end, label in mentions(example):
            surface = example.words[start:end]
            if surface not in pool.setdefault(label, []):
                pool[label].append(surface)
    rng = random.Random(seed)
    out: list[Example] = []
    for example in examples:
        found = [m for m in mentions(example) if len(pool.get(m[2], ())) > 1]
        if not found:
            continue
        for _ in range(copies):
            out.append(_swap(example, found, pool, rng))
    return out


def _swap(
    example: Example,
    found: list[tuple[int, int, str]],
    pool: dict[str, list[tuple[str, ...]]],
    rng: random.Random,
) -> Example:
    """One copy: each mention in ``found`` swapped with REPLACE_PROBABILITY, one at least."""
    chosen = [m for m in found if rng.random() < REPLACE_PROBABILITY] or [rng.choice(found)]
    words: list[str] = []
    tags: list[str] = []
    cursor = 0
    for start, end, label in chosen:
        words += example.words[cursor:start]
        tags += example.tags[cursor:start]
        current = example.words[start:end]
        surface = rng.choice([s for s in pool[label] if s != current])
        words += surface
        tags += [f"B-{label}"] + [f"I-{label}"] * (len(surface) - 1)
        cursor = end
    words += example.words[cursor:]
    tags += example.tags[cursor:]
    return Example(example.document_id, tuple(words), tuple(tags))
