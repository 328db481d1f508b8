"""The one place where code-point offsets (stored) meet Qt's UTF-16 positions (displayed).

Python strings count code points; ``QTextDocument`` counts UTF-16 code units, so every
character outside the Basic Multilingual Plane (most emoji) is one position here and two
in Qt. Every editor position goes through an ``OffsetMap`` built for the shown text.
"""

from __future__ import annotations

from bisect import bisect_right


class OffsetMap:
    """Converts between code points and UTF-16 units for one text."""

    def __init__(self, text: str) -> None:
        wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._wide = wide  # code-point indices of characters Qt counts twice
        # UTF-16 position where each wide character starts, for the reverse lookup.
        self._wide_qt = [i + k for k, i in enumerate(wide)]
        self.length = len(text)
        self.qt_length = len(text) + len(wide)

    def to_qt(self, offset: int) -> int:
        """UTF-16 position of code-point ``offset``."""
        if not self._wide:
            return offset
        return offset + bisect_right(self._wide, offset - 1)

    def from_qt(self, position: int) -> int:
        """Code-point offset of UTF-16 ``position`` (inside a surrogate pair: its start)."""
        if not self._wide:
            return position
        # Each wide character starting before ``position`` took one extra unit; one that
        # starts just before it (``position`` is its low surrogate) maps to its start.
        before = bisect_right(self._wide_qt, position - 1)
        return max(0, min(position - before, self.length))
