"""What the readers of offset formats (brat, WebAnno TSV) do alike with a span they read.

Both give entities as character offsets into a text they carry: each span is trimmed of
whitespace, refused where an edge cuts a user-perceived character, thinned to the longest
of each overlapping group, and then our tokens are split so that every kept span fits them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.overlaps import keep_longest_reported
from nerstudio.core.spans import Span
from nerstudio.core.tokens import (
    ClusterCut,
    Token,
    describe_characters,
    find_cluster_cut,
    split_tokens_at,
)

Source = TypeVar("Source")


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``-``end`` without whitespace at either edge (empty when it is all space)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _no_advice(_cut: ClusterCut) -> str:
    return ""


def refuse_cluster_cut(
    path: Path,
    text: str,
    inside: set[int],
    offsets: Sequence[int],
    what: str,
    line: int,
    advice: Callable[[ClusterCut], str] = _no_advice,
) -> None:
    """Raise '``what`` cuts the character 'é' (U+0065 U+0301)``advice``' at ``line`` when
    an offset falls inside a user-perceived character. ``inside`` is the document's
    ``cluster_interiors``, computed once, so that a span that cuts nothing costs a lookup."""
    if not any(offset in inside for offset in offsets):
        return
    cut = find_cluster_cut(text, offsets)
    assert cut is not None  # an offset is inside a cluster
    raise FormatError(
        path,
        f"{what} cuts the character {describe_characters(text[cut.start : cut.end])}" + advice(cut),
        line=line,
    )


def keep_longest_into(
    result: ReadResult,
    origin: Mapping[Span, Source],
    describe: Callable[[Span, Source], tuple[str, str]],
) -> list[Span]:
    """The spans of ``origin`` that do not overlap (``keep_longest_reported``), with every
    dropped one listed and counted in ``result``."""
    kept, lines, count = keep_longest_reported(origin, describe)
    result.dropped += lines
    result.overlapping += count
    return kept


def fit_tokens(
    path: Path, text: str, tokens: Sequence[Token], spans: Sequence[Span]
) -> list[Token]:
    """``tokens`` split where a span starts or ends inside one; a cut that no token may
    have is the file's error."""
    try:
        return split_tokens_at(text, tokens, [p for s in spans for p in (s.start, s.end)])
    except ValueError as err:
        raise FormatError(path, str(err)) from None
