"""Shared fixtures: a tiny corpus with learnable entities and a tiny BERT built locally.

No test downloads anything: the model is a 2-layer BertConfig with a WordPiece vocabulary
trained by ``tokenizers`` on the corpus, saved with ``save_pretrained``, so training goes
through the same public code path as a real model folder.
"""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from nerstudio.core.training import TrainConfig

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PEOPLE = ["Anna Berg", "Omar Haddad", "Li Wei", "Maria Rossi", "John Smith", "Kofi Mensah"]
ORGS = ["Acme Corp", "Globex", "Initech", "Umbrella Group", "Stark Industries"]
PLACES = ["Paris", "Nairobi", "Osaka", "Lima", "Oslo", "Toronto"]
TEMPLATES = [
    "{PER} works for {ORG} in {LOC} .",
    "Yesterday {PER} flew to {LOC} to meet {ORG} .",
    "{ORG} opened an office in {LOC} last week .",
    "The report by {PER} praised {ORG} .",
    "In {LOC} , {PER} said the weather was fine .",
]


def make_sentences(count: int, seed: int = 0) -> list[tuple[list[str], list[str]]]:
    """Sentences as (words, IOB2 tags) from templates: entities a small model can learn."""
    rng = random.Random(seed)
    pools = {"PER": PEOPLE, "ORG": ORGS, "LOC": PLACES}
    out = []
    for _ in range(count):
        words, tags = [], []
        for part in rng.choice(TEMPLATES).split():
            if part.startswith("{"):
                label = part[1:4]
                name = rng.choice(pools[label]).split()
                words += name
                tags += [f"B-{label}"] + [f"I-{label}"] * (len(name) - 1)
            else:
                words.append(part)
                tags.append("O")
        out.append((words, tags))
    return out


def write_conll(path: Path, sentences) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for words, tags in sentences:
            fh.writelines(f"{w}\t{t}\n" for w, t in zip(words, tags))
            fh.write("\n")
    return path


def save_tiny_bert(folder: Path, vocab_size: int, max_position_embeddings: int = 128) -> None:
    """Save a 2-layer, hidden-32 BERT with seeded random weights into ``folder`` (which
    holds, or will hold, its tokenizer); fewer positions make a model with a short limit."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=max_position_embeddings,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(str(folder))


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer, hidden-32 BERT with a WordPiece vocab trained on the test corpus."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    corpus = [" ".join(words) for words, _ in make_sentences(400, seed=99)]
    corpus += ["Unseen words like Zanzibar and Quetzalcoatl get split into pieces ."]
    wordpiece = BertWordPieceTokenizer(lowercase=False)
    wordpiece.train_from_iterator(corpus, vocab_size=300, min_frequency=1)
    wordpiece.save_model(str(folder))
    tokenizer = BertTokenizerFast(vocab=str(folder / "vocab.txt"), do_lower_case=False)
    tokenizer.save_pretrained(str(folder))
    save_tiny_bert(folder, tokenizer.vocab_size)
    return folder


def tiny_train_config(model: Path | str, name: str, **overrides: object) -> TrainConfig:
    """The TrainConfig that teaches the tiny model in a few epochs (it is not pretrained:
    embeddings learn too, at a high rate); ``overrides`` change any option."""
    from nerstudio.core.training import TrainConfig

    options = {
        "base_model": str(model),
        "epochs": 3,
        "batch_size": 8,
        "learning_rate": 0.02,
        "train_word_embeddings": True,
        "name": name,
    }
    return TrainConfig(**{**options, **overrides})


def train_tiny(project: Path, model: Path, name: str) -> str:
    """Train the tiny model for 3 epochs; returns the run folder."""
    from nerstudio.core.training import train

    return list(train(project, tiny_train_config(model, name)))[-1].path  # TrainingDone is last


def build_project(folder: Path) -> Path:
    """A project with 160 done training sentences and 40 dev sentences, in ``folder``."""
    from nerstudio.core.store import Project
    from nerstudio.core.transfer import import_files

    path = folder / "corpus.db"
    with Project.create(path, ["PER", "ORG", "LOC"]) as project:
        import_files(
            project, [write_conll(folder / "train.conll", make_sentences(160, 1))], split="train"
        )
        import_files(
            project, [write_conll(folder / "dev.conll", make_sentences(40, 2))], split="dev"
        )
    return path


@pytest.fixture
def trained_project(tmp_path) -> Path:
    """A project with 160 done training sentences and 40 dev sentences."""
    return build_project(tmp_path)


def _corrupt_documents_page(path: Path) -> None:
    """Random bytes over the documents table's root page, as a failing disk would leave."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'documents'")
        root = root.fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    rng = random.Random(7)
    offset = (root - 1) * page_size
    for i in range(offset + 8, offset + page_size):
        data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))


@pytest.fixture
def corrupt_page():
    """Damages a project file the way a failing disk would (see ``_corrupt_documents_page``)."""
    return _corrupt_documents_page
