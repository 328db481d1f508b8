"""Predicting a project's documents with a run's model, and ``predict --serve``: the loop
the window's child process runs, with its typed messages and their JSON codec.

The window never imports torch: it starts ``nerstudio predict --serve`` (or ``review
--predict --json``) as a child and talks to it in the messages below, encoded and decoded
here on both ends. A reply line that does not decode is a ``ProtocolError`` (one line a
person reads), never a stray ``KeyError`` in a slot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from nerstudio.core.errors import NerstudioError, ProjectError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.review import SuspiciousDocument
from nerstudio.core.store import Project, RunRecord
from nerstudio.core.store.predictions import PredictionRow

if TYPE_CHECKING:
    from nerstudio.core.inference import Predictor

CHUNK = 256  # documents predicted and stored per transaction


class ProtocolError(NerstudioError):
    """A child process printed a line that is not one of its messages."""


# -- the --serve messages ------------------------------------------------------------------


@dataclass(frozen=True)
class PredictionRequest:
    """Predict and store one document (a stdin line: its id)."""

    document_id: int


@dataclass(frozen=True)
class ServeReady:
    """The model is loaded; requests are answered from now on."""


@dataclass(frozen=True)
class PredictionStored:
    """A document's prediction is stored; ``ms`` is what predicting and storing took."""

    document_id: int
    ms: float


@dataclass(frozen=True)
class PredictionFailed:
    """A request that could not be served; ``request`` is its line as it came."""

    request: str
    error: str


ServeReply = ServeReady | PredictionStored | PredictionFailed


def request_to_line(request: PredictionRequest) -> str:
    return f"{request.document_id}\n"


def request_from_line(line: str) -> PredictionRequest:
    """A stdin line as a request; ``ProtocolError`` when it is no document id."""
    try:
        return PredictionRequest(int(line))
    except ValueError:
        raise ProtocolError(f"{line.strip()!r} is not a document id") from None


def reply_to_json(reply: ServeReply) -> dict[str, Any]:
    """A reply as the JSON object ``predict --serve`` prints for it."""
    if isinstance(reply, ServeReady):
        return {"ready": True}
    if isinstance(reply, PredictionStored):
        return {"id": reply.document_id, "ms": reply.ms}
    return {"id": reply.request, "error": reply.error}


def reply_from_json(data: Any) -> ServeReply:
    """The inverse of ``reply_to_json``; ``ProtocolError`` for anything else."""
    try:
        if data.get("ready") is True:
            return ServeReady()
        if "error" in data:
            return PredictionFailed(str(data["id"]), str(data["error"]))
        if isinstance(data["id"], int) and not isinstance(data["id"], bool):
            return PredictionStored(data["id"], float(data["ms"]))
    except (AttributeError, KeyError, TypeError, ValueError):
        pass
    raise ProtocolError(f"the prediction process answered {json.dumps(data)[:120]}: no reply")


def reply_to_line(reply: ServeReply) -> str:
    return json.dumps(reply_to_json(reply)) + "\n"


def reply_from_line(line: str) -> ServeReply:
    """One stdout line of ``predict --serve`` as a reply; ``ProtocolError`` if it is none."""
    return reply_from_json(_json_line(line, "the prediction process"))


# -- what ``review --json`` prints -----------------------------------------------------------


def suspicious_to_json(found: Sequence[SuspiciousDocument]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.document_id,
            "confidence": round(s.confidence, 4),
            "text": s.text,
            "reasons": list(s.reasons),
        }
        for s in found
    ]


def suspicious_from_json(line: str) -> list[SuspiciousDocument]:
    """The list ``review --json`` printed; ``ProtocolError`` when it is not that list."""
    data = _json_line(line, "the review")
    try:
        found = [
            SuspiciousDocument(
                document_id=int(item["id"]),
                text=str(item["text"]),
                confidence=float(item["confidence"]),
                reasons=tuple(str(r) for r in item["reasons"]),
            )
            for item in data
        ]
    except (KeyError, TypeError, ValueError):
        raise ProtocolError(f"the review printed {line.strip()[:120]!r}: no list") from None
    if any(not s.reasons for s in found):
        raise ProtocolError("the review printed a document without a reason")
    return found


def _json_line(line: str, who: str) -> Any:
    try:
        return json.loads(line)
    except (TypeError, ValueError):
        raise ProtocolError(f"{who} printed {str(line).strip()[:120]!r}, not JSON") from None


# -- predicting ------------------------------------------------------------------------------


def run_predictor(
    project: Project, run_name: str, device: str, backend: str | None = None
) -> tuple[RunRecord, Predictor]:
    """The project's run (by name or folder) and a Predictor over its model (``backend``:
    auto, torch or onnx; None reads NERSTUDIO_PREDICT_BACKEND, else auto)."""
    from nerstudio.core.inference import Predictor
    from nerstudio.core.training.evaluation import resolve_run

    folder = resolve_run(project, run_name)
    run = next((r for r in project.runs.all() if r.path and Path(r.path) == folder), None)
    if run is None:
        raise NerstudioError(f"{folder}: not a run of this project; predictions are stored per run")
    return run, Predictor(folder, device=device, backend=backend)


def predict_documents(
    project: Project,
    run_id: int,
    predictor: Predictor,
    records: Sequence[DocumentRecord],
    out: TextIO | None = None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Predict and store in chunks of 256 (one transaction each); ``out`` gets JSON lines,
    ``progress`` the number of documents of each chunk."""
    stored = 0
    name = project.runs.get_by_id(run_id).name
    for i in range(0, len(records), CHUNK):
        chunk = records[i : i + CHUNK]
        predictions = predictor.predict(chunk)
        stored += save_predictions(project, run_id, name, [p.to_row() for p in predictions])
        if out is not None:
            for record, prediction in zip(chunk, predictions):
                out.write(json.dumps(prediction.to_json(record.text), ensure_ascii=False))
                out.write("\n")
        if progress is not None:
            progress(len(chunk))
    return stored


def save_predictions(
    project: Project, run_id: int, name: str, rows: Sequence[PredictionRow]
) -> int:
    """Store predictions of a run, or one line when the run was deleted meanwhile
    (``runs delete`` while it predicts). Checked in the storing transaction itself, which
    holds the write lock: no lease a crashed process could leave behind, no race."""
    with project.transaction():
        try:
            project.runs.get_by_id(run_id)
        except ProjectError:
            raise ProjectError(
                f"run {name!r} was deleted while predicting; nothing more was stored "
                "(its predictions went with it)"
            ) from None
        return project.predictions.save(run_id, rows)


def serve_one(project: Project, run_id: int, predictor: Predictor, line: str) -> ServeReply:
    """Answer one request line: predicted and stored, or why not."""
    started = time.perf_counter()
    try:
        request = request_from_line(line)
        (prediction,) = predictor.predict([project.documents.get(request.document_id)])
        save_predictions(project, run_id, str(run_id), [prediction.to_row()])
    except (ValueError, NerstudioError) as err:
        return PredictionFailed(line.strip(), str(err))
    ms = round(1000 * (time.perf_counter() - started), 1)
    return PredictionStored(request.document_id, ms)


def serve_predictions(
    project: Project, run_id: int, predictor: Predictor, requests: Iterable[str], out: TextIO
) -> int:
    """``predict --serve``: the window's on-the-fly predictions. The model stays loaded;
    each request line is a document id, predicted and stored, answered by one reply line."""
    out.write(reply_to_line(ServeReady()))
    out.flush()
    for line in requests:
        if not line.strip():
            continue
        out.write(reply_to_line(serve_one(project, run_id, predictor, line)))
        out.flush()
    return 0
