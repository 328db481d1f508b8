"""Export a project's corpus: done documents (or all) through a format's writer.

Written through ``safe_io``: complete or not at all, never onto the project itself or a
folder holding it, and never over anything that exists unless ``force`` names it. Each
format is one row of ``WRITERS``: a file written to a text handle, or a folder.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nerstudio.core.errors import NerstudioError
from nerstudio.core.formats.detect import SUFFIXES
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.safe_io import check_target, is_stdio, write_file, write_folder
from nerstudio.core.spans import Scheme
from nerstudio.core.store import Project

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportOptions:
    """How to write; each field matters to some formats only."""

    scheme: Scheme = Scheme.IOB2  # CoNLL tags
    keep_split_names: bool = False  # HF datasets: "validation" stays "validation"


@dataclass
class ExportSummary:
    documents: int
    tokens: int
    path: Path


@dataclass(frozen=True)
class Writer:
    """One export format: a file (``write(records, handle, context)``) or a folder
    (``write(records, folder, context)``), and the name a folder target's new entry gets."""

    folder: bool
    entry: str  # appended to the project's name: ".conll", "-brat"
    write: Callable[[Iterable[DocumentRecord], Any, ExportContext], int]
    binary: bool = False  # a file written as bytes


@dataclass(frozen=True)
class ExportContext:
    """What a writer may need beyond the records."""

    project: Project
    options: ExportOptions

    @property
    def labels(self) -> list[str]:
        return [label.name for label in self.project.labels.list()]


def _conll(records, fh, context: ExportContext) -> int:
    from nerstudio.core.formats.conll import write_conll

    return write_conll(records, fh, context.options.scheme)


def _jsonl(records, fh, context: ExportContext) -> int:
    from nerstudio.core.formats.jsonl import write_jsonl

    return write_jsonl(records, fh)


def _hf(records, folder: Path, context: ExportContext) -> int:
    from nerstudio.core.formats.hfdatasets import write_hf

    return write_hf(records, folder, context.labels, context.options.keep_split_names)


def _docbin(records, fh, context: ExportContext) -> int:
    from nerstudio.core.formats.spacy_docbin import write_docbin

    return write_docbin(records, fh)


def _brat(records, folder: Path, context: ExportContext) -> int:
    from nerstudio.core.formats.brat import write_brat

    return write_brat(records, folder, context.labels)


def _labelstudio(records, fh, context: ExportContext) -> int:
    """Tasks with annotations, and the active run's suggestions as ``predictions``."""
    from nerstudio.core.formats.labelstudio_write import write_labelstudio

    run = context.project.runs.active()
    if run is None:
        return write_labelstudio(records, fh)
    predictions = context.project.predictions
    docs = list(records)
    found = {d.id: predictions.get(run.id, d.id) for d in docs}
    suggestions = {doc: [s.to_json() for s in p.spans] for doc, p in found.items() if p is not None}
    return write_labelstudio(docs, fh, suggestions, run.name)


def _prodigy(records, fh, context: ExportContext) -> int:
    from nerstudio.core.formats.prodigy import write_prodigy

    return write_prodigy(records, fh)


def _cluener(records, fh, context: ExportContext) -> int:
    from nerstudio.core.formats.cluener import write_cluener

    return write_cluener(records, fh)


WRITERS: dict[str, Writer] = {
    "conll": Writer(False, ".conll", _conll),
    "jsonl": Writer(False, ".jsonl", _jsonl),
    "hf": Writer(True, "-dataset", _hf),
    "brat": Writer(True, "-brat", _brat),
    "docbin": Writer(False, ".spacy", _docbin, binary=True),
    "labelstudio": Writer(False, "-labelstudio.json", _labelstudio),
    "prodigy": Writer(False, "-prodigy.jsonl", _prodigy),
    "cluener": Writer(False, "-cluener.json", _cluener),
}
EXPORT_FORMATS = ("auto", *WRITERS)


