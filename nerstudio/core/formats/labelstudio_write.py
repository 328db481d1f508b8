"""Label Studio out: a JSON array of tasks in its import format (see ``labelstudio``'s
docstring; reading is there).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from nerstudio.core.formats.origin_fields import origin_fields
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span


def _result(text: str, span: Span, ident: str, score: float | None = None) -> dict[str, Any]:
    value = {"start": span.start, "end": span.end, "text": text[span.start : span.end]}
    value["labels"] = [span.label]
    if score is not None:
        value["score"] = score
    return {"id": ident, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def write_labelstudio(
    records: Iterable[DocumentRecord],
    fh: TextIO,
    suggestions: dict[int, list[dict]] | None = None,
    model_version: str | None = None,
) -> int:
    """Write a JSON array of tasks for Label Studio's import; ``suggestions`` (by record id,
    ``{start, end, label, score}``) become ``predictions`` of ``model_version``. Returns
    tokens written (as the other writers do)."""
    run = model_version or "nerstudio"
    written = 0
    fh.write("[")
    for n, record in enumerate(records):
        text = record.text
        task: dict[str, Any] = {"data": {"text": text, **origin_fields(record)}}
        if record.meta:
            task["meta"] = record.meta
        result = [_result(text, s, f"n{n}-{k}") for k, s in enumerate(record.spans)]
        if record.status is Status.DONE:
            task["annotations"] = [{"result": result, "was_cancelled": False}]
        elif record.status is Status.SKIPPED:
            task["annotations"] = [{"result": result, "was_cancelled": True}]
        elif record.status is Status.IN_PROGRESS:
            task["drafts"] = [{"result": result}]
        predicted = (suggestions or {}).get(record.id) if record.id is not None else None
        if predicted is not None:
            scores = [1.0 if s.get("score") is None else float(s["score"]) for s in predicted]
            prediction: dict[str, Any] = {"model_version": run}
            if scores:
                prediction["score"] = sum(scores) / len(scores)
            prediction["result"] = [
                _result(text, Span(s["start"], s["end"], s["label"]), f"p{n}-{k}", score)
                for k, (s, score) in enumerate(zip(predicted, scores, strict=True))
            ]
            task["predictions"] = [prediction]
        fh.write(("\n" if n == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
        written += len(record.tokens)
    fh.write("\n]\n")
    return written
