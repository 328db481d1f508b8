"""A document's token boundaries for span edits, decoded once and kept per connection.

A span edit must check that the new span starts and ends on token boundaries. Decoding a
document's tokens JSON for that cost ~2 s a key on a 900,000-token document; the decoded
boundaries are kept (a few documents, per connection) while nothing could have changed
them: an entry is used only while neither this connection (``total_changes``) nor any
other (``PRAGMA data_version``) has written since the entries were last known good, and
the span store's own writes, which never change a document's text or tokens, re-stamp it.
"""

from __future__ import annotations

import bisect
import json
import weakref
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlite_utils

from nerstudio.core.errors import SpanError
from nerstudio.core.tokens import Token

KEPT_DOCUMENTS = 4  # the documents being edited; a long one's boundaries are ~15 MB


@dataclass(frozen=True)
class TokenBounds:
    """One document's text length and token offsets ``[s0, e0, s1, e1, ...]``."""

    text_length: int
    flat: array
    ordered: bool  # offsets never decrease (tokens in text order): bisection finds them

    @classmethod
    def from_json(cls, text_length: int, tokens: str) -> TokenBounds:
        return cls.from_offsets(text_length, json.loads(tokens))

    @classmethod
    def from_offsets(cls, text_length: int, values: list[int]) -> TokenBounds:
        return cls(text_length, array("q", values), values == sorted(values))

    def tokens_at(self, offsets: set[int]) -> list[Token]:
        """The tokens that start or end at any of ``offsets`` (what ``check_spans`` needs
        to judge spans with those offsets), found by bisection."""
        found: list[Token] = []
        for offset in offsets:
            for i in self._positions(offset):
                first = i - (i % 2)
                found.append((self.flat[first], self.flat[first + 1]))
        return found

    def _positions(self, offset: int) -> list[int]:
        flat = self.flat
        if not self.ordered:
            return [i for i, value in enumerate(flat) if value == offset]
        i = bisect.bisect_left(flat, offset)
        positions = []
        while i < len(flat) and flat[i] == offset:
            positions.append(i)
            i += 1
        return positions


@dataclass
class _Kept:
    """One connection's decoded documents and the write counters they are good for."""

    stamp: tuple[int, int] | None = None
    documents: OrderedDict[int, TokenBounds] = field(default_factory=OrderedDict)


_KEPT: weakref.WeakKeyDictionary[sqlite_utils.Database, _Kept] = weakref.WeakKeyDictionary()


def _stamp(db: sqlite_utils.Database) -> tuple[int, int]:
    version = db.execute("PRAGMA data_version").fetchone()[0]
    return version, db.conn.total_changes


def _kept(db: sqlite_utils.Database) -> _Kept:
    """This connection's entries, emptied first when anything may have written since."""
    kept = _KEPT.setdefault(db, _Kept())
    if kept.stamp != _stamp(db):
        kept.stamp = None
        kept.documents.clear()
    return kept


def token_bounds(db: sqlite_utils.Database, document_id: int | None, keep: bool) -> TokenBounds:
    """A document's token boundaries, from the kept ones when still good. ``keep``: the
    caller's transaction is its own (nothing before it in the transaction wrote), so what
    is read now may be kept past it."""
    kept = _kept(db)
    found = kept.documents.get(document_id) if document_id is not None else None
    if found is not None:
        kept.documents.move_to_end(document_id)
        return found
    row = db.execute(
        "SELECT length(text), tokens FROM documents WHERE id = ?", [document_id]
    ).fetchone()
    if row is None:
        raise SpanError(f"no document {document_id}")
    bounds = TokenBounds.from_json(row[0], row[1])
    if keep:
        kept.documents[document_id] = bounds  # type: ignore[index]
        while len(kept.documents) > KEPT_DOCUMENTS:
            kept.documents.popitem(last=False)
        kept.stamp = _stamp(db)
    return bounds


def remember(
    db: sqlite_utils.Database, document_id: int, stamp: tuple[int, int], bounds: TokenBounds
) -> None:
    """Keep what a read outside any transaction saw (the window opening a document), so
    its first span edit decodes nothing. ``stamp``: ``current_stamp`` taken before that
    read, so a write between the two leaves the entry stale, never wrongly good."""
    kept = _kept(db)
    if kept.documents and kept.stamp != stamp:
        return
    kept.documents[document_id] = bounds
    kept.documents.move_to_end(document_id)
    while len(kept.documents) > KEPT_DOCUMENTS:
        kept.documents.popitem(last=False)
    kept.stamp = stamp


def current_stamp(db: sqlite_utils.Database) -> tuple[int, int]:
    """What ``remember`` needs, taken before the read it keeps."""
    return _stamp(db)


def still_good(db: sqlite_utils.Database) -> bool:
    """Whether the kept entries are good now (ask before the span store writes)."""
    kept = _KEPT.get(db)
    return kept is not None and kept.stamp is not None and kept.stamp == _stamp(db)


def restamp(db: sqlite_utils.Database) -> None:
    """After the span store's own writes (spans, a document's time): the kept boundaries
    stay good. Only for a caller that saw ``still_good`` before writing."""
    kept = _KEPT.get(db)
    if kept is not None and kept.documents:
        kept.stamp = _stamp(db)
