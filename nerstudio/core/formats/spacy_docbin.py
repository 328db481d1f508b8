"""spaCy's binary corpus files (``.spacy``, a ``DocBin``), read and written through spaCy.

spaCy is an optional extra (``pip install 'nerstudio[spacy]'``), imported inside the
functions: it takes seconds to load (and loads torch through thinc when torch is there).

Read: each Doc is a document with the Doc's text; its tokens are spaCy's tokens as
character spans, whitespace left out (a whitespace token is no token of ours), and
``doc.ents`` are its spans. Entity annotation follows spaCy's "missing is not O": a Doc
annotated on every token is done, one annotated on none is new (unannotated), one
annotated on some is in progress. ``doc.spans`` groups and ``doc.cats`` are not read; they
are counted in ``skipped``.

Write: a Doc per record, built from words and spaces so that ``doc.text`` is the record's
text exactly; whitespace other than one space after a token becomes spaCy whitespace
tokens, as spaCy's own tokenizer makes them. ``doc.ents`` are the spans; outside them a
done document is O and any other is missing. The split travels in the Doc's user data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.standoff import tag_prefix_problem, trim_whitespace
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.safe_io import write_file
from nerstudio.core.spans import Span, shown_label
from nerstudio.core.tokens import Token

_SPLIT_KEY = "nerstudio_split"  # in doc.user_data
_RUNS = re.compile(r"\s+|\S+")


def _spacy(action: str) -> tuple[Any, Any, Any]:
    """spaCy's Doc, DocBin and Vocab, or a one-line error saying how to install it."""
    try:
        from spacy.tokens import Doc, DocBin
        from spacy.vocab import Vocab
    except ImportError:
        raise NerstudioError(
            f"{action} .spacy files needs spaCy: pip install 'nerstudio[spacy]'"
        ) from None
    return Doc, DocBin, Vocab


def _record(doc: Any, path: Path, index: int, dropped: list[str]) -> DocumentRecord:
    text, name = doc.text, path.name
    tokens: list[Token] = []
    for token in doc:
        start, end = trim_whitespace(text, token.idx, token.idx + len(token.text))
        if start < end:
            tokens.append((start, end))
    spans = []
    for ent in doc.ents:
        problem = tag_prefix_problem(ent.label_)
        if problem is not None:
            raise FormatError(path, problem, record=index)
        start, end = trim_whitespace(text, ent.start_char, ent.end_char)
        if start < end:
            spans.append(Span(start, end, ent.label_))
        else:
            dropped.append(
                f"{name}:{index}: {shown_label(ent.label_)} {ent.start_char}-{ent.end_char}"
                " covers only whitespace, dropped"
            )
    if doc.has_annotation("ENT_IOB", require_complete=True):
        status = Status.DONE
    elif doc.has_annotation("ENT_IOB"):
        status = Status.IN_PROGRESS
    else:
        status = Status.NEW
    split = doc.user_data.get(_SPLIT_KEY)
    return DocumentRecord(
        text=text,
        tokens=tuple(tokens),
        spans=tuple(sorted(spans)),
        status=status,
        split=split if isinstance(split, str) and split else None,
        source=f"{name}:{index}",
    )


def read_docbin(path: str | Path) -> ReadResult:
    """Every Doc of a ``.spacy`` file as a document; see the module's docstring."""
    path = Path(path)
    _, DocBin, Vocab = _spacy("reading")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise FormatError(path, f"cannot read: {err.strerror or err}") from None
    try:
        docs = iter(DocBin().from_bytes(data).get_docs(Vocab()))
    except Exception as err:  # zlib, msgpack and numpy each raise their own types
        raise FormatError(path, f"not a spaCy DocBin (.spacy) file: {err}") from None
    records: list[DocumentRecord] = []
    dropped: list[str] = []
    groups: dict[str, int] = {}
    categorised = partial = 0
    while True:
        try:
            doc = next(docs, None)
        except Exception as err:  # a truncated or inconsistent DocBin
            raise FormatError(path, f"cannot read this Doc: {err}", record=len(records)) from None
        if doc is None:
            break
        record = _record(doc, path, len(records), dropped)
        records.append(record)
        partial += record.status is Status.IN_PROGRESS
        categorised += bool(doc.cats)
        for key, group in doc.spans.items():
            groups[key] = groups.get(key, 0) + len(group)
    if not records:
        raise FormatError(path, "no Docs in this DocBin (is it empty?)")
    notes = []
    skipped = {}
    if any(groups.values()):
        skipped["doc.spans entries"] = sum(groups.values())
        listed = ", ".join(f"{key!r} ({n})" for key, n in groups.items() if n)
        notes.append(f"{path.name}: doc.spans groups {listed} not read; entities come from ents")
    if categorised:
        skipped["doc.cats of documents"] = categorised
    if partial:
        notes.append(
            f"{path.name}: {partial} Docs have entity annotation on some tokens only (the rest"
            " is missing); read as in progress"
        )
    return ReadResult(records, notes, dropped=dropped, skipped=skipped)


def _words_and_spaces(text: str, tokens: Sequence[Token]) -> tuple[list[str], list[bool]]:
    """spaCy words and their trailing-space flags that spell ``text`` exactly, one word per
    token of ours plus one per run of other characters between them."""
    words: list[str] = []
    spaces: list[bool] = []

    def gap(between: str) -> None:
        if between.startswith(" ") and words and not spaces[-1]:
            spaces[-1] = True
            between = between[1:]
        for run in _RUNS.findall(between):
            words.append(run)
            spaces.append(False)

    position = 0
    for start, end in tokens:
        gap(text[position:start])
        words.append(text[start:end])
        spaces.append(False)
        position = end
    gap(text[position:])
    return words, spaces


def _doc(doc_class: Any, vocab: Any, record: DocumentRecord) -> Any:
    words, spaces = _words_and_spaces(record.text, record.tokens)
    doc = doc_class(vocab, words=words, spaces=spaces)
    where = record.source or (f"document {record.id}" if record.id is not None else "a document")
    ents = []
    for span in record.spans:
        ent = doc.char_span(span.start, span.end, label=span.label)
        if ent is None:
            raise NerstudioError(
                f"{where}: span {span.start}-{span.end} ({shown_label(span.label)}) does not"
                " start and end on its tokens; it cannot be written as a spaCy entity"
            )
        ents.append(ent)
    try:
        doc.set_ents(ents, default="outside" if record.status is Status.DONE else "missing")
    except ValueError as err:  # overlapping entities
        raise NerstudioError(f"{where}: cannot write these entities to spaCy: {err}") from None
    if record.split:
        doc.user_data[_SPLIT_KEY] = record.split
    return doc


def write_docbin(records: Iterable[DocumentRecord], out: str | Path | BinaryIO) -> int:
    """Write the records as one ``DocBin`` to ``out`` (a path, written through ``safe_io``,
    or a binary file); returns tokens written."""
    Doc, DocBin, Vocab = _spacy("writing")
    vocab = Vocab()
    doc_bin = DocBin(store_user_data=True)
    written = 0
    for record in records:
        doc_bin.add(_doc(Doc, vocab, record))
        written += len(record.tokens)
    data = doc_bin.to_bytes()
    if isinstance(out, (str, Path)):
        with write_file(out, binary=True) as fh:
            fh.write(data)  # type: ignore[arg-type]
    else:
        out.write(data)
    return written
