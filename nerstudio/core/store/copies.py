"""Whole-project copies: the one way a project is copied into another database file (a
rolling backup, an annotator's copy), and cutting an annotator's copy down to their part.

The copy itself is SQLite's online backup API, so it is consistent while others write;
where the file lands is the caller's ``safe_io.new_database`` block (a temporary name that
takes the real one only when complete)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from nerstudio.core.store.annotation_sets import AnnotationSets, check_annotator_name


def copy_database(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the database this connection sees into ``target`` (a new file), as one file
    without a write-ahead log, so that moving the one file moves it all."""
    copy = sqlite3.connect(str(target))
    try:
        conn.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()


def keep_only(
    db: sqlite_utils.Database, sets: AnnotationSets, document_ids: Iterable[int], annotator: str
) -> None:
    """Make this (copied) project one annotator's: only these documents, no team sets or
    curation, the active run kept as an ``imported`` run without its folder (its
    suggestions for the kept documents stay) and other runs gone; then compacted into one
    self-contained file, so removed documents' text does not linger in free pages."""
    with db.atomic():
        db.execute("CREATE TEMP TABLE keep_ids (id INTEGER PRIMARY KEY)")
        db.conn.executemany(
            "INSERT OR IGNORE INTO temp.keep_ids VALUES (?)", [(i,) for i in document_ids]
        )
        db.execute("DELETE FROM documents WHERE id NOT IN (SELECT id FROM temp.keep_ids)")
        db.execute("DROP TABLE temp.keep_ids")
        for table in ("annotations", "annotation_status", "curation", "run_metrics"):
            db.execute(f"DELETE FROM {table}")
        db.execute("UPDATE documents SET curated_at = NULL WHERE curated_at IS NOT NULL")
        db.execute(
            "DELETE FROM runs WHERE name IS NOT"
            " (SELECT value FROM project_meta WHERE key = 'active_run')"
        )
        db.execute("UPDATE runs SET status = 'imported', path = NULL, pid = NULL, host = NULL")
        sets.set_current(annotator)
        db.execute(
            "DELETE FROM annotators WHERE id != 1 AND name != ?"
            " AND id NOT IN (SELECT annotator_id FROM spans WHERE annotator_id IS NOT NULL)"
            " AND id NOT IN (SELECT status_annotator_id FROM documents)",
            [check_annotator_name(annotator)],
        )
    db.execute("VACUUM")
    db.execute("PRAGMA journal_mode=DELETE")
