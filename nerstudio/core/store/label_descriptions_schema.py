"""The migration that gives labels an optional description: what a zero-shot model is told
a label means ("names of companies and public bodies"), where the name alone ("ORG") says
too little. A table of its own, so the labels table and every query of it stay as they are."""

from __future__ import annotations

import sqlite_utils


def migration_label_descriptions(db: sqlite_utils.Database) -> None:
    """A description per label, gone with its label."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS label_descriptions (
            label_id INTEGER PRIMARY KEY REFERENCES labels(id) ON DELETE CASCADE,
            description TEXT NOT NULL
        )"""
    )