def export_format(out: Path, fmt: str) -> str:
    """The format asked for, or the one the target's name says (a bare name: a dataset);
    standard output (``-``) takes a file format, named with --format."""
    files = "|".join(name for name, writer in WRITERS.items() if not writer.folder)
    if fmt != "auto":
        if fmt not in WRITERS:
            raise NerstudioError(
                f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}"
            )
        if is_stdio(out) and WRITERS[fmt].folder:
            raise NerstudioError(
                f"{fmt} is a folder, not for standard output; use --format {files}"
            )
        return fmt
    if is_stdio(out):
        raise NerstudioError(f"to write to standard output (-), name the format: --format {files}")
    suffix_fmt = SUFFIXES.get(out.suffix.lower())
    if suffix_fmt in ("conll", "jsonl", "docbin"):
        return suffix_fmt
    if out.is_dir() or not out.suffix:
        return "hf"
    raise NerstudioError(
        f"{out}: cannot tell the export format from the name; pass --format {'|'.join(WRITERS)}"
    )


def _is_hf_dataset(folder: Path) -> bool:
    return (folder / "dataset_dict.json").is_file() or (folder / "dataset_info.json").is_file()


def export_target(project: Project, out: Path, fmt: str, force: bool = False) -> Path:
    """Where an export goes. A folder that exists (``.``, a home folder) is never emptied or
    replaced: the export becomes a new entry in it, named after the project, unless the
    folder is an empty one for a folder format, or a dataset written before and ``force``
    names it for replacing."""
    out = Path(out)
    writer = WRITERS[fmt]
    if is_stdio(out):
        return out
    if out.is_dir() and not (fmt == "hf" and _is_hf_dataset(out) and force):
        empty = not any(out.iterdir())
        if not (writer.folder and empty):
            out = out / f"{project.path.stem}{writer.entry}"
    check_target(out, project.path, force)
    return out


def with_origins(
    project: Project, records: Iterable[DocumentRecord], batch: int = 500
) -> Iterator[DocumentRecord]:
    """The records, each with where it came from (a document file's name, page and offset)
    where it has that, looked up a batch at a time."""
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, batch)):
        found = project.documents.origins(r.id for r in chunk if r.id is not None)
        for record in chunk:
            origin = found.get(record.id) if record.id is not None else None
            yield record if origin is None else replace(record, origin=origin)


def export_corpus(
    project: Project,
    out: Path,
    fmt: str = "auto",
    scheme: Scheme = Scheme.IOB2,
    include_all: bool = False,
    split: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    options: ExportOptions | None = None,
    annotator: str | None = None,
) -> ExportSummary:
    """Write done documents (every document with ``include_all``) of a split to ``out``;
    the gold spans, or one annotator's own set (``annotator``, after a merge)."""
    options = options or ExportOptions(scheme=scheme)
    fmt = export_format(Path(out), fmt)
    out = export_target(project, Path(out), fmt, force)
    status = None if include_all else Status.DONE
    # The documents written are counted as they go: with ``annotator`` they are that
    # person's set, not the gold's (the summary said 4 where the file held alice's 2).
    documents = iter(project.documents.iter(status=status, split=split, annotator=annotator))
    first = next(documents, None)
    if first is None:
        which = "documents" if include_all else "done documents (add --all for every document)"
        whose = f" annotated by {annotator!r}" if annotator else ""
        where = f" in split {split!r}" if split else ""
        raise NerstudioError(f"nothing to export: no {which}{whose}{where}")
    count = 0

    def records():
        nonlocal count
        for record in with_origins(project, itertools.chain([first], documents)):
            yield record
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(1000)

    writer = WRITERS[fmt]
    context = ExportContext(project, options)
    if writer.folder:
        with write_folder(out, replace=force) as folder:
            tokens = writer.write(records(), folder, context)
    else:
        with write_file(out, binary=writer.binary) as fh:
            tokens = writer.write(records(), fh, context)
    if progress is not None:
        progress(count % 1000)
    return ExportSummary(count, tokens, out)
