"""Label Studio: its JSON export (tasks) and JSON-MIN rows in, JSON tasks out.

Read (through ``jsonl.read_jsonl``): an array of tasks, one task object, or a task a line.
The text is ``data.text`` (or the field ``--text-key`` names, or ``data``'s one string). Of
a task's annotations (``completions`` before Label Studio 1.0) the latest not cancelled is
gold: by ``updated_at``, then ``created_at``, then ``id``, then place in the list; its
``completed_by`` (email, else id) goes into ``meta["annotator"]``; the others are listed in
the notes. All cancelled: skipped; only a draft: in progress; none: new. A region with
several labels is a span per label (the import settles overlaps). ``predictions`` are
suggestions of the run ``model_version`` (default ``label-studio``), never gold, scored by
their own ``score``, else the prediction's, else 1.0. Relations, choices and other results
that are not text spans are counted. Spans whose ``value.text`` shows UTF-16 offsets (old
Label Studio counted an emoji as two characters) are converted to characters; a
``value.text`` that fits neither count is refused, as brat's text column is.

JSON-MIN: the data fields, each control's regions (``label: [{start, end, text, labels}]``),
``annotator``, ``annotation_id`` and dates, a row per annotation: the rows of one task
``id`` are one document, the latest row gold.

Write (``labelstudio_write``): a JSON array of tasks in Label Studio's import format,
``data.text`` and ``labels`` regions from ``label`` to ``text``: done documents as
``annotations[0]``, skipped ones as a cancelled annotation, ones in progress as a draft;
suggestions as ``predictions``.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nerstudio.core.formats.json_records import (
    Item,
    JsonOptions,
    RawSpan,
    Reading,
    check_span,
    check_spans,
    fit_tokens,
    is_region_list,
    located,
    meta_of,
    shown,
    text_of,
    tokens_of,
)
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import cluster_interiors
from nerstudio.core.utf16 import is_wide, utf16_positions

NOT_SPANS = "Label Studio results that are not spans (relations, choices...)"
_OTHERS = "annotations left out, the latest of each task (by updated_at, created_at, id) gold"
_NOTES = {
    "all cancelled": "{n} tasks whose annotations were all cancelled are skipped",
    "utf16": "{n} spans had UTF-16 offsets (old Label Studio counted an emoji as two"
    " characters); converted, checked against their value.text",
}
_MIN_FIELDS = {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"}


@dataclass
class _Regions:
    """A result list as unchecked spans, with each one's own score."""

    triples: list[RawSpan] = field(default_factory=list)
    scores: list[Any] = field(default_factory=list)


@dataclass
class _Tally:
    """What one file's tasks held beyond their gold spans, for the notes."""

    counts: Counter[str] = field(default_factory=Counter)
    others: list[str] = field(default_factory=list)
    runs: set[str] = field(default_factory=set)


