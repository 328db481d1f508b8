"""CoNLL-style column files: one token a line, a blank line between documents.

Columns are separated by tabs and ASCII spaces only, so a token keeps any other character,
a no-break space included. By default the token is the first column and the tag the last,
with any columns between ignored (CoNLL-2002/2003). Two layouts are recognised on their
own: a first column that numbers the tokens 1, 2, 3... in every sentence (GermEval 2014),
which makes the next column the token; and two tag columns at the end (GermEval 2014,
DaN+), read as outer and inner entities: the inner ones overlap the outer ones, and the
import's overlap policy settles them. ``token_column``/``tag_column`` name the columns
instead (1-based, or negative from the end); a given tag column is the only one read. A
column of chunk tags (``B-NP``, CoNLL-2003's third) is never read as entities. Any column
left unread that holds tags (chunk tags, GermEval's inner column under ``tag_column``) is
named in a note with the ``--tag-column`` that would read it: never left out without a word.

The text of a document is its tokens joined by single spaces, so offsets are exact and
CoNLL in -> CoNLL out gives back every token. The tag scheme is detected per file and
decoded the conlleval way; sequences that needed repair are counted in a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.conll_layout import (
    COLUMN_SEPARATOR,
    Layout,
    Line,
    column_count,
    detect_layout,
    is_tag,
    layout_note,
    shown_column,
    split_columns,
    unread_note,
    unread_tag_columns,
)
from nerstudio.core.formats.origin_fields import origin_comments
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import (
    Scheme,
    Span,
    detect_scheme,
    parse_tag,
    spans_to_tags,
    tags_to_spans,
    validate_tags,
)
from nerstudio.core.tokens import whitespace_tokens

# What a written token must not hold: the separators, and line ends (read_text's CR too).
_NOT_IN_TOKEN = re.compile(r"[ \t\r\n]+")


def _is_comment(line: str, columns: Sequence[str]) -> bool:
    """``#`` lines are comments, unless they read as a ``#`` token with a valid tag."""
    return line.startswith("#") and not (len(columns) >= 2 and is_tag(columns[-1]))


def _refuse_hidden_tag(path: Path, line: int, token: str) -> None:
    """A lone column like ``Anna<U+00A0>B-PER`` was meant as two: say so, do not guess."""
    parts = token.split()
    if len(parts) >= 2 and is_tag(parts[-1]):
        gap = next(ch for ch in token[len(parts[0]) :] if ch.isspace())
        raise FormatError(
            path,
            f"{token!r} looks like a token and a tag separated by U+{ord(gap):04X}, which is"
            " part of the token here; separate the columns with a tab",
            line=line,
        )


def _column_option(path: Path, value: str | int, option: str) -> int:
    """``"2"`` -> 1 (0-based), ``"-1"`` -> -1; anything else is a ``FormatError``."""
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text) or int(text) == 0:
        raise FormatError(
            path,
            f"{option} {value!r} is not a column number; give 1 for the first column, 2 for"
            " the second, or -1 for the last",
        )
    number = int(text)
    return number - 1 if number > 0 else number


def _sentences(path: Path) -> list[list[Line]]:
    """The file's sentences as lines; ``-DOCSTART-`` and comments left out.

    Lines stay strings until read (strings cost the garbage collector nothing; a list of
    columns per line kept for the whole file would slow every collection)."""
    sentences: list[list[Line]] = []
    lines: list[Line] = []
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():  # blank, or only whitespace of any kind
            if lines:
                sentences.append(lines)
                lines = []
            continue
        if line[0] == "#" or "-DOCSTART-" in line:
            columns = split_columns(line)
            if columns[0] == "-DOCSTART-" or _is_comment(line, columns):
                continue
        lines.append((number, line))
    if lines:
        sentences.append(lines)
    return sentences


def _read_sentence(
    path: Path, lines: list[Line], layout: Layout, valid: set[str]
) -> tuple[list[str], list[list[str]] | None]:
    """(words, one tag list per tag column) of a sentence; None when it has no tags."""
    words: list[str] = []
    columns_of_tags: list[list[str]] = [[] for _ in layout.tags]
    first_tags = columns_of_tags[0]
    token_spec, first_spec, more_specs = layout.token, layout.tags[0], layout.tags[1:]
    untagged = 0
    split = COLUMN_SEPARATOR.split
    for number, line in lines:
        columns = split(line.strip(" \t"))
        count = len(columns)
        token_at = token_spec if token_spec >= 0 else count + token_spec
        if not 0 <= token_at < count:
            raise FormatError(
                path,
                f"this line has {count} columns, so no token in {shown_column(token_spec)}"
                " (--token-column)",
                line=number,
            )
        word = columns[token_at]
        if not word.strip():
            raise FormatError(
                path,
                f"the token {word!r} is only whitespace; give it a visible character"
                " or delete the line",
                line=number,
            )
        words.append(word)
        if count == 1:
            _refuse_hidden_tag(path, number, word)
        at = first_spec if first_spec >= 0 else count + first_spec
        if not layout.tag_given and not token_at < at < count:
            untagged += 1  # only the token (and its number): an unannotated line
            continue
        # The tag (a no-break space after it is no part of it), checked once per distinct
        # tag; _tag says what is wrong with a new one or with a missing column.
        tag = columns[at].strip() if 0 <= at < count and at != token_at else None
        if tag in valid:
            first_tags.append(tag)  # type: ignore[arg-type]
        else:
            first_tags.append(_tag(path, number, columns, token_at, first_spec, at, valid))
        for spec, tags in zip(more_specs, columns_of_tags[1:]):
            at = spec if spec >= 0 else count + spec
            tags.append(_tag(path, number, columns, token_at, spec, at, valid))
    if untagged and untagged != len(words):
        raise FormatError(
            path, "some lines of this document have a tag and some do not", line=lines[0][0]
        )
    return words, None if untagged else columns_of_tags


