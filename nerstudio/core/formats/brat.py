"""brat standoff: a folder of ``.txt`` documents, each with its ``.ann`` annotations beside it.

Specs: https://brat.nlplab.org/standoff.html (the ``.ann`` lines) and
https://brat.nlplab.org/configuration.html (``annotation.conf``). Hand-written: no
well-kept Python library reads brat (the readers on PyPI are unmaintained one-offs that
neither check offsets nor handle discontinuous spans), and the format is small.

Read: every ``.txt`` is one document whose text is the file's exact text (line ends kept,
since offsets count every character; a leading byte-order mark is no part of it). ``T``
lines are the entities; each one's text column is checked against the text at its
offsets, so offsets written for another encoding or another version of the text are an
error, not a misread. brat itself reads texts with universal newlines and so counts CR LF
as one character (nlplab/brat#853); when only that reading makes every ``T`` line fit, the
offsets are mapped onto the exact text and a note says so. Spans are trimmed of
whitespace at their ends and split our tokens where they start or end inside one; a span
that cuts a user-perceived character is an error. Discontinuous spans, overlapping spans
(the longest of each group is kept) and empty spans are left out, each listed in
``dropped``; event triggers (the ``T`` of an ``E`` line, or a type under ``[events]``) are
no entities. Relations, events, attributes, normalizations, notes and equivalences are
counted in ``skipped``. A ``.txt`` with a ``.ann`` is done (even with no entity), one
without is new. ``annotation.conf`` (looked up from each document's folder upwards to the
folder read, as brat does) gives the labels: its ``[entities]`` types, flattened, without
the abstract ``!`` types, which brat never lets an annotation use.

Write: ``doc-000001.txt`` (the exact text) and ``.ann`` per document, and an
``annotation.conf`` listing the labels.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nerstudio.core.errors import FormatError, LabelError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.overlaps import keep_longest_reported
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import (
    cluster_interiors,
    describe_characters,
    find_cluster_cut,
    split_tokens_at,
    tokenize,
)

CONFIG_NAME = "annotation.conf"
_BOM = "\ufeff"
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
# What brat stores a type under (projectconfig.normalize_to_storage_form).
_STORAGE_FORM = re.compile(r"[A-Za-z0-9_-]+")
_LINE_BREAK = re.compile(r"[\r\n]")


@dataclass(frozen=True)
class _Bound:
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
class _Ann:
    bounds: list[_Bound] = field(default_factory=list)
    triggers: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Config:
    entities: tuple[str, ...]
    events: frozenset[str]


def looks_like_brat(path: str | Path) -> bool:
    """A ``.ann`` file, or a folder holding one (at any depth)."""
    path = Path(path)
    if path.is_dir():
        return any(True for _ in path.rglob("*.ann"))
    return path.suffix == ".ann"


def _storage_form(term: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]", "_", term.replace(" ", "_"))


def _parse_config(path: Path) -> _Config:
    """``[entities]`` types (flattened, concrete ones) and ``[events]`` types of a conf."""
    entities: list[str] = []
    events: set[str] = set()
    section = ""
    macros: dict[str, str] = {}
    for line in read_text(path).split("\n"):
        header = re.match(r"^\s*\[(.*)\]\s*$", line)
        if header:
            section, macros = header.group(1).strip(), {}
            continue
        if not line.strip() or re.match(r"^\s*#", line) or re.match(r"^\s*-+\s*$", line):
            continue
        macro = re.match(r"^<([a-zA-Z_-]+)>=\s*(.*?)\s*$", line)
        if macro:
            macros[f"<{macro.group(1)}>"] = macro.group(2)
            continue
        if section not in ("entities", "events"):
            continue
        for name, value in macros.items():
            line = line.replace(name, value)
        # Indentation is the type hierarchy; a flat project keeps every concrete type.
        found = re.match(r"^\s*(\S+)", line)
        terms = [t.strip() for t in found.group(1).split("|") if t.strip()] if found else []
        if not terms or (terms[0].startswith("<") and terms[0].endswith(">")):
            continue
        name = _storage_form(terms[0].lstrip("!"))
        if section == "events":
            events.add(name)
        elif not any(t.startswith("!") for t in terms) and name not in entities:
            entities.append(name)
    return _Config(tuple(entities), frozenset(events))


def _parse_bound(path: Path, number: int, ident: str, rest: str) -> _Bound:
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
    return _Bound(ident, label, tuple(fragments), text if tab else None, number)


def _parse_ann(path: Path) -> _Ann:
    ann = _Ann()
    seen: dict[str, int] = {}
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        ident, tab, rest = line.partition("\t")
        if not tab:
            raise FormatError(
                path,
                f"{line[:40]!r} has no tab after its id (brat lines are ID<TAB>...)",
                line=number,
            )
        if ident != "*" and not _ID.fullmatch(ident):
            raise FormatError(
                path,
                f"{ident!r} is not a brat id (T1, R1, E1, A1, M1, N1, #1 or *)",
                line=number,
            )
        if ident != "*":
            if ident in seen:
                raise FormatError(
                    path, f"the id {ident} is used already on line {seen[ident]}", line=number
                )
            seen[ident] = number
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
            event_type, colon, trigger = rest.split("\t", 1)[0].split(" ", 1)[0].partition(":")
            if not colon or not trigger:
                raise FormatError(
                    path, f"{ident}: an event starts TYPE:TRIGGER, got {event_type!r}", line=number
                )
            ann.triggers.add(trigger)
        ann.counts[_NOT_COUNTED[kind]] += 1
    return ann


def _decode(path: Path) -> tuple[str, bool]:
    """The file's exact text (no line-end conversion) and whether a BOM preceded it."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise FormatError(path, f"cannot read: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        head = data[: err.start]
        line = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
        raise FormatError(
            path,
            f"not UTF-8 (byte 0x{data[err.start]:02x}); re-save the file as UTF-8",
            line=line,
        ) from None
    if text.startswith(_BOM):
        return text[1:], True
    return text, False


