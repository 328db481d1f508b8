"""Split a project out to annotators: one project file each, to annotate anywhere.

The unfinished documents (new or in progress) are shuffled (the seed fixes the order) and
a share of them, ``ceil(overlap x unfinished)``, goes to every annotator so their
agreement can be measured; the rest are dealt round-robin, so the annotators' own shares
differ by one document at most. Done and skipped documents stay in the lead's project only.

Each file is a copy of the project (SQLite's backup API), cut down to that annotator's
documents: the labels with their colors and hotkeys, the guidelines, the gold spans of
documents already in progress, and the active run as an ``imported`` run (no model folder)
with its suggestions for those documents. All files are written to temporary names first
and renamed into place only when every one is complete.
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import Status
from nerstudio.core.safe_io import TargetError, check_target, new_database
from nerstudio.core.store import Project
from nerstudio.core.store.annotations import check_annotator_name


@dataclass(frozen=True)
class Deal:
    """Who gets which documents: ``shared`` go to everyone, ``own`` to one annotator each."""

    shared: tuple[int, ...]
    own: dict[str, tuple[int, ...]]

    def documents(self, annotator: str) -> list[int]:
        return sorted(self.shared + self.own[annotator])


@dataclass(frozen=True)
class AssignedFile:
    annotator: str
    path: Path
    documents: int
    shared: int
    suggestions: int


@dataclass(frozen=True)
class AssignSummary:
    files: tuple[AssignedFile, ...]
    unfinished: int
    shared: int
    kept: int  # done and skipped documents, left in the lead's project only
    run: str | None  # the active run whose suggestions went along


def deal(document_ids: Sequence[int], annotators: Sequence[str], overlap: float, seed: int) -> Deal:
    """Deal documents out: a shared share for agreement, the rest evenly, reproducibly."""
    if not 0 <= overlap <= 1:
        raise NerstudioError(f"overlap {overlap}: give a share between 0 and 1 (e.g. 0.1)")
    order = sorted(document_ids)
    random.Random(seed).shuffle(order)
    count = math.ceil(overlap * len(order) - 1e-9)
    shared, rest = order[:count], order[count:]
    own = {name: tuple(sorted(rest[i :: len(annotators)])) for i, name in enumerate(annotators)}
    return Deal(tuple(sorted(shared)), own)


def check_annotators(names: Sequence[str]) -> list[str]:
    names = [check_annotator_name(name) for name in names]
    if not names:
        raise NerstudioError("name at least one annotator, e.g. --annotators alice,bob")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise NerstudioError(f"annotator {repeated[0]!r} is named twice; name each one once")
    return names


def target_path(out: Path, project_path: Path, annotator: str) -> Path:
    """``OUT/corpus-alice.db`` for ``corpus.db``."""
    return Path(out) / f"{project_path.stem}-{annotator}{project_path.suffix or '.db'}"


def assign(
    project: Project,
    annotators: Sequence[str],
    out: Path,
    overlap: float = 0.1,
    seed: int = 13,
    force: bool = False,
) -> AssignSummary:
    """Write one project per annotator into ``out`` (see the module docstring)."""
    annotators = check_annotators(annotators)
    rows = project.annotation_sets.document_hashes()
    unfinished = [i for i, _, status in rows if status in (Status.NEW, Status.IN_PROGRESS)]
    if not unfinished:
        raise NerstudioError(
            f"{project.path}: no unfinished (new or in progress) documents to deal out"
        )
    plan = deal(unfinished, annotators, overlap, seed)
    out = Path(out)
    if not out.exists() and out.parent.is_dir():
        out.mkdir()
    if not out.is_dir():
        raise TargetError(f"{out}: not a folder (its parent folder must exist)")
    targets = {name: target_path(out, project.path, name) for name in annotators}
    for target in targets.values():
        check_target(target, project.path, force, replaces_protected=True)  # its own copies
    run = project.runs.active()
    files = []
    try:
        # Every file is built first; all take their names only when every one is complete.
        with contextlib.ExitStack() as stack:
            for name, target in targets.items():
                tmp = stack.enter_context(new_database(target, replace=True))  # --force checked
                project.copy_to(tmp)
                with Project.open(tmp) as copy:
                    copy.keep_only(plan.documents(name), name)
                    suggestions = copy.predictions.count(copy.runs.active().id) if run else 0
                files.append(
                    AssignedFile(
                        name, target, len(plan.documents(name)), len(plan.shared), suggestions
                    )
                )
    except OSError as err:
        raise TargetError(f"{out}: cannot write the annotators' projects: {err}") from None
    return AssignSummary(
        tuple(files),
        len(unfinished),
        len(plan.shared),
        len(rows) - len(unfinished),
        run.name if run else None,
    )
