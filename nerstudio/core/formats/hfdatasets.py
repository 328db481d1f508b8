"""Hugging Face datasets: a words and a tags column (``tokens`` + ``ner_tags`` unless named
or found under another common name), in a ``save_to_disk`` folder or a parquet file (read);
a ``DatasetDict`` saved to disk, one split per document split (write).

Tags are strings, or integer ids named by a ClassLabel or by ``tag_names``.

``datasets`` is imported inside the functions: it takes about a second to load, and only
these two paths need it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.unread import names_tags, unread_columns_note
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Scheme, parse_tag, spans_to_tags, tags_to_spans
from nerstudio.core.tokens import whitespace_tokens

# Hugging Face calls the dev split "validation"; nerstudio's training looks for "dev".
_SPLIT_NAMES = {"validation": "dev", "valid": "dev"}
# Column names looked for when none is given; a dataset must have exactly one of each.
_TOKENS_COLUMNS = ("tokens", "words")
_TAGS_COLUMNS = ("ner_tags", "ner", "tags", "labels")


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


def _column(
    columns: Sequence[str], given: str | None, candidates: tuple[str, ...], what: str, option: str
) -> str:
    """The column named by ``option``, or the one of ``candidates`` the dataset has;
    ``ValueError`` saying what is missing or ambiguous."""
    if given is not None:
        if given not in columns:
            raise ValueError(f"no column {given!r} ({option})")
        return given
    found = [name for name in candidates if name in columns]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValueError(f"no {what} column ({' or '.join(candidates)}); name yours with {option}")
    raise ValueError(
        f"{len(found)} possible {what} columns ({', '.join(found)}); pick one with {option}"
    )


def _columns(
    path: Path, where: str, columns: Sequence[str], tokens: str | None, tags: str | None
) -> tuple[str, str]:
    """(words column, tags column) of one split; one error naming all that is wrong."""
    picked: list[str] = []
    problems: list[str] = []
    for given, candidates, what, option in (
        (tokens, _TOKENS_COLUMNS, "words", "--tokens-column"),
        (tags, _TAGS_COLUMNS, "tags", "--tags-column"),
    ):
        try:
            picked.append(_column(columns, given, candidates, what, option))
        except ValueError as err:
            problems.append(str(err))
    if problems:
        raise FormatError(path, f"{where}{'; '.join(problems)} (it has: {', '.join(columns)})")
    return picked[0], picked[1]


def _tag_names(
    path: Path, where: str, dataset: Any, column: str, given: Sequence[str] | None
) -> tuple[list[str] | None, str]:
    """(names of the integer tag ids, or None for tag strings; where the names came from)."""
    feature = dataset.features[column]
    inner = getattr(feature, "feature", None)
    names = getattr(inner, "names", None)
    dtype = str(getattr(inner, "dtype", ""))
    if dtype in ("string", "large_string"):
        return None, "tag strings"
    if isinstance(given, str):  # "O,B-PER,I-PER" as typed
        given = [name.strip() for name in given.split(",") if name.strip()]
    if given:
        for name in given:
            try:
                parse_tag(name)
            except TagError as err:
                raise FormatError(path, f"--tag-names: {err.reason}") from None
        return list(given), "names from --tag-names"
    if names:
        return list(names), "ClassLabel names"
    if dtype.startswith(("int", "uint")):
        raise FormatError(
            path,
            f"{where}{column!r} holds integer ids without ClassLabel names; give the names in"
            " id order with --tag-names (e.g. O,B-PER,I-PER), or cast the column to"
            " Sequence(ClassLabel(names=[...]))",
        )
    raise FormatError(
        path, f"{where}{column!r} is {feature}, not a list of tag strings or integer tag ids"
    )


def _unread_tag_columns(dataset: Any, columns: Sequence[str], read: Sequence[str]) -> list[str]:
    """Columns besides those read that hold token labels: named like tags, or a sequence
    of ClassLabel (CoNLL-2003's ``pos_tags`` and ``chunk_tags``)."""
    found = []
    for name in columns:
        inner = getattr((dataset.features or {}).get(name), "feature", None)
        if name not in read and (names_tags(name) or getattr(inner, "names", None)):
            found.append(name)
    return found


def _words(tokens: Any, column: str = "tokens") -> list[str]:
    """An example's tokens as words; a null, empty or blank token is refused by index."""
    if not isinstance(tokens, list):
        raise ValueError(f"{column!r} is {type(tokens).__name__}, not a list of words")
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


def _tags(raw: Any, names: list[str] | None, column: str = "ner_tags", kind: str = "") -> list[str]:
    """An example's tags as tag strings; an id outside the names is refused."""
    if not isinstance(raw, list):
        raise ValueError(f"{column!r} is {type(raw).__name__}, not a list of tags")
    if names is None:
        return raw
    what = "a ClassLabel id" if kind.startswith("ClassLabel") else "a --tag-names id"
    tags = []
    for i, tag in enumerate(raw):
        if not (isinstance(tag, int) and not isinstance(tag, bool) and 0 <= tag < len(names)):
            raise ValueError(
                f"tag {i + 1} is {tag!r}, not {what} 0..{len(names) - 1}"
                " (-1 marks an unlabeled token in some datasets: label it or drop the example)"
            )
        tags.append(names[tag])
    return tags


def read_hf(
    path: str | Path,
    tokens_column: str | None = None,
    tags_column: str | None = None,
    tag_names: Sequence[str] | None = None,
) -> ReadResult:
    """Every example of every split becomes a done document (tokens joined by spaces).

    The words and tags columns are the ones named, or else the dataset's one column called
    ``tokens``/``words`` and its one called ``ner_tags``/``ner``/``tags``/``labels``. Integer
    tags take their names from a ClassLabel or ``tag_names``. A record's ``split`` is the
    split's name with ``validation`` read as ``dev``; ``meta["split"]`` keeps the name as
    the dataset spells it, so ``write_hf(keep_split_names=True)`` can give it back.
    """
    path = Path(path)
    loaded = _load(path)
    splits = loaded.items() if hasattr(loaded, "keys") else [(None, loaded)]
    records: list[DocumentRecord] = []
    notes: list[str] = []
    for split, dataset in splits:
        where = f"split {split!r}, " if split else ""
        columns = list(dataset.column_names)
        words_at, tags_at = _columns(path, where, columns, tokens_column, tags_column)
        names, kind = _tag_names(path, where, dataset, tags_at, tag_names)
        note = f"{path.name}: words from {words_at!r}, tags from {tags_at!r} ({kind})"
        if (words_at, tags_at, kind) != ("tokens", "ner_tags", "ClassLabel names") and (
            note not in notes
        ):
            notes.append(note)
        unread = unread_columns_note(
            path.name, _unread_tag_columns(dataset, columns, (words_at, tags_at)), "--tags-column"
        )
        if unread is not None and unread not in notes:
            notes.append(unread)
        records += _split_records(path, split, dataset, (words_at, tags_at), names, kind)
    if not records:
        raise FormatError(path, "no examples in this dataset (is it empty?)")
    return ReadResult(records, notes)


def _split_records(
    path: Path,
    split: str | None,
    dataset: Any,
    columns: tuple[str, str],
    names: Sequence[str] | None,
    kind: str,
) -> Iterator[DocumentRecord]:
    """Each example of one split as a done document, read from the words and tags columns."""
    where = f"split {split!r}, " if split else ""
    words_at, tags_at = columns
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
            words = _words(example[words_at], words_at)
            tags = _tags(example[tags_at], names, tags_at, kind)
            text = " ".join(words)
            tokens = tuple(whitespace_tokens(text, words))
            spans = tuple(tags_to_spans(tags, tokens))
        except (TagError, ValueError) as err:
            raise FormatError(path, f"{where}{err}", record=index) from None
        yield DocumentRecord(
            text=text,
            tokens=tokens,
            spans=spans,
            status=Status.DONE,
            split=_SPLIT_NAMES.get(split, split) if split else None,
            source=f"{path.name}:{split + ':' if split else ''}{index}",
            meta={"split": split} if split else {},
        )


def split_name(record: DocumentRecord, keep_split_names: bool = False) -> str:
    """The split a record is written to: its own (``train`` without one), or with
    ``keep_split_names`` the name it was read under (``validation``) while its split is
    still the one that name was read as (a record moved to another split goes there)."""
    split = record.split or "train"
    original = record.meta.get("split") if keep_split_names else None
    if isinstance(original, str) and original and _SPLIT_NAMES.get(original, original) == split:
        return original
    return split


def iob2_tag_names(labels: Sequence[str]) -> list[str]:
    """The ClassLabel names for ``ner_tags``: O, then B-/I- for each label in order."""
    return ["O"] + [f"{p}-{label}" for label in labels for p in ("B", "I")]


def write_hf(
    records: Iterable[DocumentRecord],
    out: str | Path,
    labels: Sequence[str],
    keep_split_names: bool = False,
) -> int:
    """Save a DatasetDict (split ``train`` for documents without a split) into the empty
    folder ``out`` (the caller's ``safe_io.write_folder``); returns tokens written.

    With ``keep_split_names`` a record read from a dataset goes back to the split name it
    had there (``validation`` rather than ``dev``; see ``split_name``)."""
    import datasets

    datasets.disable_progress_bars()
    out = Path(out)
    names = iob2_tag_names(labels)
    tag_id = {name: i for i, name in enumerate(names)}
    columns: dict[str, dict[str, list]] = {}
    written = 0
    for record in records:
        split = columns.setdefault(
            split_name(record, keep_split_names), {"id": [], "tokens": [], "ner_tags": []}
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
