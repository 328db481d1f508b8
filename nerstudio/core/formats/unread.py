"""Columns of a token-and-tag format that hold labels the reader leaves unread.

A dataset with ``ner_tags`` and ``fine_ner_tags`` (or CoNLL-2003's ``pos_tags`` and
``chunk_tags`` beside ``ner_tags``) is read by one tags column; the others are named in the
import's notes with the option that would read them, so none is dropped without a word.
"""

from __future__ import annotations

from collections.abc import Iterable

_TAG_NAMES = frozenset({"ner", "tags", "labels", "ner_tags", "ner_labels"})
_TAG_ENDINGS = ("_tags", "_ner", "_labels", "-tags", "-labels")


def names_tags(column: str) -> bool:
    """A column name that says it holds token tags: ``tags``, ``ner``, ``*_tags``..."""
    name = column.lower()
    return name in _TAG_NAMES or name.endswith(_TAG_ENDINGS)


def unread_columns_note(file: str, columns: Iterable[str], option: str) -> str | None:
    """'FILE: ignored the tag columns 'a', 'b': use OPTION to read one', or None when
    there is none."""
    names = list(dict.fromkeys(columns))
    if not names:
        return None
    listed = ", ".join(repr(name) for name in names)
    if len(names) == 1:
        return f"{file}: ignored the tag column {listed}: use {option} {names[0]} to read it"
    return f"{file}: ignored the tag columns {listed}: use {option} to read one"
