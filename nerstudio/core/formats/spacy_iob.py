"""spaCy's IOB lines (what ``spacy convert --converter iob`` reads): a sentence per line,
tokens separated by spaces, each ``word|POS|tag`` or ``word|tag``.

The text of a document is its words joined by single spaces, as for CoNLL; the tags are
decoded the conlleval way (IOB1 or IOB2).
"""

from __future__ import annotations

from pathlib import Path

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import parse_tag, tags_to_spans
from nerstudio.core.tokens import whitespace_tokens


def read_spacy_iob(path: str | Path) -> ReadResult:
    """One document per non-empty line of ``word|POS|tag`` (or ``word|tag``) tokens."""
    path = Path(path)
    records = []
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        items = line.split(" ")
        if not line.strip():
            continue
        words, tags = [], []
        for item in items:
            if not item:
                continue
            fields = item.rsplit("|", 2) if item.count("|") >= 2 else item.rsplit("|", 1)
            if len(fields) < 2 or not fields[0]:
                raise FormatError(path, f"{item!r} is not word|POS|tag (or word|tag)", line=number)
            try:
                parse_tag(fields[-1])
            except TagError as err:
                raise FormatError(path, f"{item!r}: {err.reason}", line=number) from None
            words.append(fields[0])
            tags.append(fields[-1])
        text = " ".join(words)
        tokens = tuple(whitespace_tokens(text, words))
        records.append(
            DocumentRecord(
                text=text,
                tokens=tokens,
                spans=tuple(tags_to_spans(tags, tokens)),
                status=Status.DONE,
                source=f"{path.name}:{number}",
            )
        )
    if not records:
        raise FormatError(path, "no sentences in this file (is it empty?)")
    return ReadResult(records)
