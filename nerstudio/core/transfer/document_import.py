"""Document files (PDF, Word, HTML, Markdown, e-mail, plain text) into a Project: each file
read, cut into documents (one per file, page, section or paragraph), and stored with where
every document and block came from, in one transaction per file. A file that cannot be
read is refused with one line and the others are kept: a folder of a thousand files is
never lost to one damaged PDF."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from nerstudio.core.bug_report import user_message
from nerstudio.core.formats.document_readers import document_suffixes, read_document_file
from nerstudio.core.formats.extracted import Block, Extracted
from nerstudio.core.plural import counted
from nerstudio.core.records import DocumentRecord, Origin, Region
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

SPLIT_MODES = ("auto", "file", "page", "section", "paragraph")
"""One document per file, per page (paged sources), per section (cut at the top headings)
or per paragraph; ``auto`` chooses by length (``LONG_TEXT``) and structure."""

LONG_TEXT = 20_000
"""Characters above which ``auto`` cuts a file: one document per page when it has pages,
per section when it has several top headings. A shorter file is one document (about
eight pages of prose: long enough to keep a letter or an article whole)."""

_GROUPED = ("table-cell", "header-field", "list-item")  # runs of these stay one paragraph

Progress = Callable[[int], None]
FileProgress = Callable[[str, int, int], None]  # the file being read, its number, how many


@dataclass(frozen=True)
class DocumentFileSummary:
    """What one document file gave: its size, how it was cut and why, what was left out."""

    name: str
    characters: int
    pages: int
    documents: int
    split: str
    why: str
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        size = counted(self.characters, "character")
        if self.pages:
            size = f"{counted(self.pages, 'page')}, {size}"
        cut = "one document" if self.split == "file" else f"one per {self.split}"
        head = f"{self.name}: {size} -> {counted(self.documents, 'document')} ({cut}: {self.why})"
        tail = [f"left out {', '.join(self.dropped)}"] if self.dropped else []
        tail += list(self.notes)
        return "; ".join([head, *tail])


@dataclass
class DocumentImport:
    """Per file what was read, and every file refused with why (one line each)."""

    files: list[DocumentFileSummary]
    refused: list[str]
    document_ids: list[int]
    spans: int = 0


def document_files(path: Path, root: Path | None = None) -> list[tuple[Path, str]]:
    """The document files under ``path`` (itself when a file), each with the name its
    documents record: the name given, or the path relative to the folder imported."""
    if not path.is_dir():
        return [(path, path.name if root is None else path.relative_to(root).as_posix())]
    suffixes = document_suffixes()
    found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    return [(p, p.relative_to(path).as_posix()) for p in found]


def choose_split(extracted: Extracted, asked: str | None) -> tuple[str, str]:
    """The cut to make and why (for the report): what was asked where the file allows it."""
    long = len(extracted.text) > LONG_TEXT
    paged = len(extracted.pages) > 1
    sections = len(_top_headings(extracted.blocks)) > 1
    if asked in (None, "auto"):
        if not long:
            return "file", f"auto: {LONG_TEXT:,} characters or fewer"
        if paged:
            return "page", f"auto: over {LONG_TEXT:,} characters, paged"
        if sections:
            return "section", f"auto: over {LONG_TEXT:,} characters, with headings"
        return "file", "auto: long, but without pages or headings to cut at"
    if asked == "page" and not paged:
        return "file", "asked per page, but it has no pages"
    if asked == "section" and not sections:
        return "file", "asked per section, but it has no headings to cut at"
    return asked, "as asked"


def _top_headings(blocks: Sequence[Block]) -> list[Block]:
    headings = [b for b in blocks if b.kind == "heading"]
    if not headings:
        return []
    top = min(b.level or 1 for b in headings)
    return [b for b in headings if (b.level or 1) == top]


def _blocks(extracted: Extracted) -> tuple[Block, ...]:
    """The reader's blocks, each with its page; a paragraph per page (or one for the
    whole text) where the reader gave none."""
    blocks = tuple(sorted(extracted.blocks, key=lambda b: b.start))
    if not blocks:
        spans = extracted.pages or ((0, len(extracted.text)),)
        blocks = tuple(Block(s, e, "paragraph") for s, e in spans if s < e)
    if extracted.pages:
        blocks = tuple(
            b
            if b.page is not None
            else Block(b.start, b.end, b.kind, extracted.page_at(b.start), b.level)
            for b in blocks
        )
    return blocks


def cut(extracted: Extracted, split: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each document's text in the file's extracted text."""
    end = len(extracted.text)
    if split == "page":
        return list(extracted.pages)
    if split == "section":
        starts = sorted({0, *(b.start for b in _top_headings(extracted.blocks))})
        return list(zip(starts, [*starts[1:], end], strict=True))
    if split == "paragraph":
        return list(_paragraphs(_blocks(extracted)))
    return [(0, end)]


