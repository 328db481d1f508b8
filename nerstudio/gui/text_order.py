"""The shown document's gold spans: a list in text order, searched and edited by bisection.

Gold spans of a document never overlap (the store refuses it), so in text order their ends
rise too. A key press then touches the spans next to the edit, never all of them: a
900,000-token document has some 100,000 entities, and a pass over them per key is felt.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from nerstudio.core.store import StoredSpan


def _start(span: StoredSpan) -> int:
    return span.start


def overlapping(spans: list[StoredSpan], start: int, end: int) -> list[StoredSpan]:
    """The spans overlapping ``[start, end)``, in text order."""
    found = []
    i = bisect_left(spans, end, key=_start) - 1  # the last span starting before ``end``
    while i >= 0 and spans[i].end > start:
        found.append(spans[i])
        i -= 1
    return found[::-1]


def at(spans: list[StoredSpan], offset: int) -> StoredSpan | None:
    """The span containing ``offset``, if any."""
    i = bisect_right(spans, offset, key=_start) - 1
    return spans[i] if i >= 0 and spans[i].contains(offset) else None


def exactly(spans: list[StoredSpan], start: int, end: int) -> StoredSpan | None:
    """The span at exactly ``start:end``, if any."""
    i = bisect_left(spans, start, key=_start)
    if i < len(spans) and spans[i].start == start and spans[i].end == end:
        return spans[i]
    return None


def insert(spans: list[StoredSpan], new: Iterable[StoredSpan]) -> None:
    """Put stored spans in their places (in place)."""
    for span in new:
        spans.insert(bisect_left(spans, span.start, key=_start), span)


def remove(spans: list[StoredSpan], gone: Iterable[StoredSpan]) -> None:
    """Take out the spans with these spans' ids, found by their starts (in place)."""
    for span in gone:
        i = bisect_left(spans, span.start, key=_start)
        while i < len(spans) and spans[i].start == span.start:
            if spans[i].id == span.id:
                del spans[i]
                break
            i += 1
