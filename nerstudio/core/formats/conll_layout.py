"""Which columns of a CoNLL file hold the token and the tags: the layouts recognised on
their own (GermEval's numbering column, two tag columns for nested entities, CoNLL-2003's
chunk column never read as entities), the note that says which were read, and the tag
columns left unread (see ``conll``'s docstring).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nerstudio.core.errors import TagError
from nerstudio.core.spans import parse_tag

COLUMN_SEPARATOR = re.compile(r"[ \t]+")  # tabs and ASCII spaces only
# CoNLL-2000 chunk types: a tag column with any of these is syntax (chunks), not entities.
_CHUNK_TYPES = frozenset(
    {"NP", "VP", "PP", "ADJP", "ADVP", "SBAR", "PRT", "CONJP", "INTJ", "LST", "UCP"}
)

Line = tuple[int, str]  # (line number, the line); split into columns when read


def split_columns(line: str) -> list[str]:
    """A line's columns (a no-break space stays inside its token)."""
    return COLUMN_SEPARATOR.split(line.strip(" \t"))


def is_tag(value: str) -> bool:
    """``O``, ``B-PER``, ``I-LOC``... in any scheme the reader decodes."""
    try:
        parse_tag(value)
    except TagError:
        return False
    return True


def shown_column(spec: int, count: int | None = None) -> str:
    """A column as a user counts it; ``count`` columns a line, when every line has as many."""
    if spec >= 0 or count is not None:
        return f"column {(spec if spec >= 0 else count + spec) + 1}"  # type: ignore[operator]
    return "the last column" if spec == -1 else f"column {spec} (from the end)"


@dataclass(frozen=True)
class Layout:
    """Which columns hold the token and the tags (outer first); 0-based or negative."""

    token: int
    tags: tuple[int, ...]
    numbered: bool = False  # the first column numbers the tokens (GermEval)
    token_given: bool = False
    tag_given: bool = False


def _numbered(sentences: list[list[Line]]) -> bool:
    """Every line's first column is its position in the sentence (1, 2, 3...), with a
    token and a tag after it: GermEval 2014's index column."""
    for lines in sentences:
        for position, (_, line) in enumerate(lines, start=1):
            columns = split_columns(line)
            if len(columns) < 3 or columns[0] != str(position):
                return False
    return True


def _second_tag_column(sentences: list[list[Line]], token: int) -> bool:
    """The last two columns both hold tags on every line, after the token, and the first
    of them holds entities: an outer and an inner tag column. One chunk type in it (NP,
    VP...) makes it CoNLL-2003's chunk column, which is syntax, so the answer is no."""
    label_of: dict[str, str] = {}  # each distinct tag parsed once
    entities = False
    for lines in sentences:
        for _, line in lines:
            columns = split_columns(line)
            if len(columns) < token + 3:
                return False
            outer, inner = columns[-2], columns[-1]
            if outer not in label_of or inner not in label_of:
                for tag in (outer, inner):
                    try:
                        label_of[tag] = parse_tag(tag)[1]
                    except TagError:
                        return False
                if label_of[outer] in _CHUNK_TYPES:
                    return False
            entities = entities or outer != "O"
    return entities


def detect_layout(sentences: list[list[Line]], token: int | None, tag: int | None) -> Layout:
    """The columns to read: those given, the rest detected."""
    given = {"token_given": token is not None, "tag_given": tag is not None}
    numbered = token is None and _numbered(sentences)
    if token is None:
        token = 1 if numbered else 0
    if tag is not None:
        return Layout(token, (tag,), numbered, **given)
    if token >= 0 and _second_tag_column(sentences, token):
        return Layout(token, (-2, -1), numbered, **given)
    return Layout(token, (-1,), numbered, **given)


def column_count(sentences: list[list[Line]]) -> int | None:
    """How many columns every line has, or None when lines differ."""
    counts = {len(split_columns(line)) for lines in sentences for _, line in lines}
    return counts.pop() if len(counts) == 1 else None


def layout_note(name: str, layout: Layout, count: int | None, inner: int) -> str | None:
    """Which columns were read, when that is not the plain token-first, tag-last layout."""
    if layout == Layout(0, (-1,)):
        return None
    token = shown_column(layout.token, count)
    if layout.numbered:
        token += " (column 1 numbers the tokens)"
    if len(layout.tags) == 2:
        outer, last = (shown_column(spec, count) for spec in layout.tags)
        found = f"{inner} entit{'y' if inner == 1 else 'ies'}"
        tags = f"outer tags from {outer}, inner (nested) tags from {last} ({found})"
    else:
        tags = f"tags from {shown_column(layout.tags[0], count)}"
    return f"{name}: token from {token}, {tags}"


_UNREAD_SAMPLE = 5000  # lines looked at for tag columns left unread: a note, not a read


def unread_tag_columns(sentences: list[list[Line]], layout: Layout) -> list[tuple[int, list[str]]]:
    """(0-based column, its labels) of each column not read whose every value in the first
    lines is a tag, with an entity among them; none when the lines' column counts differ."""
    lines = [line for sentence in sentences for _, line in sentence][:_UNREAD_SAMPLE]
    rows = [split_columns(line) for line in lines]
    count = len(rows[0]) if rows else 0
    if any(len(row) != count for row in rows):
        return []
    read = {spec % count for spec in (layout.token, *layout.tags)}
    found = []
    for column in range(count):
        values = {row[column] for row in rows}
        if column in read or values <= {"O"} or not all(is_tag(v) for v in values):
            continue
        found.append((column, sorted({parse_tag(v)[1] for v in values} - {""})))
    return found


def unread_note(name: str, column: int, labels: list[str]) -> str:
    kind = "chunk tags" if set(labels) & _CHUNK_TYPES else "tags"
    shown = ", ".join(labels[:5]) + (", ..." if len(labels) > 5 else "")
    return (
        f"{name}: ignored column {column + 1}, which holds {kind} ({shown}): use --tag-column"
        f" {column + 1} to read it"
    )
