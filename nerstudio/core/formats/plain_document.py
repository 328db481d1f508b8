"""A plain text file as a document file: one paragraph block per run of lines between blank
lines, offsets into the text as read (line ends made ``\\n``). The simplest reader behind
the document import; PDF, Word, HTML ... readers hand over the same ``Extracted``."""

from __future__ import annotations

import re
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.extracted import Block, Extracted
from nerstudio.core.formats.textfile import read_text

_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")  # lines, none blank


def read_plain_document(path: str | Path) -> Extracted:
    """A ``.txt`` file's text with its paragraphs as blocks."""
    path = Path(path)
    text = read_text(path).replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for match in _PARAGRAPH.finditer(text):
        start, end = match.start(), match.end()
        start += len(match.group()) - len(match.group().lstrip())
        end -= len(match.group()) - len(match.group().rstrip())
        blocks.append(Block(start, end, "paragraph"))
    if not blocks:
        raise FormatError(path, "no text in this file (is it empty?)")
    return Extracted(path.name, text, tuple(blocks))
