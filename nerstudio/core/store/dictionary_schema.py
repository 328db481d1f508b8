"""The tables of dictionary sources (issue 26): the entries a dictionary file brought in,
and how often the person rejected each suggested string (the learnt filter)."""

from __future__ import annotations

import sqlite_utils


def migration_dictionaries(db: sqlite_utils.Database) -> None:
    """``dictionary_entries``: a source's phrases (``text``) and token patterns (``pattern``,
    JSON) with their label and case rule; ``source_rejections``: per source, casefolded
    string and label, how many of its suggestions were rejected."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS dictionary_entries (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            case_sensitive INTEGER NOT NULL DEFAULT 0,
            pattern TEXT
        );
        CREATE INDEX IF NOT EXISTS dictionary_entries_run ON dictionary_entries(run_id);
        CREATE TABLE IF NOT EXISTS source_rejections (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            label TEXT NOT NULL,
            rejected INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, text, label)
        );
        """
    )
