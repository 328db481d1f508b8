"""What every JSON shape reader shares: a record's place in the file, its text, spans and
tokens, checked the same way whatever tool wrote them.

``jsonl.read_jsonl`` finds each record's shape and hands it to that shape's reader (doccano in
``jsonl``, ``prodigy``, ``labelstudio``, ``hf_json``); each reader fills a ``Reading``. A
``ValueError`` raised inside ``located`` becomes a ``FormatError`` naming the line or record.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.standoff import surface_mismatch, tag_prefix_problem
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span, offsets_problem, shown_label
from nerstudio.core.tokens import (
    Token,
    cluster_interiors,
    describe_characters,
    find_cluster_cut,
    split_tokens_at,
    tokenize,
)


@dataclass(frozen=True)
class JsonOptions:
    """Field names the user gave: doccano's text and label fields, run_ner's columns."""

    text_key: str | None = None
    label_key: str | None = None
    tokens_column: str | None = None
    tags_column: str | None = None
    tag_names: tuple[str, ...] | None = None


class Item(NamedTuple):
    """One JSON value of the file and where it stands (``line`` 3, or ``record`` 2)."""

    kind: str
    number: int
    obj: Any

    @property
    def where(self) -> dict[str, int]:
        return {self.kind: self.number}

    @property
    def place(self) -> str:
        return f"{self.kind} {self.number}"


@dataclass
class Reading:
    """What the shape readers gather from one file, turned into a ``ReadResult`` at the end.

    Each record is added with its place in the file, so that records of several shapes (each
    read by its own reader) come out in the file's order.
    """

    path: Path
    records: list[DocumentRecord] = field(default_factory=list)
    places: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    suggestions: list[tuple[int, str, list[dict]]] = field(default_factory=list)
    split_tokens: int = 0

    def source(self, item: Item) -> str:
        return f"{self.path.name}:{item.number}"

    def add(self, record: DocumentRecord, place: int) -> int:
        """Keep a record read from ``place`` (a line or record number); returns the index
        that ``suggestions`` point at until ``result`` puts the records in file order."""
        self.records.append(record)
        self.places.append(place)
        return len(self.records) - 1

    def result(self) -> ReadResult:
        order = sorted(range(len(self.records)), key=self.places.__getitem__)
        moved = {old: new for new, old in enumerate(order)}
        notes = list(self.notes)
        if self.split_tokens:
            notes.append(
                f"{self.path.name}: {self.split_tokens} tokens split so that spans fit them"
            )
        return ReadResult(
            [self.records[i] for i in order],
            notes,
            skipped={kind: n for kind, n in self.skipped.items() if n},
            suggestions=[(moved[i], run, spans) for i, run, spans in self.suggestions],
        )


@contextmanager
def located(path: Path, item: Item) -> Iterator[None]:
    """Turn a record's ``ValueError`` (or ``TagError``) into a ``FormatError`` at its place."""
    try:
        yield
    except (ValueError, TagError) as err:
        raise FormatError(path, str(err), **item.where) from None


