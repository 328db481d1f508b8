"""Counts in words for what a user reads: "1 document", "1,766 documents", "1 epoch".

One function, so that no message says "1 threads" or "1 epochs" again.
"""

from __future__ import annotations

_IRREGULAR = {"entity": "entities", "child": "children", "this": "these"}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and ``noun`` in the number it takes."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} {plural or _IRREGULAR.get(noun) or noun + 's'}"
