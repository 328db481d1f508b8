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

The parts: ``brat_ann`` parses ``.ann`` lines, ``brat_config`` reads and writes
``annotation.conf``, ``brat_text`` decodes a ``.txt`` and picks the reading its offsets
count; what brat shares with WebAnno's reader is in ``standoff``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.brat_ann import Bound, parse_ann
from nerstudio.core.formats.brat_config import (
    CONFIG_NAME,
    NO_CONFIG,
    Config,
    check_label,
    config_for,
    config_text,
)
from nerstudio.core.formats.brat_text import BOM, View, choose_view, decode
from nerstudio.core.formats.origin_fields import origin_note
from nerstudio.core.formats.standoff import (
    fit_tokens,
    keep_longest_into,
    one_line,
    refuse_cluster_cut,
    tag_prefix_problem,
    trim_whitespace,
)
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import cluster_interiors, tokenize

__all__ = ["CONFIG_NAME", "looks_like_brat", "read_brat", "write_brat"]


def looks_like_brat(path: str | Path) -> bool:
    """A ``.ann`` file, or a folder holding one (at any depth)."""
    path = Path(path)
    if path.is_dir():
        return any(True for _ in path.rglob("*.ann"))
    return path.suffix == ".ann"


@dataclass
class _Totals:
    """What a whole read tells in one note each, summed over its documents."""

    split_tokens: int = 0
    trimmed: int = 0
    unchecked: int = 0


@dataclass(frozen=True)
class _Reading:
    """One document being read: its files, its text and the view its offsets count."""

    ann_path: Path
    txt_name: str
    rel_ann: str
    text: str
    view: View
    inside: set[int]
    result: ReadResult
    totals: _Totals

    def where(self, bound: Bound) -> str:
        return f"{self.rel_ann}:{bound.line}"

    def drop(self, bound: Bound, why: str) -> None:
        self.result.dropped.append(f"{self.where(bound)}: {bound.describe()} {why}, dropped")

    def span(self, bound: Bound) -> Span | None:
        """``bound`` as a span of our text, or None (listed in ``dropped``) when it has none."""
        problem = tag_prefix_problem(bound.label)
        if problem is not None:
            raise FormatError(self.ann_path, f"{bound.describe()}: {problem}", line=bound.line)
        if len(bound.fragments) > 1:
            self.drop(bound, "is discontinuous")
            return None
        if bound.text is None:
            self.totals.unchecked += 1
        written = bound.fragments[0]
        if self.view.to_text is not None:
            written = self.view.to_text[written[0]], self.view.to_text[written[1]]
        start, end = trim_whitespace(self.text, *written)
        if start == end:
            self.drop(bound, "covers only whitespace" if written[0] < written[1] else "is empty")
            return None
        self.totals.trimmed += (start, end) != written
        refuse_cluster_cut(
            self.ann_path,
            self.text,
            self.inside,
            [start, end],
            bound.describe(),
            bound.line,
            lambda cut: (
                f" of {self.txt_name}: move its"
                f" {'start' if cut.offset == start else 'end'} to {cut.start} or {cut.end}"
            ),
        )
        return Span(start, end, bound.label)


def _document(
    root: Path,
    txt: Path,
    ann_path: Path,
    config: Config,
    result: ReadResult,
    totals: _Totals,
) -> DocumentRecord:
    text, had_bom = decode(txt)
    ann = parse_ann(ann_path)
    view = choose_view(ann_path, txt.name, text, had_bom, ann)
    rel_ann = ann_path.relative_to(root).as_posix()
    reading = _Reading(
        ann_path, txt.name, rel_ann, text, view, cluster_interiors(text), result, totals
    )
    if view.name:
        result.notes.append(f"{rel_ann}: offsets count {view.name}; mapped onto the text")
    for kind, count in ann.counts.items():
        result.skipped[kind] = result.skipped.get(kind, 0) + count

    origin: dict[Span, Bound] = {}
    for bound in ann.bounds:
        if bound.id in ann.triggers or bound.label in config.events:
            result.skipped["event trigger lines"] = result.skipped.get("event trigger lines", 0) + 1
            continue
        span = reading.span(bound)
        if span is None:
            continue
        if span in origin:
            reading.drop(bound, f"repeats {origin[span].id}")
            continue
        origin[span] = bound

    kept = keep_longest_into(
        result, origin, lambda _span, bound: (reading.where(bound), bound.describe())
    )
    tokens = tokenize(text)
    fitted = fit_tokens(ann_path, text, tokens, kept)
    totals.split_tokens += len(fitted) - len(tokens)
    return DocumentRecord(
        text=text,
        tokens=tuple(fitted),
        spans=tuple(kept),
        status=Status.DONE,
        source=txt.relative_to(root).as_posix(),
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


def read_brat(path: str | Path) -> ReadResult:
    """Read a brat folder (recursively), or one document given by its .ann or .txt."""
    path = Path(path)
    root, pairs = _pairs(path)
    result = ReadResult([])
    totals = _Totals()
    cache: dict[Path, Config | None] = {}
    for txt, ann in pairs:
        config = config_for(txt.parent, root, cache) or NO_CONFIG
        result.labels.extend(label for label in config.entities if label not in result.labels)
        if ann is None:
            text, _ = decode(txt)
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
        check_label(label)
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
        prefix = BOM if record.text.startswith(BOM) else ""
        (folder / f"{stem}.txt").write_bytes((prefix + record.text).encode("utf-8"))
        written += len(record.tokens)
        if record.status is not Status.DONE and not record.spans:
            continue
        lines = []
        for number, span in enumerate(record.spans, start=1):
            check_label(span.label)
            if span.label not in names:
                names.append(span.label)
            piece = one_line(record.text[span.start : span.end])
            lines.append(f"T{number}\t{span.label} {span.start} {span.end}\t{piece}\n")
            note = origin_note(record, span.start, span.end)
            if note is not None:  # brat shows it on the entity: where it is in the file
                lines.append(f"#{number}\tAnnotatorNotes T{number}\t{one_line(note)}\n")
        (folder / f"{stem}.ann").write_bytes("".join(lines).encode("utf-8"))
    (folder / CONFIG_NAME).write_bytes(config_text(names).encode("utf-8"))
    return written
