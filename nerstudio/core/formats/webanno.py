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
document is read with no entity, unless a layer the project defined (``webanno.custom.*``)
holds annotations: that file is refused, naming the layer to pass as ``layer``. Every
document is done.

The parts: ``webanno_tsv`` reads the file's header, rows and escapes; this module turns
rows into a document; what it shares with brat's reader is in ``standoff``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.standoff import (
    fit_tokens,
    keep_longest_into,
    refuse_cluster_cut,
    tag_prefix_problem,
    trim_whitespace,
)
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.formats.webanno_tsv import (
    NAMED_ENTITY,
    Column,
    Unit,
    body,
    choose_column,
    header,
    short_name,
    unescape_value,
)
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import Token, cluster_interiors
from nerstudio.core.utf16 import utf16_positions

__all__ = ["NAMED_ENTITY", "looks_like_webanno", "read_webanno"]

_STACK_SEPARATOR = re.compile(r"(?<!\\)\|")


def looks_like_webanno(path: str | Path) -> bool:
    """A file whose first line is ``#FORMAT=WebAnno TSV 3...``."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            return fh.readline().startswith("#FORMAT=WebAnno TSV 3")
    except OSError:
        return False


@dataclass
class _Annotation:
    """One entity of the chosen column: from its first row to its last (UTF-16 offsets)."""

    line: int
    id: int | None
    begin: int
    end: int
    label: str | None


def _to_points(path: Path, unit: Unit, positions: list[int | None], text: str) -> Token:
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
    if unit.text != actual and unescape_value(unit.text) != actual:
        raise FormatError(
            path,
            f"token {unit.id} is {unit.text[:40]!r} but the #Text= lines have {actual[:40]!r}"
            f" at {unit.begin}-{unit.end}; the offsets (UTF-16 units) do not fit the text",
            line=unit.line,
        )
    return start, end


def _annotations(
    path: Path, units: list[Unit], layer_label: str | None
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
            label = layer_label or (None if value in ("*", "") else unescape_value(value))
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
    path: Path, units: list[Unit], points: dict[int, Token], text: str, inside: set[int]
) -> list[Token]:
    """The file's tokens (not sub-tokens) as code points: none overlaps or cuts a character."""
    tokens: list[Token] = []
    for unit in units:
        if unit.sub:
            continue
        start, end = points[unit.line]
        refuse_cluster_cut(
            path,
            text,
            inside,
            [start, end],
            f"token {unit.id}",
            unit.line,
            lambda _cut: "; tokens must keep it whole",
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
        problem = tag_prefix_problem(annotation.label)
        if problem is not None:
            raise FormatError(path, problem, line=annotation.line)
        begin, end = positions[annotation.begin], positions[annotation.end]
        assert begin is not None and end is not None  # every row's offsets were checked
        begin, end = trim_whitespace(text, begin, end)
        if begin >= end:
            skipped["zero-width annotations"] += 1
            continue
        what = f"{annotation.label} ({begin}-{end})"
        refuse_cluster_cut(path, text, inside, [begin, end], what, annotation.line)
        span = Span(begin, end, annotation.label)
        if span in origin:
            result.dropped.append(
                f"{path.name}:{annotation.line}: {_name(span, annotation)} repeats"
                f" {_name(span, origin[span])}, dropped"
            )
            continue
        origin[span] = annotation
    kept = keep_longest_into(
        result, origin, lambda span, note: (f"{path.name}:{note.line}", _name(span, note))
    )
    result.skipped.update(skipped)
    return kept


def _layer_note(path: Path, columns: list[Column], chosen: Column | None, wanted: str) -> str:
    others = ", ".join(
        dict.fromkeys(
            short_name(c.layer) for c in columns if chosen is None or c.layer != chosen.layer
        )
    )
    if chosen is None:
        return f"{path.name}: no {short_name(wanted)} layer, so no entities" + (
            f" (its layers: {others}; use --layer to read one)" if others else ""
        )
    feature = f".{chosen.feature}" if chosen.feature else ""
    left_out = f"; left out the layers {others} (use --layer to read one)" if others else ""
    return f"{path.name}: entities from {short_name(chosen.layer)}{feature}{left_out}"


_CUSTOM = "webanno.custom."  # layers a project defined: annotations people made
_ID = re.compile(r"\[\d+(?:_\d+)?\]$")


def _labelled(cell: str) -> bool:
    """A cell holding at least one annotation with a value (not ``_``, not ``*``)."""
    return any(_ID.sub("", part) not in ("", "_", "*") for part in cell.split("|"))


def _refuse_unread_custom_layer(
    path: Path, lines: list[str], start: int, minor: int, columns: list[Column]
) -> None:
    """No NamedEntity layer, but a project-defined span layer that holds annotations: read
    with its annotations dropped, the file would look unannotated; refuse, naming it."""
    custom = dict.fromkeys(
        c.layer for c in columns if c.kind == "SP" and c.layer.startswith(_CUSTOM)
    )
    for name in custom:
        try:
            column = choose_column(path, columns, name, None)
        except FormatError:
            column = next(i for i, c in enumerate(columns) if c.layer == name)
        _, units = body(path, lines, start, minor, len(columns), column)
        held = sum(1 for unit in units if _labelled(unit.cell))
        if held:
            raise FormatError(
                path,
                f"no NamedEntity layer, but the span layer {short_name(name)} ({name}) holds"
                f" annotations on {held} tokens: pass --layer {short_name(name)} to read them"
                " as entities",
            )


def read_webanno(
    path: str | Path, layer: str | None = None, feature: str | None = None
) -> ReadResult:
    """Read the one document of a WebAnno TSV 3 file; bad rows are ``FormatError``s naming
    their line. ``layer`` names the span layer holding the entities (NamedEntity if None),
    ``feature`` its feature with the labels (``value``, or the layer's only feature)."""
    path = Path(path)
    lines = read_text(path).split("\n")
    minor, columns, start = header(path, lines)
    column = choose_column(path, columns, layer, feature)
    chosen = columns[column] if column is not None else None
    if chosen is None and layer is None:
        _refuse_unread_custom_layer(path, lines, start, minor, columns)
    text, units = body(path, lines, start, minor, len(columns), column)
    positions = utf16_positions(text)
    points = {unit.line: _to_points(path, unit, positions, text) for unit in units}
    inside = cluster_interiors(text)
    tokens = _file_tokens(path, units, points, text, inside)

    result = ReadResult([])
    # A layer without features: the layer itself is the entity type.
    layer_label = (
        short_name(chosen.layer) if chosen is not None and chosen.feature is None else None
    )
    annotations = _annotations(path, units, layer_label).values()
    kept = _spans(path, annotations, positions, text, inside, result)
    fitted = fit_tokens(path, text, tokens, kept)
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
