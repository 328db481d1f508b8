"""Labels: valid names, the default palette and hotkeys, and ``project.labels`` (add,
rename, recolor, reorder, delete, merge)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from nerstudio.core.errors import LabelError
from nerstudio.core.store import backup
from nerstudio.core.store.annotation_sets import follow_label_merge
from nerstudio.core.store.spans import StoredSpan, insert_spans, relabel_rows, span_rows

# Light backgrounds in the displaCy tradition: black text stays readable on every one.
PALETTE = (
    "#aa9cfc",  # violet
    "#7aecec",  # cyan
    "#feca74",  # amber
    "#bfeeb7",  # green
    "#ff9561",  # orange
    "#ff8197",  # pink
    "#9cc9cc",  # teal
    "#e4e7d2",  # sand
    "#c887fb",  # purple
    "#ffeb80",  # yellow
    "#a3d9ff",  # sky
    "#d9ffa3",  # lime
)

_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
_HOTKEY_RE = re.compile(r"[0-9a-z]")


@dataclass(frozen=True)
class Label:
    """A label as stored: its name, color, optional one-key hotkey and place in the order."""

    id: int
    name: str
    color: str
    hotkey: str | None
    position: int


def check_label_name(name: str) -> str:
    """Return the name stripped, or raise: it must be usable as the X in a ``B-X`` tag."""
    name = name.strip()
    if not name:
        raise LabelError("a label name cannot be empty")
    if name == "O":
        raise LabelError("'O' means 'outside any entity' and cannot be a label name")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise LabelError(
            f"label {name!r} contains a space or control character; CoNLL files could not "
            f"hold it (use e.g. {name.replace(' ', '_')!r})"
        )
    if len(name) > 64:
        raise LabelError(f"label {name[:20]!r}… is longer than 64 characters")
    return name


def check_color(color: str) -> str:
    """Return the color in ``#rrggbb`` form or raise."""
    if not _COLOR_RE.fullmatch(color):
        raise LabelError(f"color {color!r} is not of the form #rrggbb")
    return color.lower()


def check_hotkey(hotkey: str | None) -> str | None:
    """Return the hotkey (one digit or lowercase letter) or None, or raise."""
    if hotkey is None or hotkey == "":
        return None
    hotkey = hotkey.lower()
    if not _HOTKEY_RE.fullmatch(hotkey):
        raise LabelError(f"hotkey {hotkey!r} must be one digit or letter")
    return hotkey


def default_hotkey(taken: set[str]) -> str | None:
    """The first of keys 1-9 no label holds (so they follow label order as labels are added)."""
    return next((str(n) for n in range(1, 10) if str(n) not in taken), None)


def default_color(used: set[str], position: int) -> str:
    """The first palette color no label has; the palette repeats past twelve labels."""
    return next((c for c in PALETTE if c not in used), PALETTE[position % len(PALETTE)])


class LabelsInUse:
    """What a new label must not repeat (names, hotkeys) and what it follows (colors in
    use, the next position), read once for many adds: reading every label again for each
    new one made 10,000 labels take minutes."""

    def __init__(self, existing: Sequence[Label]) -> None:
        self.names = {label.name for label in existing}
        self.hotkeys = {label.hotkey for label in existing if label.hotkey}
        self.colors = {label.color for label in existing}
        self.position = len(existing)

    def new(self, name: str, color: str | None, hotkey: str | None) -> tuple[str, str, str | None]:
        """(name, color, hotkey) for the next label, checked; recorded as in use."""
        name = check_label_name(name)
        if name in self.names:
            raise LabelError(f"label {name!r} exists already")
        key = check_hotkey(hotkey) if hotkey is not None else default_hotkey(self.hotkeys)
        if key is not None and key in self.hotkeys:
            raise LabelError(f"hotkey {key!r} is used by another label")
        color = check_color(color) if color else default_color(self.colors, self.position)
        self.names.add(name)
        self.colors.add(color)
        if key is not None:
            self.hotkeys.add(key)
        self.position += 1
        return name, color, key


def all_labels(db: sqlite_utils.Database) -> list[Label]:
    """All labels in their display order."""
    rows = db.execute(
        "SELECT id, name, color, hotkey, position FROM labels ORDER BY position, id"
    ).fetchall()
    return [Label(*row) for row in rows]


def insert_label(
    db: sqlite_utils.Database, in_use: LabelsInUse, name: str, color: str | None, hotkey: str | None
) -> Label:
    """Insert one label (inside the caller's transaction) past those in ``in_use``."""
    position = in_use.position
    name, color, key = in_use.new(name, color, hotkey)
    cursor = db.execute(
        "INSERT INTO labels (name, color, hotkey, position) VALUES (?, ?, ?, ?)",
        [name, color, key, position],
    )
    return Label(cursor.lastrowid, name, color, key, position)


