"""Export -> import through the project, for every format that can hold the corpus: the
same texts, offsets and labels come back, emoji, CJK and line breaks included."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer import WRITERS, export_corpus, import_files

_PIECES = st.sampled_from(
    ["Anna", "Berg", "Paris", "東京", "👍🏽", "🇫🇷", "café", "e\u0301t\u00e9", "3.5", ",", " ", "\n"]
)
_LABELS = st.sampled_from(["PER", "LOC", "ORG"])
# Formats whose text is the tokens joined by spaces: the words and labels round-trip.
TOKEN_FORMATS = {"conll", "hf"}
# Formats that hold the text exactly, offsets included.
TEXT_FORMATS = {"jsonl", "brat", "docbin", "labelstudio", "prodigy"}


@st.composite
def documents(draw) -> DocumentRecord:
    words = draw(st.lists(_PIECES, min_size=1, max_size=10))
    text = " ".join(w for w in words if w.strip()) if draw(st.booleans()) else "".join(words)
    if not text.strip():
        text = "Anna"
    tokens = tokenize(text)
    spans, i = [], 0
    while i < len(tokens):
        width = draw(st.integers(0, 2))
        if width:
            last = min(i + width, len(tokens)) - 1
            spans.append(Span(tokens[i][0], tokens[last][1], draw(_LABELS)))
            i = last + 1
        else:
            i += 1
    return DocumentRecord(text, tuple(tokens), tuple(spans), Status.DONE)


def available(fmt: str) -> bool:
    if fmt not in WRITERS:
        return False
    if fmt == "docbin":
        try:
            import spacy  # noqa: F401
        except ImportError:
            return False
    return True


def round_trip(records: list[DocumentRecord], fmt: str) -> list[DocumentRecord]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with Project.create(root / "a.db", ["PER", "LOC", "ORG"]) as project:
            project.documents.add(records)
            out = root / f"out{WRITERS[fmt].entry}"
            export_corpus(project, out, fmt)
        with Project.create(root / "b.db") as again:
            import_files(again, [out], fmt="auto")
            return list(again.documents.iter())


def words_and_labels(record: DocumentRecord) -> tuple:
    words = tuple(record.text[s:e] for s, e in record.tokens)
    entities = tuple(
        (tuple(record.text[a:b] for a, b in record.tokens if s.start <= a < s.end), s.label)
        for s in sorted(record.spans)
    )
    return words, entities


@pytest.mark.parametrize("fmt", sorted(TEXT_FORMATS | TOKEN_FORMATS))
def test_export_then_import_gives_the_corpus_back(fmt):
    if not available(fmt):
        pytest.skip(f"no {fmt} writer here")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(documents(), min_size=1, max_size=4))
    def check(records):
        back = round_trip(records, fmt)
        assert len(back) == len(records)
        if fmt in TEXT_FORMATS:
            assert [r.text for r in back] == [r.text for r in records]
            assert [sorted(r.spans) for r in back] == [sorted(r.spans) for r in records]
        else:
            assert [words_and_labels(r) for r in back] == [words_and_labels(r) for r in records]
        assert {r.status for r in back} == {Status.DONE}

    check()
