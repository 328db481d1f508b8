"""CoNLL-U (Universal Dependencies) and CoNLL-U Plus, read through the ``conllu`` library.

One sentence is one document. Its text is rebuilt from the surface tokens (a multiword
token such as ``del`` = ``de`` + ``el`` is one token of the text) with the spaces that
``SpaceAfter=No`` leaves out, so offsets are exact. Entity tags come from, in this order:
the column named by ``tag_column`` (a CoNLL-U Plus ``global.columns`` name, or a MISC
key), a column called NER/NE/ENTITY in ``global.columns``, or a MISC key ``NE``/``NER``/
``Entity``/``name``. Without any, the sentences are new, unannotated documents, unless
another MISC key holds tags (B-PER, I-LOC ...): that file is refused, naming the key to
pass as ``--tag-column``, rather than read with its entities dropped. A multiword token
takes the tag of its first word.

Every token line must have as many columns as the names it is read by (``global.columns``,
else CoNLL-U's ten): the ``conllu`` library pairs them up silently, so a missing column
would drop the tags and an extra one would be left out. A ``global.columns`` without ID or
FORM, or without the column ``--tag-column`` names (and no MISC to hold it), is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import parse_tag, tags_to_spans

_TAG_COLUMNS = ("ner", "ne", "entity", "entities")
# NE= (UD English, the DaNE/DANSK style), name= (NorNE, the Norwegian UD treebanks).
_MISC_KEYS = ("NE", "NER", "Entity", "ENTITY", "name")
_CONLLU_COLUMNS = ("ID", "FORM", "LEMMA", "UPOS", "XPOS", "FEATS", "HEAD", "DEPREL", "DEPS", "MISC")
_GLOBAL_COLUMNS = "# global.columns = "  # as the conllu library recognises the header
_FIELD_SEPARATOR = re.compile(r"\t| {2,}")  # as the conllu library splits a token line


def _header_problem(columns: list[str], tag_column: str | None) -> str | None:
    """What the reader misses in a ``global.columns`` header, or None."""
    names = {name.lower() for name in columns}
    missing = [name for name in ("ID", "FORM") if name.lower() not in names]
    if missing:
        return f"has no {' or '.join(missing)} column, which every token needs"
    if tag_column is not None and tag_column.lower() not in names and "misc" not in names:
        return (
            f"has no column {tag_column!r} (named by --tag-column) and no MISC column that"
            " could hold it"
        )
    return None


def _check_columns(path: Path, text: str, tag_column: str | None) -> None:
    """Refuse a token line whose columns do not pair up with the names it is read by, and
    a ``global.columns`` header that lacks a column the reader needs."""
    columns, header = list(_CONLLU_COLUMNS), None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if line.startswith(_GLOBAL_COLUMNS):
            columns, header = line[len(_GLOBAL_COLUMNS) :].split(), number
            problem = _header_problem(columns, tag_column)
            if problem is not None:
                raise FormatError(
                    path, f"# global.columns ({' '.join(columns)}) {problem}", line=number
                )
        elif line and not line.startswith("#"):
            count = len(_FIELD_SEPARATOR.split(line))
            if count != len(columns):
                named = (
                    f"the # global.columns of line {header} names {len(columns)}"
                    if header
                    else f"CoNLL-U has {len(columns)}"
                )
                raise FormatError(
                    path,
                    f"a token line of {count} columns, but {named} ({' '.join(columns)}); give each"
                    " token line one value per column (_ for none), separated by tabs",
                    line=number,
                )


def _tag_of(token: Any, column: str | None) -> str | None:
    """The token's entity tag from the chosen column or MISC key, None when absent."""
    misc = token.get("misc") or {}
    if column is not None:
        value = token.get(column.lower(), misc.get(column))
    else:
        value = next((token[c] for c in _TAG_COLUMNS if token.get(c) not in (None, "_")), None)
        if value is None:
            value = next((misc[k] for k in _MISC_KEYS if k in misc), None)
    if value in (None, "_"):
        return None
    return str(value)


def _unread_tag_sources(sentences: Sequence[Any], read: set[str]) -> list[str]:
    """Columns (``global.columns`` names) and MISC keys besides those read whose values are
    entity tags (B-PER...): 'column NER2', 'MISC key name'."""
    standard = {name.lower() for name in _CONLLU_COLUMNS}
    found: dict[str, None] = {}
    for sentence in sentences:
        for token in sentence:
            for key, value in token.items():
                if key not in standard and key not in read and _looks_like_entity_tag(value):
                    found[f"column {key.upper()}"] = None
            for key, value in (token.get("misc") or {}).items():
                if key not in read and _looks_like_entity_tag(value):
                    found[f"MISC key {key}"] = None
    return list(found)


def _read_source(token: Any, column: str | None) -> str | None:
    """The name of the column or MISC key ``_tag_of`` takes this token's tag from."""
    if column is not None:
        return column.lower() if column.lower() in token else column
    misc = token.get("misc") or {}
    found = next((c for c in _TAG_COLUMNS if token.get(c) not in (None, "_")), None)
    return found or next((k for k in _MISC_KEYS if k in misc), None)


