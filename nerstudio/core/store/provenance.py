"""Where each document read from a PDF, Word, HTML ... file came from: the file, where the
document starts in the file's extracted text, and per character range its page and block
kind (heading, paragraph, table cell). Kept in two narrow tables beside ``documents`` so
the text row is never rewritten for them; documents imported from annotated formats have
no rows here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlite_utils

from nerstudio.core.records import Origin, Region

_CHUNK = 500  # ids per ``IN (...)`` (SQLite's variable limit is far above)


def migration(db: sqlite_utils.Database) -> None:
    """The source file of each document read from a document file, and its blocks."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS document_origins (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            file TEXT NOT NULL,
            "offset" INTEGER NOT NULL DEFAULT 0 CHECK ("offset" >= 0)
        );
        CREATE TABLE IF NOT EXISTS document_blocks (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            kind TEXT NOT NULL,
            page INTEGER,
            level INTEGER,
            PRIMARY KEY (document_id, start),
            CHECK (start < "end")
        ) WITHOUT ROWID;
        """
    )


def origin_rows(
    document_id: int, origin: Origin, origins: list[tuple], blocks: list[tuple]
) -> None:
    """Append a new document's rows (inserted by ``insert``)."""
    origins.append((document_id, origin.file, origin.offset))
    blocks.extend((document_id, r.start, r.end, r.kind, r.page, r.level) for r in origin.regions)


def insert(db: sqlite_utils.Database, origins: list[tuple], blocks: list[tuple]) -> None:
    """Insert buffered rows inside the caller's transaction, and clear the buffers."""
    db.conn.executemany(
        'INSERT INTO document_origins (document_id, file, "offset") VALUES (?, ?, ?)', origins
    )
    db.conn.executemany(
        'INSERT INTO document_blocks (document_id, start, "end", kind, page, level)'
        " VALUES (?, ?, ?, ?, ?, ?)",
        blocks,
    )
    origins.clear()
    blocks.clear()


def origins(db: sqlite_utils.Database, document_ids: Iterable[int]) -> dict[int, Origin]:
    """The origin of each of these documents that has one."""
    ids = list(document_ids)
    found: dict[int, Origin] = {}
    for first in range(0, len(ids), _CHUNK):
        chunk = ids[first : first + _CHUNK]
        marks = ",".join("?" * len(chunk))
        heads = db.execute(
            f'SELECT document_id, file, "offset" FROM document_origins'
            f" WHERE document_id IN ({marks})",
            chunk,
        ).fetchall()
        regions: dict[int, list[Region]] = {}
        for doc, start, end, kind, page, level in db.execute(
            f'SELECT document_id, start, "end", kind, page, level FROM document_blocks'
            f" WHERE document_id IN ({marks}) ORDER BY document_id, start",
            chunk,
        ):
            regions.setdefault(doc, []).append(Region(start, end, kind, page, level))
        for doc, file, offset in heads:
            found[doc] = Origin(file, offset, tuple(regions.get(doc, ())))
    return found


def sources(
    db: sqlite_utils.Database, document_ids: Sequence[int]
) -> dict[int, tuple[str, int | None]]:
    """The file and first page (None unpaged) of each of these documents that has an
    origin, for the document list."""
    found: dict[int, tuple[str, int | None]] = {}
    for first in range(0, len(document_ids), _CHUNK):
        chunk = list(document_ids[first : first + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for doc, file, page in db.execute(
            "SELECT o.document_id, o.file, (SELECT min(b.page) FROM document_blocks b"
            " WHERE b.document_id = o.document_id) FROM document_origins o"
            f" WHERE o.document_id IN ({marks})",
            chunk,
        ):
            found[doc] = (file, page)
    return found


def any_origin(db: sqlite_utils.Database) -> bool:
    """Whether any document of the project came from a document file."""
    return db.execute("SELECT 1 FROM document_origins LIMIT 1").fetchone() is not None
