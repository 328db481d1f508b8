"""The shown document's spans (gold, or a run's suggestions): lists in text order, searched
and edited by bisection.

Gold spans of a document never overlap (the store refuses it), nor do a model's (one tag a
token), so in text order their ends rise too. A key press then touches the spans next to
the edit, never all of them: a 900,000-token document has some 100,000 entities, and a pass
over them per key is felt.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import TypeVar

from nerstudio.core.spans import Span

S = TypeVar("S", bound=Span)


def _start(span: Span) -> int:
    return span.start


def disjoint(spans: Sequence[Span]) -> bool:
    """Whether ``spans`` are in text order without overlaps (what the others assume)."""
    return all(a.end <= b.start for a, b in pairwise(spans))


def overlapping(spans: Sequence[S], start: int, end: int) -> list[S]:
    """The spans overlapping ``[start, end)``, in text order."""
    found = []
    i = bisect_left(spans, end, key=_start) - 1  # the last span starting before ``end``
    while i >= 0 and spans[i].end > start:
        found.append(spans[i])
        i -= 1
    return found[::-1]


def at(spans: Sequence[S], offset: int) -> S | None:
    """The span containing ``offset``, if any."""
    i = bisect_right(spans, offset, key=_start) - 1
    return spans[i] if i >= 0 and spans[i].contains(offset) else None


def exactly(spans: Sequence[S], start: int, end: int) -> S | None:
    """The span at exactly ``start:end``, if any."""
    i = bisect_left(spans, start, key=_start)
    if i < len(spans) and spans[i].start == start and spans[i].end == end:
        return spans[i]
    return None


def insert(spans: list[S], new: Iterable[S]) -> None:
    """Put spans in their places (in place)."""
    for span in new:
        spans.insert(bisect_left(spans, span.start, key=_start), span)


def remove(spans: list[S], gone: Iterable[S]) -> None:
    """Take out these spans (stored ones: those with their ids), found by their starts (in
    place)."""
    for span in gone:
        key = getattr(span, "id", span)
        i = bisect_left(spans, span.start, key=_start)
        while i < len(spans) and spans[i].start == span.start:
            if getattr(spans[i], "id", spans[i]) == key:
                del spans[i]
                break
            i += 1
