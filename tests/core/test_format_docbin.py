"""spaCy DocBin (``.spacy``) files through spaCy itself: what spaCy writes reads as
documents, and what we write reads back identical (emoji, CJK, line breaks in the text).

The DocBins here are made by spaCy (``spacy.blank`` tokenizers, ``Doc.set_ents``,
``doc.spans``, ``DocBin.to_disk``) the way ``spacy convert`` and training scripts make them.
"""

from __future__ import annotations

import io
import sys

import pytest

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats.spacy_docbin import read_docbin, write_docbin
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import tokenize


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def test_without_spacy_reading_and_writing_say_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy now raises ImportError
    monkeypatch.setitem(sys.modules, "spacy.tokens", None)
    monkeypatch.setitem(sys.modules, "spacy.vocab", None)
    path = tmp_path / "train.spacy"
    path.write_bytes(b"")

    with pytest.raises(NerstudioError) as info:
        read_docbin(path)
    assert str(info.value) == "reading .spacy files needs spaCy: pip install 'nerstudio[spacy]'"
    with pytest.raises(NerstudioError, match=r"^writing \.spacy files needs spaCy: pip"):
        write_docbin([], tmp_path / "out.spacy")


@pytest.fixture
def spacy():
    """spaCy, or the test is skipped: it is an optional extra (nerstudio[spacy])."""
    return pytest.importorskip("spacy")


def spacy_docbin(path, docs, **kwargs):
    from spacy.tokens import DocBin

    doc_bin = DocBin(**kwargs)
    for doc in docs:
        doc_bin.add(doc)
    doc_bin.to_disk(path)
    return path


def test_a_docbin_made_by_spacy_reads_as_documents(tmp_path, spacy):
    nlp = spacy.blank("en")
    first = nlp("Apple's CEO  Tim Cook visited Paris.\nThen he left.")
    first.set_ents(
        [
            first.char_span(0, 5, "ORG"),
            first.char_span(13, 21, "PER"),
            first.char_span(30, 35, "LOC"),
        ]
    )
    first.spans["sc"] = [first.char_span(13, 21, "PERSON"), first.char_span(0, 5, "COMPANY")]
    first.cats = {"tech": 1.0}
    second = nlp("Nothing here.")
    second.set_ents([], default="outside")  # annotated: no entities
    third = nlp("Not annotated yet")  # entity annotation missing
    path = spacy_docbin(tmp_path / "train.spacy", [first, second, third])

    result = read_docbin(path)

    one, two, three = result.records
    assert one.text == "Apple's CEO  Tim Cook visited Paris.\nThen he left."
    assert [one.text[s:e] for s, e in one.tokens] == [
        "Apple", "'s", "CEO", "Tim", "Cook", "visited", "Paris", ".", "Then", "he", "left", ".",
    ]  # fmt: skip
    assert surface(one) == [("Apple", "ORG"), ("Tim Cook", "PER"), ("Paris", "LOC")]
    assert [r.status for r in result.records] == [Status.DONE, Status.DONE, Status.NEW]
    assert two.spans == three.spans == ()
    assert [r.source for r in result.records] == ["train.spacy:0", "train.spacy:1", "train.spacy:2"]
    assert result.skipped == {"doc.spans entries": 2, "doc.cats of documents": 1}
    assert result.notes == [
        "train.spacy: doc.spans groups 'sc' (2) not read; entities come from ents"
    ]


def test_a_docbin_with_partial_annotation_reads_as_in_progress(tmp_path, spacy):
    nlp = spacy.blank("de")
    doc = nlp("Anna wohnt in Berlin")
    doc.set_ents([doc.char_span(0, 4, "PER")], default="missing")
    result = read_docbin(spacy_docbin(tmp_path / "p.spacy", [doc]))

    (record,) = result.records
    assert record.status is Status.IN_PROGRESS
    assert surface(record) == [("Anna", "PER")]
    assert "1 Docs have entity annotation on some tokens only" in result.notes[0]


def record(text, spans=(), status=Status.DONE, split=None, tokens=None):
    return DocumentRecord(
        text=text,
        tokens=tuple(tokenize(text) if tokens is None else tokens),
        spans=tuple(Span(*s) for s in spans),
        status=status,
        split=split,
    )


