"""What the model will see: a document as the base model's sub-word pieces with the IOB2
label each piece trains on, and the entities a max length would cut across windows.

Uses the Rust ``tokenizers`` library on the model folder's ``tokenizer.json`` (fast to
load, no torch), so the window can show it without a training run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import Scheme, spans_to_tags

SPECIAL_TOKENS = 2  # [CLS] and [SEP] (or <s> and </s>) take two places in every window


@dataclass(frozen=True)
class Piece:
    """A sub-word piece at ``start:end`` of the text; ``tag`` is None where the label is -100."""

    start: int
    end: int
    text: str
    tag: str | None
    window_edge: bool = False  # the last piece before a window boundary


@dataclass(frozen=True)
class PieceView:
    pieces: list[Piece]
    cut_entities: list[tuple[int, int]]  # entity spans that straddle a window boundary
    windows: int


def load_piece_tokenizer(model_folder: str | Path):
    from tokenizers import Tokenizer

    path = Path(model_folder) / "tokenizer.json"
    if not path.is_file():
        raise NerstudioError(
            f"{model_folder}: no tokenizer.json; choose a local model folder to see its pieces"
        )
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def piece_view(tokenizer, record: DocumentRecord, max_length: int) -> PieceView:
    """Pieces of ``record`` as the training data builds them (first piece labelled)."""
    words = [record.text[s:e] for s, e in record.tokens]
    if not words:
        return PieceView([], [], 0)
    tags = spans_to_tags(record.spans, record.tokens, Scheme.IOB2)
    encoding = tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
    per_window = max(1, max_length - SPECIAL_TOKENS)
    step = max(1, per_window - max_length // 4)  # the overlap the training windows use
    pieces: list[Piece] = []
    previous_word = None
    for index, (word, (a, b), text) in enumerate(
        zip(encoding.word_ids, encoding.offsets, encoding.tokens)
    ):
        if word is None:
            continue
        start = record.tokens[word][0]
        first = word != previous_word
        edge = len(encoding.tokens) > per_window and (index + 1) % step == 0
        pieces.append(Piece(start + a, start + b, text, tags[word] if first else None, edge))
        previous_word = word
    boundaries = [p.end for p in pieces if p.window_edge]
    cut = [
        (span.start, span.end)
        for span in record.spans
        if any(span.start < edge < span.end for edge in boundaries)
    ]
    windows = 1 if len(pieces) <= per_window else 1 + -(-(len(pieces) - per_window) // step)
    return PieceView(pieces, cut, windows)
