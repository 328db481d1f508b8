"""Hugging Face datasets: ``tokens`` + ``ner_tags`` columns, in a ``save_to_disk`` folder or
a parquet file (read); a ``DatasetDict`` saved to disk, one split per document split (write).

``datasets`` is imported inside the functions: it takes about a second to load, and only
these two paths need it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats import ReadResult
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Scheme, spans_to_tags, tags_to_spans
from nerstudio.core.tokens import whitespace_tokens

# Hugging Face calls the dev split "validation"; nerstudio's training looks for "dev".
_SPLIT_NAMES = {"validation": "dev", "valid": "dev"}


def _load(path: Path) -> Any:
    import datasets

    datasets.disable_progress_bars()
    try:
        if path.is_dir():
            return datasets.load_from_disk(str(path))
        import pyarrow.parquet as pq

        return datasets.Dataset(pq.read_table(path))
    except (OSError, ValueError) as err:
        raise FormatError(
            path, f"not a Hugging Face dataset folder or parquet file: {err}"
        ) from None
    except Exception as err:  # pyarrow raises its own types for a corrupt file
        raise FormatError(path, f"cannot read as a dataset: {err}") from None


def _tag_names(path: Path, split: str, dataset: Any) -> list[str] | None:
    """ClassLabel names of ``ner_tags``, or None when the column holds tag strings."""
    missing = {"tokens", "ner_tags"} - set(dataset.column_names)
    if missing:
        raise FormatError(
            path,
            f"split {split!r} lacks column(s) {', '.join(sorted(missing))}"
            f" (it has: {', '.join(dataset.column_names)})",
        )
    inner = getattr(dataset.features["ner_tags"], "feature", None)
    names = getattr(inner, "names", None)
    if names:
        return list(names)
    if getattr(inner, "dtype", None) == "string":
        return None
    raise FormatError(
        path,
        "ner_tags holds integer ids without ClassLabel names; cast the column to "
        "Sequence(ClassLabel(names=[...])) before importing",
    )


def _words(tokens: Any) -> list[str]:
    """An example's tokens as words; a null, empty or blank token is refused by index."""
    if not isinstance(tokens, list):
        raise ValueError(f"'tokens' is {type(tokens).__name__}, not a list of words")
    words = []
    for i, word in enumerate(tokens):
        if word is None:
            raise ValueError(f"token {i + 1} is null; give it a word or drop the example")
        if not isinstance(word, str):
            word = str(word)
        if not word.strip():
            raise ValueError(f"token {i + 1} ({word!r}) has no visible character")
        words.append(word)
    return words


def _tags(raw: Any, names: list[str] | None) -> list[str]:
    """An example's ``ner_tags`` as tag strings; an id outside the ClassLabel is refused."""
    if not isinstance(raw, list):
        raise ValueError(f"'ner_tags' is {type(raw).__name__}, not a list of tags")
    if names is None:
        return raw
    tags = []
    for i, tag in enumerate(raw):
        if not (isinstance(tag, int) and not isinstance(tag, bool) and 0 <= tag < len(names)):
            raise ValueError(
                f"tag {i + 1} is {tag!r}, not a ClassLabel id 0..{len(names) - 1}"
                " (-1 marks an unlabeled token in some datasets: label it or drop the example)"
            )
        tags.append(names[tag])
    return tags


def read_hf(path: str | Path) -> ReadResult:
    """Every example of every split becomes a done document (tokens joined by spaces)."""
    path = Path(path)
    loaded = _load(path)
    splits = loaded.items() if hasattr(loaded, "keys") else [(None, loaded)]
    records: list[DocumentRecord] = []
    for split, dataset in splits:
        names = _tag_names(path, split or "train", dataset)
        where = f"split {split!r}, " if split else ""
        examples = iter(dataset)
        for index in itertools.count():
            try:
                example = next(examples, None)
            except (ValueError, OSError) as err:  # a string column that is not UTF-8...
                raise FormatError(
                    path, f"{where}cannot read this example: {err}", record=index
                ) from None
            if example is None:
                break
            try:
                words = _words(example["tokens"])
                tags = _tags(example["ner_tags"], names)
                text = " ".join(words)
                tokens = tuple(whitespace_tokens(text, words))
                spans = tuple(tags_to_spans(tags, tokens))
            except (TagError, ValueError) as err:
                raise FormatError(path, f"{where}{err}", record=index) from None
            records.append(
                DocumentRecord(
                    text=text,
                    tokens=tokens,
                    spans=spans,
                    status=Status.DONE,
                    split=_SPLIT_NAMES.get(split, split) if split else None,
                    source=f"{path.name}:{split + ':' if split else ''}{index}",
                )
            )
    if not records:
        raise FormatError(path, "no examples in this dataset (is it empty?)")
    return ReadResult(records)


def iob2_tag_names(labels: Sequence[str]) -> list[str]:
    """The ClassLabel names for ``ner_tags``: O, then B-/I- for each label in order."""
    return ["O"] + [f"{p}-{label}" for label in labels for p in ("B", "I")]


def write_hf(records: Iterable[DocumentRecord], out: str | Path, labels: Sequence[str]) -> int:
    """Save a DatasetDict (split ``train`` for documents without a split) into the empty
    folder ``out`` (the caller's ``safe_io.write_folder``); returns tokens written."""
    import datasets

    datasets.disable_progress_bars()
    out = Path(out)
    names = iob2_tag_names(labels)
    tag_id = {name: i for i, name in enumerate(names)}
    columns: dict[str, dict[str, list]] = {}
    written = 0
    for record in records:
        split = columns.setdefault(
            record.split or "train", {"id": [], "tokens": [], "ner_tags": []}
        )
        split["id"].append(record.id)
        split["tokens"].append([record.text[s:e] for s, e in record.tokens])
        tags = spans_to_tags(record.spans, record.tokens, Scheme.IOB2)
        split["ner_tags"].append([tag_id[t] for t in tags])
        written += len(record.tokens)
    features = datasets.Features(
        {
            "id": datasets.Value("int64"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.ClassLabel(names=names)),
        }
    )
    dataset = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_dict(cols, features=features)
            for name, cols in columns.items()
        }
    )
    dataset.save_to_disk(str(out))
    return written
