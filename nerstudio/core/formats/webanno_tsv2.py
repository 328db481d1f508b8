"""WebAnno TSV 2 (WebAnno 2.x): one document per file, one row per token, BIO cells per feature.

No published spec beyond the user guide's example; this follows ``WebannoTsv2Reader`` in
webanno/webanno (``webanno-io-tsv``). A file starts with one header line naming its layers,
`` # de...NamedEntity | value # de...POS | PosValue # de...Dependency | DependencyType |
AttachTo=de...POS``: each layer's features are a column each, and ``AttachTo=`` adds the
column of a relation's targets. Sentences come as ``#id=N`` and ``#text=...`` lines, then
token rows ``N-M<TAB>token<TAB>cells...``, then a blank line. As WebAnno reads it, the text is
the tokens joined by spaces, sentences by line feeds (``#text=`` is not used).

A cell holds one annotation per stack position, joined by ``|``: ``B-ORGpart|B-ORG`` starts
two; ``I-ORGpart`` on the next row continues the first and ends the second. A value without
a prefix is a one-token annotation; ``O`` and ``_`` are none; ``B-_`` (or a value naming the
layer itself) is an annotation without a value, counted in ``skipped``. Stacked and
overlapping entities keep the longest of each group, each dropped one listed. Entities are
the ``value`` feature of NamedEntity, or of the layer named by ``layer``; every other layer
and feature is named in a note. Every document is done.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.standoff import keep_longest_into
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.formats.webanno_tsv import NAMED_ENTITY, short_name
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import Token

__all__ = ["looks_like_webanno_tsv2", "read_webanno_tsv2"]

# A header names dotted (Java) type names, each followed by its features after "|".
_HEADER = re.compile(r"#\s*[A-Za-z_$][\w$]*(?:\.[\w$]+)+\s*(?:\||#|$)")
_ROW_ID = re.compile(r"\d+-\d+")
_ATTACH = "AttachTo="


def looks_like_webanno_tsv2(lines: list[str]) -> bool:
    """Lines (blank ones left out) of a TSV 2 file: its layer header, or, for a file without
    layers, ``#id=`` and ``#text=`` lines before ``N-M<TAB>token`` rows."""
    if not lines:
        return False
    first = lines[0].strip()
    if _HEADER.match(first) and not first.startswith("#FORMAT="):
        return True
    rows = [line for line in lines[:50] if not line.startswith("#")]
    return (
        first.startswith("#id=")
        and any(line.startswith("#text=") for line in lines[:3])
        and bool(rows)
        and _ROW_ID.fullmatch(rows[0].split("\t")[0]) is not None
    )


@dataclass(frozen=True)
class _Column:
    """One annotation column: a feature of a layer, or a relation layer's targets."""

    layer: str
    feature: str  # "AttachTo=..." for the targets of a relation


@dataclass
class _Open:
    """An entity whose rows are still being read."""

    line: int
    label: str | None
    start: int
    end: int


def _header(lines: list[str]) -> tuple[list[_Column], int]:
    """The columns the header declares and the index of the first line after it."""
    if not lines or not _HEADER.match(lines[0].strip()):
        return [], 0
    columns = []
    for part in lines[0].strip().split("#"):
        names = [name.strip() for name in part.split("|") if name.strip()]
        if names:
            columns += [_Column(names[0], feature) for feature in names[1:]]
    return columns, 1


def _choose(path: Path, columns: list[_Column], layer: str | None) -> int | None:
    """The column holding the entity labels, or None when the file lacks the layer."""
    wanted = layer or NAMED_ENTITY
    layers = [c.layer for c in columns]
    matches = list(dict.fromkeys(n for n in layers if wanted in (n, short_name(n))))
    if len(matches) > 1:
        raise FormatError(
            path,
            f"more than one layer is called {wanted!r} ({', '.join(matches)}); name one in full",
        )
    if not matches:
        return None
    indexes = [i for i, c in enumerate(columns) if c.layer == matches[0]]
    if any(columns[i].feature.startswith(_ATTACH) for i in indexes):
        raise FormatError(
            path,
            f"layer {short_name(matches[0])} is a relation layer (it has {_ATTACH}), not"
            " entities; pass --layer with a span layer",
        )
    features = [columns[i].feature for i in indexes]
    if "value" in features:
        return indexes[features.index("value")]
    if len(indexes) == 1:
        return indexes[0]
    raise FormatError(
        path,
        f"layer {short_name(matches[0])} has the features {', '.join(features)} and none is"
        " called 'value'; the reader cannot tell which holds the entity labels",
    )


