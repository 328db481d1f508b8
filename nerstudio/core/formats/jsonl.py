"""JSON and JSON Lines as annotation tools write them: one reader that finds the shape, and
nerstudio's own JSONL out.

``read_jsonl`` reads a file of JSON Lines, a JSON array, or one JSON object (pretty-printed
over many lines, or several one after another), then hands each record to the reader of
the shape its fields show. It never guesses silently: a record of no known shape is an
error that lists the shapes read, and a file mixing shapes is read so, with a note. The
shapes:

- doccano (``doccano.py``): ``text`` (or ``data``, or ``column_data`` as doccano's import form names
  it) with ``label``/``labels``/``column_label: [[start, end, "L"]]`` or
  ``entities: [{start_offset, end_offset, label}]``; ``--text-key``/``--label-key`` name
  other fields. A record with a span list is done; one with only text is new.
- Prodigy / spaCy ``spans`` with ``tokens`` and ``answer`` (``prodigy.py``).
- Label Studio JSON tasks and JSON-MIN rows (``labelstudio.py``).
- Hugging Face ``run_ner`` rows and spaCy v2 training JSON (``hf_json.py``).
- CLUENER2020 ``label: {type: {mention: [[start, end]]}}``, ends inclusive (``cluener.py``).

Spans may overlap here (nested entities, Label Studio regions with several labels):
``transfer.importing.settle_overlaps`` keeps the longest of each group and reports the
rest. A span that starts or ends inside one of our tokens splits that token; one that
starts or ends in whitespace is an error.

Write: doccano-compatible ``label`` spans plus Prodigy-style ``tokens``, ``status`` and
``split``, so JSONL in -> JSONL out keeps every offset.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from nerstudio.core.errors import FormatError
from nerstudio.core.formats import ReadResult, cluener, doccano, hf_json, labelstudio, prodigy
from nerstudio.core.formats.doccano import DOCCANO_LABEL, DOCCANO_TEXT
from nerstudio.core.formats.json_records import (
    Item,
    JsonOptions,
    Reading,
    is_region_list,
    keys_of,
    located,
)
from nerstudio.core.formats.origin_fields import origin_fields
from nerstudio.core.formats.textfile import read_text
from nerstudio.core.records import DocumentRecord

# Text is valid UTF-8 once read, so a lone surrogate can only come from a JSON escape.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")

# Each shape a JSON file can hold, as an error message names it.
SHAPES = {
    "doccano": "doccano (text + label or entities)",
    "prodigy": "Prodigy / spaCy (text + spans, answer)",
    "label-studio": "Label Studio JSON (data + annotations or predictions)",
    "json-min": "Label Studio JSON-MIN (text + label regions)",
    "run-ner": "Hugging Face run_ner (words + ner, or tokens + ner_tags)",
    "spacy-v2": "spaCy v2 training JSON (paragraphs of sentences)",
    "cluener": "CLUENER2020 (text + label: {type: {mention: [[start, end]]}})",
}
_PRODIGY_KEYS = ("answer", "_input_hash", "_task_hash", "_view_id", "spans")
_LABEL_STUDIO_KEYS = ("annotations", "completions", "predictions")


# -- reading the JSON values ------------------------------------------------------------------


def _parse(path: Path, source: str, line: int | None) -> Any:
    """``json.loads``, with every way it fails as a ``FormatError`` at ``line``."""
    try:
        return json.loads(source)
    except json.JSONDecodeError as err:
        raise FormatError(
            path, f"not valid JSON ({err.msg})", line=line if line is not None else err.lineno
        ) from None
    except (RecursionError, ValueError) as err:
        raise _unreadable(path, err, line) from None


def _unreadable(path: Path, err: Exception, line: int | None) -> FormatError:
    if isinstance(err, RecursionError):
        reason = "JSON nested too deeply to read (about 1,000 levels of [ or {)"
    elif "digits" in str(err):  # Python refuses to read ints of more than 4,300 digits
        reason = (
            f"a number has more than {sys.get_int_max_str_digits():,} digits, more than"
            " can be read; write it as a string or remove it"
        )
    else:
        reason = f"not valid JSON ({err})"
    return FormatError(path, reason, line=line)


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


def _whole_value(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def _objects(path: Path) -> list[Item]:
    """The file's JSON values: items of an array (``record`` N), one per line (``line`` N),
    or objects spread over lines (a pretty-printed task: ``record`` N)."""
    text = read_text(path)
    if text.lstrip().startswith("["):
        values = _parse(path, text, None)
        escaped = _SURROGATE_ESCAPE.search(text) is not None
        items = [Item("record", n, value) for n, value in enumerate(values, start=1)]
        for item in items if escaped else ():
            _refuse_lone_surrogate(path, item.obj, item.where)
        return items
    lines = text.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("{") and not _whole_value(first):
        return _spread(path, text)
    items = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            item = Item("line", number, _parse(path, line, number))
            if _SURROGATE_ESCAPE.search(line):
                _refuse_lone_surrogate(path, item.obj, item.where)
            items.append(item)
    return items


def _spread(path: Path, text: str) -> list[Item]:
    """JSON values one after another, each over as many lines as it likes."""
    decoder = json.JSONDecoder()
    items: list[Item] = []
    pos = line = 0
    while True:
        start = _JSON_SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if start >= len(text):
            return items
        line += text.count("\n", pos, start) + (1 if not items else 0)
        try:
            value, pos = decoder.raw_decode(text, start)
        except json.JSONDecodeError as err:
            raise FormatError(path, f"not valid JSON ({err.msg})", line=err.lineno) from None
        except (RecursionError, ValueError) as err:
            raise _unreadable(path, err, line) from None
        item = Item("record", len(items) + 1, value)
        if _SURROGATE_ESCAPE.search(text, start, pos):
            _refuse_lone_surrogate(path, value, item.where)
        items.append(item)
        line += text.count("\n", start, pos)


# -- the shape of a file ----------------------------------------------------------------------


def _shape_of(obj: Any, options: JsonOptions) -> str | None:
    """The shape one record shows; ``text`` when it holds nothing but text (any shape)."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    if options.tokens_column in obj or options.tags_column in obj:
        return "run-ner"
    if options.label_key is None and cluener.is_cluener(obj):
        return "cluener"
    if options.label_key in obj:
        return "doccano"
    if "paragraphs" in obj:
        return "spacy-v2"
    annotations = obj.get("annotations")
    if isinstance(annotations, list) and any(
        isinstance(a, dict) and "start_offset" in a for a in annotations
    ):
        raise ValueError(
            "'annotations' holds doccano 1.0 spans ({label, start_offset, end_offset}) whose"
            " labels are ids, not names; export the project again from doccano as JSONL"
        )
    if any(key in obj for key in _LABEL_STUDIO_KEYS) or isinstance(obj.get("data"), dict):
        return "label-studio"
    if ("annotation_id" in obj and "lead_time" in obj) or any(
        is_region_list(value) for value in obj.values()
    ):
        return "json-min"
    if ("words" in obj and "ner" in obj) or ("tokens" in obj and "ner_tags" in obj):
        return "run-ner"
    if any(key in obj for key in _PRODIGY_KEYS):
        return "prodigy"
    if any(key in obj for key in ("label", "labels", "entities", DOCCANO_LABEL)):
        return "doccano"
    if (
        "text" in obj
        or DOCCANO_TEXT in obj
        or options.text_key is not None
        or isinstance(obj.get("data"), str)
    ):
        return "text"  # with --text-key, the doccano reader says when the field is missing
    return None


