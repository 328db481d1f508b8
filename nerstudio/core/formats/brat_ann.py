"""brat's ``.ann`` lines, parsed and checked: the ``T`` lines kept, every other kind counted.

Spec: https://brat.nlplab.org/standoff.html. Each line is ``ID<TAB>...``; a ``T`` line is
``T1<TAB>LABEL START END[;START END...]<TAB>TEXT``. An event's trigger (``E1<TAB>TYPE:T3``)
is remembered so that its ``T`` line is not read as an entity. A malformed line is a
``FormatError`` naming it, never skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.textfile import read_text

# brat's ids: a letter prefix (or ``#`` for notes) and a number; ``*`` for equivalences.
_ID = re.compile(r"(?:[A-Za-z]+|#[A-Za-z]*)[0-9]+.*")
_FRAGMENT = re.compile(r"\s*([0-9]+)\s+([0-9]+)\s*")
_NOT_COUNTED = {
    "R": "relation lines",
    "E": "event lines",
    "A": "attribute lines",
    "M": "attribute lines",
    "N": "normalization lines",
    "#": "note lines",
    "*": "equivalence lines",
}


@dataclass(frozen=True)
class Bound:
    """One ``T`` line: a text-bound annotation, with where it was written."""

    id: str
    label: str
    fragments: tuple[tuple[int, int], ...]
    text: str | None
    line: int

    @property
    def offsets(self) -> str:
        return ";".join(f"{start}-{end}" for start, end in self.fragments)

    def describe(self) -> str:
        return f"{self.id} {self.label} {self.offsets}"


@dataclass
class AnnFile:
    """What one ``.ann`` holds: its ``T`` lines, the ids events use as triggers, and how
    many lines of each kind nerstudio does not keep."""

    bounds: list[Bound] = field(default_factory=list)
    triggers: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)


def _parse_bound(path: Path, number: int, ident: str, rest: str) -> Bound:
    data, tab, text = rest.partition("\t")
    label, space, offsets = data.partition(" ")
    if not space or not label.strip() or not offsets.strip():
        raise FormatError(
            path,
            f"{ident}: expected 'LABEL START END' after the id, got {data!r}",
            line=number,
        )
    fragments = []
    for fragment in offsets.split(";"):
        found = _FRAGMENT.fullmatch(fragment)
        if not found:
            raise FormatError(
                path,
                f"{ident}: {fragment.strip()!r} is not 'START END' (two whole numbers);"
                " discontinuous spans separate their parts with ';'",
                line=number,
            )
        start, end = int(found.group(1)), int(found.group(2))
        if end < start:
            raise FormatError(
                path, f"{ident}: span {start}-{end} ends before it starts", line=number
            )
        fragments.append((start, end))
    return Bound(ident, label, tuple(fragments), text if tab else None, number)


def _split_id(path: Path, number: int, line: str, seen: dict[str, int]) -> tuple[str, str]:
    """(id, the rest of the line), the id checked for its form and for being used once."""
    ident, tab, rest = line.partition("\t")
    if not tab:
        raise FormatError(
            path,
            f"{line[:40]!r} has no tab after its id (brat lines are ID<TAB>...)",
            line=number,
        )
    if ident == "*":
        return ident, rest
    if not _ID.fullmatch(ident):
        raise FormatError(
            path,
            f"{ident!r} is not a brat id (T1, R1, E1, A1, M1, N1, #1 or *)",
            line=number,
        )
    if ident in seen:
        raise FormatError(
            path, f"the id {ident} is used already on line {seen[ident]}", line=number
        )
    seen[ident] = number
    return ident, rest


def _trigger(path: Path, number: int, ident: str, rest: str) -> str:
    """The id of the ``T`` line an ``E`` line's ``TYPE:TRIGGER`` names."""
    event_type, colon, trigger = rest.split("\t", 1)[0].split(" ", 1)[0].partition(":")
    if not colon or not trigger:
        raise FormatError(
            path, f"{ident}: an event starts TYPE:TRIGGER, got {event_type!r}", line=number
        )
    return trigger


def parse_ann(path: Path) -> AnnFile:
    """Every line of the ``.ann`` at ``path``; the first malformed one is an error."""
    ann = AnnFile()
    seen: dict[str, int] = {}
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        ident, rest = _split_id(path, number, line, seen)
        kind = ident[0]
        if kind == "T":
            ann.bounds.append(_parse_bound(path, number, ident, rest))
            continue
        if kind not in _NOT_COUNTED:
            raise FormatError(
                path,
                f"{ident}: unknown kind of line {kind!r} (brat has T, R, E, A, M, N, # and *)",
                line=number,
            )
        if kind == "E":
            ann.triggers.add(_trigger(path, number, ident, rest))
        ann.counts[_NOT_COUNTED[kind]] += 1
    return ann