@dataclass(frozen=True)
class _View:
    """A reading of the offsets: the text they count, and where each position lies in ours."""

    name: str | None
    text: str
    to_text: list[int] | None  # None: the same as ours


def _views(text: str, had_bom: bool) -> list[_View]:
    views = [_View(None, text, None)]
    if "\r\n" in text:
        view, positions = [], []
        for i, ch in enumerate(text):
            if ch == "\n" and i and text[i - 1] == "\r":
                continue
            view.append("\n" if ch == "\r" and text[i + 1 : i + 2] == "\n" else ch)
            positions.append(i)
        positions.append(len(text))
        views.append(
            _View("CR LF as one character, as brat itself reads", "".join(view), positions)
        )
    if had_bom:
        for view in list(views):
            positions = view.to_text or list(range(len(text) + 1))
            views.append(
                _View(
                    "the byte-order mark as a character"
                    + (f" and {view.name}" if view.name else ""),
                    _BOM + view.text,
                    [0, *positions],
                )
            )
    return views


def _one_line(text: str) -> str:
    return _LINE_BREAK.sub(" ", text)


def _mismatch(view: _View, bound: _Bound, txt_name: str) -> str | None:
    """Why ``bound``'s text column does not fit ``view``, or None if it does (or has none)."""
    for _, end in bound.fragments:
        if end > len(view.text):
            return (
                f"{bound.describe()} ends past the end of {txt_name}"
                f" ({len(view.text)} characters); is this the .ann of another text?"
            )
    if bound.text is None:
        return None
    actual = " ".join(view.text[s:e] for s, e in bound.fragments)
    if bound.text in (actual, _one_line(actual)):
        return None
    return (
        f"{bound.describe()}: the .ann gives the text {bound.text[:40]!r} but {txt_name} has"
        f" {actual[:40]!r} there; the offsets do not fit this text (written for another"
        " encoding, or for another version of the .txt?)"
    )


def _choose_view(ann_path: Path, txt_name: str, text: str, had_bom: bool, ann: _Ann) -> _View:
    views = _views(text, had_bom)
    for view in views:
        if all(_mismatch(view, b, txt_name) is None for b in ann.bounds):
            return view
    for bound in ann.bounds:
        problem = _mismatch(views[0], bound, txt_name)
        if problem:
            raise FormatError(ann_path, problem, line=bound.line)
    raise AssertionError("the exact view fits when every bound fits it")  # pragma: no cover