def _tag(
    path: Path,
    number: int,
    columns: Sequence[str],
    token_at: int,
    spec: int,
    at: int,
    valid: set[str],
) -> str:
    """The tag in column ``at`` of a line (``spec`` as given), checked once per distinct tag."""
    if not 0 <= at < len(columns) or at == token_at:
        raise FormatError(
            path,
            f"this line has {len(columns)} columns, so no tag in {shown_column(spec)}"
            " (--tag-column)",
            line=number,
        )
    tag = columns[at].strip()  # a stray no-break space after the tag is no part of it
    if tag not in valid:
        try:
            parse_tag(tag)
        except TagError as err:
            raise FormatError(path, err.reason, line=number) from None
        valid.add(tag)
    return tag


def read_conll(
    path: str | Path, token_column: str | None = None, tag_column: str | None = None
) -> ReadResult:
    """Read every document of a CoNLL file; any bad line is a ``FormatError`` naming it.

    ``token_column``/``tag_column`` are column numbers as a user types them (``"2"``,
    ``"-1"``); left out, the layout is detected (see the module's docstring).
    """
    path = Path(path)
    token = None if token_column is None else _column_option(path, token_column, "--token-column")
    tag = None if tag_column is None else _column_option(path, tag_column, "--tag-column")
    if tag is not None and tag == token:
        raise FormatError(path, f"--tag-column {tag_column} is the token column; name another")
    sentences = _sentences(path)
    if not sentences:
        raise FormatError(path, "no documents in this file (is it empty?)")
    valid: set[str] = set()  # tags already parsed once
    layout = detect_layout(sentences, token, tag)
    unread = unread_tag_columns(sentences, layout)
    read = [(lines[0][0], *_read_sentence(path, lines, layout, valid)) for lines in sentences]
    count = None if layout == Layout(0, (-1,)) else column_count(sentences)
    del sentences  # a tuple per line: let it go before the records are built

    scheme = detect_scheme(tags for _, _, columns in read if columns for tags in columns)
    records = []
    repaired: list[str] = []  # the first repair of each document that needed one
    inner = 0
    for line_no, words, columns in read:
        text = " ".join(words)
        tokens = tuple(whitespace_tokens(text, words))
        found, problem = _column_spans(columns, tokens, scheme, line_no)
        if problem:
            repaired.append(problem)
        if len(found) == 2:
            inner += len(found[1])
        spans = found[0] if len(found) == 1 else sorted({s for column in found for s in column})
        records.append(
            DocumentRecord(
                text=text,
                tokens=tokens,
                spans=tuple(spans),
                status=Status.DONE if columns is not None else Status.NEW,
                source=f"{path.name}:{line_no}",
            )
        )
    notes = [f"{path.name}: tag scheme {scheme.value.upper()}"]
    columns_note = layout_note(path.name, layout, count, inner)
    if columns_note:
        notes.append(columns_note)
    notes += [unread_note(path.name, column, labels) for column, labels in unread]
    if repaired:
        notes.append(
            f"{path.name}: {len(repaired)} documents had ill-formed {scheme.value.upper()}"
            f" tags, read the conlleval way (first at {repaired[0]})"
        )
    return ReadResult(records, notes)


def _column_spans(
    columns: list[list[str]] | None,
    tokens: tuple[tuple[int, int], ...],
    scheme: Scheme,
    line_no: int,
) -> tuple[list[list[Span]], str | None]:
    """A document's spans from each tag column read, and the first ill-formed tag (read
    the conlleval way) as ``line N: reason``, or None."""
    found: list[list[Span]] = []
    problem = None
    for tags in columns or ():
        try:
            validate_tags(tags, scheme)
        except TagError as err:
            problem = problem or f"line {line_no + (err.index or 0)}: {err.reason}"
        found.append(tags_to_spans(tags, tokens))
    return found, problem


def write_conll(records: Iterable[DocumentRecord], out: TextIO, scheme: Scheme) -> int:
    """Write token TAB tag lines in ``scheme`` (IOB2, IOB1, BIOES or BILOU), a blank line
    after each document; returns tokens written."""
    written = 0
    for record in records:
        tags = spans_to_tags(record.spans, record.tokens, scheme)
        lines = [
            f"{_NOT_IN_TOKEN.sub('', record.text[s:e]) or '_'}\t{tag}"
            for (s, e), tag in zip(record.tokens, tags)
        ]
        out.write("".join(f"{line}\n" for line in origin_comments(record)))
        out.write("\n".join(lines))
        out.write("\n\n")
        written += len(lines)
    return written
