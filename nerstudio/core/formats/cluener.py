"""CLUENER2020 JSON: ``{"text": ..., "label": {type: {mention: [[start, end], ...]}}}``.

The format Chinese NER users hold (the CLUENER2020 benchmark, and the many corpora and
tools that copied it). Offsets are character positions with an *inclusive* end, grouped
by type, then by the mention's own text, which is checked against the offsets: a mention
that does not match its text is refused, never imported at the wrong place. Records come
one per line (the benchmark's files) or pretty-printed one after another; both are read by
``jsonl.read_jsonl``, which sends records whose ``label`` is such a mapping here. A record
with a ``label`` is done (``{}``: done with no entities); one without is new (the
benchmark's test set).

Write: the same shape, one record per line, for done documents and the rest alike (a
document without entities gets ``"label": {}`` only when it is done).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from nerstudio.core.formats.json_records import (
    Item,
    JsonOptions,
    RawSpan,
    Reading,
    check_spans,
    fit_tokens,
    located,
    meta_of,
    shown,
    text_of,
    tokens_of,
)
from nerstudio.core.records import DocumentRecord, Status


def is_cluener(obj: dict[str, Any], empty_too: bool = False) -> bool:
    """A record whose ``label`` maps type names to {mention: [[start, end], ...]}. An empty
    ``{}`` says "no entities" only in a file whose other records show the shape
    (``empty_too``): alone it may as well be a doccano ``label`` of the wrong type."""
    label = obj.get("label")
    return (
        isinstance(label, dict)
        and "text" in obj
        and (bool(label) or empty_too)
        and all(isinstance(mentions, dict) for mentions in label.values())
    )


def _raw_spans(label: dict[str, Any], text: str) -> list[RawSpan]:
    """Each mention's places as (start, end exclusive, type), checked against its text."""
    raw = []
    for type_name, mentions in label.items():
        for mention, places in mentions.items():
            where = f"label.{type_name}[{shown(mention, 24)}]"
            if not isinstance(places, list):
                raise ValueError(f"{where} is {shown(places)}, not a list of [start, end]")
            for place in places:
                if not (
                    isinstance(place, list)
                    and len(place) == 2
                    and all(isinstance(p, int) and not isinstance(p, bool) for p in place)
                ):
                    raise ValueError(f"{where} holds {shown(place)}, not [start, end]")
                start, end = place[0], place[1] + 1  # CLUENER's end is inclusive
                if 0 <= start < end <= len(text) and text[start:end] != mention:
                    raise ValueError(
                        f"{where} at {place[0]}-{place[1]} reads {shown(text[start:end], 24)}"
                        " in the text, not the mention; the offsets are wrong (CLUENER's"
                        " end is inclusive)"
                    )
                raw.append(RawSpan(start, end, type_name))
    return raw


def read_cluener(reading: Reading, items: list[Item], options: JsonOptions) -> None:
    for item in items:
        obj = item.obj
        with located(reading.path, item):
            text = text_of(obj, options.text_key)
            spans = check_spans(_raw_spans(obj["label"], text), text)
            tokens = fit_tokens(reading, text, tokens_of(None, text), spans)
        reading.add(
            DocumentRecord(
                text=text,
                tokens=tokens,
                spans=tuple(spans),
                status=Status.DONE,
                source=reading.source(item),
                meta=meta_of(obj),
            ),
            item.number,
        )


def write_cluener(records: Iterable[DocumentRecord], fh: TextIO) -> int:
    """One CLUENER record per line; returns tokens written."""
    written = 0
    for record in records:
        obj: dict[str, Any] = {"text": record.text}
        if record.spans or record.status is Status.DONE:
            label: dict[str, dict[str, list[list[int]]]] = {}
            for span in record.spans:
                mention = record.text[span.start : span.end]
                label.setdefault(span.label, {}).setdefault(mention, []).append(
                    [span.start, span.end - 1]
                )
            obj["label"] = label
        fh.write(json.dumps(obj, ensure_ascii=False))
        fh.write("\n")
        written += len(record.tokens)
    return written
