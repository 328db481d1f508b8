"""The project file's schema, created and upgraded only by numbered migrations: this
module lists them (``MIGRATIONS``) and runs them; their bodies are in ``migrations``.

``project_meta`` marks a file as a nerstudio project and records its ``schema_version``;
a file from a newer nerstudio is refused rather than half-understood.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import ProjectError
from nerstudio.core.store import migrations, provenance
from nerstudio.core.store.connection import explain, now
from nerstudio.core.store.dictionary_schema import migration_dictionaries
from nerstudio.core.store.label_descriptions_schema import migration_label_descriptions

APPLICATION = "nerstudio"

# The one list of migrations, in order: a file at schema_version N has run the first N.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    migrations.migration_1,
    migrations.migration_2,
    migrations.migration_3,
    migrations.migration_4,
    migrations.migration_5,
    migrations.migration_6,
    migrations.migration_7,
    migrations.migration_8,
    provenance.migration,  # 9: document files' source and blocks (issue 27)
    migration_dictionaries,  # 10: dictionary entries and rejected suggestions (issue 26)
    migration_label_descriptions,  # 11: label descriptions for zero-shot models (issue 26)
]
SCHEMA_VERSION = len(MIGRATIONS)


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
    """Apply the migrations this file lacks, each in the enclosing transaction.

    A file that has them all is only read: opening it to read (stats, export, the window)
    must not wait for the write lock another process holds through a long import.
    """
    if _readable_version(db, path) == SCHEMA_VERSION:
        return
    with db.atomic():
        # Again under the lock: another process may have upgraded it in the meantime.
        version = _readable_version(db, path)
        for number in range(version, SCHEMA_VERSION):
            MIGRATIONS[number](db)
            db.execute(
                "UPDATE project_meta SET value = ? WHERE key = 'schema_version'",
                [number + 1],
            )


def _readable_version(db: sqlite_utils.Database, path: Path | None) -> int:
    """The file's schema version; ``ProjectError`` for one from a newer nerstudio."""
    version = schema_version(db, path or Path("project"))
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: written by a newer nerstudio (schema {version}; this version reads up "
            f"to {SCHEMA_VERSION}): upgrade nerstudio to open it"
        )
    return version
