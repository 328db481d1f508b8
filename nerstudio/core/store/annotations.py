"""Annotators, their own annotation sets, and the curation that settles them into gold.

Gold stays the ``spans`` table (what training and export read). Each annotator's work,
merged back from their project (``nerstudio merge``), is kept beside it as their own set
(``annotations`` + ``annotation_status``, in ``annotation_sets``), which curation never
changes; ``curation`` settles where finished sets disagree. This module puts the two
together as ``Annotations`` (``project.annotations``) and makes an annotator's own copy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from nerstudio.core.store.annotation_sets import (
    AnnotationSet,
    check_annotator_name,
    default_annotator_name,
)
from nerstudio.core.store.curation import (
    Choice,
    Curation,
    Disagreement,
    DisputedDocument,
    GoldSummary,
    Option,
    Settlement,
)

__all__ = [
    "AnnotationSet",
    "Annotations",
    "Choice",
    "Disagreement",
    "DisputedDocument",
    "GoldSummary",
    "Option",
    "Settlement",
    "check_annotator_name",
    "default_annotator_name",
]


class Annotations(Curation):
    """Annotators, annotation sets and curation of one project connection."""

    def relabel(self, source_label_id: int, target_label_id: int) -> None:
        """Sets and decisions follow a label merge (inside the caller's transaction)."""
        for table in ("annotations", "curation"):
            self.db.execute(
                f"UPDATE OR REPLACE {table} SET label_id = ? WHERE label_id = ?",
                [target_label_id, source_label_id],
            )

    # -- an annotator's copy ---------------------------------------------------------------

    def copy_to(self, target: Path) -> None:
        """Copy the whole project into ``target`` (SQLite's backup API: a consistent copy
        while others may be writing), as one file without a write-ahead log."""
        copy = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()

    def keep_only(self, document_ids: Iterable[int], annotator: str) -> None:
        """Make this (copied) project one annotator's: only these documents, no team sets
        or curation, the active run kept as an ``imported`` run without its folder (its
        suggestions for the kept documents stay) and other runs gone; then compacted into
        one self-contained file, so removed documents' text does not linger in free pages.
        """
        with self.db.atomic():
            self.db.execute("CREATE TEMP TABLE keep_ids (id INTEGER PRIMARY KEY)")
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO temp.keep_ids VALUES (?)", [(i,) for i in document_ids]
            )
            self.db.execute("DELETE FROM documents WHERE id NOT IN (SELECT id FROM temp.keep_ids)")
            self.db.execute("DROP TABLE temp.keep_ids")
            for table in ("annotations", "annotation_status", "curation", "run_metrics"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("UPDATE documents SET curated_at = NULL WHERE curated_at IS NOT NULL")
            self.db.execute(
                "DELETE FROM runs WHERE name IS NOT"
                " (SELECT value FROM project_meta WHERE key = 'active_run')"
            )
            self.db.execute(
                "UPDATE runs SET status = 'imported', path = NULL, pid = NULL, host = NULL"
            )
            self.set_current(annotator)
            self.db.execute(
                "DELETE FROM annotators WHERE id != 1 AND name != ?"
                " AND id NOT IN (SELECT annotator_id FROM spans WHERE annotator_id IS NOT NULL)"
                " AND id NOT IN (SELECT status_annotator_id FROM documents)",
                [check_annotator_name(annotator)],
            )
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA journal_mode=DELETE")
