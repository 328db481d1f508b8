"""Text -> word tokens as character offsets; the text itself is never altered.

Offsets are Python code points (``text[start:end]`` is the token). Qt counts UTF-16 code
units instead, so a character outside the Basic Multilingual Plane (most emoji, rare CJK)
is one position here and two in a ``QTextDocument``. The GUI converts between the two in
exactly one module; everything stored or exchanged uses code points.

The rules favour what a person tagging entities needs: a span can cover several tokens
but never half of one, so tokens are fine-grained where an entity might end (``Apple's``
-> ``Apple`` ``'s``; ``New York-based`` -> ``York`` ``-`` ``based``) and kept whole where
splitting would only add clicks (``3.5``, ``1,000``, ``U.S.``, ``Inc.``, URLs, emoji with
their modifiers). Han and kana are one token per character, since those scripts put no
spaces between words. No token edge ever falls inside a user-perceived character (a
grapheme cluster: ``e`` + combining accent, a flag, an emoji ZWJ sequence), found with the
``regex`` module's ``\\X``, the one third-party import here: ``re`` has no ``\\X``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import regex

Token = tuple[int, int]
"""A token as (start, end) code-point offsets into its text, end exclusive."""


def _mark_class() -> str:
    """Combining marks (Mn, Mc, Me) as a regex class body; Python's ``\\w`` omits them."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, 0x20000):
        if unicodedata.category(chr(cp)).startswith("M"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return body + "\u200c\u200d"  # zero-width (non-)joiners live inside Indic/Persian words


# Scripts written without spaces between words: one token per character.
_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\U00020000-\U0002ebef"  # Han extensions
)
_MARKS = _mark_class()
_UNSPACED = re.compile(f"[{_CJK}]")


def unspaced(text: str) -> bool:
    """Whether ``text`` holds Han or kana: written without spaces, so a word index that
    splits at spaces sees a whole run (张三在北京大学工作) as one word."""
    return _UNSPACED.search(text) is not None


_WORD_CHAR = f"(?:[^\\W{_CJK}]|[{_MARKS}])"
_EMOJI_BASE = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2"
    "\u25aa-\u27bf\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff"
)
_EMOJI_MOD = "\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_EMOJI = (
    "[\U0001f1e6-\U0001f1ff]{2}"  # flags: a pair of regional indicators
    f"|[{_EMOJI_BASE}][{_EMOJI_MOD}]*(?:\u200d[{_EMOJI_BASE}][{_EMOJI_MOD}]*)*"
)
# Abbreviations that end in a period and are never the end of a sentence's last word.
_ABBREVIATIONS = [
    "Inc",
    "Corp",
    "Ltd",
    "Co",
    "Bros",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "Jr",
    "Sr",
    "St",
    "Mt",
    "Ave",
    "Gen",
    "Gov",
    "Sen",
    "Rep",
    "Capt",
    "Lt",
    "Col",
    "Sgt",
    "Rev",
    "Hon",
    "vs",
    "etc",
    "approx",
    "dept",
    "est",
    "fig",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "No",
    "Nos",
    "Vol",
    "pp",
]
ABBREVIATIONS = frozenset(_ABBREVIATIONS)
"""Words the tokenizer keeps whole with their period (``Corp.``, ``St.``)."""
_APOSTROPHES = "'\u2019"

_TOKEN_RE = re.compile(
    "|".join(
        [
            # URLs and e-mail addresses, without trailing sentence punctuation.
            r"(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]}'\u2019]",
            r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
            # Dotted abbreviations: U.S., e.g., U.S.A. and single initials (J. Smith).
            rf"(?:{_WORD_CHAR}\.){{2,}}",
            r"\b(?:" + "|".join(_ABBREVIATIONS) + r")\.",
            r"\b[A-Z]\.(?=\s+[A-Z])",
            # Numbers with separators: 3.5, 1,000, 1996-08-22, 12:30, 1/2.
            r"\d+(?:[.,:/-]\d+)+",
            # The possessive/contraction 's splits off: Apple's -> Apple 's.
            rf"[{_APOSTROPHES}][sS](?!{_WORD_CHAR})",
            # Words: letters, digits, marks, with inner apostrophes (O'Neill, don't).
            rf"{_WORD_CHAR}+(?:[{_APOSTROPHES}](?![sS](?!{_WORD_CHAR})){_WORD_CHAR}+)*",
            f"[{_CJK}]",
            _EMOJI,
            # Anything else that is not space: punctuation, a run of the same mark (...).
            r"([^\w\s])\1*",
        ]
    )
)


