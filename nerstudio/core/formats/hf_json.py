"""Token-and-tag JSON: Hugging Face ``run_ner`` rows and spaCy v2 training files.

Read (through ``jsonl.read_jsonl``):

- ``run_ner`` (transformers' token-classification example; JSON Lines or a JSON array):
  ``{"words": [...], "ner": [...]}`` or ``{"tokens": [...], "ner_tags": [...]}``, or the
  columns ``--tokens-column``/``--tags-column`` name. Tags are strings in any scheme (IOB2,
  IOB1, BIOES, BILOU; repaired the conlleval way) or integer ids with their names given by
  ``--tag-names``. The text is the words joined by single spaces; ``id`` goes into meta.
  Every row is done.
- spaCy v2 training JSON (``[{"id", "paragraphs": [{"raw", "sentences": [{"tokens":
  [{"orth", "ner"}]}]}]}]``): one document per paragraph, its text the ``raw`` text when the
  tokens are found in it in order, else the tokens joined by spaces; BILUO tags become
  spans. spaCy's ``-`` (not annotated) leaves a paragraph in progress, or new when no token
  is annotated: missing is not ``O``. Syntax (tags, heads, brackets) is not kept.
"""

from __future__ import annotations

from typing import Any

from nerstudio.core.errors import TagError
from nerstudio.core.formats.json_records import Item, JsonOptions, Reading, located, shown
from nerstudio.core.formats.unread import names_tags, unread_columns_note
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import entities_to_spans, tags_to_entities, tags_to_spans
from nerstudio.core.tokens import Token, whitespace_tokens

_COLUMN_PAIRS = (("words", "ner"), ("tokens", "ner_tags"))


def _columns(obj: dict[str, Any], options: JsonOptions) -> tuple[str, str]:
    """The (words, tags) columns of a row: the ones given, else words/ner or tokens/ner_tags."""
    if options.tokens_column or options.tags_column:
        words = options.tokens_column or next((w for w, _ in _COLUMN_PAIRS if w in obj), "tokens")
        tags = options.tags_column or next((t for _, t in _COLUMN_PAIRS if t in obj), "ner_tags")
    else:
        words, tags = next(((w, t) for w, t in _COLUMN_PAIRS if w in obj), _COLUMN_PAIRS[1])
    for column in (words, tags):
        if column not in obj:
            raise ValueError(f"no {column!r} column (the row has {', '.join(map(shown, obj))})")
    return words, tags


def _words(value: Any, column: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"{column!r} is {shown(value)}, not a list of words")
    for i, word in enumerate(value):
        if not isinstance(word, str):
            raise ValueError(f"{column}[{i}] is {shown(word)}, not a string")
        if not word.strip() or word != word.strip():
            raise ValueError(
                f"{column}[{i}] ({shown(word)}) is blank or starts or ends with whitespace;"
                " give it its visible characters"
            )
    return value


def _tags(value: Any, column: str, names: tuple[str, ...] | None) -> list[str]:
    """The row's tags as strings: integer ids are looked up in ``names`` (--tag-names)."""
    if not isinstance(value, list):
        raise ValueError(f"{column!r} is {shown(value)}, not a list of tags")
    tags = []
    for i, tag in enumerate(value):
        if isinstance(tag, str):
            tags.append(tag)
        elif isinstance(tag, int) and not isinstance(tag, bool):
            if names is None:
                raise ValueError(
                    f"{column} holds integer tag ids ({tag} at {column}[{i}]); give their names"
                    " in id order with --tag-names (such as O,B-PER,I-PER)"
                )
            if not 0 <= tag < len(names):
                raise ValueError(
                    f"{column}[{i}] is {tag}, not an id of --tag-names (0..{len(names) - 1})"
                )
            tags.append(names[tag])
        else:
            raise ValueError(f"{column}[{i}] is {shown(tag)}, neither a tag nor a tag id")
    return tags


def read_run_ner(reading: Reading, items: list[Item], options: JsonOptions) -> None:
    """Each row a done document: the words joined by spaces, the tags as spans; other
    columns named like tags are listed in a note."""
    unread: list[str] = []
    for item in items:
        obj = item.obj
        with located(reading.path, item):
            words_column, tags_column = _columns(obj, options)
            unread += [
                key
                for key in obj
                if key not in (words_column, tags_column) and names_tags(key) and key not in unread
            ]
            words = _words(obj[words_column], words_column)
            tags = _tags(obj[tags_column], tags_column, options.tag_names)
            text = " ".join(words)
            tokens = tuple(whitespace_tokens(text, words))
            spans = tuple(tags_to_spans(tags, tokens))
        reading.add(
            DocumentRecord(
                text=text,
                tokens=tokens,
                spans=spans,
                status=Status.DONE,
                source=reading.source(item),
                meta={"id": obj["id"]} if "id" in obj else {},
            ),
            item.number,
        )
    note = unread_columns_note(reading.path.name, unread, "--tags-column")
    if note is not None:
        reading.notes.append(note)


