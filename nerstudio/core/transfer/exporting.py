"""Export a project's corpus: done documents (or all) through a format's writer.

Written through ``safe_io``: complete or not at all, never onto the project itself or a
folder holding it, and never over anything that exists unless ``force`` names it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import NerstudioError
from nerstudio.core.formats.conll import write_conll
from nerstudio.core.formats.detect import SUFFIXES
from nerstudio.core.formats.hfdatasets import write_hf
from nerstudio.core.formats.jsonl import write_jsonl
from nerstudio.core.records import Status
from nerstudio.core.safe_io import check_target, write_file, write_folder
from nerstudio.core.spans import Scheme
from nerstudio.core.store import DocumentQuery, Project

EXPORT_FORMATS = ("auto", "conll", "jsonl", "hf")
Progress = Callable[[int], None]


@dataclass
class ExportSummary:
    documents: int
    tokens: int
    path: Path


_EXTENSIONS = {"conll": ".conll", "jsonl": ".jsonl", "hf": "-dataset"}


def export_format(out: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    suffix_fmt = SUFFIXES.get(out.suffix.lower())
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
