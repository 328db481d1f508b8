"""The connection to a project file: one per thread, write transactions that take the
lock up front (``BEGIN IMMEDIATE``), and one-line errors for what SQLite reports."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from nerstudio.core import safe_io
from nerstudio.core.errors import ProjectError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
LOCK_RETRIES = 3  # each waits BUSY_TIMEOUT_MS for the write lock: 15 s in all


def now() -> str:
    """A UTC timestamp for ``updated_at`` and run times."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ProjectBusyError(ProjectError):
    """Another process holds the project's write lock (and held it past our wait)."""


def explain(path: Path | str, err: sqlite3.Error) -> ProjectError:
    """A one-line error for what SQLite says about a file a user can do something about."""
    text = str(err).lower()
    if "locked" in text or "busy" in text:
        return ProjectBusyError(
            f"{path}: another process (a training run, a second window, an import) has held "
            f"the project for over {LOCK_RETRIES * BUSY_TIMEOUT_MS // 1000} s; nothing was "
            "changed: try again when it is done"
        )
    if "readonly" in text or "read-only" in text:
        return ProjectError(
            f"{path}: the project is read-only (no permission to write the file or its "
            "folder); copy it somewhere writable, or fix its permissions"
        )
    if "full" in text:
        return ProjectError(f"{path}: the disk is full; nothing was changed: free some space")
    if "disk i/o error" in text:
        return ProjectError(
            f"{path}: the disk refused a read or write (full, removed or failing?); nothing "
            "was changed: free some space and try again"
        )
    if "malformed" in text or "corrupt" in text or "not a database" in text:
        return ProjectError(
            f"{path}: the project file is damaged ({err}); nothing was changed. Run "
            f"'nerstudio check {path}' for details and the last good backup"
        )
    return ProjectError(f"{path}: the project file cannot be used: {err}")


# Errors that mean our code is wrong (a constraint we should have checked), not the file.
_OUR_BUGS = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


class ProjectDatabase(sqlite_utils.Database):
    """A connection whose write transactions start with ``BEGIN IMMEDIATE``.

    A deferred transaction takes the write lock only at its first write, and SQLite does
    not wait (busy timeout) when a reader must become a writer: it fails at once with
    "database is locked". Taking the lock up front makes a second writer wait for it,
    then retry a bounded number of times before a clear one-line error.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        super().__init__(conn, execute_plugins=False)
        self.path = path
        self._lock_tries = LOCK_RETRIES

    @contextlib.contextmanager
    def without_waiting(self) -> Iterator[ProjectDatabase]:
        """Write transactions in here fail at once (``ProjectBusyError``) where another
        process holds the lock: for housekeeping that can wait for a later open."""
        self.conn.execute("PRAGMA busy_timeout=0")
        self._lock_tries = 1
        try:
            yield self
        finally:
            self._lock_tries = LOCK_RETRIES
            self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @contextlib.contextmanager
    def atomic(self) -> Iterator[ProjectDatabase]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self._begin_immediate()
        try:
            yield self
        except sqlite3.DatabaseError as err:
            self.rollback()
            if isinstance(err, _OUR_BUGS):
                raise
            raise explain(self.path, err) from None
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as err:
            self.rollback()
            raise explain(self.path, err) from None

    def _begin_immediate(self) -> None:
        for attempt in range(1, self._lock_tries + 1):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                locked = "locked" in str(err) or "busy" in str(err)
                if not locked or attempt == self._lock_tries:
                    raise explain(self.path, err) from None
                log.warning("%s: waiting for the write lock (attempt %d)", self.path, attempt)
                time.sleep(0.05 * attempt)

    def rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")


def connect(path: Path, read_only: bool = False) -> ProjectDatabase:
    """One connection (for this thread); transactions only through ``atomic``."""
    if read_only:
        # mode=ro needs the WAL's shared-memory file; on a read-only mount without one,
        # immutable=1 reads the file as it is (nothing else can be writing it there).
        uri = Path(path).resolve().as_uri()
        try:
            conn = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn = sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return ProjectDatabase(conn, Path(path))


def configure(db: sqlite_utils.Database) -> None:
    """WAL for crash safety and concurrent readers, enforced foreign keys, a busy timeout."""
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")


_SQLITE_HEADER = b"SQLite format 3\x00"


def is_project_file(path: Path) -> bool:
    """Whether a file is a nerstudio project by its content (a SQLite file with our
    ``project_meta`` table), whatever its name; an unreadable SQLite file counts as one."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return False
    except OSError:
        return False
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'project_meta'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return True  # locked or damaged: never replace what may be someone's project
    return row is not None


safe_io.protect(is_project_file, "a nerstudio project")