@dataclass
class _Totals:
    split_tokens: int = 0
    trimmed: int = 0
    unchecked: int = 0


def _document(
    root: Path,
    txt: Path,
    ann_path: Path,
    config: _Config,
    result: ReadResult,
    totals: _Totals,
) -> DocumentRecord:
    text, had_bom = _decode(txt)
    ann = _parse_ann(ann_path)
    rel_ann = ann_path.relative_to(root).as_posix()
    rel_txt = txt.relative_to(root).as_posix()
    view = _choose_view(ann_path, txt.name, text, had_bom, ann)
    if view.name:
        result.notes.append(f"{rel_ann}: offsets count {view.name}; mapped onto the text")
    for kind, count in ann.counts.items():
        result.skipped[kind] = result.skipped.get(kind, 0) + count

    inside = cluster_interiors(text)
    origin: dict[Span, _Bound] = {}
    for bound in ann.bounds:
        if bound.id in ann.triggers or bound.label in config.events:
            result.skipped["event trigger lines"] = result.skipped.get("event trigger lines", 0) + 1
            continue
        if len(bound.fragments) > 1:
            result.dropped.append(
                f"{rel_ann}:{bound.line}: {bound.describe()} is discontinuous, dropped"
            )
            continue
        if bound.text is None:
            totals.unchecked += 1
        start, end = bound.fragments[0]
        if view.to_text is not None:
            start, end = view.to_text[start], view.to_text[end]
        trimmed = (start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            what = "covers only whitespace" if trimmed[0] < trimmed[1] else "is empty"
            result.dropped.append(f"{rel_ann}:{bound.line}: {bound.describe()} {what}, dropped")
            continue
        totals.trimmed += (start, end) != trimmed
        for edge, offset in (("start", start), ("end", end)):
            if offset in inside:
                cut = find_cluster_cut(text, [offset])
                assert cut is not None
                raise FormatError(
                    ann_path,
                    f"{bound.describe()} cuts the character"
                    f" {describe_characters(text[cut.start : cut.end])} of {txt.name}: move its"
                    f" {edge} to {cut.start} or {cut.end}",
                    line=bound.line,
                )
        span = Span(start, end, bound.label)
        if span in origin:
            first = origin[span]
            result.dropped.append(
                f"{rel_ann}:{bound.line}: {bound.describe()} repeats {first.id}, dropped"
            )
            continue
        origin[span] = bound

    kept, lines, count = keep_longest_reported(
        origin, lambda _span, bound: (f"{rel_ann}:{bound.line}", bound.describe())
    )
    result.dropped += lines
    result.overlapping += count
    tokens = tokenize(text)
    try:
        fitted = split_tokens_at(text, tokens, [p for s in kept for p in (s.start, s.end)])
    except ValueError as err:
        raise FormatError(ann_path, str(err)) from None
    totals.split_tokens += len(fitted) - len(tokens)
    return DocumentRecord(
        text=text, tokens=tuple(fitted), spans=tuple(kept), status=Status.DONE, source=rel_txt
    )


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _pairs(path: Path) -> tuple[Path, list[tuple[Path, Path | None]]]:
    """The root the sources are relative to, and each document's (.txt, .ann or None)."""
    if path.is_dir():
        found = sorted(
            (p for p in path.rglob("*") if p.suffix in (".txt", ".ann") and p.is_file()),
            key=lambda p: p.relative_to(path).as_posix(),
        )
        found = [p for p in found if not _hidden(p, path)]
        texts = {p.with_suffix("") for p in found if p.suffix == ".txt"}
        for p in found:
            if p.suffix == ".ann" and p.with_suffix("") not in texts:
                raise FormatError(p, f"no {p.with_suffix('.txt').name} beside this .ann")
        if not texts:
            raise FormatError(path, "no .txt documents in this folder (is it a brat folder?)")
        pairs = []
        for p in found:
            if p.suffix == ".txt":
                ann = p.with_suffix(".ann")
                pairs.append((p, ann if ann.is_file() else None))
        return path, pairs
    if path.suffix not in (".ann", ".txt"):
        raise FormatError(path, "not brat standoff: give a folder, a .ann or a .txt file")
    txt, ann = path.with_suffix(".txt"), path.with_suffix(".ann")
    missing = txt if path.suffix == ".ann" else ann
    if not missing.is_file():
        raise FormatError(path, f"no {missing.name} beside it (brat keeps a .txt and a .ann)")
    return path.parent, [(txt, ann)]


def _config_for(folder: Path, root: Path, cache: dict[Path, _Config | None]) -> _Config | None:
    """The first annotation.conf from ``folder`` up to ``root``, as brat looks it up."""
    for candidate in (folder, *folder.parents):
        if candidate not in cache:
            conf = candidate / CONFIG_NAME
            cache[candidate] = _parse_config(conf) if conf.is_file() else None
        if cache[candidate] is not None:
            return cache[candidate]
        if candidate == root:
            break
    return None


def read_brat(path: str | Path) -> ReadResult:
    """Read a brat folder (recursively), or one document given by its .ann or .txt."""
    path = Path(path)
    root, pairs = _pairs(path)
    result = ReadResult([])
    totals = _Totals()
    cache: dict[Path, _Config | None] = {}
    empty = _Config((), frozenset())
    for txt, ann in pairs:
        config = _config_for(txt.parent, root, cache) or empty
        result.labels.extend(label for label in config.entities if label not in result.labels)
        if ann is None:
            text, _ = _decode(txt)
            result.records.append(
                DocumentRecord(
                    text=text,
                    tokens=tuple(tokenize(text)),
                    status=Status.NEW,
                    source=txt.relative_to(root).as_posix(),
                )
            )
            continue
        result.records.append(_document(root, txt, ann, config, result, totals))
    name = path.name
    if totals.split_tokens:
        result.notes.append(f"{name}: {totals.split_tokens} tokens split so that spans fit them")
    if totals.trimmed:
        result.notes.append(f"{name}: {totals.trimmed} spans trimmed of whitespace at their ends")
    if totals.unchecked:
        result.notes.append(
            f"{name}: {totals.unchecked} T lines have no text column, so their offsets could not"
            " be checked against the text"
        )
    return result


def _check_label(label: str) -> None:
    if not _STORAGE_FORM.fullmatch(label) or set(label) == {"-"}:
        raise LabelError(
            f"label {label!r} cannot be written to brat, whose type names are letters, digits,"
            " '_' and '-' (brat would rename it); rename the label and export again"
        )


def write_brat(records: Iterable[DocumentRecord], folder: str | Path, labels: Sequence[str]) -> int:
    """Write each document as ``doc-<id>.txt`` + ``.ann`` into the empty folder ``folder``
    (the caller's ``safe_io.write_folder``), and ``annotation.conf``; returns tokens written.

    Files are named by the record's id, or its position when it has none. A document that
    is neither done nor holds spans gets no ``.ann`` (brat creates an empty one when it
    opens it), so it reads back as new; one in progress with spans reads back as done.
    """
    folder = Path(folder)
    names: list[str] = []
    for label in labels:
        _check_label(label)
        if label not in names:
            names.append(label)
    used: set[str] = set()
    written = 0
    for index, record in enumerate(records, start=1):
        stem = f"doc-{record.id if record.id is not None else index:06d}"
        if stem in used:
            stem = f"{stem}-{index}"
        used.add(stem)
        # A text that itself begins with U+FEFF gets a byte-order mark before it, so that
        # reading (which drops one leading mark) gives the character back.
        prefix = _BOM if record.text.startswith(_BOM) else ""
        (folder / f"{stem}.txt").write_bytes((prefix + record.text).encode("utf-8"))
        written += len(record.tokens)
        if record.status is not Status.DONE and not record.spans:
            continue
        lines = []
        for number, span in enumerate(record.spans, start=1):
            _check_label(span.label)
            if span.label not in names:
                names.append(span.label)
            piece = _one_line(record.text[span.start : span.end])
            lines.append(f"T{number}\t{span.label} {span.start} {span.end}\t{piece}\n")
        (folder / f"{stem}.ann").write_bytes("".join(lines).encode("utf-8"))
    conf = "[entities]\n" + "".join(f"{n}\n" for n in names)
    conf += "\n[relations]\n\n[events]\n\n[attributes]\n"
    (folder / CONFIG_NAME).write_bytes(conf.encode("utf-8"))
    return written
