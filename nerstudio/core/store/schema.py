"""The project file's schema, created and upgraded only by numbered migrations.

``project_meta`` marks a file as a nerstudio project and records its ``schema_version``;
a file from a newer nerstudio is refused rather than half-understood.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import ProjectError

log = logging.getLogger(__name__)

APPLICATION = "nerstudio"


def _migration_1(db: sqlite_utils.Database) -> None:
    """Labels, documents with full-text search, gold spans, predictions and runs."""
    db.executescript(
        """
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            color TEXT NOT NULL,
            hotkey TEXT UNIQUE,
            position INTEGER NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            tokens TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'in_progress', 'done', 'skipped')),
            split TEXT,
            source TEXT,
            content_hash TEXT NOT NULL,
            seconds_spent REAL NOT NULL DEFAULT 0,
            meta TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX documents_status ON documents(status);
        CREATE INDEX documents_split ON documents(split);
        CREATE INDEX documents_hash ON documents(content_hash);
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            origin TEXT NOT NULL DEFAULT 'human' CHECK (origin IN ('human', 'model')),
            CHECK (start < "end")
        );
        CREATE INDEX spans_document ON spans(document_id, start);
        CREATE INDEX spans_label ON spans(label_id, document_id);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            base_model TEXT NOT NULL,
            method TEXT NOT NULL,
            params TEXT,
            status TEXT NOT NULL,
            path TEXT,
            label_map TEXT,
            metrics TEXT,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE TABLE run_metrics (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            step INTEGER,
            epoch REAL,
            name TEXT NOT NULL,
            value REAL NOT NULL
        );
        CREATE INDEX run_metrics_run ON run_metrics(run_id, name, step);
        CREATE TABLE predictions (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            spans TEXT NOT NULL,
            uncertainty REAL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (document_id, run_id)
        );
        """
    )
    db["documents"].enable_fts(
        ["text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )


def _migration_2(db: sqlite_utils.Database) -> None:
    """Span ids never reused (AUTOINCREMENT), so an undo/redo can restore a span by id."""
    db.executescript(
        """
        CREATE TABLE spans_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            origin TEXT NOT NULL DEFAULT 'human' CHECK (origin IN ('human', 'model')),
            CHECK (start < "end")
        );
        INSERT INTO spans_new SELECT id, document_id, start, "end", label_id, origin FROM spans;
        DROP TABLE spans;
        ALTER TABLE spans_new RENAME TO spans;
        CREATE INDEX spans_document ON spans(document_id, start);
        CREATE INDEX spans_label ON spans(label_id, document_id);
        """
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    """Predictions keep every uncertainty score (by strategy), not only one."""
    db.execute("ALTER TABLE predictions ADD COLUMN scores TEXT")


def _migration_4(db: sqlite_utils.Database) -> None:
    """Runs record the process that trains them, so a run whose process died can be told
    from one still training (``interrupted`` on the next open)."""
    db.execute("ALTER TABLE runs ADD COLUMN pid INTEGER")
    db.execute("ALTER TABLE runs ADD COLUMN host TEXT")


def _migration_5(db: sqlite_utils.Database) -> None:
    """Annotators: who made each span and status change, each annotator's own annotation set
    merged from their project, and the curation decisions that settle disagreements.

    An existing project gets one annotator (the OS user, else 'annotator'), id 1, which its
    spans and statuses are attributed to. ``documents.status_annotator_id`` defaults to 1
    rather than being updated (an UPDATE would re-index every document's full text); new
    rows set it. Spans inserted without an annotator get the current one (a trigger), so
    every way of adding a span records who did. Safe to run on a file that has it already.
    """
    import getpass
    import re

    try:
        user = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no user name (some containers, services)
        user = ""
    user = re.sub(r"[^0-9A-Za-z._-]", "_", user).lstrip(".-")[:64] or "annotator"

    def columns(table: str) -> set[str]:
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}

    db.execute(
        "CREATE TABLE IF NOT EXISTS annotators ("
        " id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)"
    )
    if "annotator_id" not in columns("spans"):
        db.execute("ALTER TABLE spans ADD COLUMN annotator_id INTEGER REFERENCES annotators(id)")
    if "status_annotator_id" not in columns("documents"):
        db.execute(
            "ALTER TABLE documents ADD COLUMN status_annotator_id INTEGER NOT NULL DEFAULT 1"
        )
    if "curated_at" not in columns("documents"):
        db.execute("ALTER TABLE documents ADD COLUMN curated_at TEXT")
    db.execute(
        """CREATE TABLE IF NOT EXISTS annotations (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            CHECK (start < "end"),
            PRIMARY KEY (document_id, annotator_id, start, "end", label_id)
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS annotation_status (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators(id) ON DELETE CASCADE,
            status TEXT NOT NULL
                CHECK (status IN ('new', 'in_progress', 'done', 'skipped')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (document_id, annotator_id)
        )"""
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS annotation_status_annotator"
        " ON annotation_status(annotator_id, status)"
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS curation (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
            accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),
            annotator_id INTEGER REFERENCES annotators(id),
            decided_at TEXT NOT NULL,
            PRIMARY KEY (document_id, start, "end", label_id)
        )"""
    )
    if db.execute("SELECT count(*) FROM annotators").fetchone()[0] == 0:
        db.execute("INSERT INTO annotators (id, name, created_at) VALUES (1, ?, ?)", [user, now()])
    db.execute(
        "INSERT OR IGNORE INTO project_meta (key, value)"
        " SELECT 'annotator', name FROM annotators ORDER BY id LIMIT 1"
    )
    db.execute("UPDATE spans SET annotator_id = 1 WHERE annotator_id IS NULL")
    db.execute(
        """CREATE TRIGGER IF NOT EXISTS spans_annotator AFTER INSERT ON spans
        WHEN NEW.annotator_id IS NULL BEGIN
            UPDATE spans SET annotator_id = (
                SELECT a.id FROM annotators a JOIN project_meta m
                ON m.key = 'annotator' AND m.value = a.name
            ) WHERE id = NEW.id;
        END"""
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
]
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """A UTC timestamp for ``updated_at`` and run times."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


BUSY_TIMEOUT_MS = 5000
LOCK_RETRIES = 3  # each waits BUSY_TIMEOUT_MS for the write lock: 15 s in all


def explain(path: Path | str, err: sqlite3.Error) -> ProjectError:
    """A one-line error for what SQLite says about a file a user can do something about."""
    text = str(err).lower()
    if "locked" in text or "busy" in text:
        return ProjectError(
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
        for attempt in range(1, LOCK_RETRIES + 1):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                locked = "locked" in str(err) or "busy" in str(err)
                if not locked or attempt == LOCK_RETRIES:
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


def initialize(db: sqlite_utils.Database) -> None:
    """Create a new project's tables and mark the file as a nerstudio project."""
    with db.atomic():
        db.execute("CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "INSERT INTO project_meta VALUES ('application', ?), ('schema_version', 0),"
            " ('created_at', ?)",
            [APPLICATION, now()],
        )
        upgrade(db)


def schema_version(db: sqlite_utils.Database, path: Path) -> int:
    """The file's schema version; ``ProjectError`` if it is not a nerstudio project."""
    try:
        has_meta = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'project_meta'"
        ).fetchone()
        rows = (
            dict(db.execute("SELECT key, value FROM project_meta").fetchall()) if has_meta else {}
        )
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            raise ProjectError(
                f"{path}: not a nerstudio project (not an SQLite database: {err})"
            ) from None
        raise explain(path, err) from None
    if rows.get("application") != APPLICATION:
        raise ProjectError(
            f"{path}: not a nerstudio project (an SQLite file without nerstudio's tables); "
            "create one with 'nerstudio init'"
        )
    try:
        return int(rows["schema_version"])
    except (KeyError, ValueError):
        raise ProjectError(
            f"{path}: the project is damaged (its schema_version is missing or not a "
            f"number: {rows.get('schema_version')!r}); run 'nerstudio check {path}' for the "
            "last good backup"
        ) from None


def upgrade(db: sqlite_utils.Database, path: Path | None = None) -> None:
    """Apply the migrations this file lacks, each in the enclosing transaction."""
    version = schema_version(db, path or Path("project"))
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: written by a newer nerstudio (schema {version}; this version reads up "
            f"to {SCHEMA_VERSION}): upgrade nerstudio to open it"
        )
    with db.atomic():
        for number in range(version, SCHEMA_VERSION):
            MIGRATIONS[number](db)
            db.execute(
                "UPDATE project_meta SET value = ? WHERE key = 'schema_version'",
                [number + 1],
            )