class _Cells:
    """Turns one column's cells, row by row, into entities (character offsets)."""

    def __init__(self, layer: str, index: int) -> None:
        self.layer = layer
        self.index = index  # of the column among the annotation columns
        self.open: dict[int, _Open] = {}
        self.done: list[_Open] = []
        self.skipped: Counter[str] = Counter()

    def _label(self, value: str) -> str | None:
        return None if value in ("_", "") or value.startswith(self.layer) else value

    def row(self, line: int, cell: str, start: int, end: int) -> None:
        """Read one token's cell: continue, start or close the entity at each stack place."""
        opened: dict[int, _Open] = {}
        for place, value in enumerate(cell.split("|")):
            if value in ("O", "_", "") or value.startswith("O-"):  # O-_: an empty place
                continue
            prefix, rest = value[:2], value[2:]
            if prefix in ("B-", "I-"):
                label, current = self._label(rest), self.open.get(place)
                if prefix == "I-" and current is not None and current.label == label:
                    current.end = end
                    opened[place] = current
                    continue
                entity = opened[place] = _Open(line, label, start, end)
            else:
                entity = _Open(line, self._label(value), start, end)
            if entity.label is None:
                self.skipped["entities without a value"] += 1
            else:
                self.done.append(entity)
        self.open = opened

    def end_sentence(self) -> None:
        self.open = {}


def _tokens_and_cells(
    path: Path, lines: list[str], start: int, columns: list[_Column], cells: _Cells | None
) -> tuple[str, list[Token]]:
    """The text (tokens joined by spaces, sentences by line feeds) and its tokens."""
    sentences: list[str] = []
    words: list[str] = []
    tokens: list[Token] = []
    offset = 0
    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line and words:
                sentences.append(" ".join(words))
                offset += 1  # the line feed
                words = []
                if cells is not None:
                    cells.end_sentence()
            continue
        fields = line.split("\t")
        if not _ROW_ID.fullmatch(fields[0]) or len(fields) != 2 + len(columns):
            raise FormatError(
                path,
                f"expected a token row of {2 + len(columns)} tab-separated columns (N-M, the"
                f" token and {len(columns)} the header declares), got {line[:40]!r}",
                line=number,
            )
        if words:
            offset += 1  # the space
        word = fields[1]
        tokens.append((offset, offset + len(word)))
        if cells is not None:
            cells.row(number, fields[2 + cells.index], offset, offset + len(word))
        words.append(word)
        offset += len(word)
    if words:
        sentences.append(" ".join(words))
    if not tokens:
        raise FormatError(path, "no token rows (N-M<TAB>token) in this WebAnno TSV 2 file")
    return "\n".join(sentences), tokens


def _note(path: Path, columns: list[_Column], chosen: int | None, wanted: str) -> str:
    """Which column the entities came from, and every other one left out, with the option."""
    relations = {c.layer for c in columns if c.feature.startswith(_ATTACH)}
    others = [
        f"{short_name(c.layer)}.{c.feature}" + (" (relations)" if c.layer in relations else "")
        for i, c in enumerate(columns)
        if i != chosen and not c.feature.startswith(_ATTACH)
    ]
    tail = (
        f"; ignored the columns {', '.join(others)} (use --layer to read another span layer)"
        if others
        else ""
    )
    if chosen is None:
        return f"{path.name}: no {short_name(wanted)} layer, so no entities{tail}"
    column = columns[chosen]
    return f"{path.name}: entities from {short_name(column.layer)}.{column.feature}{tail}"


def _spans(path: Path, found: list[_Open], text: str, result: ReadResult) -> list[Span]:
    """The entities as spans that do not overlap; repeats and overlaps go into ``result``."""
    origin: dict[Span, _Open] = {}
    for entity in found:
        assert entity.label is not None  # entities without a value were only counted
        span = Span(entity.start, entity.end, entity.label)
        if span in origin:
            result.dropped.append(
                f"{path.name}:{entity.line}: {span.label} {span.start}-{span.end} repeats the"
                f" one on line {origin[span].line}, dropped"
            )
            continue
        origin[span] = entity

    def describe(span: Span, entity: _Open) -> tuple[str, str]:
        return f"{path.name}:{entity.line}", f"{span.label} {text[span.start : span.end]!r}"

    return keep_longest_into(result, origin, describe)


def read_webanno_tsv2(path: str | Path, layer: str | None = None) -> ReadResult:
    """Read the one document of a WebAnno TSV 2 file; a bad row is a ``FormatError`` naming
    its line. ``layer`` names the layer holding the entities (NamedEntity if None)."""
    path = Path(path)
    lines = read_text(path).split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    columns, after = _header(lines[first:])
    start = first + after
    chosen = _choose(path, columns, layer)
    if chosen is None and layer is not None:
        known = ", ".join(dict.fromkeys(short_name(c.layer) for c in columns)) or "none"
        raise FormatError(path, f"no layer {layer!r} in this file (its layers: {known})", line=1)
    cells = _Cells(columns[chosen].layer, chosen) if chosen is not None else None
    text, tokens = _tokens_and_cells(path, lines, start, columns, cells)
    result = ReadResult([])
    kept = _spans(path, cells.done, text, result) if cells is not None else []
    if cells is not None:
        result.skipped.update(cells.skipped)
    result.records.append(
        DocumentRecord(
            text=text, tokens=tuple(tokens), spans=tuple(kept), status=Status.DONE, source=path.name
        )
    )
    result.notes.append(_note(path, columns, chosen, layer or NAMED_ENTITY))
    return result
