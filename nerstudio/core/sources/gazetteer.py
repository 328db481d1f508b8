"""Dictionary files read as entries: ``text<TAB>LABEL`` lines, CSV (``text,label``), and
spaCy EntityRuler / Prodigy pattern JSONL (phrase patterns, and token patterns whose
tokens test ``orth``/``text``/``lower`` or flags such as ``is_digit``).

A third column (TSV, CSV) is the entry's case rule: ``case`` (also ``exact``, ``yes``,
``1``, ``true``) matches the case as written, anything else or nothing ignores case. A
JSONL phrase pattern matches its case as written (spaCy's default); ``lower`` tokens
ignore it. Every bad line is one ``FormatError`` naming the file and the line."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nerstudio.core.errors import FormatError
from nerstudio.core.store.dictionaries import DictionaryEntry

CASE_WORDS = {"case", "exact", "yes", "1", "true", "case-sensitive", "sensitive"}
LITERAL_ATTRS = {"orth", "text", "lower"}
FLAG_ATTRS = {
    "is_digit",
    "is_alpha",
    "is_upper",
    "is_lower",
    "is_title",
    "is_punct",
    "is_ascii",
    "like_num",
}
TOKEN_ATTRS = LITERAL_ATTRS | FLAG_ATTRS | {"length"}
HEADERS = {"text", "term", "phrase", "entity", "name", "string", "pattern"}


def read_dictionary(path: Path) -> list[DictionaryEntry]:
    """Every entry of a dictionary file, by its suffix: .jsonl patterns, .csv, else TSV."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FormatError(path, "no such dictionary file") from None
    except UnicodeDecodeError as err:
        raise FormatError(path, f"not UTF-8 text (byte {err.start}); save it as UTF-8") from None
    reader = {".jsonl": _jsonl, ".json": _jsonl, ".csv": _csv}.get(path.suffix.lower(), _tsv)
    entries = list(reader(path, text))
    if not entries:
        raise FormatError(path, "no entries: write one 'text<TAB>LABEL' per line")
    return entries


def _case(value: str) -> bool:
    return value.strip().lower() in CASE_WORDS


def _entry(path: Path, line: int, text: str, label: str, case: str = "") -> DictionaryEntry:
    if not text.strip():
        raise FormatError(path, "the entry's text is empty", line=line)
    if not label.strip():
        raise FormatError(path, f"{text.strip()!r} has no label", line=line)
    return DictionaryEntry(text.strip(), label.strip(), _case(case))


def _tsv(path: Path, text: str) -> Iterator[DictionaryEntry]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2 or len(fields) > 3:
            raise FormatError(
                path, "expected 'text<TAB>LABEL' (and an optional case column)", line=number
            )
        yield _entry(path, number, *fields)


def _csv(path: Path, text: str) -> Iterator[DictionaryEntry]:
    rows = csv.reader(text.splitlines())
    try:
        for row in rows:
            number = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            if number == 1 and row[0].strip().lower() in HEADERS:
                continue  # a header row
            if len(row) < 2 or len(row) > 3:
                raise FormatError(path, "expected text,label (and an optional case)", line=number)
            yield _entry(path, number, *row)
    except csv.Error as err:
        raise FormatError(path, f"not CSV: {err}", line=rows.line_num) from None


def _jsonl(path: Path, text: str) -> Iterator[DictionaryEntry]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise FormatError(path, f"not JSON ({err.msg})", line=number) from None
        yield _pattern_entry(path, number, item)


def _pattern_entry(path: Path, line: int, item: Any) -> DictionaryEntry:
    """A ``{"label": ..., "pattern": ...}`` object: a phrase, or a list of token tests
    (a list of only literal tests becomes a phrase, matched the fast way)."""
    if not isinstance(item, dict) or "pattern" not in item:
        raise FormatError(path, 'expected {"label": ..., "pattern": ...}', line=line)
    label, pattern = item.get("label"), item["pattern"]
    if not isinstance(label, str) or not label.strip():
        raise FormatError(path, "the pattern has no label", line=line)
    if isinstance(pattern, str):
        return _entry(path, line, pattern, label, "case")
    if not isinstance(pattern, list) or not pattern:
        raise FormatError(path, "a pattern is a string or a list of token objects", line=line)
    tokens = [_token_test(path, line, token) for token in pattern]
    literal = [_literal(token) for token in tokens]
    if all(value is not None for value in literal):
        sensitive = all("lower" not in token for token in tokens)
        if sensitive or all("lower" in token for token in tokens):
            return DictionaryEntry(" ".join(v for v in literal if v), label.strip(), sensitive)
    shown = " ".join(str(v) if v is not None else "*" for v in literal)
    return DictionaryEntry(shown, label.strip(), True, json.dumps(tokens, ensure_ascii=False))


def _literal(token: dict[str, Any]) -> str | None:
    """The one string a token test accepts, if it is one plain ``orth``/``text``/``lower``."""
    if len(token) != 1:
        return None
    ((attr, value),) = token.items()
    return value if attr in LITERAL_ATTRS and isinstance(value, str) else None


def _token_test(path: Path, line: int, token: Any) -> dict[str, Any]:
    """One token object with lower-case attribute names; what we cannot match is refused."""
    if not isinstance(token, dict) or not token:
        raise FormatError(path, "each token of a pattern is an object of attributes", line=line)
    test: dict[str, Any] = {}
    for attr, value in token.items():
        name = str(attr).lower()
        if name == "op":
            raise FormatError(
                path, f"'OP' {value!r} is not supported; write one pattern per length", line=line
            )
        if name not in TOKEN_ATTRS:
            raise FormatError(
                path,
                f"token attribute {attr!r} is not supported; use {', '.join(sorted(TOKEN_ATTRS))}",
                line=line,
            )
        if isinstance(value, dict):
            value = {str(k).upper(): v for k, v in value.items()}
            if set(value) - {"IN", "NOT_IN"} or not all(
                isinstance(v, list) for v in value.values()
            ):
                raise FormatError(
                    path, f"{attr}: only IN and NOT_IN lists are supported", line=line
                )
        elif name in FLAG_ATTRS and not isinstance(value, bool):
            raise FormatError(path, f"{attr} takes true or false", line=line)
        elif name == "length" and not isinstance(value, int):
            raise FormatError(path, "length takes a whole number", line=line)
        elif name in LITERAL_ATTRS and not isinstance(value, str):
            raise FormatError(path, f"{attr} takes a string", line=line)
        test[name] = value
    return test
