"""The structure of a WebAnno TSV 3.x file: its header's columns, its rows, its escapes.

Spec: https://inception-project.github.io/releases/latest/docs/user-guide.html#sect_webannotsv
(and ``Tsv3XDeserializer`` in inception-project/inception where the spec is silent). The
text is rebuilt as INCEpTION does: a sentence's ``#Text=`` lines joined by line feeds, the
sentences joined by one line feed or, where the next sentence's first token starts further
on, padded with spaces to it. Offsets stay UTF-16 code units (Java's) here; the reader
converts them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.utf16 import utf16_length

NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
_FORMAT = re.compile(r"#FORMAT=(?P<name>.*) (?P<major>\d+)\.(?P<minor>\d+)")
_LAYER = re.compile(r"#T_(SP|CH|RL)=(.*)")
_UNIT_ID = re.compile(r"\d+-\d+(?:\.\d+)?")
_OFFSETS = re.compile(r"(\d+)-(\d+)")
# Feature values escape the format's reserved characters (Escaping.escapeValue).
_VALUE_ESCAPE = re.compile(r"\\(->|[\\\[\]|_;*tn])")
# Text escapes control characters (Escaping.escapeText, TSV 3.2 and later).
_TEXT_ESCAPE = re.compile(r"\\([\x00-\x07\x0e-\x1f]|[tnfrb\\])")
_CONTROL = {"t": "\t", "n": "\n", "f": "\f", "r": "\r", "b": "\b"}
# TSV 3.0 and 3.1 wrote #Text= with Java string escapes (StringEscapeUtils.escapeJava).
_JAVA_ESCAPE = re.compile(r"\\(u+[0-9a-fA-F]{4}|[0-3][0-7]{0,2}|[4-7][0-7]?|[tnfrb\\\"'])")


def unescape_value(value: str) -> str:
    """A feature value (or token) as written, without the format's escapes."""
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


def short_name(layer: str) -> str:
    """``Entity`` for ``webanno.custom.Entity``: how INCEpTION shows a layer."""
    return layer.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Column:
    """One annotation column the header declares: a feature of a layer."""

    kind: str  # SP (span), CH (chain) or RL (relation)
    layer: str
    feature: str | None  # None: a layer without features (one placeholder column)


@dataclass(frozen=True)
class Unit:
    """A token or sub-token row."""

    line: int
    id: str
    begin: int  # UTF-16 offsets, as in the file
    end: int
    text: str
    cell: str
    sub: bool


def header(path: Path, lines: list[str]) -> tuple[int, list[Column], int]:
    """(minor version, the columns after the first three, index of the first body line)."""
    found = _FORMAT.fullmatch(lines[0].strip()) if lines else None
    if not found or found.group("name") != "WebAnno TSV" or found.group("major") != "3":
        first = lines[0][:40] if lines else ""
        raise FormatError(
            path,
            f"not WebAnno TSV 3 (the first line is {first!r}, not #FORMAT=WebAnno TSV 3.x)",
            line=1,
        )
    columns: list[Column] = []
    index = 1
    while index < len(lines):
        layer = _LAYER.fullmatch(lines[index].strip())
        if not layer:
            break
        fields = [f for f in layer.group(2).split("|") if f]
        if not fields:
            raise FormatError(path, "a layer line names no layer", line=index + 1)
        features: Sequence[str | None] = fields[1:] or [None]
        columns.extend(Column(layer.group(1), fields[0], f) for f in features)
        index += 1
    return int(found.group("minor")), columns, index


def _label_column(path: Path, columns: list[Column], layer: str, indexes: list[int]) -> int:
    """Of a layer's columns, the one that holds labels when no feature was named."""
    features = [columns[i].feature for i in indexes]
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
        f"layer {layer} has the features {', '.join(str(f) for f in features)} and"
        " none is called 'value'; name the feature that holds the entity labels",
    )


def choose_column(
    path: Path, columns: list[Column], layer: str | None, feature: str | None
) -> int | None:
    """Index of the column holding the entities' labels, or None if the layer is absent."""
    wanted = layer or NAMED_ENTITY
    span_layers = list(dict.fromkeys(c.layer for c in columns if c.kind == "SP"))
    matches = [name for name in span_layers if wanted in (name, short_name(name))]
    if len(matches) > 1:
        raise FormatError(
            path,
            f"more than one span layer is called {wanted!r} ({', '.join(matches)}); name"
            " the one to read in full",
        )
    if not matches:
        return None
    indexes = [i for i, c in enumerate(columns) if c.layer == matches[0]]
    if feature is None:
        return _label_column(path, columns, matches[0], indexes)
    features = [columns[i].feature for i in indexes]
    if feature not in features:
        raise FormatError(
            path,
            f"layer {matches[0]} has no feature {feature!r}; its features are"
            f" {', '.join(str(f) for f in features)}",
        )
    return indexes[features.index(feature)]


@dataclass
class _Text:
    """The text rebuilt so far from the sentences placed, and its length in UTF-16 units."""

    path: Path
    parts: list[str] = field(default_factory=list)
    length: int = 0

    def place(self, sentence: list[str], begin: int, ident: str, number: int) -> None:
        """Add a sentence whose first token (``ident``, on line ``number``) starts at
        ``begin``: it follows the last one's line feed, replaces it, or is padded to it."""
        joined = "".join(piece + "\n" for piece in sentence)
        if self.length > begin:
            if self.length != begin + 1 or not self.parts or not self.parts[-1].endswith("\n"):
                raise FormatError(
                    self.path,
                    f"token {ident} starts at {begin}, inside the sentences before it (which"
                    f" end at {self.length - 1}); the offsets do not fit the #Text= lines",
                    line=number,
                )
            self.parts[-1] = self.parts[-1][:-1]
            self.length -= 1
        if self.length < begin:
            self.parts.append(" " * (begin - self.length))
            self.length = begin
        self.parts.append(joined)
        self.length += utf16_length(joined)

    def text(self) -> str:
        text = "".join(self.parts)
        return text[:-1] if text.endswith("\n") else text


def _row(path: Path, number: int, line: str, columns: int, column: int | None) -> Unit:
    """One token row, its id and offsets checked."""
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
    cell = fields[3 + column] if column is not None else "_"
    return Unit(number, ident, begin, end, fields[2], cell, "." in ident)


def body(
    path: Path, lines: list[str], start: int, minor: int, columns: int, column: int | None
) -> tuple[str, list[Unit]]:
    """The rebuilt text and every token and sub-token row (offsets still UTF-16)."""
    text = _Text(path)
    pending: list[str] | None = None  # #Text= lines of a sentence whose tokens are to come
    pending_line = 0
    sentences = 0
    units: list[Unit] = []
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
        unit = _row(path, number, line, columns, column)
        if pending is not None:
            if unit.sub:
                raise FormatError(path, f"sub-token {unit.id} comes before any token", line=number)
            text.place(pending, unit.begin, unit.id, number)
            pending = None
            sentences += 1
        elif not units:
            raise FormatError(path, "a token row before any #Text= line", line=number)
        units.append(unit)
    if pending is not None:
        raise FormatError(path, "this sentence has no token rows", line=pending_line)
    if not sentences:
        raise FormatError(path, "no sentences (#Text= lines with token rows) in this file")
    return text.text(), units