def _sortable(value: Any) -> float | None:
    """An ISO 8601 time, seconds since 1970 or an id, as a number to order entries by."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return _finite(value)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _latest(entries: list[dict[str, Any]], id_key: str = "id") -> int:
    """Index of the latest entry: by updated_at, then created_at, then id, then position."""

    def order(position: int) -> tuple:
        entry = entries[position]
        keys = ("updated_at", "created_at", id_key)
        values = [_sortable(entry.get(key)) for key in keys]
        return (*((0, 0.0) if v is None else (1, v) for v in values), position)

    return max(range(len(entries)), key=order)


def _annotator(entry: dict[str, Any], key: str) -> int | str | None:
    who = entry.get(key)
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return who if isinstance(who, int | str) and not isinstance(who, bool) else None


@functools.lru_cache(maxsize=8)
def _utf16_positions(text: str) -> list[int | None] | None:
    """Code-point offset at each UTF-16 offset, for texts with characters beyond U+FFFF."""
    return utf16_positions(text) if any(is_wide(ch) for ch in text) else None


def _at(positions: list[int | None], unit: int) -> int | None:
    """The code-point offset at UTF-16 ``unit``; None outside the text or inside a pair."""
    return positions[unit] if 0 <= unit < len(positions) else None


def _code_points(text: str, value: dict[str, Any], counts: Counter[str]) -> tuple[Any, Any]:
    """The region's offsets in characters: as given, unless ``value.text`` shows UTF-16 (a
    ``value.text`` that fits neither is refused by ``check_span``)."""
    start, end, shown_text = value.get("start"), value.get("end"), value.get("text")
    if not (isinstance(shown_text, str) and isinstance(start, int) and isinstance(end, int)):
        return start, end
    if 0 <= start <= end and text[start:end] == shown_text:
        return start, end
    positions = _utf16_positions(text)
    if positions:
        converted = _at(positions, start), _at(positions, end)
        if None not in converted and text[converted[0] : converted[1]] == shown_text:
            counts["utf16"] += 1
            return converted
    return start, end


def _entries(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The list under ``key`` (annotations, predictions...), each entry an object."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{key!r} is {shown(value)}, not a list")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise ValueError(f"{key}[{i}] is {shown(entry)}, not an object")
    return value


def _region(text: str, where: str, value: Any, counts: Counter[str], regions: _Regions) -> None:
    """One ``{start, end, labels}`` value: a triple per label (none: refused later)."""
    if not isinstance(value, dict):
        raise ValueError(f"{where} is {shown(value)}, not an object {{start, end, labels}}")
    labels = value.get("labels")
    if isinstance(labels, str):
        labels = [labels]
    elif labels is None:
        labels = []
    elif not isinstance(labels, list):
        raise ValueError(f"{where}.labels is {shown(labels)}, not a list")
    start, end = _code_points(text, value, counts)
    for label in labels or [None]:
        regions.triples.append(RawSpan(start, end, label, value.get("text")))
        regions.scores.append(value.get("score"))


def _regions(text: str, results: Any, where: str, counts: Counter[str]) -> _Regions:
    if not isinstance(results, list):
        raise ValueError(f"{where} is {shown(results)}, not a list")
    regions = _Regions()
    for i, result in enumerate(results):
        if not isinstance(result, dict):
            raise ValueError(f"{where}[{i}] is {shown(result)}, not an object")
        value, kind = result.get("value"), result.get("type")
        if kind is not None and not isinstance(kind, str):
            raise ValueError(f"{where}[{i}].type is {shown(kind)}, not a string such as 'labels'")
        not_text = isinstance(value, dict) and "start" not in value and "end" not in value
        if (kind is not None and kind != "labels") or not_text:
            counts[NOT_SPANS] += 1
            continue
        if isinstance(value, dict) and "score" not in value and "score" in result:
            value = {**value, "score": result["score"]}
        _region(text, f"{where}[{i}].value", value, counts, regions)
    return regions


def _score(*candidates: Any) -> float:
    """The first score given, else 1.0; a score that is not a finite number is refused."""
    for value in candidates:
        if value is not None:
            if isinstance(value, str) or _finite(value) is None:
                raise ValueError(f"score {shown(value)} is not a number")
            return float(value)
    return 1.0


def _predictions(text: str, task: dict[str, Any], tally: _Tally) -> dict[str, list[dict]]:
    """Each run's suggested spans, ``{start, end, label, score}``, checked like gold ones."""
    inside = cluster_interiors(text)
    runs: dict[str, list[dict]] = {}
    for i, prediction in enumerate(_entries(task, "predictions")):
        run = prediction.get("model_version")
        run = run.strip() if isinstance(run, str) and run.strip() else "label-studio"
        where = f"predictions[{i}].result"
        regions = _regions(text, prediction.get("result", []), where, tally.counts)
        spans = runs.setdefault(run, [])
        for raw, own in zip(regions.triples, regions.scores, strict=True):
            try:
                span = check_span(*raw[:3], text, inside, raw.surface)
                score = _score(own, prediction.get("score"))
            except ValueError as err:
                raise ValueError(f"predictions[{i}]: {err}") from None
            spans.append({"start": span.start, "end": span.end, "label": span.label})
            spans[-1]["score"] = score
        tally.runs.add(run)
    return {
        run: sorted(spans, key=lambda s: (s["start"], s["end"], s["label"]))
        for run, spans in runs.items()
    }


def _cancelled(entry: dict[str, Any], where: str) -> bool:
    """Whether an annotation was cancelled (skipped); a flag of another type than true or
    false is refused, since "false" as a string would read as cancelled."""
    for key in ("was_cancelled", "skipped"):
        value = entry.get(key)
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{where}.{key} is {shown(value)}, not true or false")
    return bool(entry.get("was_cancelled") or entry.get("skipped"))


def _other(task_id: Any, entry: dict[str, Any], who_key: str) -> str:
    """How the notes name an annotation left out: its task, its id, who made it."""
    who = _annotator(entry, who_key) or "an unknown annotator"
    ident = entry.get("annotation_id", entry.get("id", "?"))
    return f"task {shown(task_id, 12)} annotation {shown(ident, 12)} by {who}"