def shown(value: Any, limit: int = 40) -> str:
    """``repr`` cut to a length that fits in a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def keys_of(obj: dict[str, Any], limit: int = 6) -> str:
    names = [shown(key, 20) for key in itertools.islice(obj, limit)]
    return ", ".join(names) + (", …" if len(obj) > limit else "") if names else "no fields"


def text_of(obj: dict[str, Any], text_key: str | None = None) -> str:
    """The record's text: ``text_key`` (top level or in Label Studio's ``data``), else
    ``text``, Label Studio's ``data.text`` or its one string, or doccano's ``data``."""
    data = obj.get("data")
    if text_key is not None:
        value = obj.get(text_key)
        if value is None and isinstance(data, dict):
            value = data.get(text_key)
        if isinstance(value, str):
            return value
        if value is None:
            raise ValueError(f"no {text_key!r} field (named by --text-key); it has {keys_of(obj)}")
        raise ValueError(f"{text_key!r} is {shown(value)}, not a string")
    if isinstance(obj.get("text"), str):
        return obj["text"]
    if isinstance(data, str) and "text" not in obj:
        return data  # doccano 1.x wrote its text as "data"
    if isinstance(data, dict):
        if isinstance(data.get("text"), str):
            return data["text"]
        found = next((v for v in data.values() if isinstance(v, str)), None)
        if found is not None:
            return found
    if "text" in obj:
        raise ValueError(f"'text' is {shown(obj['text'])}, not a string")
    raise ValueError("no 'text' (or Label Studio 'data.text') string")


class RawSpan(NamedTuple):
    """A span as a record gives it, unchecked; ``surface`` is its own copy of its text (Label
    Studio's ``value.text``, a Prodigy span's ``text``) when it has one."""

    start: Any
    end: Any
    label: Any
    surface: Any = None


def list_field(obj: dict[str, Any], key: str, expected: str) -> list[Any] | None:
    """The list under ``key``; None when it is absent or null; a ``ValueError`` naming the
    field and ``expected`` (what the list holds) when it is another type, so that a record
    is never read as if it had no annotations."""
    value = obj.get(key)
    if value is None or isinstance(value, list):
        return value
    raise ValueError(f"{key!r} is {shown(value)}, not a list of {expected}")


def doccano_triple(key: str, index: int, item: Any) -> RawSpan:
    if not (isinstance(item, list) and len(item) == 3):
        raise ValueError(f"{key}[{index}] is {shown(item)}, not a span [start, end, label]")
    return RawSpan(item[0], item[1], item[2])


def object_triple(where: str, item: Any, start: str, end: str) -> RawSpan:
    if not isinstance(item, dict):
        raise ValueError(f"{where} is {shown(item)}, not an object {{{start}, {end}, label}}")
    return RawSpan(
        item.get(start, item.get("start")),
        item.get(end, item.get("end")),
        item.get("label"),
        item.get("text"),
    )


def check_span(
    start: Any, end: Any, label: Any, text: str, inside: set[int], surface: Any = None
) -> Span:
    """One span as a ``Span``, or a ``ValueError`` saying what is wrong with it."""
    name = f"span {shown(start)}-{shown(end)}"
    problem = offsets_problem(start, end, len(text))
    if problem:
        label_shown = shown_label(label) if isinstance(label, str) else shown(label)
        raise ValueError(f"{name} ({label_shown}) {problem}")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{name} has no label (got {shown(label)}, not a label name)")
    label = label.strip()  # the name the project stores it under
    name += f" ({shown_label(label)})"
    problem = tag_prefix_problem(label)
    if problem is not None:
        raise ValueError(f"{name}: {problem}")
    if surface is not None:
        if not isinstance(surface, str):
            raise ValueError(f"{name}: its text is {shown(surface)}, not a string")
        problem = surface_mismatch(surface, text[start:end], "the record's text")
        if problem is not None:
            raise ValueError(f"{name} {problem}")
    if text[start].isspace() or text[end - 1].isspace():
        raise ValueError(
            f"{name} starts or ends in whitespace"
            f" ({shown(text[start:end])}); trim it to the entity's words"
        )
    cut = find_cluster_cut(text, [start, end]) if {start, end} & inside else None
    if cut is not None:
        edge = "start" if cut.offset == start else "end"
        raise ValueError(
            f"{name} cuts the character"
            f" {describe_characters(text[cut.start : cut.end])}: move its {edge} to"
            f" {cut.start} or {cut.end}"
        )
    return Span(start, end, label)


def check_spans(raw: Iterable[RawSpan], text: str) -> list[Span]:
    """The spans sorted, each checked, exact repeats once; overlapping ones are kept."""
    inside = cluster_interiors(text)
    return sorted({check_span(*span[:3], text, inside, span.surface) for span in raw})


def tokens_of(tokens: Any, text: str) -> list[Token]:
    """Given tokens (``{start, end}`` objects or ``[start, end]`` pairs), whitespace ones
    left out; our own tokenization when none are given."""
    if tokens is None:
        return tokenize(text)
    if not isinstance(tokens, list):
        raise ValueError(f"'tokens' is {shown(tokens)}, not a list of {{start, end}} tokens")
    result = []
    for i, tok in enumerate(tokens):
        if isinstance(tok, dict):
            start, end = tok.get("start"), tok.get("end")
        elif isinstance(tok, list) and len(tok) >= 2:
            start, end = tok[0], tok[1]
        else:
            raise ValueError(
                f"tokens[{i}] is {shown(tok)}, neither {{start, end}} nor [start, end]"
            )
        problem = offsets_problem(start, end, len(text))
        if problem:
            raise ValueError(f"token {shown(start)}-{shown(end)} (tokens[{i}]) {problem}")
        if text[start:end].strip():
            result.append((start, end))
    result.sort()
    for a, b in itertools.pairwise(result):
        if b[0] < a[1]:
            raise ValueError(f"tokens {a[0]}-{a[1]} and {b[0]}-{b[1]} overlap")
    cut = find_cluster_cut(text, [p for tok in result for p in tok])
    if cut is not None:
        raise ValueError(
            f"a token edge at {cut.offset} cuts the character"
            f" {describe_characters(text[cut.start : cut.end])}; tokens must keep it whole"
        )
    return result


def fit_tokens(
    reading: Reading, text: str, tokens: Sequence[Token], spans: Iterable[Span]
) -> tuple[Token, ...]:
    """Tokens split so that every span (overlapping ones too) starts and ends on a boundary."""
    fitted = split_tokens_at(text, tokens, [p for s in spans for p in (s.start, s.end)])
    reading.split_tokens += len(fitted) - len(tokens)
    return tuple(fitted)


def status_given(obj: dict[str, Any]) -> Status | None:
    """A ``status`` field naming one of ours (nerstudio's own files write it)."""
    value = obj.get("status")
    return Status(value) if isinstance(value, str) and value in {s.value for s in Status} else None


def meta_of(obj: dict[str, Any]) -> dict[str, Any]:
    return dict(obj["meta"]) if isinstance(obj.get("meta"), dict) else {}


def is_region_list(value: Any) -> bool:
    """JSON-MIN's regions: ``[{start, end, text, labels}, ...]`` (any item that is not such
    an object is the reader's error, not a reason to take the list for another field)."""
    return isinstance(value, list) and any(isinstance(v, dict) and "labels" in v for v in value)
