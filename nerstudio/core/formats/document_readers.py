"""Which reader turns a document file (PDF, Word, HTML, Markdown, e-mail, plain text) into
``Extracted``: one entry per suffix. The readers of ``formats.documents`` are taken where
that module is present; a plain ``.txt`` reader is always there."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.extracted import Extracted
from nerstudio.core.formats.plain_document import read_plain_document

DocumentReader = Callable[[Path], Extracted]


@cache
def document_readers() -> dict[str, DocumentReader]:
    """Suffix (lower case, with its dot) -> reader."""
    readers: dict[str, DocumentReader] = {".txt": read_plain_document}
    try:
        from nerstudio.core.formats import documents
    except ImportError:  # the readers of issue 27 are not in this build
        return readers
    for suffix in documents.DOCUMENT_SUFFIXES:
        readers[suffix.lower()] = documents.read_document
    return readers


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