class Labels:
    """``project.labels``: the project's labels. Every public method is one transaction."""

    def __init__(self, db: sqlite_utils.Database, path: Path, read_only: bool = False) -> None:
        self.db = db
        self.path = path
        self.read_only = read_only

    def list(self) -> list[Label]:
        """All labels in their display order."""
        return all_labels(self.db)

    def get(self, name: str) -> Label:
        row = self.db.execute(
            "SELECT id, name, color, hotkey, position FROM labels WHERE name = ?", [name]
        ).fetchone()
        if row is None:
            raise LabelError(f"no label {name!r} in this project")
        return Label(*row)

    def add(self, name: str, color: str | None = None, hotkey: str | None = None) -> Label:
        """Add a label at the end of the order, with a palette color and the next free digit."""
        with self.db.atomic():
            return insert_label(self.db, LabelsInUse(self.list()), name, color, hotkey)

    def add_many(self, names: Iterable[str]) -> list[Label]:
        """Add labels in this order, all or none (``nerstudio init --labels``)."""
        with self.db.atomic():
            in_use = LabelsInUse(self.list())
            return [insert_label(self.db, in_use, name, None, None) for name in names]

    def rename(self, old: str, new: str) -> None:
        """Rename a label; its spans follow, since they refer to it by id."""
        new = check_label_name(new)
        with self.db.atomic():
            label = self.get(old)
            if new != old and self._has(new):
                raise LabelError(f"label {new!r} exists already; merge the two instead")
            self.db.execute("UPDATE labels SET name = ? WHERE id = ?", [new, label.id])

    def _has(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM labels WHERE name = ?", [name]).fetchone() is not None

    def recolor(self, name: str, color: str) -> None:
        with self.db.atomic():
            label = self.get(name)
            self.db.execute(
                "UPDATE labels SET color = ? WHERE id = ?", [check_color(color), label.id]
            )

    def set_hotkey(self, name: str, hotkey: str | None) -> None:
        """Give a label a hotkey (or none); a key another label holds is refused."""
        key = check_hotkey(hotkey)
        with self.db.atomic():
            label = self.get(name)
            holder = next((lb for lb in self.list() if key and lb.hotkey == key), None)
            if holder is not None and holder.id != label.id:
                raise LabelError(f"hotkey {key!r} is used by label {holder.name!r}")
            self.db.execute("UPDATE labels SET hotkey = ? WHERE id = ?", [key, label.id])

    def reorder(self, names: Sequence[str]) -> None:
        """Put labels in the given order; every label must be named exactly once."""
        with self.db.atomic():
            by_name = {label.name: label for label in self.list()}
            if sorted(names) != sorted(by_name):
                raise LabelError(
                    f"the new order must name each label once: {', '.join(sorted(by_name))}"
                )
            for position, name in enumerate(names):
                self.db.execute(
                    "UPDATE labels SET position = ? WHERE id = ?", [position, by_name[name].id]
                )

    def count_spans(self, name: str) -> int:
        """How many gold spans carry this label (what deleting it would remove)."""
        label = self.get(name)
        return self.db.execute(
            "SELECT count(*) FROM spans WHERE label_id = ?", [label.id]
        ).fetchone()[0]

    def delete(self, name: str) -> int:
        """Delete a label and its spans; returns how many spans went with it."""
        with self.db.atomic():
            count = self.count_spans(name)
            self.db.execute("DELETE FROM labels WHERE id = ?", [self.get(name).id])
            self._renumber()
        return count

    def _renumber(self) -> None:
        self.db.conn.executemany(
            "UPDATE labels SET position = ? WHERE id = ?",
            [(position, label.id) for position, label in enumerate(self.list())],
        )

    def restore(self, label: Label, spans: Sequence[StoredSpan] = ()) -> None:
        """Undo a delete: the label back at its place, with its id and spans."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE labels SET position = position + 1 WHERE position >= ?", [label.position]
            )
            self.db.execute(
                "INSERT INTO labels (id, name, color, hotkey, position) VALUES (?, ?, ?, ?, ?)",
                [label.id, label.name, label.color, label.hotkey, label.position],
            )
            ids = {lb.name: lb.id for lb in self.list()}
            insert_spans(self.db, ids, spans)
            self._renumber()

    def descriptions(self) -> dict[str, str]:
        """Each described label's description (what a zero-shot model is told it means)."""
        rows = self.db.execute(
            "SELECT labels.name, label_descriptions.description FROM label_descriptions "
            "JOIN labels ON labels.id = label_descriptions.label_id"
        ).fetchall()
        return dict(rows)

    def describe(self, name: str, description: str | None) -> None:
        """Give a label a description; None or blank removes it."""
        text = (description or "").strip()
        if len(text) > 500:
            raise LabelError(f"the description of {name!r} is longer than 500 characters")
        with self.db.atomic():
            label = self.get(name)
            self.db.execute("DELETE FROM label_descriptions WHERE label_id = ?", [label.id])
            if text:
                self.db.execute(
                    "INSERT INTO label_descriptions (label_id, description) VALUES (?, ?)",
                    [label.id, text],
                )

    def merge(self, source: str, target: str) -> list[int]:
        """Give every ``source`` span the ``target`` label and delete ``source``. A rolling
        backup comes first, unless a caller's transaction is open (a backup cannot be made
        inside one: that caller backs up before it begins)."""
        if source == target:
            raise LabelError("choose two different labels to merge")
        if not self.read_only and not self.db.conn.in_transaction:
            backup.make(self.db.conn, self.path, "merge-labels")
        with self.db.atomic():
            moved = [row.id for row in span_rows(self.db, "l.name = ?", [source])]
            source_id, target_id = self.get(source).id, self.get(target).id
            relabel_rows(self.db, moved, target_id)
            follow_label_merge(self.db, source_id, target_id)
            self.delete(source)
        return moved
