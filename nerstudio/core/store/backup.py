"""Rolling backups of a project file, made with SQLite's online backup API.

Taken before migrations and bulk operations (an import, a label merge, tag-all across
documents), into ``corpus-backups/`` beside ``corpus.db``; the newest ``KEEP`` stay. A
backup is written to a temporary name and renamed when complete, so a crash never leaves
a half backup that looks whole.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from nerstudio.core.safe_io import new_database
from nerstudio.core.store.copies import copy_database

log = logging.getLogger(__name__)
KEEP = 3


def folder(project_path: Path) -> Path:
    """``corpus.db`` -> ``corpus-backups/``."""
    return project_path.with_name(f"{project_path.stem}-backups")


def latest(project_path: Path) -> Path | None:
    """The newest complete backup, or None."""
    found = _backups(project_path)
    return found[-1] if found else None


def _backups(project_path: Path) -> list[Path]:
    where = folder(project_path)
    if not where.is_dir():
        return []
    return sorted(where.glob(f"{project_path.stem}-*.db"))


def make(conn: sqlite3.Connection, project_path: Path, reason: str) -> Path | None:
    """Copy the project (as this connection sees it) into the backups folder; keep the
    newest ``KEEP``. A backup that cannot be written is logged, never fatal: the
    operation it guards is all-or-nothing on its own. Inside a write transaction SQLite's
    backup of the same connection spins forever, so there it is skipped (and logged)."""
    if conn.in_transaction:
        log.warning("%s: no backup before %s: made inside a transaction", project_path, reason)
        return None
    where = folder(project_path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = where / f"{project_path.stem}-{stamp}-{reason}.db"
    try:
        where.mkdir(exist_ok=True)
        with new_database(target, replace=True) as tmp:  # the name is new: a stamp to the µs
            copy_database(conn, tmp)
    except (OSError, sqlite3.Error) as err:
        log.warning("%s: no backup before %s: %s", project_path, reason, err)
        return None
    for old in _backups(project_path)[:-KEEP]:
        old.unlink(missing_ok=True)
    return target
