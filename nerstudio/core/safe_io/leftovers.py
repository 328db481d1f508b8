"""What killed writers leave behind (``.part`` folders, replaced or deleted run folders),
removed once the process that wrote them is gone."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

# A killed writer's leftovers: write_file/write_folder's ``.NAME.PID.xxxxxxxx.part``, the
# replaced target ``.NAME.old-PID``, and a deleted run's ``.NAME.deleted-PID``.
_LEFTOVER = re.compile(
    r"\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.[^.]+\.part|(?:old|deleted)-(?P<pid2>\d+))"
)
# Written before temporary names carried the pid: removed once they are this old.
_OLD_PART = re.compile(r"\..+\.[^.]{8}\.part")
UNNAMED_LEFTOVER_SECONDS = 24 * 3600


def remove_leftovers(folder: str | Path) -> list[Path]:
    """Remove what killed writers left in ``folder`` (only its top level); returns them.

    A leftover whose writer still runs is kept: its name carries the writer's pid, and a
    pid counts as that writer only when its process is older than the leftover (a pid can
    be reused). What cannot be removed stays, to be tried again next time."""
    folder = Path(folder)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    removed = []
    for path in entries:
        if path.name.startswith(".") and _is_dead_leftover(path) and _remove(path):
            removed.append(path)
    return removed


def _is_dead_leftover(path: Path) -> bool:
    try:
        modified = path.lstat().st_mtime
    except OSError:
        return False
    match = _LEFTOVER.fullmatch(path.name)
    if match is not None:
        return not _writer_alive(int(match["pid"] or match["pid2"]), modified)
    if _OLD_PART.fullmatch(path.name):
        return time.time() - modified > UNNAMED_LEFTOVER_SECONDS
    return False


def _writer_alive(pid: int, modified: float) -> bool:
    """Whether process ``pid`` may still be writing a leftover last modified at ``modified``."""
    import psutil

    if pid == os.getpid():
        return True
    try:
        return psutil.Process(pid).create_time() <= modified + 1
    except psutil.NoSuchProcess:
        return False
    except (psutil.Error, OSError, ValueError, OverflowError):
        return True  # cannot tell: keep it


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        return False
    return True
