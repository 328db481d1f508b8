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

    @property
    def labels(self) -> set[str]:
        """The label names used by this document's spans."""
        return {span.label for span in self.spans}
