"""Import files into a Project: detect, read, settle overlaps, then store all or nothing.

Every file is read and checked before one transaction stores all of them. Each file's
summary says what it was read as and what was left out ("brat standoff, 2 documents,
36 entities; 3 relation lines ignored"), so nothing is misread silently.
"""

from __future__ import annotations

import errno
import math
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.detect import FORMAT_NAMES, Detected, detect_format
from nerstudio.core.formats.overlaps import keep_longest
from nerstudio.core.plural import counted
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import DocumentQuery, Project
from nerstudio.core.store.predictions import PredictionRow
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer.document_import import (
    DocumentFileSummary,
    FileProgress,
    document_files,
    import_document_files,
)

IMPORT_FORMATS = ("auto", *FORMAT_NAMES)
OVERLAP_POLICIES = ("keep-longest", "error")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to read the files; each field matters to some formats only."""

    paragraphs: bool = False  # text: one document per blank-line paragraph
    overlaps: str = "keep-longest"  # or "error": refuse a file with overlapping spans
    layer: str | None = None  # WebAnno TSV: the annotation layer holding entities
    token_column: str | None = None  # CoNLL: 1-based or negative column of the tokens
    tag_column: str | None = None  # CoNLL: column number; CoNLL-U: column name or MISC key
    text_key: str | None = None  # doccano: the field holding the text
    label_key: str | None = None  # doccano: the field holding the spans
    tokens_column: str | None = None  # HF datasets / run_ner JSON: the words column
    tags_column: str | None = None  # HF datasets / run_ner JSON: the tags column
    tag_names: tuple[str, ...] | None = None  # integer tags without a ClassLabel: their names
    per: str | None = None  # document files: one document per file, page, section, paragraph


@dataclass
class FileSummary:
    """What one file was read as and what came of it."""

    path: Path
    detected: Detected
    documents: int
    entities: int
    skipped: dict[str, int]
    dropped: int

    def line(self) -> str:
        parts = [counted(self.documents, "document"), counted(self.entities, "entity")]
        left = [f"{n:,} {kind} ignored" for kind, n in self.skipped.items() if n]
        if self.dropped:
            left.append(f"{self.dropped:,} overlapping or unusable spans dropped")
        tail = f"; {', '.join(left)}" if left else ""
        name = FORMAT_NAMES.get(self.detected.name, self.detected.name)
        where = printable(self.path.name)
        return f"{where}: {name} ({self.detected.reason}), {', '.join(parts)}{tail}"


@dataclass
class ImportSummary:
    """What an import stored, per file what it was read as, and notes to show."""

    documents: int
    spans: int
    labels_added: tuple[str, ...]
    notes: list[str] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # one line per dropped span, with where
    documents_read: list[DocumentFileSummary] = field(default_factory=list)  # document files
    refused: list[str] = field(default_factory=list)  # document files not imported, and why


def _reader(name: str, options: ImportOptions) -> Callable[[Path], ReadResult]:
    """The reader of a format, imported when needed (some pull in heavy libraries)."""
    if name == "conll":
        from nerstudio.core.formats.conll import read_conll

        return lambda path: read_conll(
            path, token_column=options.token_column, tag_column=options.tag_column
        )
    if name == "jsonl":
        from nerstudio.core.formats.jsonl import read_jsonl

        return lambda path: read_jsonl(
            path,
            text_key=options.text_key,
            label_key=options.label_key,
            tokens_column=options.tokens_column,
            tags_column=options.tags_column,
            tag_names=options.tag_names,
        )
    if name == "text":
        from nerstudio.core.formats.text import read_text_documents

        return lambda path: read_text_documents(path, paragraphs=options.paragraphs)
    if name == "hf":
        from nerstudio.core.formats.hfdatasets import read_hf

        return lambda path: read_hf(
            path,
            tokens_column=options.tokens_column,
            tags_column=options.tags_column,
            tag_names=options.tag_names,
        )
    if name == "docbin":
        from nerstudio.core.formats.spacy_docbin import read_docbin

        return read_docbin
    if name == "brat":
        from nerstudio.core.formats.brat import read_brat

        return read_brat
    if name == "webanno":
        from nerstudio.core.formats.webanno import read_webanno

        return lambda path: read_webanno(path, layer=options.layer)  # feature: its default
    if name == "webanno-tsv2":
        from nerstudio.core.formats.webanno_tsv2 import read_webanno_tsv2

        return lambda path: read_webanno_tsv2(path, layer=options.layer)
    if name == "conllu":
        from nerstudio.core.formats.conllu import read_conllu

        return lambda path: read_conllu(path, tag_column=options.tag_column)
    if name == "spacy-iob":
        from nerstudio.core.formats.spacy_iob import read_spacy_iob

        return read_spacy_iob
    raise NerstudioError(
        f"no reader for the {FORMAT_NAMES.get(name, name)} format yet; "
        f"use --format with one of {', '.join(IMPORT_FORMATS)}"
    )


def settle_overlaps(result: ReadResult, policy: str) -> ReadResult:
    """Keep the longest of each group of overlapping spans (the project is flat), listing
    each dropped span with where it came from; or refuse the file (``policy`` error)."""
    if result.overlapping and policy == "error":
        first = next((line for line in result.dropped if " overlaps " in line), "")
        raise NerstudioError(
            f"{first.removesuffix(', dropped')}; the project holds one entity per token "
            "(use --overlaps keep-longest to keep the longest of each overlapping group)"
        )
    records: list[DocumentRecord] = []
    dropped = list(result.dropped)
    for record in result.records:
        kept, lost = keep_longest(record.spans)
        if lost and policy == "error":
            first = lost[0]
            raise NerstudioError(
                f"{record.source}: span {first.start}-{first.end} ({first.label}) overlaps "
                "another; the project holds one entity per token (use --overlaps "
                "keep-longest to keep the longest of each overlapping group)"
            )
        for span in lost:
            text = record.text[span.start : span.end]
            dropped.append(
                f"{record.source}: {span.label} {span.start}-{span.end} {text!r} overlaps a "
                "longer span, dropped"
            )
        records.append(replace(record, spans=tuple(kept)) if lost else record)
    return replace(result, records=records, dropped=dropped)


def check_input(path: Path) -> None:
    """Refuse what cannot be read to its end as a file: a FIFO or a device (``/dev/zero``
    never ends, a FIFO waits for a writer), a link loop, a file without permission."""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        reasons = {
            errno.ENOENT: "no such file or folder",
            errno.ELOOP: "symbolic links that loop (a link pointing back at itself); fix the link",
            errno.EACCES: "no permission to read it",
            errno.ENOTDIR: "no such file or folder (a part of the path is not a folder)",
        }
        raise FormatError(path, reasons.get(err.errno, f"cannot read: {err.strerror}")) from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise FormatError(
            path,
            "not a regular file (a FIFO, a device or a socket); save its content to a file "
            "and import that, or give '-' to read standard input",
        )


def printable(text: str) -> str:
    """A file name Python kept as surrogates (not UTF-8) as text that can be stored and
    printed: ``\\xff.conll``."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape" if _escapable(text) else "backslashreplace")
        return raw.decode("utf-8", "backslashreplace")