def _paragraphs(blocks: Sequence[Block]) -> Iterator[tuple[int, int]]:
    """One range per block; a heading joins the block after it, and a run of table cells,
    list items or header fields stays together."""
    start = None
    previous: Block | None = None
    for block in blocks:
        joins = previous is not None and (
            previous.kind == "heading" or (block.kind == previous.kind and block.kind in _GROUPED)
        )
        if start is not None and not joins:
            yield start, previous.end
            start = None
        if start is None:
            start = block.start
        previous = block
    if start is not None and previous is not None:
        yield start, previous.end


def records_of(extracted: Extracted, name: str, split: str) -> list[DocumentRecord]:
    """The documents of one file, each with its origin: blocks clipped to it and rebased."""
    text = extracted.text
    blocks = _blocks(extracted)
    starts, ends = [b.start for b in blocks], [b.end for b in blocks]  # in order, apart
    records = []
    for start, end in cut(extracted, split):
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if start >= end:
            continue
        inside = blocks[bisect_right(ends, start) : bisect_left(starts, end)]
        regions = tuple(
            Region(max(b.start, start) - start, min(b.end, end) - start, b.kind, b.page, b.level)
            for b in inside
        )
        body = text[start:end]
        records.append(
            DocumentRecord(
                text=body,
                tokens=tuple(tokenize(body)),
                source=name,
                meta=dict(extracted.meta),
                origin=Origin(name, start, regions),
            )
        )
    return records


def import_document_files(
    project: Project,
    paths: Sequence[tuple[Path, str]],
    asked: str | None = None,
    split: str | None = None,
    progress: Progress | None = None,
    on_file: FileProgress | None = None,
) -> DocumentImport:
    """Read and store each file in its own transaction; a refused file is one line in
    ``refused`` and leaves the project as it was."""
    result = DocumentImport([], [], [])
    for number, (path, name) in enumerate(paths, 1):
        if on_file is not None:
            on_file(name, number, len(paths))
        try:  # one file's failure, even a reader's bug, must not lose the others
            extracted = read_document_file(path)
            chosen, why = choose_split(extracted, asked)
            records = records_of(extracted, name, chosen)
        except Exception as err:
            result.refused.append(_refusal(name, user_message(err, f"import {path}")))
            continue
        if not records:
            result.refused.append(f"{name}: no text in this file")
            continue
        if split is not None:
            records = [_with_split(r, split) for r in records]
        # Storing fails only for the project's reasons (a full disk, a lock), not the file's:
        # that stops the import, the files stored before it kept.
        added = project.documents.add(records, progress=progress)
        result.document_ids += added.document_ids
        result.spans += added.spans
        result.files.append(
            DocumentFileSummary(
                name,
                len(extracted.text),
                len(extracted.pages),
                len(records),
                chosen,
                why,
                extracted.dropped,
                extracted.notes,
            )
        )
    return result


def _with_split(record: DocumentRecord, split: str) -> DocumentRecord:
    return replace(record, split=split)


def _refusal(name: str, message: str) -> str:
    """``name: reason``, without naming the file twice where the error names it already."""
    return message if name in message.split(":", 1)[0] else f"{name}: {message}"