def _by_shape(path: Path, items: list[Item], options: JsonOptions) -> dict[str, list[Item]]:
    """The file's records by the shape each holds (text-only ones go with doccano's); a
    record of no known shape is an error naming it and the shapes read."""
    shapes: dict[str, list[Item]] = {}
    for item in items:
        with located(path, item):
            shape = _shape_of(item.obj, options)
        if shape is None:
            raise FormatError(
                path,
                f"a record of no JSON shape nerstudio reads (it has {keys_of(item.obj)}); the"
                f" shapes read are {'; '.join(SHAPES.values())}; other field names can be"
                " given with --text-key and --label-key, or --tokens-column and --tags-column",
                **item.where,
            )
        shapes.setdefault("doccano" if shape == "text" else shape, []).append(item)
    if "cluener" in shapes and "doccano" in shapes:  # CLUENER's {} is "no entities"
        empty = [i for i in shapes["doccano"] if cluener.is_cluener(i.obj, empty_too=True)]
        shapes["cluener"] += empty
        shapes["doccano"] = [i for i in shapes["doccano"] if i not in empty]
        if not shapes["doccano"]:
            del shapes["doccano"]
    for option, flag in (
        (options.label_key, "--label-key"),
        (options.tokens_column, "--tokens-column"),
        (options.tags_column, "--tags-column"),
    ):
        if option is not None and not any(option in item.obj for item in items):
            raise FormatError(
                path,
                f"no record has the field {option!r} named by {flag} (the first has"
                f" {keys_of(items[0].obj)})",
            )
    return shapes


def read_jsonl(
    path: str | Path,
    text_key: str | None = None,
    label_key: str | None = None,
    tokens_column: str | None = None,
    tags_column: str | None = None,
    tag_names: Sequence[str] | None = None,
) -> ReadResult:
    """Read every record in the shape it holds; any bad record is a ``FormatError`` naming
    its line or number. ``text_key``/``label_key``: doccano's fields when they are not the
    usual ones; ``tokens_column``/``tags_column``/``tag_names``: run_ner's."""
    path = Path(path)
    options = JsonOptions(
        text_key, label_key, tokens_column, tags_column, tuple(tag_names) if tag_names else None
    )
    items = _objects(path)
    if not items:
        raise FormatError(path, "no records in this file (is it empty?)")
    shapes = _by_shape(path, items, options)
    reading = Reading(path)
    for shape, its_items in shapes.items():
        _READERS[shape](reading, its_items, options)
    if len(shapes) > 1:
        counts = ", ".join(f"{SHAPES[s]}: {len(i)}" for s, i in shapes.items())
        reading.notes.append(
            f"{path.name}: records of several shapes, each read as such ({counts})"
        )
    return reading.result()


# -- doccano ----------------------------------------------------------------------------------


_READERS = {
    "doccano": doccano.read_doccano,
    "prodigy": prodigy.read_prodigy,
    "label-studio": labelstudio.read_tasks,
    "json-min": labelstudio.read_json_min,
    "run-ner": hf_json.read_run_ner,
    "spacy-v2": hf_json.read_spacy_v2,
    "cluener": cluener.read_cluener,
}


# -- writing ----------------------------------------------------------------------------------


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
            **origin_fields(record),
        }
        if record.meta:
            obj["meta"] = record.meta
        out.write(json.dumps(obj, ensure_ascii=False))
        out.write("\n")
        written += len(record.tokens)
    return written