_CLUSTER_RE = regex.compile(r"\X")
# A code point that can join the one before it (or, for Prepend, after it) into one grapheme
# cluster. Text without any has only one-code-point clusters (and CR LF), so the scan with
# ``\X`` is skipped for it: most text, and all ASCII.
_JOINER_RE = regex.compile(
    "["
    + "".join(
        f"\\p{{Grapheme_Cluster_Break={kind}}}"
        for kind in ("Extend", "ZWJ", "SpacingMark", "Prepend", "Regional_Indicator", "L", "V", "T")
    )
    + "]"
)


class ClusterCut(NamedTuple):
    """An offset that falls inside the grapheme cluster ``text[start:end]``."""

    offset: int
    start: int
    end: int


def cluster_interiors(text: str) -> set[int]:
    """Offsets that would cut a grapheme cluster (``\\X``) of ``text`` in two.

    Whitespace is never part of a word, so an offset next to whitespace is not counted
    even where Unicode's rules join the whitespace to a neighbour (a space followed by a
    stray combining mark, an Arabic number sign before a space).
    """
    inside: set[int] = set()
    if text.isascii() or not _JOINER_RE.search(text):
        return inside
    start = 0
    for cluster in _CLUSTER_RE.findall(text):
        end = start + len(cluster)
        for offset in range(start + 1, end):
            if not (text[offset - 1].isspace() or text[offset].isspace()):
                inside.add(offset)
        start = end
    return inside


def find_cluster_cut(text: str, offsets: Iterable[int]) -> ClusterCut | None:
    """The lowest of ``offsets`` that cuts a grapheme cluster of ``text``, or None."""
    inside = cluster_interiors(text)
    cut = min((o for o in offsets if o in inside), default=None)
    if cut is None:
        return None
    cluster = next(m for m in _CLUSTER_RE.finditer(text) if m.end() > cut)
    return ClusterCut(cut, cluster.start(), cluster.end())


def describe_characters(chars: str) -> str:
    """``'é' (U+0065 U+0301)``: what a user sees, and the code points that make it up."""
    return f"{chars!r} ({' '.join(f'U+{ord(ch):04X}' for ch in chars)})"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into word tokens, returned as code-point offsets.

    A token edge that would cut a grapheme cluster joins the tokens on either side (a
    combining mark after punctuation, a keycap, a skin tone after a letter).
    """
    tokens = [m.span() for m in _TOKEN_RE.finditer(text)]
    inside = cluster_interiors(text)
    if not inside:
        return tokens
    joined: list[Token] = []
    for start, end in tokens:
        if joined and start in inside:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def whitespace_tokens(text: str, words: Sequence[str], sep: str = " ") -> list[Token]:
    """Offsets of ``words`` joined by ``sep`` (how CoNLL-style token lists become text)."""
    offsets: list[Token] = []
    pos = 0
    for word in words:
        offsets.append((pos, pos + len(word)))
        pos += len(word) + len(sep)
    return offsets


def split_tokens_at(text: str, tokens: Sequence[Token], cuts: Iterable[int]) -> list[Token]:
    """Split tokens so that every position in ``cuts`` is a token boundary.

    Used when an imported span starts or ends inside one of our tokens (``iPhone15`` with
    an entity on ``iPhone``). Raises ``ValueError`` naming a cut that falls in whitespace,
    outside the text or inside a grapheme cluster, since no token may end there.
    """
    wanted = sorted(set(cuts))
    result = list(tokens)
    if not wanted:
        return result
    cut_inside = find_cluster_cut(text, wanted)
    if cut_inside is not None:
        raise ValueError(
            f"offset {cut_inside.offset} cuts the character "
            f"{describe_characters(text[cut_inside.start : cut_inside.end])}"
            f" at {cut_inside.start}-{cut_inside.end}"
        )
    boundaries = {p for tok in result for p in tok}
    for cut in wanted:
        if cut in boundaries:
            continue
        if cut < 0 or cut > len(text):
            raise ValueError(f"offset {cut} is outside the text (length {len(text)})")
        for i, (start, end) in enumerate(result):
            if start < cut < end:
                result[i : i + 1] = [(start, cut), (cut, end)]
                boundaries.add(cut)
                break
        else:
            raise ValueError(f"offset {cut} falls in whitespace between tokens")
    return result
