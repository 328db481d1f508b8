"""Is the project file sound? A fast check on every open, a full one on request.

``PRAGMA quick_check`` (the b-tree structure, without cross-checking indexes) runs on every
open, so a damaged file is refused before anything writes to it; ``nerstudio check`` runs
the full ``integrity_check``, the full-text index's own check, foreign keys, and our rules
for gold spans (inside the text, on token boundaries, not overlapping).
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import ProjectError, SpanError
from nerstudio.core.spans import check_spans
from nerstudio.core.store import backup, queries

# The full-text index's own check; rank = 1 compares the index with the documents, not only
# with itself. It is written as an INSERT, so SQLite wants the write lock for it.
_FTS_CHECK = "INSERT INTO documents_fts(documents_fts, rank) VALUES('integrity-check', 1)"


def _pragma_rows(db: sqlite_utils.Database, pragma: str) -> list[str]:
    """The pragma's report as single lines (SQLite packs several into one row). A file
    SQLite cannot read is one line of damage; a full disk or a lock is not damage."""
    try:
        rows = [str(row[0]) for row in db.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.DatabaseError as err:
        if _not_damage(err):
            raise
        return [str(err)]
    lines = [line for row in rows for line in row.splitlines()]
    return [line for line in lines if line.strip() and not line.startswith("*** in database")]


def _not_damage(err: sqlite3.Error) -> bool:
    """Errors that say nothing about the file: no room, no memory, a lock, no permission."""
    text = str(err).lower()
    return isinstance(err, sqlite3.OperationalError) and any(
        word in text for word in ("full", "memory", "locked", "busy", "readonly", "read-only")
    )


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
    """Every problem found, as lines for ``nerstudio check`` (empty: the file is sound).

    It reads one document at a time, so its memory and temporary space stay within what
    the largest document needs; where even that is not there it says so in one line
    (``ProjectError``) rather than report damage that is not there.
    """
    try:
        return _problems(db)
    except (sqlite3.OperationalError, MemoryError) as err:
        raise _could_not_finish(getattr(db, "path", "the project"), err) from None


def _could_not_finish(path: Path | str, err: BaseException) -> ProjectError:
    reason = str(err) or "out of memory"
    if isinstance(err, MemoryError) or "full" in reason.lower():
        hint = (
            "free some memory or disk space (SQLite's temporary files go to $SQLITE_TMPDIR, "
            "else /var/tmp or /tmp) and run it again"
        )
    else:
        hint = "run it again when the project is not busy"
    return ProjectError(
        f"{path}: the check could not finish ({reason}); nothing was changed: {hint}"
    )


def _problems(db: sqlite_utils.Database) -> list[str]:
    problems = [r for r in _pragma_rows(db, "integrity_check") if r != "ok"]
    if problems:
        return problems  # the rest reads tables that may be unreadable
    problems += [
        f"{table} row {rowid} refers to a missing {parent} row"
        for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall()
    ]
    problems += _fts_problems(db.conn)
    problems += _span_problems(db)
    return problems


def _fts_problems(conn: sqlite3.Connection) -> list[str]:
    """The full-text index's own check. Where this connection may not write (a read-only
    project) or another process holds the write lock, it runs on a private copy: a
    read-only project is checked too, and no lock is waited for."""
    try:
        if not _fts_check_in_place(conn):
            _fts_check_on_copy(conn)
    except sqlite3.DatabaseError as err:
        if _not_damage(err):
            raise
        return [f"the full-text search index does not match the documents: {err}"]
    return []


def _fts_check_in_place(conn: sqlite3.Connection) -> bool:
    """Run the check in a transaction that is rolled back (it writes nothing); False where
    the write lock cannot be had at once. Raw ``BEGIN IMMEDIATE`` rather than
    ``db.atomic()``: no wait, no retries, and SQLite's own error for the caller to sort."""
    with _no_busy_wait(conn):
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if _not_damage(err):
                return False
            raise
    try:
        conn.execute(_FTS_CHECK)
    except sqlite3.OperationalError as err:
        if _not_damage(err):  # a read-only file lets the transaction begin, not the INSERT
            return False
        raise
    finally:
        if conn.in_transaction:  # SQLite ends it itself after some errors
            conn.execute("ROLLBACK")
    return True


def _fts_check_on_copy(conn: sqlite3.Connection) -> None:
    """The check on a copy in a temporary folder (SQLite's online backup reads the last
    committed state, whoever holds the write lock), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="nerstudio-check-") as folder:
        copy = sqlite3.connect(Path(folder) / "copy.db", isolation_level=None)
        try:
            conn.backup(copy)
            copy.execute(_FTS_CHECK)
        finally:
            copy.close()


@contextlib.contextmanager
def _no_busy_wait(conn: sqlite3.Connection) -> Iterator[None]:
    before = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute("PRAGMA busy_timeout=0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA busy_timeout={int(before)}")


def _span_problems(db: sqlite_utils.Database) -> list[str]:
    """Gold spans that break the rules every edit checks (a file edited by other tools).

    Documents in id order beside spans in (document, start) order: two cursors that walk
    the tables' own order, joined here one document at a time. A GROUP BY over the joined
    rows put each document's text and tokens through SQLite's sorter once per span (70 GB
    of temporary files for one document of 400,000 words and 2,000 spans).
    """
    docs = db.conn.execute(
        # Status, split, source and meta are not checked here: a damaged meta must not stop it.
        "SELECT d.id, d.text, d.tokens, 'new', NULL, NULL, NULL FROM documents d"
        " WHERE EXISTS (SELECT 1 FROM spans s WHERE s.document_id = d.id) ORDER BY d.id"
    )
    spans = db.conn.execute(
        'SELECT s.document_id, s.start, s."end", l.name FROM spans s'
        " JOIN labels l ON l.id = s.label_id ORDER BY s.document_id, s.start"
    )
    problems = []
    for record in queries.join_spans(docs, spans):
        try:
            check_spans(record.spans, record.tokens, len(record.text))
        except SpanError as err:
            problems.append(f"document {record.id}: {err}")
    return problems
