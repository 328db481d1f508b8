"""Is the project file sound? A fast check on every open, a full one on request.

``PRAGMA quick_check`` (the b-tree structure, without cross-checking indexes) runs on every
open, so a damaged file is refused before anything writes to it; ``nerstudio check`` runs
the full ``integrity_check``, the full-text index's own check, foreign keys, and our rules
for gold spans (inside the text, on token boundaries, not overlapping).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import ProjectError, SpanError
from nerstudio.core.spans import Span, check_spans
from nerstudio.core.store import backup


def _pragma_rows(db: sqlite_utils.Database, pragma: str) -> list[str]:
    """The pragma's report as single lines (SQLite packs several into one row)."""
    try:
        rows = [str(row[0]) for row in db.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as err:
        return [str(err)]
    lines = [line for row in rows for line in row.splitlines()]
    return [line for line in lines if line.strip() and not line.startswith("*** in database")]


def damaged(path: Path, problem: str) -> ProjectError:
    """The refusal for a damaged file, pointing at the newest backup."""
    latest = backup.latest(path)
    where = (
        f"the last good copy is {latest} (copy it over the project to go back to it)"
        if latest
        else "there is no backup of it yet"
    )
    return ProjectError(
        f"{path}: the project file is damaged ({problem}), so nothing will write to it; "
        f"{where}; 'nerstudio check {path}' lists every problem"
    )


def require_intact(db: sqlite_utils.Database, path: Path) -> None:
    """``quick_check`` on open: a damaged file is refused before any write."""
    rows = _pragma_rows(db, "quick_check")
    if rows != ["ok"]:
        raise damaged(path, rows[0][:200])


def full_check(db: sqlite_utils.Database) -> list[str]:
    """Every problem found, as lines for ``nerstudio check`` (empty: the file is sound)."""
    problems = [r for r in _pragma_rows(db, "integrity_check") if r != "ok"]
    if problems:
        return problems  # the rest reads tables that may be unreadable
    problems += [
        f"{table} row {rowid} refers to a missing {parent} row"
        for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall()
    ]
    try:
        with db.atomic():
            # rank = 1: compare the index with the documents, not only with itself.
            db.execute(
                "INSERT INTO documents_fts(documents_fts, rank) VALUES('integrity-check', 1)"
            )
    except (sqlite3.DatabaseError, ProjectError) as err:
        problems.append(f"the full-text search index does not match the documents: {err}")
    problems += _span_problems(db)
    return problems


def _span_problems(db: sqlite_utils.Database) -> list[str]:
    """Gold spans that break the rules every edit checks (a file edited by other tools)."""
    problems = []
    rows = db.execute(
        'SELECT d.id, d.text, d.tokens, json_group_array(json_array(s.start, s."end", l.name))'
        " FROM documents d JOIN spans s ON s.document_id = d.id"
        " JOIN labels l ON l.id = s.label_id GROUP BY d.id ORDER BY d.id"
    )
    for document_id, text, tokens_json, spans_json in rows:
        flat = json.loads(tokens_json)
        tokens = list(zip(flat[0::2], flat[1::2]))
        spans = [Span(s, e, label) for s, e, label in json.loads(spans_json)]
        try:
            check_spans(spans, tokens, len(text))
        except SpanError as err:
            problems.append(f"document {document_id}: {err}")
    return problems