# -- spaCy v2 ---------------------------------------------------------------------------------


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{where} is {shown(value)}, not a list")
    return value


def _sentences(paragraph: Any, where: str) -> list[tuple[list[str], list[str]]]:
    """Each sentence's (orths, NER tags), whitespace tokens left out; a missing tag is '-'."""
    if not isinstance(paragraph, dict):
        raise ValueError(f"{where} is {shown(paragraph)}, not an object")
    result = []
    for s, sentence in enumerate(_list(paragraph.get("sentences"), f"{where}.sentences")):
        here = f"{where}.sentences[{s}]"
        if not isinstance(sentence, dict):
            raise ValueError(f"{here} is {shown(sentence)}, not an object")
        orths, tags = [], []
        for t, token in enumerate(_list(sentence.get("tokens"), f"{here}.tokens")):
            at = f"{here}.tokens[{t}]"
            orth = token.get("orth") if isinstance(token, dict) else None
            if not isinstance(orth, str) or not orth:
                raise ValueError(f"{at} has no 'orth' string (got {shown(token)})")
            tag = token.get("ner", "-")
            if tag is None:
                tag = "-"
            if not isinstance(tag, str):
                raise ValueError(f"{at}.ner is {shown(tag)}, not a tag")
            if orth.strip():
                orths.append(orth)
                tags.append(tag)
        result.append((orths, tags))
    return result


def _found_in(raw: str, orths: list[str]) -> list[Token] | None:
    """Where the orths stand in ``raw``, in order with only whitespace between, or None."""
    tokens, pos = [], 0
    for orth in orths:
        while pos < len(raw) and raw[pos].isspace():
            pos += 1
        if not raw.startswith(orth, pos):
            return None
        tokens.append((pos, pos + len(orth)))
        pos += len(orth)
    return tokens if not raw[pos:].strip() else None


def _paragraph(reading: Reading, item: Item, p: int, paragraph: Any) -> DocumentRecord | None:
    where = f"paragraphs[{p}]"
    sentences = _sentences(paragraph, where)
    orths = [orth for words, _ in sentences for orth in words]
    if not orths:
        return None
    raw = paragraph.get("raw")
    tokens = _found_in(raw, orths) if isinstance(raw, str) else None
    used_raw = tokens is not None
    text = raw if used_raw else " ".join(orths)
    if tokens is None:
        tokens = whitespace_tokens(text, orths)
    spans, first = [], 0
    tags_seen: list[str] = []
    for s, (words, tags) in enumerate(sentences):
        known = ["O" if tag == "-" else tag for tag in tags]
        mine = tokens[first : first + len(words)]
        try:
            spans.extend(entities_to_spans(tags_to_entities(known), mine))
        except TagError as err:
            raise ValueError(f"{where}.sentences[{s}]: {err}") from None
        tags_seen.extend(tags)
        first += len(words)
    missing = tags_seen.count("-")
    status = Status.NEW if missing == len(tags_seen) else Status.DONE
    if 0 < missing < len(tags_seen):
        status = Status.IN_PROGRESS
    if not used_raw and isinstance(raw, str):
        reading.skipped["spaCy raw texts that do not match their tokens (tokens joined)"] += 1
    if isinstance(paragraph.get("cats"), list) and paragraph["cats"]:
        reading.skipped["spaCy text categories (cats)"] += len(paragraph["cats"])
    doc_id = item.obj.get("id")
    return DocumentRecord(
        text=text,
        tokens=tuple(tokens),
        spans=tuple(sorted(set(spans))),
        status=status,
        source=f"{reading.source(item)}:paragraph {p + 1}",
        meta={"id": doc_id} if doc_id is not None else {},
    )


def read_spacy_v2(reading: Reading, items: list[Item], options: JsonOptions) -> None:
    """One document per paragraph of every document of the file."""
    empty = 0
    for item in items:
        with located(reading.path, item):
            paragraphs = _list(item.obj.get("paragraphs"), "'paragraphs'")
            for p, paragraph in enumerate(paragraphs):
                record = _paragraph(reading, item, p, paragraph)
                if record is None:
                    empty += 1
                else:
                    reading.add(record, item.number)
    reading.skipped["spaCy paragraphs without tokens"] += empty