def _read_task(reading: Reading, item: Item, options: JsonOptions, tally: _Tally) -> None:
    task = item.obj
    text = text_of(task, options.text_key)
    key = "annotations" if "annotations" in task else "completions"
    annotations = _entries(task, key)
    kept = [(i, a) for i, a in enumerate(annotations) if not _cancelled(a, f"{key}[{i}]")]
    tally.counts["cancelled"] += len(annotations) - len(kept)
    meta = meta_of(task)
    drafts = _entries(task, "drafts")
    entry, where, status = None, key, Status.NEW
    if kept:
        chosen = _latest([a for _, a in kept])
        index, entry = kept[chosen]
        where, status = f"{key}[{index}]", Status.DONE
        who = _annotator(entry, "completed_by")
        if who is not None:
            meta["annotator"] = who
        for position, (_, other) in enumerate(kept):
            if position != chosen:
                tally.others.append(_other(task.get("id", item.number), other, "completed_by"))
    elif drafts:
        index = _latest(drafts)
        entry, where, status = drafts[index], f"drafts[{index}]", Status.IN_PROGRESS
    elif annotations:  # all cancelled: skipped, with what the latest one marked
        index = _latest(annotations)
        entry, where, status = annotations[index], f"{key}[{index}]", Status.SKIPPED
        tally.counts["all cancelled"] += 1
    regions = _Regions()
    if entry is not None:
        regions = _regions(text, entry.get("result", []), f"{where}.result", tally.counts)
    gold = check_spans(regions.triples, text)
    runs = _predictions(text, task, tally)
    suggested = [Span(s["start"], s["end"], s["label"]) for spans in runs.values() for s in spans]
    tokens = fit_tokens(reading, text, tokens_of(task.get("tokens"), text), [*gold, *suggested])
    index = reading.add(
        DocumentRecord(
            text=text,
            tokens=tokens,
            spans=tuple(gold),
            status=status,
            source=reading.source(item),
            meta=meta,
        ),
        item.number,
    )
    reading.suggestions.extend((index, run, spans) for run, spans in runs.items())


def read_tasks(reading: Reading, items: list[Item], options: JsonOptions) -> None:
    """Label Studio tasks: gold from the latest annotation, predictions as suggestions."""
    tally = _Tally()
    for item in items:
        with located(reading.path, item):
            _read_task(reading, item, options, tally)
    _notes(reading, tally)


def _notes(reading: Reading, tally: _Tally) -> None:
    counts, others = tally.counts, tally.others
    notes = [template.format(n=counts[key]) for key, template in _NOTES.items() if counts[key]]
    if others:
        listed = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
        notes.insert(0, f"{len(others)} {_OTHERS}: {listed}")
    if tally.runs:
        notes.append(
            f"predictions read as suggestions (never gold): {', '.join(sorted(tally.runs))}"
        )
    reading.notes.extend(f"{reading.path.name}: {note}" for note in notes)
    reading.skipped[NOT_SPANS] += counts[NOT_SPANS]
    reading.skipped["cancelled Label Studio annotations"] += counts["cancelled"]
    reading.skipped["other annotations of a task (not gold)"] += len(others)


# -- JSON-MIN ---------------------------------------------------------------------------------


def _min_text(obj: dict[str, Any], text_key: str | None) -> str:
    """The text among JSON-MIN's data fields: ``text``, ``text_key`` or its one string."""
    if text_key is not None or "text" in obj:
        return text_of(obj, text_key)
    fields = [k for k, v in obj.items() if isinstance(v, str) and k not in _MIN_FIELDS]
    if len(fields) == 1:
        return obj[fields[0]]
    if not fields:
        raise ValueError("no text field (no string but the id, annotator and dates)")
    raise ValueError(
        f"several fields could hold the text ({', '.join(map(shown, fields))}); name it"
        " with --text-key"
    )


def read_json_min(reading: Reading, items: list[Item], options: JsonOptions) -> None:
    """JSON-MIN rows: those of one task (same ``id`` and text) are one document."""
    tally = _Tally()
    groups: dict[Any, list[tuple[Item, str]]] = {}
    for item in items:
        with located(reading.path, item):
            text = _min_text(item.obj, options.text_key)
        task_id = item.obj.get("id")
        task_id = (
            task_id if isinstance(task_id, int | str) and not isinstance(task_id, bool) else None
        )
        key = (task_id, text) if task_id is not None else ("row", item.number)
        groups.setdefault(key, []).append((item, text))
    for rows in groups.values():
        chosen = _latest([item.obj for item, _ in rows], id_key="annotation_id")
        item, text = rows[chosen]
        for position, (other, _) in enumerate(rows):
            if position != chosen:
                tally.others.append(_other(other.obj.get("id"), other.obj, "annotator"))
        with located(reading.path, item):
            regions = _Regions()
            for name, value in item.obj.items():
                if is_region_list(value):
                    for i, region in enumerate(value):
                        _region(text, f"{name}[{i}]", region, tally.counts, regions)
            spans = check_spans(regions.triples, text)
            tokens = fit_tokens(reading, text, tokens_of(None, text), spans)
        who = _annotator(item.obj, "annotator")
        reading.add(
            DocumentRecord(
                text=text,
                tokens=tokens,
                spans=tuple(spans),
                status=Status.DONE,
                source=reading.source(item),
                meta={"annotator": who} if who is not None else {},
            ),
            rows[0][0].number,
        )
    _notes(reading, tally)
