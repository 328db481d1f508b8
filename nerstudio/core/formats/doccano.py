"""doccano's JSONL (``jsonl.read_jsonl`` finds the shape and hands the records here):
``text`` (or ``data``, or ``column_data`` as doccano's import form names it) with
``label``/``labels``/``column_label: [[start, end, "L"]]`` or
``entities: [{start_offset, end_offset, label}]``; ``--text-key``/``--label-key`` name
other fields. A record with a span list is done; one with only text is new.
"""

from __future__ import annotations

from typing import Any

from nerstudio.core.formats.json_records import (
    Item,
    JsonOptions,
    RawSpan,
    Reading,
    check_spans,
    doccano_triple,
    fit_tokens,
    list_field,
    located,
    meta_of,
    object_triple,
    status_given,
    text_of,
    tokens_of,
)
from nerstudio.core.records import DocumentRecord, Status

# doccano's import form names the fields so by default (its own example file uses them).
DOCCANO_TEXT, DOCCANO_LABEL = "column_data", "column_label"


def _doccano_spans(obj: dict[str, Any], label_key: str | None) -> list[RawSpan] | None:
    """The record's span list, unchecked, or None if it has none; a span field of another
    type than a list is the record's error (it would read as a record without entities)."""
    for key in (label_key,) if label_key else ("label", "labels", DOCCANO_LABEL):
        spans = list_field(obj, key, "spans [start, end, label]")
        if spans is not None:
            return [
                object_triple(f"{key}[{i}]", item, "start_offset", "end_offset")
                if isinstance(item, dict)
                else doccano_triple(key, i, item)
                for i, item in enumerate(spans)
            ]
    entities = None if label_key else list_field(obj, "entities", "{start_offset, end_offset}")
    if entities is not None:
        return [
            object_triple(f"entities[{i}]", e, "start_offset", "end_offset")
            for i, e in enumerate(entities)
        ]
    return None


def _unread_span_keys(obj: dict[str, Any], label_key: str | None) -> list[str]:
    """Fields holding spans that ``_doccano_spans`` does not read: a non-empty list under
    ``label``/``labels``/``column_label``/``entities`` beside the one read."""
    keys = ("label", "labels", DOCCANO_LABEL, "entities")
    read = label_key or next((k for k in keys if isinstance(obj.get(k), list)), None)
    return [k for k in keys if k != read and isinstance(obj.get(k), list) and obj[k]]


def _doccano_text_key(obj: dict[str, Any]) -> str | None:
    """``column_data`` where a record has it and no ``text``: doccano's import default."""
    return DOCCANO_TEXT if DOCCANO_TEXT in obj and "text" not in obj else None


def read_doccano(reading: Reading, items: list[Item], options: JsonOptions) -> None:
    """Each record a document; relations are counted, span fields left unread noted."""
    relations = 0
    unread: dict[str, int] = {}  # span fields not read: records holding each
    for item in items:
        obj = item.obj
        with located(reading.path, item):
            text = text_of(obj, options.text_key or _doccano_text_key(obj))
            raw = _doccano_spans(obj, options.label_key)
            spans = check_spans(raw or [], text)
            tokens = fit_tokens(reading, text, tokens_of(obj.get("tokens"), text), spans)
        if isinstance(obj.get("relations"), list):
            relations += len(obj["relations"])
        for key in _unread_span_keys(obj, options.label_key):
            unread[key] = unread.get(key, 0) + 1
        reading.add(
            DocumentRecord(
                text=text,
                tokens=tokens,
                spans=tuple(spans),
                status=status_given(obj) or (Status.DONE if raw is not None else Status.NEW),
                split=obj["split"] if isinstance(obj.get("split"), str) else None,
                source=reading.source(item),
                meta=meta_of(obj),
            ),
            item.number,
        )
    reading.skipped["doccano relations"] += relations
    reading.notes += [
        f"{reading.path.name}: ignored the field {key!r} of {count:,} records, which holds"
        f" spans: use --label-key {key} to read it"
        for key, count in unread.items()
    ]
