"""Overlapping spans in an input (nested or stacked entities) meet a flat project.

A project holds at most one entity per token, so an import keeps the longest span of each
group of overlapping spans (the earliest on a tie) and reports every one it drops, with
where it came from; ``--overlaps error`` refuses the file instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from nerstudio.core.spans import DisjointSpans, Span

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


def _keep_longest(spans: Sequence[Span]) -> tuple[DisjointSpans, list[Span]]:
    kept = DisjointSpans()
    dropped: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (-(s.end - s.start), s.start, s.label)):
        if kept.first_overlapping(span) is None:
            kept.add(span)
        else:
            dropped.append(span)
    return kept, dropped
