"""Overlapping spans in an input (nested or stacked entities) meet a flat project.

A project holds at most one entity per token, so an import keeps the longest span of each
group of overlapping spans (the earliest on a tie) and reports every one it drops, with
where it came from; ``--overlaps error`` refuses the file instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from nerstudio.core.spans import Span


def keep_longest(spans: Sequence[Span]) -> tuple[list[Span], list[Span]]:
    """(kept, dropped): the kept spans never overlap; longer spans win, then earlier."""
    kept: list[Span] = []
    dropped: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (-(s.end - s.start), s.start, s.label)):
        if any(span.start < k.end and k.start < span.end for k in kept):
            dropped.append(span)
        else:
            kept.append(span)
    return sorted(kept), sorted(dropped)