def _surface(sentence: Sequence[Any]) -> list[tuple[Any, list[Any]]]:
    """(surface token, its words): a multiword range with its parts, or a word alone."""
    out: list[tuple[Any, list[Any]]] = []
    covered_until = 0
    for token in sentence:
        tid = token["id"]
        if isinstance(tid, tuple) and len(tid) == 3 and tid[1] == "-":
            out.append((token, []))
            covered_until = tid[2]
        elif isinstance(tid, int):
            if tid <= covered_until and out:
                out[-1][1].append(token)
            else:
                out.append((token, [token]))
        # empty nodes (8.1) carry no surface text: skipped
    return out


def _looks_like_entity_tag(value: Any) -> bool:
    if not isinstance(value, str) or value == "O":
        return False
    try:
        parse_tag(value)
    except TagError:
        return False
    return True


def _refuse_unread_tags(path: Path, sentences: Sequence[Any]) -> None:
    """Entity tags under a column or MISC key the reader does not take by default, when no
    tag source was read: refused, so its entities are never dropped without a word."""
    sources = _unread_tag_sources(sentences, set())
    if sources:
        kind, name = sources[0].rsplit(" ", 1)
        raise FormatError(
            path,
            f"the {kind} {name!r} holds entity tags that are not read by default: pass"
            f" --tag-column {name} to read them",
        )


def read_conllu(path: str | Path, tag_column: str | None = None) -> ReadResult:
    """Every sentence of a CoNLL-U file as a document, tagged where a tag source exists."""
    import conllu

    path = Path(path)
    text = read_text(path)
    _check_columns(path, text, tag_column)
    try:
        sentences = conllu.parse(text)
    except conllu.exceptions.ParseException as err:
        raise FormatError(path, f"not valid CoNLL-U: {err}") from None
    records = []
    read: set[str] = set()  # the columns and MISC keys tags were taken from
    for number, sentence in enumerate(sentences, start=1):
        text, tokens, tags = _sentence_words(path, number, sentence, tag_column)
        if not tokens:
            continue
        read.update(
            name
            for surface, words in _surface(sentence)
            if (name := _read_source(words[0] if words else surface, tag_column))
        )
        tagged = [t for t in tags if t is not None]
        spans = _sentence_spans(path, number, tags, tokens) if tagged else ()
        records.append(
            DocumentRecord(
                text=text,
                tokens=tuple(tokens),
                spans=spans,
                status=Status.DONE if tagged else Status.NEW,
                source=f"{path.name}:{sentence.metadata.get('sent_id', number)}",
            )
        )
    if not records:
        raise FormatError(path, "no sentences in this file (is it empty?)")
    return ReadResult(records, _notes(path, records, sentences, read))


def _sentence_words(
    path: Path, number: int, sentence: Any, tag_column: str | None
) -> tuple[str, list[tuple[int, int]], list[str | None]]:
    """A sentence's text (spaces as SpaceAfter says), its tokens' offsets, their tags."""
    parts: list[str] = []
    tokens = []
    tags: list[str | None] = []
    position = 0
    for surface, words in _surface(sentence):
        form = str(surface["form"])
        if not form.strip() or any(c.isspace() for c in form):
            raise FormatError(path, f"token {form!r} is empty or holds a space", record=number)
        tokens.append((position, position + len(form)))
        parts.append(form)
        position += len(form)
        tag = _tag_of(words[0] if words else surface, tag_column)
        tags.append(tag)
        no_space = ((surface.get("misc") or {}).get("SpaceAfter")) == "No"
        if not no_space:
            parts.append(" ")
            position += 1
    text = "".join(parts).rstrip(" ")
    return text, tokens, tags


def _sentence_spans(
    path: Path, number: int, tags: list[str | None], tokens: list[tuple[int, int]]
) -> tuple:
    """The spans a tagged sentence's tags make; a tag that does not parse is refused."""
    try:
        for tag in tags:
            if tag is not None:
                parse_tag(tag)
        return tuple(tags_to_spans([t or "O" for t in tags], tokens))
    except TagError as err:
        raise FormatError(path, f"sentence {number}: {err.reason}", record=number) from None


def _notes(path: Path, records: list, sentences: Sequence[Any], read: set[str]) -> list[str]:
    """What the user should know: no tags at all (refused when tags sit unread), or tag
    sources left unread beside the one read."""
    notes = []
    if not any(r.status is Status.DONE for r in records):
        _refuse_unread_tags(path, sentences)
        notes.append(
            f"{path.name}: no entity tags found (no NER column, no MISC NE=); "
            "imported as unannotated documents (name the column with --tag-column)"
        )
    else:
        notes += [
            f"{path.name}: ignored the {source}, which holds entity tags: use --tag-column"
            f" {source.rsplit(' ', 1)[-1]} to read it"
            for source in _unread_tag_sources(sentences, read)
        ]
    return notes
