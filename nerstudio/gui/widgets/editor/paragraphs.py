"""The text as the editor's ``QTextDocument`` holds it: in paragraphs of bounded length.

Qt lays out, hit-tests and paints a paragraph (a ``QTextBlock``) as a whole, so in a
document that is one paragraph (CoNLL and most imports join their tokens with spaces) every
key press, cursor move and paint costs as much as the whole text: half a second a key at
900,000 tokens. A space is swapped for a paragraph break wherever a paragraph would run past
``PARAGRAPH_CHARS``; it is one character for one, so every offset stays where it is.
"""

from __future__ import annotations

PARAGRAPH_CHARS = 2000  # a paragraph this long still lays out in well under a millisecond
SENTENCE_ENDS = (". ", "! ", "? ", "; ")  # a break after one of these reads as a paragraph


def paragraph_breaks(text: str, limit: int = PARAGRAPH_CHARS) -> list[int]:
    """Offsets of the spaces to show as paragraph breaks: in each run of more than
    ``limit`` characters without a line break, the last space after a sentence's end in
    every ``limit`` characters (else the last space; a run without spaces stays whole)."""
    breaks: list[int] = []
    start = 0
    length = len(text)
    while length - start > limit:
        window_end = start + limit
        newline = text.find("\n", start, window_end)
        if newline >= 0:
            start = newline + 1
            continue
        cut = _break_in(text, start, window_end)
        if cut is None:
            start = window_end  # no space to break at: this stretch stays one paragraph
            continue
        breaks.append(cut)
        start = cut + 1
    return breaks


def _break_in(text: str, start: int, end: int) -> int | None:
    """The space to break at in ``text[start:end]``: after a sentence in its second half,
    else the last one."""
    sentence = max(text.rfind(mark, start, end) for mark in SENTENCE_ENDS)
    if sentence >= start + (end - start) // 2:
        return sentence + 1
    space = text.rfind(" ", start, end)
    return space if space > start else None


def in_paragraphs(text: str, limit: int = PARAGRAPH_CHARS) -> str:
    """The text to show: ``text`` with its ``paragraph_breaks`` made line breaks."""
    breaks = paragraph_breaks(text, limit)
    if not breaks:
        return text
    parts = []
    last = 0
    for cut in breaks:
        parts.append(text[last:cut])
        last = cut + 1
    parts.append(text[last:])
    return "\n".join(parts)
