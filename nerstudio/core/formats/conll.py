"""CoNLL-style column files: token first, tag last, a blank line between documents.

Columns are separated by tabs and ASCII spaces only, so a token keeps any other character,
a no-break space included. The text of a document is its tokens joined by single spaces,
so offsets are exact and CoNLL in -> CoNLL out gives back every token. The tag scheme is
detected per file and decoded the conlleval way; sequences that needed repair are counted
in a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import (
    Scheme,
    detect_scheme,
    parse_tag,
    spans_to_tags,
    tags_to_spans,
    validate_tags,
)
from nerstudio.core.tokens import whitespace_tokens

_COLUMN_SEPARATOR = re.compile(r"[ \t]+")
# What a written token must not hold: the separators, and line ends (read_text's CR too).
_NOT_IN_TOKEN = re.compile(r"[ \t\r\n]+")


def _is_tag(value: str) -> bool:
    try:
        parse_tag(value)
    except TagError:
        return False
    return True


def _is_comment(line: str, columns: list[str]) -> bool:
    """``#`` lines are comments, unless they read as a ``#`` token with a valid tag."""
    return line.startswith("#") and not (len(columns) >= 2 and _is_tag(columns[-1]))


def _refuse_hidden_tag(path: Path, line: int, token: str) -> None:
    """A lone column like ``Anna<U+00A0>B-PER`` was meant as two: say so, do not guess."""
    parts = token.split()
    if len(parts) >= 2 and _is_tag(parts[-1]):
        gap = next(ch for ch in token[len(parts[0]) :] if ch.isspace())
        raise FormatError(
            path,
            f"{token!r} looks like a token and a tag separated by U+{ord(gap):04X}, which is"
            " part of the token here; separate the columns with a tab",
            line=line,
        )


def read_conll(path: str | Path) -> ReadResult:
    """Read every document of a CoNLL file; any bad line is a ``FormatError`` naming it."""
    path = Path(path)
    sentences: list[tuple[int, list[str], list[str] | None]] = []
    words: list[str] = []
    tags: list[str] = []
    untagged = 0
    start_line = 0

    def finish() -> None:
        nonlocal words, tags, untagged
        if words:
            if untagged and untagged != len(words):
                raise FormatError(
                    path,
                    "some lines of this document have a tag and some do not",
                    line=start_line,
                )
            sentences.append((start_line, words, None if untagged else tags))
        words, tags, untagged = [], [], 0

    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():  # blank, or only whitespace of any kind
            finish()
            continue
        columns = _COLUMN_SEPARATOR.split(line.strip(" \t"))
        if columns[0] == "-DOCSTART-" or _is_comment(line, columns):
            continue
        if not columns[0].strip():
            raise FormatError(
                path,
                f"the token {columns[0]!r} is only whitespace; give it a visible character"
                " or delete the line",
                line=number,
            )
        if not words:
            start_line = number
        words.append(columns[0])
        if len(columns) == 1:
            _refuse_hidden_tag(path, number, columns[0])
            untagged += 1
            continue
        tag = columns[-1].strip()  # a stray no-break space after the tag is no part of it
        try:
            parse_tag(tag)
        except TagError as err:
            raise FormatError(path, err.reason, line=number) from None
        tags.append(tag)
    finish()
    if not sentences:
        raise FormatError(path, "no documents in this file (is it empty?)")

    scheme = detect_scheme(t for _, _, t in sentences if t is not None)
    records = []
    repaired: list[str] = []
    for line_no, sentence_words, sentence_tags in sentences:
        text = " ".join(sentence_words)
        tokens = tuple(whitespace_tokens(text, sentence_words))
        spans: tuple = ()
        if sentence_tags is not None:
            try:
                validate_tags(sentence_tags, scheme)
            except TagError as err:
                repaired.append(f"line {line_no + (err.index or 0)}: {err.reason}")
            spans = tuple(tags_to_spans(sentence_tags, tokens))
        records.append(
            DocumentRecord(
                text=text,
                tokens=tokens,
                spans=spans,
                status=Status.DONE if sentence_tags is not None else Status.NEW,
                source=f"{path.name}:{line_no}",
            )
        )
    notes = [f"{path.name}: tag scheme {scheme.value.upper()}"]
    if repaired:
        notes.append(
            f"{path.name}: {len(repaired)} documents had ill-formed {scheme.value.upper()}"
            f" tags, read the conlleval way (first at {repaired[0]})"
        )
    return ReadResult(records, notes)


def write_conll(records: Iterable[DocumentRecord], out: TextIO, scheme: Scheme) -> int:
    """Write token TAB tag lines, a blank line after each document; returns tokens written."""
    written = 0
    for record in records:
        tags = spans_to_tags(record.spans, record.tokens, scheme)
        lines = [
            f"{_NOT_IN_TOKEN.sub('', record.text[s:e]) or '_'}\t{tag}"
            for (s, e), tag in zip(record.tokens, tags)
        ]
        out.write("\n".join(lines))
        out.write("\n\n")
        written += len(lines)
    return written
