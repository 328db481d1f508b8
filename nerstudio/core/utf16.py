"""The one converter between code points (how nerstudio stores offsets) and UTF-16 code units.

Python strings count code points; Qt, Java (WebAnno, INCEpTION) and JavaScript (Label
Studio) count UTF-16 code units, in which every character beyond U+FFFF (most emoji, CJK
extension B) takes two. A lone surrogate in a Python string is one code point and one unit.
"""

from __future__ import annotations

from bisect import bisect_right

__all__ = ["Utf16Map", "is_wide", "utf16_length", "utf16_positions"]


def is_wide(ch: str) -> bool:
    """Whether ``ch`` takes two UTF-16 code units (a surrogate pair)."""
    return ord(ch) > 0xFFFF


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_positions(text: str) -> list[int | None]:
    """Code-point offset at each UTF-16 offset of ``text`` (``len + 1`` entries, the end
    included); None inside a surrogate pair, where no code-point offset is."""
    positions: list[int | None] = []
    for i, ch in enumerate(text):
        positions.append(i)
        if ord(ch) > 0xFFFF:
            positions.append(None)
    positions.append(len(text))
    return positions


class Utf16Map:
    """Converts offsets of one text between code points and UTF-16 units, in O(log n)."""

    def __init__(self, text: str) -> None:
        wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._wide = wide  # code-point indices of the characters counted twice
        # UTF-16 offset where each wide character starts, for the reverse lookup.
        self._wide_units = [i + k for k, i in enumerate(wide)]
        self.length = len(text)

    def to_units(self, offset: int) -> int:
        """UTF-16 offset of code-point ``offset``."""
        if not self._wide:
            return offset
        return offset + bisect_right(self._wide, offset - 1)

    def to_points(self, unit: int) -> int:
        """Code-point offset of UTF-16 ``unit`` (inside a surrogate pair: its start),
        clamped to the text."""
        if not self._wide:
            return unit
        # Each wide character starting before ``unit`` took one extra unit; one that
        # starts just before it (``unit`` is its low surrogate) maps to its start.
        before = bisect_right(self._wide_units, unit - 1)
        return max(0, min(unit - before, self.length))
