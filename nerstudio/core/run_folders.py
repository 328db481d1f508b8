"""A run's folder on disk together with its row: where runs live, rename, delete.

Runs live beside the project (``corpus.db`` -> ``corpus-runs/<run>/``). A folder is only
ever removed or moved when it is the run's own: it holds a ``nerstudio.json`` naming that
run, so a path recorded wrongly (or edited) can never make nerstudio delete other files.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from nerstudio.core.errors import ProjectError
from nerstudio.core.safe_io import write_file
from nerstudio.core.store import Project, RunRecord
from nerstudio.core.store.runs import check_run_name, runs_folder

__all__ = ["delete_run", "owns_folder", "rename_run", "runs_folder"]


def owns_folder(record: RunRecord) -> bool:
    """Whether the run's recorded folder is really that run's: a real folder (no link to
    somewhere else) whose nerstudio.json names the run."""
    if not record.path:
        return False
    folder = Path(record.path)
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        info = json.loads((folder / "nerstudio.json").read_text(encoding="utf-8"))
        return isinstance(info, dict) and info.get("run") == record.name
    except (OSError, ValueError):
        return False


def delete_run(project: Project, name: str) -> tuple[RunRecord, bool]:
    """Forget a run and remove its folder if it is its own; (record, folder removed).

    The folder is first renamed to a hidden sibling, so the run disappears at once and
    whole; what cannot be removed after that is reported, never passed over in silence.
    """
    record = project.runs.get(name)
    if record.status == "running":
        raise ProjectError(f"run {name!r} is still training; stop it first")
    owned = owns_folder(record)
    doomed = None
    if owned:
        folder = Path(record.path)
        doomed = folder.with_name(f".{folder.name}.deleted-{os.getpid()}")
        folder.rename(doomed)
    try:
        project.runs.delete(name)
    except BaseException:
        if doomed is not None:
            doomed.rename(record.path)
        raise
    if doomed is not None:
        failures: list[str] = []
        shutil.rmtree(doomed, onerror=lambda _f, path, exc: failures.append(str(path)))
        if failures:
            raise ProjectError(
                f"run {name!r} is forgotten, but {len(failures)} files in {doomed} could not "
                f"be removed (first: {failures[0]}); delete the folder by hand"
            )
    return record, owned


def rename_run(project: Project, old: str, new: str) -> RunRecord:
    """Rename a run, its folder (when it is its own) and the name in its nerstudio.json."""
    check_run_name(new)
    record = project.runs.get(old)
    if record.status == "running":
        raise ProjectError(f"run {old!r} is still training; rename it when it is done")
    if not owns_folder(record):
        return project.runs.rename(old, new)
    folder = Path(record.path)
    target = folder.with_name(new)
    if target.exists():
        raise ProjectError(f"{target}: exists already; choose another name")
    info_path = folder / "nerstudio.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    folder.rename(target)
    try:
        renamed = project.runs.rename(old, new, str(target))
    except BaseException:
        target.rename(folder)
        raise
    info["run"] = new
    with write_file(target / "nerstudio.json") as fh:
        json.dump(info, fh, indent=2)
    return renamed
