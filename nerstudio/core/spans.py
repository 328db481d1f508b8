"""Entity spans and the tag sequences (IOB2, IOB1, BIOES, BILOU) they become for CoNLL and
training.

A span is stored as character offsets on token boundaries; tags are derived from spans
only when a format or the model needs them. Decoding follows conlleval: an ``I-X`` that
follows ``O`` or another type starts a new entity, so any sequence decodes; strict
validation is a separate step that names the first offending tag.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from nerstudio.core.errors import SpanError, TagError
from nerstudio.core.tokens import Token


class Scheme(str, Enum):
    """Tagging schemes nerstudio reads and writes."""

    IOB2 = "iob2"
    IOB1 = "iob1"
    BIOES = "bioes"
    BILOU = "bilou"  # BIOES spelled with L(ast) for E and U(nit) for S


@dataclass(frozen=True, order=True)
class Span:
    """An entity: ``text[start:end]`` has ``label``; offsets in code points, end exclusive.

    The one span value type: stored gold spans (``store.spans.StoredSpan``) and a model's
    scored spans (``ScoredSpan``) extend it, so overlap and containment are written once.
    """

    start: int
    end: int
    label: str

    def overlaps(self, other: Span) -> bool:
        """Whether the two share at least one character (half-open ``[start, end)``)."""
        return self.start < other.end and other.start < self.end

    def covers(self, other: Span) -> bool:
        """Whether ``other`` lies wholly inside this span (equal offsets included)."""
        return self.start <= other.start and other.end <= self.end

    def contains(self, offset: int) -> bool:
        """Whether the character at ``offset`` belongs to this span."""
        return self.start <= offset < self.end

    @property
    def span(self) -> Span:
        """Only offsets and label, without what a subclass adds (a row id, a score): what
        compares equal to plain spans, in sets and in a ``DocumentRecord``."""
        return Span(self.start, self.end, self.label)


@dataclass(frozen=True, order=True)
class ScoredSpan(Span):
    """A model's span with its confidence (the mean probability of its words' tags)."""

    score: float

    def to_json(self) -> dict[str, Any]:
        """The object a prediction stores and prints: ``{start, end, label, score}``."""
        return {"start": self.start, "end": self.end, "label": self.label, "score": self.score}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScoredSpan:
        """Read back what ``to_json`` wrote (a stored prediction's span)."""
        return cls(int(data["start"]), int(data["end"]), str(data["label"]), float(data["score"]))


@dataclass(frozen=True)
class Entity:
    """An entity over token indices: tokens ``first .. last`` inclusive have ``label``."""

    first: int
    last: int
    label: str


def shown_label(label: str) -> str:
    """A label as a one-line message shows it: as it is, or as a quoted escape when it holds
    a line break, another control character or a no-break space."""
    return label if label.isprintable() else repr(label)


# BILOU spells End and Single as L and U; read them as BIOES.
_PREFIX_ALIASES = {"L": "E", "U": "S"}
# The letters each scheme writes for (End, Single).
_END_SINGLE = {"bioes": ("E", "S"), "bilou": ("L", "U")}
_ENDED = {"BIOES", "BILOU"}


def iob2_tag_names(labels: Iterable[str]) -> list[str]:
    """A model's classes for these labels, in the order a classifier head stores them."""
    return ["O"] + [f"{prefix}-{label}" for label in labels for prefix in ("B", "I")]


def parse_tag(tag: str) -> tuple[str, str]:
    """Split a tag into (prefix, label): ``"B-PER"`` -> ``("B", "PER")``, ``"O"`` -> ``("O", "")``.

    Raises ``TagError`` for anything else (``"B-"``, ``"X-PER"``, ``"PER"``, ``None``).
    """
    if not isinstance(tag, str):
        raise TagError(f"tag {tag!r} is not a string (e.g. B-PER or O)")
    if tag == "O":
        return "O", ""
    prefix, sep, label = tag.partition("-")
    prefix = _PREFIX_ALIASES.get(prefix.upper(), prefix.upper())
    if not sep or prefix not in {"B", "I", "E", "S"}:
        raise TagError(f"tag {tag!r} is not O or B-/I-/E-/S- followed by a label (e.g. B-PER)")
    if not label.strip():
        raise TagError(f"tag {tag!r} has no label after {tag[:2]!r}")
    return prefix, label.strip()  # the name a label is stored under (``B-PER `` is PER)


def _letter(tag: str) -> str:
    """The prefix letter as written (``L`` of ``L-ORG``), before BILOU is read as BIOES."""
    return tag.partition("-")[0].upper()


def detect_scheme(sequences: Iterable[Sequence[str]]) -> Scheme:
    """Guess the scheme of tag sequences.

    E-/S- mean BIOES; L-/U- with no E-/S- mean BILOU. A B- that opens an entity after O or
    another type is something IOB1 never writes, so it means IOB2 (where a stray I- opener
    is an error to repair); an entity opened by I- with no such B- means IOB1.
    """
    opens_with_i = opens_with_b = bilou = False
    for tags in sequences:
        prev_prefix, prev_label = "O", ""
        for tag in tags:
            prefix, label = parse_tag(tag)
            if prefix in {"E", "S"}:
                if _letter(tag) in {"E", "S"}:
                    return Scheme.BIOES
                bilou = True
            after_other = prev_prefix == "O" or prev_label != label
            opens_with_i |= prefix == "I" and after_other
            opens_with_b |= prefix == "B" and after_other
            prev_prefix, prev_label = prefix, label
    if bilou:
        return Scheme.BILOU
    return Scheme.IOB1 if opens_with_i and not opens_with_b else Scheme.IOB2


def tags_to_entities(tags: Sequence[str]) -> list[Entity]:
    """Decode tags of any scheme into entities, repairing the conlleval way.

    ``B``/``S`` (``U``) always open an entity; ``I``/``E`` (``L``) continue the open entity
    of the same label or else open a new one; ``E``/``S`` close it; ``O`` closes it.
    """
    entities: list[Entity] = []
    open_first: int | None = None
    open_label = ""
    for i, tag in enumerate(tags):
        try:
            prefix, label = parse_tag(tag)
        except TagError as err:
            raise TagError(f"token {i + 1}: {err.reason}", index=i) from None
        continues = prefix in {"I", "E"} and open_first is not None and label == open_label
        if not continues and open_first is not None:
            entities.append(Entity(open_first, i - 1, open_label))
            open_first = None
        if prefix == "O":
            continue
        if not continues:
            open_first, open_label = i, label
        if prefix in {"E", "S"}:
            entities.append(Entity(open_first, i, open_label))  # type: ignore[arg-type]
            open_first = None
    if open_first is not None:
        entities.append(Entity(open_first, len(tags) - 1, open_label))
    return entities


def entities_to_tags(entities: Iterable[Entity], length: int, scheme: Scheme) -> list[str]:
    """Encode non-overlapping entities over ``length`` tokens as tags in ``scheme``."""
    tags = ["O"] * length
    previous: Entity | None = None
    for ent in sorted(entities, key=lambda e: e.first):
        if previous is not None and ent.first <= previous.last:
            raise SpanError(f"entities overlap: tokens {previous} and {ent}")
        n = ent.last - ent.first + 1
        if scheme.value in _END_SINGLE:
            end, single = _END_SINGLE[scheme.value]
            if n == 1:
                tags[ent.first] = f"{single}-{ent.label}"
            else:
                tags[ent.first] = f"B-{ent.label}"
                for i in range(ent.first + 1, ent.last):
                    tags[i] = f"I-{ent.label}"
                tags[ent.last] = f"{end}-{ent.label}"
        else:
            touching_same = (
                previous is not None
                and previous.last == ent.first - 1
                and previous.label == ent.label
            )
            begin = "B" if scheme is Scheme.IOB2 or touching_same else "I"
            tags[ent.first] = f"{begin}-{ent.label}"
            for i in range(ent.first + 1, ent.last + 1):
                tags[i] = f"I-{ent.label}"
        previous = ent
    return tags


def validate_tags(tags: Sequence[str], scheme: Scheme) -> None:
    """Raise ``TagError`` at the first tag that ``scheme`` does not allow where it stands.

    BIOES and BILOU have the same shape; each allows only its own letters for End and
    Single (a BILOU file with an ``E-`` tag is ill-formed, though it decodes the same).
    """
    name = scheme.value.upper()
    end, single = _END_SINGLE.get(scheme.value, ("E", "S"))
    prev_prefix, prev_label = "O", ""
    for i, tag in enumerate(tags):
        try:
            prefix, label = parse_tag(tag)
        except TagError as err:
            raise TagError(f"token {i + 1}: {err.reason}", index=i) from None
        letter = _letter(tag) if prefix in {"E", "S"} else prefix
        inside_same = prev_prefix in {"B", "I"} and prev_label == label
        problem = None
        if name not in _ENDED and prefix in {"E", "S"}:
            problem = f"{name} has no {letter}- tags"
        elif name in _ENDED and letter not in {"B", "I", "O", end, single}:
            problem = f"{name} writes {end}-/{single}-, not {letter}-"
        elif scheme is Scheme.IOB2 and prefix == "I" and not inside_same:
            problem = f"I-{label} follows {tags[i - 1] if i else 'the start'}; IOB2 opens with B-"
        elif scheme is Scheme.IOB1 and prefix == "B" and not inside_same:
            problem = f"B-{label} does not follow {label}; IOB1 uses B- only between two"
        elif name in _ENDED:
            if prefix in {"I", "E"} and not inside_same:
                where = tags[i - 1] if i else "the start"
                problem = f"{letter}-{label} follows {where}; {name} opens with B- or {single}-"
            elif prefix in {"B", "S", "O"} and prev_prefix in {"B", "I"}:
                problem = f"{tags[i - 1]} is not closed by {end}-{prev_label} before {tag}"
        if problem:
            raise TagError(f"token {i + 1}: {problem}", index=i)
        prev_prefix, prev_label = prefix, label
    if name in _ENDED and prev_prefix in {"B", "I"}:
        raise TagError(
            f"token {len(tags)}: {tags[-1]} ends the sequence without {end}-{prev_label}",
            index=len(tags) - 1,
        )


def spans_to_entities(spans: Iterable[Span], tokens: Sequence[Token]) -> list[Entity]:
    """Map character spans onto token indices; a span off token boundaries is an error."""
    first_at = {start: i for i, (start, _) in enumerate(tokens)}
    last_at = {end: i for i, (_, end) in enumerate(tokens)}
    entities = []
    for span in spans:
        first, last = first_at.get(span.start), last_at.get(span.end)
        if first is None or last is None or last < first:
            raise SpanError(
                f"span {span.start}-{span.end} ({shown_label(span.label)}) does not start and"
                " end on token boundaries"
            )
        entities.append(Entity(first, last, span.label))
    return entities


def entities_to_spans(entities: Iterable[Entity], tokens: Sequence[Token]) -> list[Span]:
    """Map token-index entities back to character spans."""
    return [Span(tokens[e.first][0], tokens[e.last][1], e.label) for e in entities]


def spans_to_tags(spans: Iterable[Span], tokens: Sequence[Token], scheme: Scheme) -> list[str]:
    """One tag per token for ``spans`` in ``scheme``."""
    return entities_to_tags(spans_to_entities(spans, tokens), len(tokens), scheme)


def tags_to_spans(tags: Sequence[str], tokens: Sequence[Token]) -> list[Span]:
    """Character spans from one tag per token (any scheme, repaired the conlleval way)."""
    if len(tags) != len(tokens):
        raise TagError(f"{len(tags)} tags for {len(tokens)} tokens")
    return entities_to_spans(tags_to_entities(tags), tokens)


def offsets_problem(start: object, end: object, text_length: int) -> str | None:
    """Why ``start``-``end`` cannot be a span of a text this long, or None if it can.

    Offsets must be ints (``true``/``false`` from JSON are not: bool is an int subclass).
    """
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        return "needs integer start and end offsets"
    if start > end:  # type: ignore[operator]
        return "starts after it ends; swap the two offsets"
    if start == end:
        return "is empty (start equals end); give it at least one character"
    if start < 0 or end > text_length:  # type: ignore[operator]
        return f"is outside the text (length {text_length})"
    return None


def check_spans(spans: Sequence[Span], tokens: Sequence[Token], text_length: int) -> list[Span]:
    """Return ``spans`` sorted; ``SpanError`` for one out of range, off tokens or overlapping."""
    starts = {s for s, _ in tokens}
    ends = {e for _, e in tokens}
    for span in spans:
        problem = offsets_problem(span.start, span.end, text_length)
        if problem:
            raise SpanError(f"span {span.start}-{span.end} ({shown_label(span.label)}) {problem}")
    ordered = sorted(spans, key=lambda s: (s.start, s.end, s.label))  # any Span subclass
    for i, span in enumerate(ordered):
        if span.start not in starts or span.end not in ends:
            raise SpanError(
                f"span {span.start}-{span.end} ({shown_label(span.label)}) does not start and"
                " end on token boundaries"
            )
        if i and ordered[i - 1].overlaps(span):
            other = ordered[i - 1]
            raise SpanError(
                f"span {span.start}-{span.end} ({shown_label(span.label)}) overlaps "
                f"{other.start}-{other.end} ({shown_label(other.label)})"
            )
    return ordered


class DisjointSpans:
    """Spans that never overlap, kept in text order, so the ones a new span overlaps are
    found by bisection: comparing each new span with every kept one made one document of
    14,000 spans take minutes to import (keep-longest, tag-all)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []  # in the same order: spans that never overlap end in order
        self._spans: list[Span] = []
        self._degenerate: list[Span] = []  # empty or reversed: refused later, compared one by one

    def first_overlapping(self, span: Span) -> Span | None:
        """The first kept span (in text order) that shares a character with ``span``."""
        found = [k for k in self._degenerate if span.overlaps(k)]
        if span.start >= span.end:
            found += [k for k in self._spans if span.overlaps(k)]
        else:
            before_end = bisect.bisect_left(self._starts, span.end)  # start before it ends
            first = bisect.bisect_right(self._ends, span.start)  # end after it starts
            found += self._spans[first : first + 1] if first < before_end else []
        return min(found, default=None)

    def add(self, span: Span) -> None:
        """Keep ``span``; the caller saw it overlaps none kept (``first_overlapping``)."""
        if span.start >= span.end:
            self._degenerate.append(span)
            return
        at = bisect.bisect_left(self._starts, span.start)
        self._starts.insert(at, span.start)
        self._ends.insert(at, span.end)
        self._spans.insert(at, span)

    def in_order(self) -> list[Span]:
        """Every kept span, sorted."""
        return sorted([*self._spans, *self._degenerate])
