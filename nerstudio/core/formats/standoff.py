"""What the readers of offset formats (brat, WebAnno TSV, the JSON shapes) do alike with a
span they read.

They give entities as character offsets into a text they carry: each span is trimmed of
whitespace, refused where an edge cuts a user-perceived character, thinned to the longest
of each overlapping group, and then our tokens are split so that every kept span fits them.
Every one of them refuses a span whose own copy of its text (brat's text column, Label
Studio's ``value.text``) is not the text at its offsets, and a label that is a token tag
(``B-PER``): a span format gives the entity type alone.
"""

from __future__ import annotations

import re
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

_LINE_BREAK = re.compile(r"[\r\n]")
# A token tag's prefix (IOB2, BIOES, BILOU) before a name: B-PER, I-ORG, U-LOC.
_TAG_PREFIX = re.compile(r"([BIESLU])-(\S.*)", re.DOTALL)


def one_line(text: str) -> str:
    """``text`` as a one-line column holds it (brat's ``.ann``): line breaks as spaces."""
    return _LINE_BREAK.sub(" ", text)


def surface_mismatch(given: str, actual: str, text_name: str) -> str | None:
    """Why an entity's own copy of its text, ``given``, is not ``actual``, the text at its
    offsets in ``text_name``; None when it is (line breaks written as spaces allowed)."""
    if given in (actual, one_line(actual)):
        return None
    return (
        f"gives the text {given[:40]!r} but {text_name} has {actual[:40]!r} there; the offsets"
        " do not fit this text (written for another encoding, or for another version of it?)"
    )


def tag_prefix_problem(label: str) -> str | None:
    """Why ``label`` cannot be a span's label, when it is a token tag such as ``B-PER``.

    Refused rather than stripped: a tool that wrote a span per token (``B-PER`` on New,
    ``I-PER`` on York) would become two entities where there is one, and a real name such as
    ``E-MAIL`` would lose its head without a word. Renaming in the file is the user's call.
    """
    match = _TAG_PREFIX.fullmatch(label)
    if match is None:
        return None
    return (
        f"label {label!r} carries the tag prefix '{match[1]}-' of a token format, but a span's"
        f" label is the entity type alone; rename it to {match[2]!r} in the file"
    )


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
