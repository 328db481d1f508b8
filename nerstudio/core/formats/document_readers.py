"""Which reader turns a document file (PDF, Word, HTML, Markdown, e-mail, plain text) into
``Extracted``: one entry per suffix, taken from ``formats.documents.DOCUMENT_SUFFIXES``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.documents import DOCUMENT_SUFFIXES, read_document
from nerstudio.core.formats.extracted import Extracted

DocumentReader = Callable[[Path], Extracted]


def document_readers() -> dict[str, DocumentReader]:
    """Suffix (lower case, with its dot) -> reader."""
    return dict.fromkeys(DOCUMENT_SUFFIXES, read_document)


def document_suffixes() -> tuple[str, ...]:
    """Every suffix a document file may have, for detection and the window's file filter."""
    return tuple(document_readers())


def read_document_file(path: Path) -> Extracted:
    """The file read by the reader of its suffix (a ``FormatError`` for one none reads)."""
    reader = document_readers().get(path.suffix.lower())
    if reader is None:
        known = ", ".join(document_suffixes())
        raise FormatError(path, f"not a document file this version reads ({known})")
    return reader(path)
