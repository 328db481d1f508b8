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
from nerstudio.core.store.connection import explain
from nerstudio.core.store.label_descriptions_schema import migration_label_descriptions

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
    user = _os_user_name()
    _add_annotator_columns(db)
    _create_team_tables(db)
    _attribute_to_first_annotator(db, user)


def _os_user_name() -> str:
    """The OS user as an annotator name (unsafe characters replaced), else 'annotator'."""
    import getpass
    import re

    try:
        user = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no user name (some containers, services)
        user = ""
    return re.sub(r"[^0-9A-Za-z._-]", "_", user).lstrip(".-")[:64] or "annotator"


def _columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()}


def _add_annotator_columns(db: sqlite_utils.Database) -> None:
    """The annotators table, and who made each span and status (and when it was curated)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS annotators ("
        " id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)"
    )
    if "annotator_id" not in _columns(db, "spans"):
        db.execute("ALTER TABLE spans ADD COLUMN annotator_id INTEGER REFERENCES annotators(id)")
    if "status_annotator_id" not in _columns(db, "documents"):
        db.execute(
            "ALTER TABLE documents ADD COLUMN status_annotator_id INTEGER NOT NULL DEFAULT 1"
        )
    if "curated_at" not in _columns(db, "documents"):
        db.execute("ALTER TABLE documents ADD COLUMN curated_at TEXT")


def _create_team_tables(db: sqlite_utils.Database) -> None:
    """Annotators' own sets (spans and status) and the curation decisions."""
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


def _attribute_to_first_annotator(db: sqlite_utils.Database, user: str) -> None:
    """Annotator 1 (``user``) made what exists; spans added later without one get the
    current annotator (a trigger)."""
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


def _migration_6(db: sqlite_utils.Database) -> None:
    """The queue's order kept in the store: each prediction's scores as REAL columns (and a
    random key), indexed in queue order, so the top of the queue is an index walk rather
    than every prediction read and sorted in Python (17 s and 832 MB at 1M documents).

    Existing rows are filled from their ``scores`` JSON; a score that is missing, not a
    number or not finite is 0.0 (where the queue always put it). JSON that SQLite cannot
    read (Python's ``NaN``) is rewritten without the non-finite scores. Safe to run on a
    file that has it already.
    """
    from nerstudio.core.store.predictions import QUEUE_SCORES

    have = _columns(db, "predictions")
    for name in (*QUEUE_SCORES, "shuffle_key"):
        kind = "INTEGER" if name == "shuffle_key" else "REAL"
        if name not in have:
            db.execute(f"ALTER TABLE predictions ADD COLUMN {name} {kind} NOT NULL DEFAULT 0")
    _repair_score_json(db)
    _fill_queue_columns(db, QUEUE_SCORES)
    for name in QUEUE_SCORES:
        db.execute(
            f"CREATE INDEX IF NOT EXISTS predictions_{name}"
            f" ON predictions(run_id, {name} DESC, document_id)"
        )
    db.execute(
        "CREATE INDEX IF NOT EXISTS predictions_shuffle_key"
        " ON predictions(run_id, shuffle_key, document_id)"
    )


def _repair_score_json(db: sqlite_utils.Database) -> None:
    """Rewrite the (rare) ``scores`` SQLite cannot parse, keeping only finite numbers."""
    import json

    from nerstudio.core.store.predictions import finite_scores

    broken = db.execute(
        "SELECT rowid, scores FROM predictions WHERE scores IS NOT NULL AND NOT json_valid(scores)"
    ).fetchall()
    for rowid, text in broken:
        try:
            found = json.loads(text)
        except ValueError:
            found = {}
        kept = finite_scores(found) if isinstance(found, dict) else {}
        db.execute(
            "UPDATE predictions SET scores = ?, uncertainty = ? WHERE rowid = ?",
            [json.dumps(kept), kept.get("mnlp"), rowid],
        )


def _fill_queue_columns(db: sqlite_utils.Database, names: tuple[str, ...]) -> None:
    """One pass over ``predictions``: each score parsed once, the shuffle key by Python."""
    from nerstudio.core.store.predictions import shuffle_key

    db.conn.create_function("nerstudio_shuffle_key", 1, shuffle_key, deterministic=True)
    largest = "1.7976931348623157e308"  # beyond it: infinite
    extracted = ", ".join(f"json_extract(scores, '$.{name}') AS {name}" for name in names)
    assigned = ", ".join(
        f"{name} = CASE WHEN typeof(v.{name}) IN ('integer', 'real')"
        f" AND abs(v.{name}) <= {largest} THEN v.{name} ELSE 0.0 END"
        for name in names
    )
    db.execute(
        f"UPDATE predictions SET {assigned}, shuffle_key = nerstudio_shuffle_key(document_id)"
        f" FROM (SELECT rowid AS r, {extracted} FROM predictions"
        " WHERE json_valid(scores)) AS v WHERE predictions.rowid = v.r"
    )
    db.execute(
        "UPDATE predictions SET shuffle_key = nerstudio_shuffle_key(document_id)"
        " WHERE scores IS NULL OR NOT json_valid(scores)"
    )


def _migration_7(db: sqlite_utils.Database) -> None:
    """The full-text index follows the text alone: its update trigger fired on every change
    to a document row (a status, the time spent, a span edit's touch), re-indexing the
    whole text each time (1.1 s a status change on a 5 MB document)."""
    db.execute("DROP TRIGGER IF EXISTS documents_au")
    db.execute(
        """CREATE TRIGGER documents_au AFTER UPDATE OF text ON documents BEGIN
          INSERT INTO documents_fts (documents_fts, rowid, text)
            VALUES('delete', old.rowid, old.text);
          INSERT INTO documents_fts (rowid, text) VALUES (new.rowid, new.text);
        END"""
    )


def _migration_8(db: sqlite_utils.Database) -> None:
    """When a document's spans last changed, in a narrow row of its own: setting it on the
    document's row made SQLite rewrite that whole row, text and tokens included (~35-90 ms
    a span edit on a 900,000-token document). ``documents.updated_at`` stays the time of
    the last change to the row itself (status, split, curation)."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS document_edits (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            updated_at TEXT NOT NULL
        )"""
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
    migration_label_descriptions,
]
SCHEMA_VERSION = len(MIGRATIONS)


def now() -> str:
    """A UTC timestamp for ``updated_at`` and run times."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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
