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
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span, offsets_problem, shown_label
from nerstudio.core.tokens import (
    Token,
    cluster_interiors,
    describe_characters,
    find_cluster_cut,
    split_tokens_at,
    tokenize,
)

# Text is valid UTF-8 once read, so a lone surrogate can only come from a JSON escape.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _parse(path: Path, source: str, line: int | None) -> Any:
    """``json.loads``, with every way it fails as a ``FormatError`` at ``line``."""
    try:
        return json.loads(source)
    except json.JSONDecodeError as err:
        raise FormatError(
            path, f"not valid JSON ({err.msg})", line=line if line is not None else err.lineno
        ) from None
    except RecursionError:
        raise FormatError(
            path, "JSON nested too deeply to read (about 1,000 levels of [ or {)", line=line
        ) from None
    except ValueError as err:  # Python refuses to read ints of more than 4,300 digits
        reason = f"not valid JSON ({err})"
        if "digits" in str(err):
            reason = (
                f"a number has more than {sys.get_int_max_str_digits():,} digits, more than"
                " can be read; write it as a string or remove it"
            )
        raise FormatError(path, reason, line=line) from None


def _refuse_lone_surrogate(path: Path, value: Any, where: dict[str, int]) -> None:
    found = _lone_surrogate(value)
    if found:
        raise FormatError(
            path,
            f"{found}: half of a UTF-16 pair written as a JSON escape, which no UTF-8 text"
            " can hold; fix the escape or remove it",
            **where,
        )


def _lone_surrogate(value: Any) -> str | None:
    """Where the first string holding a lone surrogate is (``data.text, character 3``)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as err:
                return (
                    f"{where or 'the value'} holds the lone surrogate"
                    f" \\u{ord(item[err.start]):04x} at character {err.start}"
                )
        elif isinstance(item, dict):
            children = [(f"a key in {where or 'the record'}", key) for key in item]
            children += [(_child(where, key), child) for key, child in item.items()]
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{where}[{i}]", child) for i, child in enumerate(item)]))
    return None


def _child(where: str, key: str) -> str:
    name = key if key.isidentifier() else repr(key)
    return f"{where}.{name}" if where else name


def _objects(path: Path) -> Iterator[tuple[str, int, Any]]:
    """Yield (where-kind, number, object): ``line`` numbers for JSONL, ``record`` for arrays."""
    text = read_text(path)
    if text.lstrip().startswith("["):
        items = _parse(path, text, None)
        escaped = _SURROGATE_ESCAPE.search(text) is not None
        for number, item in enumerate(items, start=1):
            if escaped:
                _refuse_lone_surrogate(path, item, {"record": number})
            yield "record", number, item
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            item = _parse(path, line, number)
            if _SURROGATE_ESCAPE.search(line):
                _refuse_lone_surrogate(path, item, {"line": number})
            yield "line", number, item


def _show(value: Any, limit: int = 40) -> str:
    """``repr`` cut to a length that fits in a one-line message."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _text_of(obj: dict[str, Any]) -> str:
    if isinstance(obj.get("text"), str):
        return obj["text"]
    data = obj.get("data")
    if isinstance(data, dict):
        if isinstance(data.get("text"), str):
            return data["text"]
        found = next((v for v in data.values() if isinstance(v, str)), None)
        if found is not None:
            return found
    if "text" in obj:
        raise ValueError(f"'text' is {_show(obj['text'])}, not a string")
    raise ValueError("no 'text' (or Label Studio 'data.text') string")


@dataclass
class _RawSpans:
    """The record's spans as loose (start, end, label) triples, checked later."""

    triples: list[tuple[Any, Any, Any]]
    skipped: int = 0  # Label Studio results that are not span labels (relations, choices)


def _raw_spans(obj: dict[str, Any]) -> _RawSpans | None:
    """The record's span list in whichever shape it comes, or None if it carries none."""
    for key in ("label", "labels"):
        if isinstance(obj.get(key), list):
            return _RawSpans([_doccano_triple(key, i, item) for i, item in enumerate(obj[key])])
    for key, start, end in (("entities", "start_offset", "end_offset"), ("spans", "start", "end")):
        if isinstance(obj.get(key), list):
            return _RawSpans(
                [_object_triple(f"{key}[{i}]", e, start, end) for i, e in enumerate(obj[key])]
            )
    if isinstance(obj.get("annotations"), list):
        return _label_studio(obj["annotations"])
    return None


def _doccano_triple(key: str, index: int, item: Any) -> tuple[Any, Any, Any]:
    if not (isinstance(item, list) and len(item) == 3):
        raise ValueError(f"{key}[{index}] is {_show(item)}, not a span [start, end, label]")
    return item[0], item[1], item[2]


def _object_triple(where: str, item: Any, start: str, end: str) -> tuple[Any, Any, Any]:
    if not isinstance(item, dict):
        raise ValueError(f"{where} is {_show(item)}, not an object {{{start}, {end}, label}}")
    return item.get(start, item.get("start")), item.get(end, item.get("end")), item.get("label")


