"""Overlapping spans in an input (nested or stacked entities) meet a flat project.

A project holds at most one entity per token, so an import keeps the longest span of each
group of overlapping spans (the earliest on a tie) and reports every one it drops, with
where it came from; ``--overlaps error`` refuses the file instead.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from nerstudio.core.spans import Span

Source = TypeVar("Source")


def keep_longest(spans: Sequence[Span]) -> tuple[list[Span], list[Span]]:
    """(kept, dropped): the kept spans never overlap; longer spans win, then earlier."""
    kept, dropped = _keep_longest(spans)
    return kept.in_order(), sorted(dropped)


def keep_longest_reported(
    origin: Mapping[Span, Source], describe: Callable[[Span, Source], tuple[str, str]]
) -> tuple[list[Span], list[str], int]:
    """``keep_longest`` for a reader that knows where each span came from: (kept, one
    'FILE:LINE: X overlaps Y, dropped' line per dropped span, how many were dropped).
    ``describe(span, source)`` gives (line, "what the span is") for the report."""
    kept, dropped = _keep_longest(list(origin))
    lines = []
    for span in sorted(dropped):
        winner = kept.first_overlapping(span)
        assert winner is not None  # it was dropped for overlapping a kept span
        line, lost = describe(span, origin[span])
        _, won = describe(winner, origin[winner])
        lines.append(f"{line}: {lost} overlaps {won}, dropped")
    return kept.in_order(), lines, len(dropped)


def _keep_longest(spans: Sequence[Span]) -> tuple[_Disjoint, list[Span]]:
    kept = _Disjoint()
    dropped: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (-(s.end - s.start), s.start, s.label)):
        if kept.first_overlapping(span) is None:
            kept.add(span)
        else:
            dropped.append(span)
    return kept, dropped


class _Disjoint:
    """Spans that never overlap, kept in text order, so the ones a new span overlaps are
    found by bisection: comparing it with every kept span made one document of 14,000
    spans take two minutes to import."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []  # in the same order: spans that never overlap end in order
        self._spans: list[Span] = []
        self._degenerate: list[Span] = []  # empty or reversed: refused later, compared one by one

    def first_overlapping(self, span: Span) -> Span | None:
        """The first kept span (in text order) that shares a character with ``span``."""
        found = [k for k in self._degenerate if span.overlaps(k)]
        if span.start >= span.end:
            found += [k for k in self._spans if span.overlaps(k)]
        else:
            before_end = bisect.bisect_left(self._starts, span.end)  # start before it ends
            first = bisect.bisect_right(self._ends, span.start)  # end after it starts
            found += self._spans[first : first + 1] if first < before_end else []
        return min(found, default=None)

    def add(self, span: Span) -> None:
        if span.start >= span.end:
            self._degenerate.append(span)
            return
        at = bisect.bisect_left(self._starts, span.start)
        self._starts.insert(at, span.start)
        self._ends.insert(at, span.end)
        self._spans.insert(at, span)

    def in_order(self) -> list[Span]:
        return sorted([*self._spans, *self._degenerate])