def _escapable(text: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)


def _storable(record: DocumentRecord) -> DocumentRecord:
    source = record.source
    return (
        record
        if source is None or printable(source) == source
        else replace(record, source=printable(source))
    )


def read_file(
    path: Path, fmt: str = "auto", options: ImportOptions | None = None
) -> tuple[Detected, ReadResult]:
    """Read one file or folder in ``fmt`` (``auto`` detects it), overlaps settled."""
    options = options or ImportOptions()
    path = Path(path)
    check_input(path)
    if fmt == "auto":
        detected = detect_format(path)
    elif fmt in FORMAT_NAMES:
        detected = Detected(fmt, "as asked with --format")
    else:
        raise NerstudioError(
            f"unknown import format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}"
        )
    result = _reader(detected.name, options)(path)
    return detected, settle_overlaps(result, options.overlaps)


def import_files(
    project: Project,
    paths: Sequence[Path],
    fmt: str = "auto",
    split: str | None = None,
    paragraphs: bool = False,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
    on_file: FileProgress | None = None,
) -> ImportSummary:
    """Import every file of an annotated format or nothing: all are read and checked
    before one transaction. Document files (PDF, Word ...) are stored one transaction
    each, a refused one listed in ``refused`` (``on_file`` hears of each as it is read)."""
    options = options or ImportOptions(paragraphs=paragraphs)
    paths, documents = _document_paths(paths, fmt, options)
    read = _read_annotated(paths, fmt, split, options)
    if project.documents.count(DocumentQuery(limit=0)):
        project.backup("import")
    stored_files = import_document_files(project, documents, options.per, split, progress, on_file)
    with project.transaction():
        added = project.documents.add(read.records, progress=progress, labels=read.declared)
        stored = store_suggestions(project, added.document_ids, read.suggestions)
    if stored:
        runs = ", ".join(sorted(stored))
        read.notes.append(
            f"{counted(sum(stored.values()), 'document')} got suggestions of {runs} (never gold: "
            "accept them in the window, or set the run active to see them)"
        )
    return ImportSummary(
        len(added.document_ids) + len(stored_files.document_ids),
        added.spans + stored_files.spans,
        added.labels_added,
        read.notes,
        read.files,
        read.dropped,
        stored_files.files,
        stored_files.refused,
    )