def _label_studio(annotations: list[Any]) -> _RawSpans | None:
    """Spans of the last annotation not cancelled; other kinds of result are counted."""
    for i, annotation in enumerate(annotations):
        if not isinstance(annotation, dict):
            raise ValueError(f"annotations[{i}] is {_show(annotation)}, not an object")
    kept = [i for i, a in enumerate(annotations) if not a.get("was_cancelled")]
    if not kept:
        return None
    where = f"annotations[{kept[-1]}].result"
    results = annotations[kept[-1]].get("result", [])
    if not isinstance(results, list):
        raise ValueError(f"{where} is {_show(results)}, not a list")
    raw = _RawSpans([])
    for i, result in enumerate(results):
        if not isinstance(result, dict):
            raise ValueError(f"{where}[{i}] is {_show(result)}, not an object")
        if isinstance(result.get("type"), str) and result["type"] != "labels":
            raw.skipped += 1
            continue
        value = result.get("value")
        if not isinstance(value, dict):
            raise ValueError(
                f"{where}[{i}].value is {_show(value)}, not an object {{start, end, labels}}"
            )
        labels = value.get("labels")
        if isinstance(labels, str):
            labels = [labels]
        elif labels is None:
            labels = []
        elif not isinstance(labels, list):
            raise ValueError(f"{where}[{i}].value.labels is {_show(labels)}, not a list")
        if len(labels) > 1:
            raise ValueError(
                f"{where}[{i}] gives span {_show(value.get('start'))}-{_show(value.get('end'))}"
                f" {len(labels)} labels ({_show(labels)}); nerstudio keeps one label per span:"
                " keep one in Label Studio, or import each label's spans separately"
            )
        raw.triples.append((value.get("start"), value.get("end"), labels[0] if labels else None))
    return raw


def _tokens_of(obj: dict[str, Any], text: str) -> list[Token]:
    tokens = obj.get("tokens")
    if not isinstance(tokens, list):
        return tokenize(text)
    result = []
    for i, tok in enumerate(tokens):
        if isinstance(tok, dict):
            start, end = tok.get("start"), tok.get("end")
        elif isinstance(tok, list) and len(tok) >= 2:
            start, end = tok[0], tok[1]
        else:
            raise ValueError(
                f"tokens[{i}] is {_show(tok)}, neither {{start, end}} nor [start, end]"
            )
        problem = offsets_problem(start, end, len(text))
        if problem:
            raise ValueError(f"token {_show(start)}-{_show(end)} (tokens[{i}]) {problem}")
        if text[start:end].strip():
            result.append((start, end))
    result.sort()
    for a, b in itertools.pairwise(result):
        if b[0] < a[1]:
            raise ValueError(f"tokens {a[0]}-{a[1]} and {b[0]}-{b[1]} overlap")
    cut = find_cluster_cut(text, [p for tok in result for p in tok])
    if cut is not None:
        raise ValueError(
            f"a token edge at {cut.offset} cuts the character"
            f" {describe_characters(text[cut.start : cut.end])}; tokens must keep it whole"
        )
    return result


def _check_spans(raw: list[tuple[Any, Any, Any]], text: str) -> list[Span]:
    spans = set()
    inside = cluster_interiors(text)
    for start, end, label in raw:
        name = f"span {_show(start)}-{_show(end)}"
        problem = offsets_problem(start, end, len(text))
        if problem:
            shown = shown_label(label) if isinstance(label, str) else _show(label)
            raise ValueError(f"{name} ({shown}) {problem}")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{name} has no label (got {_show(label)}, not a label name)")
        label = label.strip()  # the name the project stores it under
        name += f" ({shown_label(label)})"
        if text[start].isspace() or text[end - 1].isspace():
            raise ValueError(
                f"{name} starts or ends in whitespace"
                f" ({_show(text[start:end])}); trim it to the entity's words"
            )
        cut = find_cluster_cut(text, [start, end]) if {start, end} & inside else None
        if cut is not None:
            edge = "start" if cut.offset == start else "end"
            raise ValueError(
                f"{name} cuts the character"
                f" {describe_characters(text[cut.start : cut.end])}: move its {edge} to"
                f" {cut.start} or {cut.end}"
            )
        spans.add(Span(start, end, label))
    ordered = sorted(spans)
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            raise ValueError(
                f"spans {a.start}-{a.end} ({shown_label(a.label)}) and"
                f" {b.start}-{b.end} ({shown_label(b.label)}) overlap"
            )
    return ordered


def _record(obj: Any, source: str) -> tuple[DocumentRecord, int, int]:
    """One record, the tokens split to fit its spans, and Label Studio results skipped."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    text = _text_of(obj)
    raw = _raw_spans(obj)
    spans = _check_spans(raw.triples if raw else [], text)
    tokens = _tokens_of(obj, text)
    fitted = split_tokens_at(text, tokens, [p for s in spans for p in (s.start, s.end)])
    status = Status.DONE if raw is not None else Status.NEW
    if isinstance(obj.get("status"), str) and obj["status"] in {s.value for s in Status}:
        status = Status(obj["status"])
    record = DocumentRecord(
        text=text,
        tokens=tuple(fitted),
        spans=tuple(spans),
        status=status,
        split=obj["split"] if isinstance(obj.get("split"), str) else None,
        source=source,
        meta=obj["meta"] if isinstance(obj.get("meta"), dict) else {},
    )
    return record, len(fitted) - len(tokens), raw.skipped if raw else 0


def read_jsonl(path: str | Path) -> ReadResult:
    """Read every record; any bad record is a ``FormatError`` naming its line or number."""
    path = Path(path)
    records: list[DocumentRecord] = []
    split_tokens = skipped = 0
    for kind, number, obj in _objects(path):
        try:
            record, split, not_spans = _record(obj, f"{path.name}:{number}")
        except ValueError as err:
            raise FormatError(path, str(err), **{kind: number}) from None
        records.append(record)
        split_tokens += split
        skipped += not_spans
    if not records:
        raise FormatError(path, "no records in this file (is it empty?)")
    notes = []
    if split_tokens:
        notes.append(f"{path.name}: {split_tokens} tokens split so that spans fit them")
    left_out = {"Label Studio results that are not spans (relations, choices...)": skipped}
    return ReadResult(records, notes, skipped=left_out if skipped else {})


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
