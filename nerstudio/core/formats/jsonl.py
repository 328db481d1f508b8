"""JSON Lines in the shapes annotation tools export, and nerstudio's own JSONL out.

Read: doccano (``label: [[start, end, "L"]]`` or ``entities``), Prodigy / spaCy
(``spans: [{start, end, label}]`` with optional ``tokens``) and Label Studio's JSON export
(``annotations[].result[].value``; a ``.json`` array or one task per line). A record that
carries a span list is done; one with only text is new. A span that starts or ends inside
one of our tokens splits that token; one that starts or ends in whitespace is an error.

Write: doccano-compatible ``label`` spans plus Prodigy-style ``tokens``, ``status`` and
``split``, so JSONL in -> JSONL out keeps every offset.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import Token, split_tokens_at, tokenize


def _objects(path: Path) -> Iterator[tuple[str, int, Any]]:
    """Yield (where-kind, number, object): ``line`` numbers for JSONL, ``record`` for arrays."""
    text = read_text(path)
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as err:
            raise FormatError(path, f"not valid JSON: {err.msg}", line=err.lineno) from None
        for number, item in enumerate(items, start=1):
            yield "record", number, item
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield "line", number, json.loads(line)
        except json.JSONDecodeError as err:
            raise FormatError(path, f"not valid JSON ({err.msg})", line=number) from None


def _text_of(obj: dict[str, Any]) -> str | None:
    if isinstance(obj.get("text"), str):
        return obj["text"]
    data = obj.get("data")
    if isinstance(data, dict):
        if isinstance(data.get("text"), str):
            return data["text"]
        return next((v for v in data.values() if isinstance(v, str)), None)
    return None


def _raw_spans(obj: dict[str, Any]) -> list[tuple[Any, Any, Any]] | None:
    """The record's spans as loose (start, end, label) triples, or None if it has none."""
    if isinstance(obj.get("label"), list) or isinstance(obj.get("labels"), list):
        items = obj.get("label") if isinstance(obj.get("label"), list) else obj["labels"]
        return [tuple(item) if isinstance(item, list) else (None, None, item) for item in items]
    if isinstance(obj.get("entities"), list):
        return [
            (
                e.get("start_offset", e.get("start")),
                e.get("end_offset", e.get("end")),
                e.get("label"),
            )
            if isinstance(e, dict)
            else (None, None, e)
            for e in obj["entities"]
        ]
    if isinstance(obj.get("spans"), list):
        return [
            (s.get("start"), s.get("end"), s.get("label"))
            if isinstance(s, dict)
            else (None, None, s)
            for s in obj["spans"]
        ]
    if isinstance(obj.get("annotations"), list):
        kept = [a for a in obj["annotations"] if isinstance(a, dict) and not a.get("was_cancelled")]
        if not kept:
            return None
        triples = []
        for result in kept[-1].get("result", []):
            value = result.get("value", {}) if isinstance(result, dict) else {}
            labels = value.get("labels") or [None]
            triples.append((value.get("start"), value.get("end"), labels[0]))
        return triples
    return None


def _tokens_of(obj: dict[str, Any], text: str) -> list[Token]:
    tokens = obj.get("tokens")
    if not isinstance(tokens, list):
        return tokenize(text)
    result = []
    for tok in tokens:
        if isinstance(tok, dict):
            start, end = tok.get("start"), tok.get("end")
        elif isinstance(tok, list) and len(tok) >= 2:
            start, end = tok[0], tok[1]
        else:
            raise ValueError(f"token {tok!r} is neither {{start, end}} nor [start, end]")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise ValueError(f"token {tok!r} has offsets outside the text")
        if text[start:end].strip():
            result.append((start, end))
    return sorted(result)


def _check_spans(raw: list[tuple[Any, Any, Any]], text: str) -> list[Span]:
    spans = set()
    for start, end, label in raw:
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ValueError(f"span {[start, end, label]!r} needs integer start and end offsets")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"span {start}-{end} has no label")
        if not 0 <= start < end <= len(text):
            raise ValueError(
                f"span {start}-{end} ({label}) is outside the text (length {len(text)})"
            )
        if text[start].isspace() or text[end - 1].isspace():
            raise ValueError(
                f"span {start}-{end} ({label}) starts or ends in whitespace"
                f" ({text[start:end]!r}); trim it to the entity's words"
            )
        spans.add(Span(start, end, label))
    ordered = sorted(spans)
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            raise ValueError(
                f"spans {a.start}-{a.end} ({a.label}) and {b.start}-{b.end} ({b.label}) overlap"
            )
    return ordered


def read_jsonl(path: str | Path) -> ReadResult:
    """Read every record; any bad record is a ``FormatError`` naming its line or number."""
    path = Path(path)
    records: list[DocumentRecord] = []
    split_tokens = 0
    for kind, number, obj in _objects(path):
        where = {kind: number}
        if not isinstance(obj, dict):
            raise FormatError(path, f"expected a JSON object, got {type(obj).__name__}", **where)
        text = _text_of(obj)
        if text is None:
            raise FormatError(path, "no 'text' (or Label Studio 'data.text') string", **where)
        try:
            raw = _raw_spans(obj)
            spans = _check_spans(raw or [], text)
            tokens = _tokens_of(obj, text)
            fitted = split_tokens_at(text, tokens, [p for s in spans for p in (s.start, s.end)])
        except ValueError as err:
            raise FormatError(path, str(err), **where) from None
        split_tokens += len(fitted) - len(tokens)
        status = Status.DONE if raw is not None else Status.NEW
        if obj.get("status") in {s.value for s in Status}:
            status = Status(obj["status"])
        records.append(
            DocumentRecord(
                text=text,
                tokens=tuple(fitted),
                spans=tuple(spans),
                status=status,
                split=obj["split"] if isinstance(obj.get("split"), str) else None,
                source=f"{path.name}:{number}",
                meta=obj["meta"] if isinstance(obj.get("meta"), dict) else {},
            )
        )
    if not records:
        raise FormatError(path, "no records in this file (is it empty?)")
    notes = []
    if split_tokens:
        notes.append(f"{path.name}: {split_tokens} tokens split so that spans fit them")
    return ReadResult(records, notes)


def write_jsonl(records: Iterable[DocumentRecord], out: TextIO) -> int:
    """Write one JSON object per document; returns tokens written."""
    written = 0
    for record in records:
        obj: dict[str, Any] = {
            "id": record.id,
            "text": record.text,
            "label": [[s.start, s.end, s.label] for s in record.spans],
            "tokens": [
                {"text": record.text[s:e], "start": s, "end": e, "id": i}
                for i, (s, e) in enumerate(record.tokens)
            ],
            "status": record.status.value,
            "split": record.split,
        }
        if record.meta:
            obj["meta"] = record.meta
        out.write(json.dumps(obj, ensure_ascii=False))
        out.write("\n")
        written += len(record.tokens)
    return written
