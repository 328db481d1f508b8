"""The plain record that formats read and write and the Project stores: one document."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from nerstudio.core.spans import Span
from nerstudio.core.tokens import Token


class Status(str, Enum):
    """Where a document stands; only DONE documents are training data."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Region:
    """A run of a document's text and where it stood in its source file: a heading, a
    paragraph, a table cell ... (``kind``), on a page of a paged source (PDF)."""

    start: int
    end: int
    kind: str
    page: int | None = None  # 1-based
    level: int | None = None  # a heading's level (1 = top)


@dataclass(frozen=True)
class Origin:
    """Where a document read from a PDF, Word, HTML ... file came from: the file, where
    the document's text starts in the file's extracted text (a file split into pages or
    sections gives several documents), and its regions, offsets into the document."""

    file: str  # the file as the user named it (relative to a folder imported)
    offset: int = 0  # the document's first character in the file's extracted text
    regions: tuple[Region, ...] = ()

    @property
    def pages(self) -> tuple[tuple[int, int, int], ...]:
        """``(start, end, page)`` of each page's text in the document, in order."""
        found: list[tuple[int, int, int]] = []
        for region in self.regions:
            if region.page is None:
                continue
            if found and found[-1][2] == region.page:
                found[-1] = (found[-1][0], region.end, region.page)
            else:
                found.append((region.start, region.end, region.page))
        return tuple(found)

    def page_at(self, offset: int) -> int | None:
        """The page of the character at ``offset`` (the last page begun before it)."""
        page = None
        for start, _end, number in self.pages:
            if start > offset:
                break
            page = number
        return page


@dataclass(frozen=True)
class DocumentRecord:
    """A document with its tokens and gold spans, as it crosses the project's boundary.

    ``source`` says where it came from (``file.conll:120``) so a later error can point
    back at the input; ``id`` is set only for records read from a project.
    """

    text: str
    tokens: tuple[Token, ...]
    spans: tuple[Span, ...] = ()
    status: Status = Status.NEW
    split: str | None = None
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    origin: Origin | None = None  # a document read from a PDF, Word, HTML ... file

    @property
    def labels(self) -> set[str]:
        """The label names used by this document's spans."""
        return {span.label for span in self.spans}
