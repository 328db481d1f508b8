"""The one place where code-point offsets (stored) meet Qt's UTF-16 positions (displayed).

Python strings count code points; ``QTextDocument`` counts UTF-16 code units, so every
character outside the Basic Multilingual Plane (most emoji) is one position here and two
in Qt. Every editor position goes through an ``OffsetMap`` built for the shown text; the
arithmetic is core's (``nerstudio.core.utf16``), shared with the formats that count UTF-16.
"""

from __future__ import annotations

from nerstudio.core.utf16 import Utf16Map


class OffsetMap(Utf16Map):
    """Converts between code points and Qt's UTF-16 positions for one text."""

    def to_qt(self, offset: int) -> int:
        """Qt position of code-point ``offset``."""
        return self.to_units(offset)

    def from_qt(self, position: int) -> int:
        """Code-point offset of Qt ``position`` (inside a surrogate pair: its start)."""
        return self.to_points(position)
