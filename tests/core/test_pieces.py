"""'What the model will see': pieces, their training labels, windows and cut entities."""

from __future__ import annotations

from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import Span
from nerstudio.core.tokens import tokenize
from nerstudio.core.training.pieces import load_piece_tokenizer, piece_view

TEXT = "Yesterday Quetzalcoatlosaka flew to Paris to meet Anna Berg and Li Wei there today"


def record() -> DocumentRecord:
    tokens = tuple(tokenize(TEXT))
    spans = []
    for name, label in (("Quetzalcoatlosaka", "PER"), ("Paris", "LOC"), ("Anna Berg", "PER")):
        start = TEXT.index(name)
        spans.append(Span(start, start + len(name), label))
    return DocumentRecord(TEXT, tokens, tuple(spans), id=1)


def test_only_the_first_piece_of_a_word_carries_its_tag(tiny_model):
    view = piece_view(load_piece_tokenizer(tiny_model), record(), max_length=256)
    name = [p for p in view.pieces if TEXT.index("Quetzal") <= p.start < TEXT.index(" flew")]
    assert len(name) > 1  # the made-up name splits into several pieces
    assert name[0].tag == "B-PER" and all(p.tag is None for p in name[1:])
    assert "".join(TEXT[p.start : p.end] for p in name) == "Quetzalcoatlosaka"
    paris = next(p for p in view.pieces if TEXT[p.start : p.end] == "Paris")
    assert paris.tag == "B-LOC"
    assert view.windows == 1 and view.cut_entities == []


def test_a_short_max_length_opens_windows_and_names_the_entities_it_cuts(tiny_model):
    view = piece_view(load_piece_tokenizer(tiny_model), record(), max_length=8)
    assert view.windows > 1
    assert any(p.window_edge for p in view.pieces)
    for start, end in view.cut_entities:  # each cut entity straddles a window edge
        assert any(start < p.end < end for p in view.pieces if p.window_edge)