@dataclass
class _Annotated:
    """What the files of annotated formats held, read and checked, none stored yet."""

    records: list[DocumentRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # label names the files declare
    suggestions: list[tuple[int, str, list[dict]]] = field(default_factory=list)
    # (index in records, run, spans)


def _read_annotated(
    paths: Sequence[Path], fmt: str, split: str | None, options: ImportOptions
) -> _Annotated:
    """Every file of an annotated format read and checked (any refusal raises)."""
    read = _Annotated()
    for path in paths:
        detected, result = read_file(Path(path), fmt, options)
        at = len(read.records)
        read.suggestions += [(at + i, run, spans) for i, run, spans in result.suggestions]
        read.notes.extend(printable(note) for note in result.notes)
        read.dropped.extend(printable(line) for line in result.dropped)
        read.declared.extend(name for name in result.labels if name not in read.declared)
        read.files.append(
            FileSummary(
                Path(path),
                detected,
                len(result.records),
                sum(len(r.spans) for r in result.records),
                result.skipped,
                len(result.dropped),
            )
        )
        read.records.extend(
            _storable(r) if split is None else replace(_storable(r), split=split)
            for r in result.records
        )
    return read


def _document_paths(
    paths: Sequence[Path], fmt: str, options: ImportOptions
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The paths read as annotated formats (all or nothing), and the document files (PDF,
    Word, HTML ..., each stored on its own) with the names their documents record. Plain
    ``.txt`` is a document file where ``per`` or ``--format document`` asks for it."""
    others: list[Path] = []
    documents: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        check_input(path)
        if fmt == "document":
            name = "document"
        elif fmt == "auto":
            name = detect_format(path).name
            if name == "text" and options.per is not None:
                name = "document"
        else:
            name = fmt
        if name == "document":
            documents += document_files(path)
        else:
            others.append(path)
    return others, documents


def import_text(project: Project, text: str, source: str = "clipboard") -> int:
    """One document from a piece of text (the window's paste), tokenized and stored as
    one transaction; returns its id. The window calls this rather than the store."""
    text = text.strip()
    if not text:
        raise FormatError(source, "holds no text; nothing was added")
    record = DocumentRecord(text=text, tokens=tuple(tokenize(text)), source=source)
    return project.documents.add([record]).document_ids[0]


def _span_uncertainty(scores: Sequence[float]) -> dict[str, float]:
    """The queue's scores from what another tool gives: one confidence per span, not per
    word, so each span stands for one word of the best path (no span: nothing uncertain)."""
    logs = [math.log(min(1.0, max(float(p), 1e-12))) for p in scores]
    if not logs:
        return {"least_confidence": 0.0, "mnlp": 0.0, "entropy": 0.0}
    return {
        "least_confidence": 1.0 - math.exp(sum(logs)),
        "mnlp": -sum(logs) / len(logs),
        "entropy": 0.0,
    }


def store_suggestions(
    project: Project, document_ids: Sequence[int], found: list[tuple[int, str, list[dict]]]
) -> dict[str, int]:
    """Another tool's predictions (Label Studio's ``predictions``: a format's
    ``{start, end, label, score}`` objects) as suggestions of an imported run named after
    their model version; documents per run."""
    by_run: dict[str, list[PredictionRow]] = {}
    for index, run, items in found:
        spans = tuple(ScoredSpan.from_json(item) for item in items)
        by_run.setdefault(run, []).append(
            (document_ids[index], spans, _span_uncertainty([s.score for s in spans]))
        )
    for run, rows in by_run.items():
        record = project.runs.add_imported(run, "imported suggestions")
        project.predictions.save(record.id, rows)
    return {run: len(rows) for run, rows in by_run.items()}
