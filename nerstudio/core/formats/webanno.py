"""WebAnno / INCEpTION TSV 3.x: one document per file, one row per token, a column per feature.

Spec: https://inception-project.github.io/releases/latest/docs/user-guide.html#sect_webannotsv
(and its reader, ``Tsv3XDeserializer`` in inception-project/inception, where the spec is
silent). Read, not written: INCEpTION imports nerstudio's JSONL or CoNLL as well.

The text is rebuilt as INCEpTION does: a sentence's ``#Text=`` lines joined by line feeds,
the sentences joined by one line feed or, where the next sentence's first token starts
further on, padded with spaces to it. The file's offsets count UTF-16 code units (Java's);
they are converted to code points, and every token's text is checked against the rebuilt
text, so a file whose offsets do not fit is an error rather than a misread. The file's
tokens (and sub-tokens, ``1-2.1`` rows) are the document's tokens, split where an entity
starts or ends inside one.

Entities are the ``value`` feature of the NamedEntity layer, or of the span layer named by
``layer`` (its full type name or the last part, ``Entity`` for ``webanno.custom.Entity``);
a layer without features gives its annotations the layer's short name as label. An
annotation on several rows carries a ``[N]`` id and reaches from its first row to its last;
stacked annotations (``PER[1]|LOC[2]``) and overlapping ones keep the longest of each group,
each dropped one listed. An annotation with no value (``*``) or no width is counted in
``skipped``, not kept. Other layers (POS, relations, chains) are left out with a note. A
file without the layer holds no such annotation (INCEpTION leaves out unused layers): its
document is read with no entity. Every document is done.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.overlaps import keep_longest_reported
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import (
    Token,
    cluster_interiors,
    describe_characters,
    find_cluster_cut,
    split_tokens_at,
)

NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
_FORMAT = re.compile(r"#FORMAT=(?P<name>.*) (?P<major>\d+)\.(?P<minor>\d+)")
_LAYER = re.compile(r"#T_(SP|CH|RL)=(.*)")
_UNIT_ID = re.compile(r"\d+-\d+(?:\.\d+)?")
_OFFSETS = re.compile(r"(\d+)-(\d+)")
_STACK_SEPARATOR = re.compile(r"(?<!\\)\|")
# Feature values escape the format's reserved characters (Escaping.escapeValue).
_VALUE_ESCAPE = re.compile(r"\\(->|[\\\[\]|_;*tn])")
# Text escapes control characters (Escaping.escapeText, TSV 3.2 and later).
_TEXT_ESCAPE = re.compile(r"\\([\x00-\x07\x0e-\x1f]|[tnfrb\\])")
_CONTROL = {"t": "\t", "n": "\n", "f": "\f", "r": "\r", "b": "\b"}
# TSV 3.0 and 3.1 wrote #Text= with Java string escapes (StringEscapeUtils.escapeJava).
_JAVA_ESCAPE = re.compile(r"\\(u+[0-9a-fA-F]{4}|[0-3][0-7]{0,2}|[4-7][0-7]?|[tnfrb\\\"'])")


def looks_like_webanno(path: str | Path) -> bool:
    """A file whose first line is ``#FORMAT=WebAnno TSV 3...``."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            return fh.readline().startswith("#FORMAT=WebAnno TSV 3")
    except OSError:
        return False


def _unescape_value(value: str) -> str:
    return _VALUE_ESCAPE.sub(lambda m: _CONTROL.get(m.group(1), m.group(1)), value)