ROUND_TRIP = [
    record("Anna Berg 🎉 lebt in 東京都.", [(0, 9, "PER"), (20, 23, "LOC")], split="train"),
    record("  Zwei  Leerzeichen\n\nund\tTab \n", [(2, 6, "NUM")], split="dev"),
    record("👩🏽‍💻 codes at Acme", [(14, 18, "ORG")], Status.IN_PROGRESS),
    record("Nobody has looked at this one.", status=Status.NEW),
    record("", status=Status.DONE),
    record("New York\u00a0City", [(0, 13, "LOC")], tokens=[(0, 13)]),  # one token with spaces
]


def test_write_then_read_gives_identical_records(tmp_path, spacy):
    path = tmp_path / "out.spacy"

    written = write_docbin(ROUND_TRIP, path)

    assert written == sum(len(r.tokens) for r in ROUND_TRIP)
    result = read_docbin(path)
    assert [(r.text, r.tokens, r.spans, r.status, r.split) for r in result.records] == [
        (r.text, r.tokens, r.spans, r.status, r.split) for r in ROUND_TRIP
    ]
    assert surface(result.records[0]) == [("Anna Berg", "PER"), ("東京都", "LOC")]
    assert result.skipped == {} and result.dropped == []


def test_what_we_write_is_what_spacy_reads(tmp_path, spacy):
    from spacy.tokens import DocBin

    path = tmp_path / "out.spacy"
    write_docbin(ROUND_TRIP, path)

    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab))

    assert [doc.text for doc in docs] == [r.text for r in ROUND_TRIP]
    first = docs[0]
    assert [(e.text, e.label_) for e in first.ents] == [("Anna Berg", "PER"), ("東京都", "LOC")]
    assert all(t.ent_iob_ in ("B", "I", "O") for t in first)  # done: every token annotated
    assert [t.ent_iob_ for t in docs[3]] == [""] * len(docs[3])  # new: annotation missing
    spaced = docs[1]
    assert [t.text for t in spaced if t.is_space] == ["  ", " ", "\n\n", "\t", "\n"]


def test_writing_to_a_binary_file_object(tmp_path, spacy):
    buffer = io.BytesIO()

    write_docbin(ROUND_TRIP[:1], buffer)

    (path := tmp_path / "b.spacy").write_bytes(buffer.getvalue())
    assert read_docbin(path).records[0].spans == ROUND_TRIP[0].spans


def test_a_file_that_is_not_a_docbin_is_a_format_error(tmp_path, spacy):
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"not zlib at all")

    with pytest.raises(FormatError, match=r"bad\.spacy: not a spaCy DocBin \(\.spacy\) file"):
        read_docbin(path)


def test_an_empty_docbin_is_an_error(tmp_path, spacy):
    with pytest.raises(FormatError, match="no Docs"):
        read_docbin(spacy_docbin(tmp_path / "empty.spacy", []))


def test_overlapping_spans_cannot_be_written(tmp_path, spacy):
    bad = record("Anna Berg", [(0, 9, "PER"), (5, 9, "LOC")])
    bad = DocumentRecord(bad.text, bad.tokens, bad.spans, source="in.jsonl:3")

    with pytest.raises(NerstudioError, match=r"^in\.jsonl:3: cannot write these entities"):
        write_docbin([bad], tmp_path / "o.spacy")
    assert not (tmp_path / "o.spacy").exists()


def test_read_documents_store_in_a_project_and_write_back_the_same(tmp_path, spacy):
    from nerstudio.core.store import Project

    path = tmp_path / "in.spacy"
    write_docbin(ROUND_TRIP, path)
    with Project.create(tmp_path / "p.db", ["PER"]) as project:
        added = project.documents.add(read_docbin(path).records)
        stored = list(project.documents.iter())
        write_docbin(stored, tmp_path / "again.spacy")

    assert added.spans == sum(len(r.spans) for r in ROUND_TRIP) == 5  # 2 + 1 + 1 + 1
    again = read_docbin(tmp_path / "again.spacy").records
    assert [(r.text, r.tokens, r.spans, r.status, r.split) for r in again] == [
        (r.text, r.tokens, r.spans, r.status, r.split) for r in ROUND_TRIP
    ]


def test_an_entity_label_that_is_a_token_tag_is_refused(tmp_path, spacy):
    nlp = spacy.blank("en")
    doc = nlp("Anna Berg left")
    doc.set_ents([doc.char_span(0, 9, "B-PER")])
    path = spacy_docbin(tmp_path / "tags.spacy", [nlp("Fine."), doc])

    with pytest.raises(FormatError, match=r"tag prefix 'B-'.*rename it to 'PER'") as info:
        read_docbin(path)

    assert info.value.record == 1  # numbered as the documents' sources are, from 0
