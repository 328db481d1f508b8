"""The provenance an export writes beside a document read from a PDF, Word, HTML ... file,
so a person can find each entity in the original: the file, the page the document begins
on, where each page's text lies in the document, and where the document's text starts in
the file's extracted text (add it to an entity's offsets to place it in the whole file)."""

from __future__ import annotations

from typing import Any

from nerstudio.core.records import DocumentRecord


def origin_fields(record: DocumentRecord) -> dict[str, Any]:
    """For a document read from a document file: ``source`` (the file), ``page`` (where
    it begins; null unpaged), ``pages`` (``[start, end, page]`` per page, offsets into the
    document) and ``offset``; nothing for others (their format says where they came from)."""
    origin = record.origin
    if origin is None:
        return {}
    pages = origin.pages
    return {
        "source": origin.file,
        "page": pages[0][2] if pages else None,
        "pages": [list(p) for p in pages],
        "offset": origin.offset,
    }


def origin_comments(record: DocumentRecord) -> list[str]:
    """CoNLL comment lines (``# source = report.pdf``) for a document file's document."""
    return [
        f"# {key} = {value}"
        for key, value in origin_fields(record).items()
        if key != "pages" and value is not None
    ]


def origin_note(record: DocumentRecord, start: int, end: int) -> str | None:
    """A brat note for an entity: its file, page and offsets in the file's extracted text."""
    origin = record.origin
    if origin is None:
        return None
    page = origin.page_at(start)
    where = f", page {page}" if page is not None else ""
    first = origin.offset + start
    return f"{origin.file}{where}, characters {first}-{origin.offset + end} of its text"
