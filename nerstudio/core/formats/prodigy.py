"""Prodigy and spaCy JSONL: ``text``, ``tokens`` (with ``ws``), ``spans`` and ``answer``.

Read (through ``jsonl.read_jsonl``, which sends records with ``answer``, ``spans`` or
Prodigy's hashes here). Manual recipes (ner.manual, ner.correct): ``accept`` is gold (no
spans: done with no entities); ``ignore`` is skipped; ``reject`` marks the example unusable,
so it becomes a new document without its spans. A record with no answer is read as
nerstudio's JSONL is: a ``status`` field says what it is, else a span list makes it done.
Binary recipes (ner.teach, ner.silver: ``_view_id`` ``ner``, or records with both
``_input_hash`` and ``_task_hash`` whose spans are suggestions: one span, or each span with
the model's ``score``/``rank`` or its own ``answer``) are grouped by ``_input_hash`` into one
document per text: accepted spans are merged (the import settles overlaps), rejected ones
(a task answered reject, or a span whose own answer is reject) are never gold, and the
document stays in progress, since a binary answer says nothing about the rest of the text.
The given tokens are kept (whitespace tokens left out); ``_annotator_id`` goes into
``meta["annotator"]``.

Write: the same shape, for Prodigy's ``db-in`` and manual recipes: spaCy-style tokens
(``ws`` for one trailing space, other whitespace as tokens of its own), spans with inclusive
``token_end``, ``answer`` accept (done) or ignore (skipped), no hashes (Prodigy sets them).
Documents not done carry no answer; a ``status`` field says which they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from nerstudio.core.formats.json_records import (
    Item,
    JsonOptions,
    Reading,
    check_spans,
    fit_tokens,
    located,
    meta_of,
    object_triple,
    shown,
    status_given,
    text_of,
    tokens_of,
)
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import Token, split_tokens_at

_ANSWERS = ("accept", "reject", "ignore")


@dataclass
class _Group:
    """Binary answers about one text (one ``_input_hash``)."""

    items: list[Item] = field(default_factory=list)
    accepted: list[Span] = field(default_factory=list)


def _raw_spans(
    obj: dict[str, Any], answered_no: list[int] | None = None
) -> list[tuple[Any, Any, Any]] | None:
    """The record's spans, less those answered reject/ignore one by one (counted into
    ``answered_no``): a span's own answer overrides the task's accept."""
    spans = obj.get("spans")
    if spans is None:
        return None
    if not isinstance(spans, list):
        raise ValueError(f"'spans' is {shown(spans)}, not a list of {{start, end, label}}")
    triples = [object_triple(f"spans[{i}]", span, "start", "end") for i, span in enumerate(spans)]
    kept = [t for t, span in zip(triples, spans) if not _span_answered_no(span)]
    if answered_no is not None:
        answered_no.append(len(triples) - len(kept))
    return kept


def _answer(obj: dict[str, Any]) -> str | None:
    answer = obj.get("answer")
    if answer is None or answer in _ANSWERS:
        return answer
    raise ValueError(f"'answer' is {shown(answer)}, not one of {', '.join(_ANSWERS)}")


def _hash(obj: dict[str, Any], key: str) -> int | str | None:
    value = obj.get(key)
    return value if isinstance(value, int | str) and not isinstance(value, bool) else None


# What Prodigy's binary recipes put on the span they ask about (a manual span has none).
_SUGGESTION_KEYS = ("score", "rank", "answer")


def _binary_shaped(obj: dict[str, Any]) -> bool:
    """Both hashes and spans that are suggestions: one span, or each with a score/answer."""
    spans = obj.get("spans")
    if not isinstance(spans, list) or not spans:
        return False
    if _hash(obj, "_input_hash") is None or _hash(obj, "_task_hash") is None:
        return False
    return len(spans) == 1 or all(
        isinstance(span, dict) and any(key in span for key in _SUGGESTION_KEYS)
        for span in spans
    )


def _binary_file(items: list[Item]) -> bool:
    """Records without a ``_view_id`` that are all binary-shaped: a ner.teach export
    (several spans in one task when patterns matched more than one)."""
    plain = [item.obj for item in items if item.obj.get("_view_id") is None]
    return bool(plain) and all(_binary_shaped(obj) for obj in plain)


def _span_answered_no(span: Any) -> bool:
    """A span whose own ``answer`` (ner.teach writes one on each span) is not accept."""
    return isinstance(span, dict) and span.get("answer") in ("reject", "ignore")


def _is_binary(obj: dict[str, Any], binary_file: bool) -> bool:
    view = obj.get("_view_id")
    return view == "ner" or (view is None and binary_file)


def read_prodigy(reading: Reading, items: list[Item], options: JsonOptions) -> None:
    """Every record or binary group, in the order each first appears."""
    binary_file = _binary_file(items)
    order: list[Item | _Group] = []
    groups: dict[Any, _Group] = {}
    counts = {"binary": 0, "rejected": 0, "rejected spans": 0}
    for item in items:
        if _is_binary(item.obj, binary_file):
            with located(reading.path, item):
                key = _hash(item.obj, "_input_hash")
                if key is None:
                    key = ("text", text_of(item.obj, options.text_key))
            if key not in groups:
                groups[key] = _Group()
                order.append(groups[key])
            groups[key].items.append(item)
            counts["binary"] += 1
        else:
            order.append(item)
    for entry in order:
        if isinstance(entry, _Group):
            _read_group(reading, entry, options)
        else:
            _read_manual(reading, entry, options, counts)
    name = reading.path.name
    if counts["rejected"]:
        reading.notes.append(
            f"{name}: {counts['rejected']} rejected answers imported as new documents without"
            f" their {counts['rejected spans']} spans (a reject marks the example unusable)"
        )
        reading.skipped["spans of rejected Prodigy answers"] += counts["rejected spans"]
    if groups:
        kept = sum(len(set(group.accepted)) for group in groups.values())
        rejected = reading.skipped["rejected binary suggestions (never gold)"]
        reading.notes.append(
            f"{name}: {counts['binary']} binary answers (ner.teach, ner.silver) grouped by"
            f" _input_hash into {len(groups)} documents: {kept} accepted spans kept,"
            f" {rejected} rejected left out; the documents are in progress, since binary"
            " answers do not annotate the rest of the text"
        )


def _relations(reading: Reading, obj: dict[str, Any]) -> None:
    if isinstance(obj.get("relations"), list):
        reading.skipped["Prodigy relations"] += len(obj["relations"])


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = meta_of(obj)
    annotator = obj.get("_annotator_id")
    if isinstance(annotator, str) and annotator:
        meta["annotator"] = annotator
    return meta


def _read_manual(
    reading: Reading, item: Item, options: JsonOptions, counts: dict[str, int]
) -> None:
    obj = item.obj
    with located(reading.path, item):
        text = text_of(obj, options.text_key)
        answer = _answer(obj)
        answered_no: list[int] = []
        raw = _raw_spans(obj, answered_no)
        reading.skipped["spans answered reject or ignore (never gold)"] += sum(answered_no)
        if answer == "reject":
            counts["rejected"] += 1
            counts["rejected spans"] += len(raw or [])
            raw = None
        spans = check_spans(raw or [], text)
        tokens = fit_tokens(reading, text, tokens_of(obj.get("tokens"), text), spans)
    if answer == "accept":
        status = Status.DONE
    elif answer == "ignore":
        status = Status.SKIPPED
    elif answer == "reject":
        status = Status.NEW
    else:
        status = status_given(obj) or (Status.DONE if raw is not None else Status.NEW)
    _relations(reading, obj)
    reading.add(
        DocumentRecord(
            text=text,
            tokens=tokens,
            spans=tuple(spans),
            status=status,
            split=obj["split"] if isinstance(obj.get("split"), str) else None,
            source=reading.source(item),
            meta=_meta(obj),
        ),
        item.number,
    )


def _read_group(reading: Reading, group: _Group, options: JsonOptions) -> None:
    """One document from binary answers: accepted spans merged, the rest counted."""
    first = group.items[0]
    with located(reading.path, first):
        text = text_of(first.obj, options.text_key)
        tokens = tokens_of(first.obj.get("tokens"), text)
    for item in group.items:
        with located(reading.path, item):
            other = text_of(item.obj, options.text_key)
            if other != text:
                raise ValueError(
                    f"has the _input_hash of {first.place} but another text"
                    f" ({shown(other)}, not {shown(text)})"
                )
            answer = _answer(item.obj)
            answered_no: list[int] = []
            spans = check_spans(_raw_spans(item.obj, answered_no) or [], text)
        if answer == "accept":
            group.accepted.extend(spans)
            reading.skipped["rejected binary suggestions (never gold)"] += sum(answered_no)
        elif answer == "reject":
            reading.skipped["rejected binary suggestions (never gold)"] += len(spans) + sum(
                answered_no
            )
        else:
            reading.skipped["binary suggestions ignored or not answered"] += len(spans) + sum(
                answered_no
            )
        _relations(reading, item.obj)
    spans = sorted(set(group.accepted))
    with located(reading.path, first):
        fitted = fit_tokens(reading, text, tokens, spans)
    reading.add(
        DocumentRecord(
            text=text,
            tokens=fitted,
            spans=tuple(spans),
            status=Status.IN_PROGRESS,
            source=reading.source(first),
        ),
        first.number,
    )


# -- writing ----------------------------------------------------------------------------------


def _spacy_tokens(text: str, tokens: list[Token]) -> list[dict[str, Any]]:
    """Tokens as spaCy (and so Prodigy) has them: one space after a token is its ``ws``;
    any other text between tokens (more whitespace, a line break) is a token of its own."""
    pieces: list[tuple[int, int]] = []
    pos = 0
    for start, end in tokens:
        if start > pos:
            gap_start = pos + 1 if pieces and text[pos] == " " else pos
            if start > gap_start:
                pieces.append((gap_start, start))
        pieces.append((start, end))
        pos = end
    if pos < len(text):
        gap_start = pos + 1 if pieces and text[pos] == " " else pos
        if len(text) > gap_start:
            pieces.append((gap_start, len(text)))
    result = []
    for i, (start, end) in enumerate(pieces):
        next_start = pieces[i + 1][0] if i + 1 < len(pieces) else len(text)
        ws = next_start == end + 1 and text[end] == " "
        result.append({"text": text[start:end], "start": start, "end": end, "id": i, "ws": ws})
    return result


def write_prodigy(records: Iterable[DocumentRecord], fh: TextIO) -> int:
    """Write one Prodigy task per document (JSONL); returns tokens written."""
    written = 0
    for record in records:
        text = record.text
        edges = [p for s in record.spans for p in (s.start, s.end)]
        tokens = _spacy_tokens(text, split_tokens_at(text, record.tokens, edges))
        first = {tok["start"]: tok["id"] for tok in tokens}
        last = {tok["end"]: tok["id"] for tok in tokens}
        task: dict[str, Any] = {
            "text": text,
            "tokens": tokens,
            "spans": [
                {
                    "start": s.start,
                    "end": s.end,
                    "label": s.label,
                    "token_start": first[s.start],
                    "token_end": last[s.end],
                }
                for s in record.spans
            ],
        }
        if record.status is Status.DONE:
            task["answer"] = "accept"
        elif record.status is Status.SKIPPED:
            task["answer"] = "ignore"
        else:
            task["status"] = record.status.value
        if record.meta:
            task["meta"] = record.meta
        fh.write(json.dumps(task, ensure_ascii=False))
        fh.write("\n")
        written += len(record.tokens)
    return written
