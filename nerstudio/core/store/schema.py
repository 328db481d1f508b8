"""The project file's schema, created and upgraded only by numbered migrations.

``project_meta`` marks a file as a nerstudio project and records its ``schema_version``;
a file from a newer nerstudio is refused rather than half-understood.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import ProjectError

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


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
]
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """A UTC timestamp for ``updated_at`` and run times."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite_utils.Database:
    """One connection (for this thread) with autocommit off-by-default handled by ``atomic``."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    return sqlite_utils.Database(conn, execute_plugins=False)


def configure(db: sqlite_utils.Database) -> None:
    """WAL for crash safety and concurrent readers, enforced foreign keys, a busy timeout."""
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=5000")


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
        raise ProjectError(
            f"{path}: not a nerstudio project (not an SQLite database: {err})"
        ) from None
    if rows.get("application") != APPLICATION:
        raise ProjectError(
            f"{path}: not a nerstudio project (an SQLite file without nerstudio's tables); "
            "create one with 'nerstudio init'"
        )
    return int(rows["schema_version"])


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
