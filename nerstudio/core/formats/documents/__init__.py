"""Readers of documents as people keep them (PDF, Word, ODT, RTF, HTML, Markdown, e-mail,
plain text in any encoding): each turns one file into an ``Extracted`` (text, blocks with
their page or kind, what was left out).

One module per reader, each importing its library only when called: the libraries are the
optional extra ``nerstudio[documents]``, and a missing one is one line naming it. Every
problem with a file is a ``FormatError`` naming the file; no reader lets a library's
exception through.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.extracted import Extracted

DOCUMENT_SUFFIXES: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "word",
    ".odt": "odt",
    ".rtf": "rtf",
    ".html": "web",
    ".htm": "web",
    ".xhtml": "web",
    ".md": "markdown",
    ".markdown": "markdown",
    ".eml": "mail",
    ".txt": "plain",
}
"""File suffix (lower case) -> the module under ``nerstudio.core.formats.documents`` that
reads it. ``.txt`` is here for text in a legacy encoding; the plain-text format reads it
everywhere else."""


def read_document(path: Path) -> Extracted:
    """The text and structure of the document at ``path``, by the reader for its suffix."""
    path = Path(path)
    name = DOCUMENT_SUFFIXES.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(DOCUMENT_SUFFIXES))
        raise FormatError(path, f"not a document nerstudio reads (it reads {known})")
    reader = importlib.import_module(f"{__name__}.{name}")
    return reader.read(path)