def _unescape_text(text: str, minor: int) -> str:
    if minor >= 2:
        return _TEXT_ESCAPE.sub(lambda m: _CONTROL.get(m.group(1), m.group(1)), text)

    def java(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "u":
            return chr(int(code.lstrip("u"), 16))
        if code[0].isdigit():
            return chr(int(code, 8))
        return _CONTROL.get(code, code)

    return _JAVA_ESCAPE.sub(java, text)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf16_positions(text: str) -> list[int | None]:
    """Code-point offset of each UTF-16 offset; None inside a surrogate pair."""
    positions: list[int | None] = []
    for i, ch in enumerate(text):
        positions.append(i)
        if ord(ch) > 0xFFFF:
            positions.append(None)
    positions.append(len(text))
    return positions


@dataclass(frozen=True)
class _Column:
    kind: str  # SP (span), CH (chain) or RL (relation)
    layer: str
    feature: str | None  # None: a layer without features (one placeholder column)


@dataclass(frozen=True)
class _Unit:
    """A token or sub-token row."""

    line: int
    id: str
    begin: int  # UTF-16 offsets, as in the file
    end: int
    text: str
    cell: str
    sub: bool


@dataclass
class _Annotation:
    line: int
    id: int | None
    begin: int
    end: int
    label: str | None


def _short(layer: str) -> str:
    return layer.rsplit(".", 1)[-1]


def _header(path: Path, lines: list[str]) -> tuple[int, list[_Column], int]:
    """(minor version, the columns after the first three, index of the first body line)."""
    found = _FORMAT.fullmatch(lines[0].strip()) if lines else None
    if not found or found.group("name") != "WebAnno TSV" or found.group("major") != "3":
        first = lines[0][:40] if lines else ""
        raise FormatError(
            path,
            f"not WebAnno TSV 3 (the first line is {first!r}, not #FORMAT=WebAnno TSV 3.x)",
            line=1,
        )
    columns: list[_Column] = []
    index = 1
    while index < len(lines):
        layer = _LAYER.fullmatch(lines[index].strip())
        if not layer:
            break
        fields = [f for f in layer.group(2).split("|") if f]
        if not fields:
            raise FormatError(path, "a layer line names no layer", line=index + 1)
        features: Sequence[str | None] = fields[1:] or [None]
        columns.extend(_Column(layer.group(1), fields[0], f) for f in features)
        index += 1
    return int(found.group("minor")), columns, index


def _choose(
    path: Path, columns: list[_Column], layer: str | None, feature: str | None
) -> int | None:
    """Index of the column holding the entities' labels, or None if the layer is absent."""
    wanted = layer or NAMED_ENTITY
    span_layers = list(dict.fromkeys(c.layer for c in columns if c.kind == "SP"))
    matches = [name for name in span_layers if wanted in (name, _short(name))]
    if len(matches) > 1:
        raise FormatError(
            path,
            f"more than one span layer is called {wanted!r} ({', '.join(matches)}); name"
            " the one to read in full",
        )
    if not matches:
        return None
    indexes = [i for i, c in enumerate(columns) if c.layer == matches[0]]
    features = [columns[i].feature for i in indexes]
    if feature is not None:
        if feature not in features:
            raise FormatError(
                path,
                f"layer {matches[0]} has no feature {feature!r}; its features are"
                f" {', '.join(str(f) for f in features)}",
            )
        return indexes[features.index(feature)]
    if "value" in features:
        return indexes[features.index("value")]
    # Slot roles (ROLE_...) and their target types (dotted names) are links, not labels.
    plain = [
        i
        for i in indexes
        if columns[i].feature is None
        or not (columns[i].feature.startswith("ROLE_") or "." in columns[i].feature)
    ]
    if len(plain) == 1:
        return plain[0]
    raise FormatError(
        path,
        f"layer {matches[0]} has the features {', '.join(str(f) for f in features)} and"
        " none is called 'value'; name the feature that holds the entity labels",
    )


def _body(
    path: Path, lines: list[str], start: int, minor: int, columns: int, column: int | None
) -> tuple[str, list[_Unit]]:
    """The rebuilt text and every token and sub-token row (offsets still UTF-16)."""
    parts: list[str] = []
    length = 0  # of the text so far, in UTF-16 units
    pending: list[str] | None = None  # #Text= lines of a sentence whose tokens are to come
    pending_line = 0
    sentences = 0
    units: list[_Unit] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            if pending is not None:
                raise FormatError(path, "this sentence has no token rows", line=pending_line)
            continue
        if line.startswith("#"):
            if line.startswith("#Text="):
                if pending is None:
                    pending, pending_line = [], number
                pending.append(_unescape_text(line[len("#Text=") :], minor))
            continue
        fields = line.split("\t")
        if len(fields) < 3 + columns:
            raise FormatError(
                path,
                f"{len(fields)} columns, fewer than the {3 + columns} the header declares (id,"
                f" offsets, token and {columns} annotation columns)",
                line=number,
            )
        ident, offsets = fields[0], _OFFSETS.fullmatch(fields[1])
        if not _UNIT_ID.fullmatch(ident) or not offsets:
            raise FormatError(
                path,
                f"expected a token row (like '1-2<TAB>4-8<TAB>Haag'), got {line[:40]!r}",
                line=number,
            )
        begin, end = int(offsets.group(1)), int(offsets.group(2))
        if end < begin:
            raise FormatError(
                path, f"token {ident} ends ({end}) before it starts ({begin})", line=number
            )
        sub = "." in ident
        if pending is not None:
            if sub:
                raise FormatError(path, f"sub-token {ident} comes before any token", line=number)
            sentence = "".join(piece + "\n" for piece in pending)
            if length > begin:
                if length != begin + 1 or not parts or not parts[-1].endswith("\n"):
                    raise FormatError(
                        path,
                        f"token {ident} starts at {begin}, inside the sentences before it (which"
                        f" end at {length - 1}); the offsets do not fit the #Text= lines",
                        line=number,
                    )
                parts[-1] = parts[-1][:-1]
                length -= 1
            if length < begin:
                parts.append(" " * (begin - length))
                length = begin
            parts.append(sentence)
            length += _utf16_length(sentence)
            pending = None
            sentences += 1
        elif not units:
            raise FormatError(path, "a token row before any #Text= line", line=number)
        cell = fields[3 + column] if column is not None else "_"
        units.append(_Unit(number, ident, begin, end, fields[2], cell, sub))
    if pending is not None:
        raise FormatError(path, "this sentence has no token rows", line=pending_line)
    if not sentences:
        raise FormatError(path, "no sentences (#Text= lines with token rows) in this file")
    text = "".join(parts)
    return text[:-1] if text.endswith("\n") else text, units


def _to_points(path: Path, unit: _Unit, positions: list[int | None], text: str) -> Token:
    """The row's offsets in code points, checked against its token text."""
    if unit.end >= len(positions):
        raise FormatError(
            path,
            f"token {unit.id} ends at {unit.end}, past the end of the text"
            f" ({len(positions) - 1} UTF-16 units); the offsets do not fit the #Text= lines",
            line=unit.line,
        )
    start, end = positions[unit.begin], positions[unit.end]
    if start is None or end is None:
        raise FormatError(
            path,
            f"token {unit.id} ({unit.begin}-{unit.end}) starts or ends between the two UTF-16"
            " units of one character",
            line=unit.line,
        )
    actual = text[start:end]
    if unit.text != actual and _unescape_value(unit.text) != actual:
        raise FormatError(
            path,
            f"token {unit.id} is {unit.text[:40]!r} but the #Text= lines have {actual[:40]!r}"
            f" at {unit.begin}-{unit.end}; the offsets (UTF-16 units) do not fit the text",
            line=unit.line,
        )
    return start, end


def _annotations(
    path: Path, units: list[_Unit], layer_label: str | None
) -> dict[tuple, _Annotation]:
    found: dict[tuple, _Annotation] = {}
    for unit in units:
        if unit.cell in ("_", ""):
            continue
        for stack, raw in enumerate(_STACK_SEPARATOR.split(unit.cell)):
            ident, value = None, raw
            if raw.endswith("]") and not raw.endswith("\\]"):
                head, bracket, tail = raw.rpartition("[")
                if bracket:
                    if not tail[:-1].isdigit():
                        raise FormatError(
                            path, f"{raw!r}: the id in [...] is not a number", line=unit.line
                        )
                    ident, value = int(tail[:-1]), head
            label = layer_label or (None if value in ("*", "") else _unescape_value(value))
            key = ("id", ident) if ident is not None else ("row", unit.line, stack)
            annotation = found.get(key)
            if annotation is None:
                found[key] = _Annotation(unit.line, ident, unit.begin, unit.end, label)
                continue
            if annotation.label != label:
                raise FormatError(
                    path,
                    f"annotation [{ident}] is {annotation.label!r} on line {annotation.line} and"
                    f" {label!r} here; one id names one annotation",
                    line=unit.line,
                )
            annotation.end = unit.end  # an annotation reaches to its last row, as INCEpTION reads
    return found


def _name(span: Span, annotation: _Annotation) -> str:
    ident = f"[{annotation.id}]" if annotation.id is not None else ""
    return f"{span.label}{ident} {span.start}-{span.end}"


def _file_tokens(
    path: Path, units: list[_Unit], points: dict[int, Token], text: str, inside: set[int]
) -> list[Token]:
    """The file's tokens (not sub-tokens) as code points: none overlaps or cuts a character."""
    tokens: list[Token] = []
    for unit in units:
        if unit.sub:
            continue
        start, end = points[unit.line]
        if start in inside or end in inside:
            cut = find_cluster_cut(text, [start, end])
            assert cut is not None
            raise FormatError(
                path,
                f"token {unit.id} cuts the character"
                f" {describe_characters(text[cut.start : cut.end])}; tokens must keep it whole",
                line=unit.line,
            )
        if not text[start:end].strip():
            continue
        if tokens and start < tokens[-1][1]:
            raise FormatError(path, f"token {unit.id} overlaps the token before it", line=unit.line)
        tokens.append((start, end))
    return tokens


def _spans(
    path: Path,
    annotations: Iterable[_Annotation],
    positions: list[int | None],
    text: str,
    inside: set[int],
    result: ReadResult,
) -> list[Span]:
    """The annotations as spans that do not overlap; what is left out goes into ``result``."""
    origin: dict[Span, _Annotation] = {}
    skipped: Counter[str] = Counter()
    for annotation in annotations:
        if annotation.label is None:
            skipped["entities without a value"] += 1
            continue
        begin, end = positions[annotation.begin], positions[annotation.end]
        assert begin is not None and end is not None  # every row's offsets were checked
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if begin >= end:
            skipped["zero-width annotations"] += 1
            continue
        for offset in (begin, end):
            if offset in inside:
                cut = find_cluster_cut(text, [offset])
                assert cut is not None
                raise FormatError(
                    path,
                    f"{annotation.label} ({begin}-{end}) cuts the character"
                    f" {describe_characters(text[cut.start : cut.end])}",
                    line=annotation.line,
                )
        span = Span(begin, end, annotation.label)
        if span in origin:
            result.dropped.append(
                f"{path.name}:{annotation.line}: {_name(span, annotation)} repeats"
                f" {_name(span, origin[span])}, dropped"
            )
            continue
        origin[span] = annotation
    kept, lines, count = keep_longest_reported(
        origin, lambda span, note: (f"{path.name}:{note.line}", _name(span, note))
    )
    result.dropped += lines
    result.overlapping += count
    result.skipped.update(skipped)
    return kept


def _layer_note(path: Path, columns: list[_Column], chosen: _Column | None, wanted: str) -> str:
    others = ", ".join(
        dict.fromkeys(_short(c.layer) for c in columns if chosen is None or c.layer != chosen.layer)
    )
    if chosen is None:
        return f"{path.name}: no {_short(wanted)} layer, so no entities" + (
            f" (its layers: {others})" if others else ""
        )
    feature = f".{chosen.feature}" if chosen.feature else ""
    left_out = f"; left out the layers {others}" if others else ""
    return f"{path.name}: entities from {_short(chosen.layer)}{feature}{left_out}"


def read_webanno(
    path: str | Path, layer: str | None = None, feature: str | None = None
) -> ReadResult:
    """Read the one document of a WebAnno TSV 3 file; bad rows are ``FormatError``s naming
    their line. ``layer`` names the span layer holding the entities (NamedEntity if None),
    ``feature`` its feature with the labels (``value``, or the layer's only feature)."""
    path = Path(path)
    lines = read_text(path).split("\n")
    minor, columns, start = _header(path, lines)
    column = _choose(path, columns, layer, feature)
    chosen = columns[column] if column is not None else None
    text, units = _body(path, lines, start, minor, len(columns), column)
    positions = _utf16_positions(text)
    points = {unit.line: _to_points(path, unit, positions, text) for unit in units}
    inside = cluster_interiors(text)
    tokens = _file_tokens(path, units, points, text, inside)

    result = ReadResult([])
    # A layer without features: the layer itself is the entity type.
    layer_label = _short(chosen.layer) if chosen is not None and chosen.feature is None else None
    annotations = _annotations(path, units, layer_label).values()
    kept = _spans(path, annotations, positions, text, inside, result)
    try:
        fitted = split_tokens_at(text, tokens, [p for s in kept for p in (s.start, s.end)])
    except ValueError as err:
        raise FormatError(path, str(err)) from None
    result.records.append(
        DocumentRecord(
            text=text,
            tokens=tuple(fitted),
            spans=tuple(kept),
            status=Status.DONE,
            source=path.name,
        )
    )
    result.notes.append(_layer_note(path, columns, chosen, layer or NAMED_ENTITY))
    if len(fitted) > len(tokens):
        result.notes.append(
            f"{path.name}: {len(fitted) - len(tokens)} tokens split so that spans fit them"
        )
    return result
