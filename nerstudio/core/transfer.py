"""Import files into a Project and export its corpus: formats joined to the store.

The CLI and the GUI's import/export workers both call these two functions. An import
reads and checks every file before it writes anything, then stores all of it in one
transaction; an export writes to a temporary path and moves it into place at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.conll import read_conll, write_conll
from nerstudio.core.formats.hfdatasets import read_hf, write_hf
from nerstudio.core.formats.jsonl import read_jsonl, write_jsonl
from nerstudio.core.formats.text import read_text_documents
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import Status
from nerstudio.core.safe_io import check_target, write_file, write_folder
from nerstudio.core.spans import Scheme, parse_tag
from nerstudio.core.store import DocumentQuery, Project

IMPORT_FORMATS = ("auto", "conll", "jsonl", "text", "hf")
EXPORT_FORMATS = ("auto", "conll", "jsonl", "hf")
_SUFFIXES = {
    ".conll": "conll",
    ".conllu": "conll",
    ".bio": "conll",
    ".iob": "conll",
    ".iob2": "conll",
    ".bioes": "conll",
    ".tsv": "conll",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "hf",
    ".txt": "text",
}

Progress = Callable[[int], None]


@dataclass
class ImportSummary:
    """What an import stored, and notes to show (scheme detected, repairs, token splits)."""

    documents: int
    spans: int
    labels_added: tuple[str, ...]
    notes: list[str] = field(default_factory=list)


@dataclass
class ExportSummary:
    documents: int
    tokens: int
    path: Path


def _looks_like_conll(path: Path) -> bool:
    """A .txt whose first non-blank lines all end in a tag is CoNLL, not prose."""
    lines = [line.split() for line in read_text(path).split("\n")[:200] if line.strip()]
    if not lines:
        return False
    for columns in lines:
        if len(columns) < 2 and columns[0] != "-DOCSTART-":
            return False
        try:
            parse_tag(columns[-1]) if len(columns) >= 2 else None
        except NerstudioError:
            return False
    return True


def detect_format(path: Path) -> str:
    """The import format of a path, from its suffix and, where unclear, its content."""
    if path.is_dir():
        if (path / "dataset_dict.json").exists() or (path / "dataset_info.json").exists():
            return "hf"
        return "text"
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt == "text" and _looks_like_conll(path):
        return "conll"
    if fmt is None:
        head = read_text(path).lstrip()[:1]
        if head in ("{", "["):
            return "jsonl"
        return "conll" if _looks_like_conll(path) else "text"
    return fmt


def read_file(path: Path, fmt: str = "auto", paragraphs: bool = False) -> ReadResult:
    """Read one file or folder in ``fmt`` (``auto`` detects it)."""
    if not path.exists():
        raise FormatError(path, "no such file or folder")
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "conll":
        return read_conll(path)
    if fmt == "jsonl":
        return read_jsonl(path)
    if fmt == "text":
        return read_text_documents(path, paragraphs=paragraphs)
    if fmt == "hf":
        return read_hf(path)
    raise NerstudioError(f"unknown import format {fmt!r}; use one of {', '.join(IMPORT_FORMATS)}")


def import_files(
    project: Project,
    paths: Sequence[Path],
    fmt: str = "auto",
    split: str | None = None,
    paragraphs: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import every file or nothing: all are read and checked before one transaction."""
    records = []
    notes: list[str] = []
    for path in paths:
        result = read_file(Path(path), fmt, paragraphs)
        notes.extend(result.notes)
        records.extend(
            result.records if split is None else [replace(r, split=split) for r in result.records]
        )
    if project.count_documents(DocumentQuery(limit=0)):
        project.backup("import")
    added = project.add_documents(records, progress=progress)
    return ImportSummary(len(added.document_ids), added.spans, added.labels_added, notes)


_EXTENSIONS = {"conll": ".conll", "jsonl": ".jsonl", "hf": "-dataset"}


def export_format(out: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    suffix_fmt = _SUFFIXES.get(out.suffix.lower())
    if suffix_fmt in ("conll", "jsonl"):
        return suffix_fmt
    if out.is_dir() or not out.suffix:
        return "hf"
    raise NerstudioError(
        f"{out}: cannot tell the export format from the name; pass --format conll|jsonl|hf"
    )


def _is_hf_dataset(folder: Path) -> bool:
    return (folder / "dataset_dict.json").is_file() or (folder / "dataset_info.json").is_file()


def export_target(project: Project, out: Path, fmt: str, force: bool = False) -> Path:
    """Where an export goes. A folder that exists (``.``, a home folder) is never emptied or
    replaced: the export becomes a new entry in it, named after the project, unless the
    folder is itself a dataset written before and ``force`` names it for replacing."""
    out = Path(out)
    if out.is_dir() and not (fmt == "hf" and _is_hf_dataset(out) and force):
        empty = not any(out.iterdir())
        if not (fmt == "hf" and empty):
            out = out / f"{project.path.stem}{_EXTENSIONS[fmt]}"
    check_target(out, project.path, force)
    return out


def export_corpus(
    project: Project,
    out: Path,
    fmt: str = "auto",
    scheme: Scheme = Scheme.IOB2,
    include_all: bool = False,
    split: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> ExportSummary:
    """Write done documents (every document with ``include_all``) of a split to ``out``.

    Written through ``safe_io``: complete or not at all, and never onto the project or
    anything that exists unless ``force``.
    """
    fmt = export_format(Path(out), fmt)
    if fmt not in _EXTENSIONS:
        raise NerstudioError(
            f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}"
        )
    out = export_target(project, Path(out), fmt, force)
    status = None if include_all else Status.DONE
    count = project.count_documents(DocumentQuery(status=status, split=split, limit=0))
    if count == 0:
        which = "documents" if include_all else "done documents (add --all for every document)"
        where = f" in split {split!r}" if split else ""
        raise NerstudioError(f"nothing to export: no {which}{where}")

    def records():
        for i, record in enumerate(project.iter_documents(status=status, split=split), 1):
            yield record
            if progress is not None and i % 1000 == 0:
                progress(1000)

    if fmt == "hf":
        with write_folder(out, replace=force) as folder:
            tokens = write_hf(records(), folder, [label.name for label in project.labels()])
    else:
        with write_file(out) as fh:
            tokens = (
                write_conll(records(), fh, scheme) if fmt == "conll" else write_jsonl(records(), fh)
            )
    if progress is not None:
        progress(count % 1000)
    return ExportSummary(count, tokens, out)
