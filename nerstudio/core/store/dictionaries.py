"""What dictionary sources keep in the project: their entries, the strings the person
rejected, and the gold entities a learning dictionary takes its entries from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class DictionaryEntry:
    """A phrase (``text``) or a token pattern (``pattern``: spaCy's JSON list of token
    attribute objects) that suggests ``label``; ``case_sensitive`` is its case rule."""

    text: str
    label: str
    case_sensitive: bool = False
    pattern: str | None = None


class Dictionaries:
    """The ``dictionary_entries`` and ``source_rejections`` tables of one connection."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def replace_entries(self, run_id: int, entries: Iterable[DictionaryEntry]) -> int:
        """A source's entries become these (one transaction); returns how many."""
        rows = [(run_id, e.text, e.label, int(e.case_sensitive), e.pattern) for e in entries]
        with self.db.atomic():
            self.db.execute("DELETE FROM dictionary_entries WHERE run_id = ?", [run_id])
            self.db.conn.executemany(
                "INSERT INTO dictionary_entries (run_id, text, label, case_sensitive, pattern)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def entries(self, run_id: int) -> list[DictionaryEntry]:
        rows = self.db.execute(
            "SELECT text, label, case_sensitive, pattern FROM dictionary_entries"
            " WHERE run_id = ? ORDER BY id",
            [run_id],
        )
        return [DictionaryEntry(t, lab, bool(c), p) for t, lab, c, p in rows]

    def gold_entities(self) -> Counter[tuple[str, str]]:
        """Every gold span's (text, label), counted: what a learning dictionary knows and
        how often each string was tagged so (its accepts)."""
        rows = self.db.execute(
            'SELECT substr(d.text, s.start + 1, s."end" - s.start), l.name FROM spans s'
            " JOIN documents d ON d.id = s.document_id JOIN labels l ON l.id = s.label_id"
        )
        return Counter((text, label) for text, label in rows)

    def add_rejections(self, run_id: int, items: Iterable[tuple[str, str]], delta: int = 1) -> None:
        """Count a rejection of each (text, label) (``delta`` -1 takes one back: undo);
        texts are casefolded so a string's rejections count whatever its case."""
        rows = [(run_id, text.casefold(), label, delta, delta) for text, label in items]
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO source_rejections (run_id, text, label, rejected)"
                " VALUES (?, ?, ?, max(?, 0)) ON CONFLICT (run_id, text, label)"
                " DO UPDATE SET rejected = max(rejected + ?, 0)",
                rows,
            )

    def rejections(self, run_id: int) -> Counter[tuple[str, str]]:
        """(casefolded text, label) -> how often the person rejected it."""
        rows = self.db.execute(
            "SELECT text, label, rejected FROM source_rejections WHERE run_id = ? AND rejected > 0",
            [run_id],
        )
        return Counter({(text, label): n for text, label, n in rows})
