"""The training data of a run: a snapshot of done documents, tokenized once, in windows.

Documents -> words and IOB2 tags -> one batched call of the model's fast tokenizer with
``is_split_into_words`` and overflowing windows (so a long document is cut into
overlapping windows and no word goes untrained). Only a word's first sub-word carries its
label; the rest get -100. Batches are built from length-sorted windows so there is
almost no padding.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Scheme, iob2_tag_names, spans_to_tags
from nerstudio.core.store import Project

IGNORE = -100
T = TypeVar("T")
Source = tuple[int, int] | None  # (window, position in it) of a word's piece, or none


@dataclass(frozen=True)
class Example:
    """One document as words and IOB2 tags."""

    document_id: int
    words: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass
class Snapshot:
    """The documents a run trains and evaluates on, fixed when it starts."""

    labels: tuple[str, ...]
    train: list[Example]
    dev: list[Example]
    dev_source: str  # "split" or "fraction"
    label_counts: dict[str, int] = field(default_factory=dict)

    @property
    def tag_names(self) -> list[str]:
        return iob2_tag_names(self.labels)

    def fingerprint(self) -> str:
        """A hash of every word and tag, so a run folder names exactly what it saw."""
        digest = hashlib.sha256()
        for part, examples in (("train", self.train), ("dev", self.dev)):
            digest.update(part.encode())
            for ex in examples:
                digest.update(f"{ex.document_id}\x00".encode())
                digest.update("\x01".join(ex.words).encode())
                digest.update("\x02".join(ex.tags).encode())
        return digest.hexdigest()


def example_from(record: DocumentRecord) -> Example:
    words = tuple(record.text[s:e] for s, e in record.tokens)
    tags = tuple(spans_to_tags(record.spans, record.tokens, Scheme.IOB2))
    assert record.id is not None
    return Example(record.id, words, tags)


def _dev_draw(document_id: int) -> float:
    """A stable pseudo-random number in [0, 1): the same documents stay in dev across runs."""
    digest = hashlib.sha1(f"nerstudio-dev-{document_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def hold_out(examples: list[Example], fraction: float) -> tuple[list[Example], list[Example]]:
    """(train, dev): the documents whose draw is under ``fraction`` go to dev, and at least
    one does when there are two or more, so a first run on 10 documents (where a 10% draw
    picks none a third of the time) always has a document to be scored on."""
    dev_ids = {ex.document_id for ex in examples if _dev_draw(ex.document_id) < fraction}
    if not dev_ids and len(examples) >= 2:
        dev_ids = {min((ex.document_id for ex in examples), key=_dev_draw)}
    train = [ex for ex in examples if ex.document_id not in dev_ids]
    return train, [ex for ex in examples if ex.document_id in dev_ids]


def snapshot(project_path: Path, dev_fraction: float) -> Snapshot:
    """Done documents of split train (or none) for training; split dev, else a fraction."""
    with Project.open(project_path) as project:
        labels = tuple(label.name for label in project.labels.list())
        train: list[Example] = []
        dev: list[Example] = []
        for record in project.documents.iter(status=Status.DONE):
            if not record.tokens:
                continue
            if record.split in (None, "", "train"):
                train.append(example_from(record))
            elif record.split == "dev":
                dev.append(example_from(record))
    if not train:
        raise NerstudioError(
            f"{project_path}: no done documents in split train (or without a split) to train "
            "on; annotate some and mark them done"
        )
    dev_source = "split"
    if not dev:
        dev_source = "fraction"
        train, dev = hold_out(train, dev_fraction)
        if not dev or not train:
            raise NerstudioError(
                f"{project_path}: too few done documents ({len(dev) + len(train)}) to hold "
                "some out for evaluation; mark more done or put some in split 'dev'"
            )
    counts = {label: 0 for label in labels}
    for ex in train:
        for tag in ex.tags:
            if tag.startswith("B-"):
                counts[tag[2:]] += 1
    return Snapshot(labels, train, dev, dev_source, counts)


def spread_sample(examples: Sequence[T], limit: int) -> list[T]:
    """At most ``limit`` examples (or ids) spread evenly over the list (deterministic)."""
    if len(examples) <= limit:
        return list(examples)
    stride = len(examples) / limit
    return [examples[int(i * stride)] for i in range(limit)]


@dataclass
class Encoded:
    """Tokenized windows: model inputs plus the map back to (example, word)."""

    features: list[dict[str, list[int]]]
    window_example: list[int]
    window_words: list[list[int | None]]  # per sub-word token: word index or None
    windowed_examples: int

    @property
    def tokens(self) -> int:
        return sum(len(f["input_ids"]) for f in self.features)


def encode(
    tokenizer, examples: Sequence[Example], tag_names: Sequence[str], max_length: int
) -> Encoded:
    """Tokenize every example once, in overlapping windows of at most ``max_length``."""
    tag_id = {tag: i for i, tag in enumerate(tag_names)}
    enc = tokenizer(
        [list(ex.words) for ex in examples],
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
        stride=max_length // 4,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    mapping = enc["overflow_to_sample_mapping"]
    features, window_words = [], []
    windows_per_example: dict[int, int] = {}
    for w, example_index in enumerate(mapping):
        example = examples[example_index]
        word_ids = enc.word_ids(w)
        labels = []
        for word, (start, _) in zip(word_ids, enc["offset_mapping"][w]):
            # The first sub-word of a word starts at offset 0 within it; a window that
            # opens mid-word must not label the continuation.
            first = word is not None and start == 0
            labels.append(tag_id[example.tags[word]] if first else IGNORE)
        features.append(
            {
                "input_ids": enc["input_ids"][w],
                "attention_mask": enc["attention_mask"][w],
                "labels": labels,
            }
        )
        window_words.append([wid if lab != IGNORE else None for wid, lab in zip(word_ids, labels)])
        windows_per_example[example_index] = windows_per_example.get(example_index, 0) + 1
    windowed = sum(1 for n in windows_per_example.values() if n > 1)
    return Encoded(features, list(mapping), window_words, windowed)


def central_pieces(encoded: Encoded, word_counts: Sequence[int]) -> list[list[Source]]:
    """Where each word of each example reads its prediction: the (window, position) of its
    labelled piece in the window where it sits farthest from an edge, the earlier window on
    a tie; None for a word without a piece. Evaluation and the predictor both merge
    overlapping windows through it, so they read a long document the same way."""
    sources: list[list[Source]] = [[None] * count for count in word_counts]
    margins = [[-1] * count for count in word_counts]
    for window, words in enumerate(encoded.window_words):
        example = encoded.window_example[window]
        last = len(words) - 1
        for position, word in enumerate(words):
            if word is None:
                continue
            margin = min(position, last - position)
            if margin > margins[example][word]:
                margins[example][word] = margin
                sources[example][word] = (window, position)
    return sources


def length_batches(
    lengths: Sequence[int], batch_size: int, rng: random.Random | None
) -> list[list[int]]:
    """Batches of similar length (so padding stays tiny), in random order when ``rng``.

    Ties are broken randomly each epoch, so equal-length windows meet new neighbours.
    """
    keys = [rng.random() if rng else 0.0 for _ in lengths]
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], keys[i]))
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches


class LengthGroupedBatches:
    """A batch sampler over length-sorted windows, reshuffled by epoch (``set_epoch``)."""

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int, shuffle: bool):
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[list[int]]:
        rng = random.Random(self.seed + self.epoch) if self.shuffle else None
        yield from length_batches(self.lengths, self.batch_size, rng)

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)


def padding_fraction(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> float:
    real = sum(lengths)
    padded = sum(max(lengths[i] for i in batch) * len(batch) for batch in batches)
    return 1 - real / padded if padded else 0.0
