"""What a reader of a document file (PDF, Word, HTML, Markdown, e-mail ...) hands over:
the extracted text and, per character range, where it came from in the original file.

Offsets are Python code points into ``Extracted.text``. Blocks cover the text in order and
never overlap; the characters between two blocks (the separators a reader put there, such
as a blank line) belong to no block. ``page`` is 1-based and set only where the source has
pages (PDF). What the reader left out (running headers, page numbers, images, scanned
pages, attachments) is said in ``dropped``, one short line each, for the import report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_KINDS = ("heading", "paragraph", "list-item", "table-cell", "footnote", "header-field")
"""What a block is: a heading, a paragraph, a list item, a table cell, a footnote, or one
of an e-mail's header fields (subject, from, to)."""


@dataclass(frozen=True)
class Block:
    """A run of the extracted text and where it stood in the original."""

    start: int
    end: int
    kind: str  # one of BLOCK_KINDS
    page: int | None = None  # 1-based page of a paged source (PDF)
    level: int | None = None  # a heading's level (1 = top)


@dataclass(frozen=True)
class Extracted:
    """One file's text and its structure, as a reader extracted it."""

    source: str  # the file's name as the user gave it
    text: str
    blocks: tuple[Block, ...] = ()
    pages: tuple[tuple[int, int], ...] = ()  # (start, end) of each page's text, in order
    dropped: tuple[str, ...] = ()  # what was left out, one line each ("3 running headers")
    notes: tuple[str, ...] = ()  # what the user should know ("read as windows-1252")
    meta: dict[str, str] = field(default_factory=dict)  # title, author, subject, from, to ...

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding the character at ``offset`` (None for unpaged text)."""
        for number, (start, end) in enumerate(self.pages, 1):
            if start <= offset < end:
                return number
        return None
