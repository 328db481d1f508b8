"""Predicting a project's documents with a run's model, and ``predict --serve``: the loop
the window's child process runs, with the messages the prediction children send.

The window never imports torch: it starts ``nerstudio predict --serve`` (pre-annotation:
``predict``, the review: ``review --predict``) with ``--messages`` as a child, which
answers in the messages below (``core.child_protocol`` encodes and decodes both ends).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from nerstudio.core.child_protocol import ProtocolError, child_message
from nerstudio.core.errors import NerstudioError, ProjectError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.review import SuspiciousDocument
from nerstudio.core.store import Project, RunRecord
from nerstudio.core.store.predictions import PredictionRow

if TYPE_CHECKING:
    from nerstudio.core.inference import Predictor

CHUNK = 256  # documents predicted and stored per transaction


# -- the --serve messages ------------------------------------------------------------------


@dataclass(frozen=True)
class PredictionRequest:
    """Predict and store one document (a stdin line: its id)."""

    document_id: int


@child_message
@dataclass(frozen=True)
class ServeReady:
    """The model is loaded; requests are answered from now on."""


@child_message
@dataclass(frozen=True)
class PredictionStored:
    """A document's prediction is stored; ``ms`` is what predicting and storing took."""

    document_id: int
    ms: float


@child_message
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


# -- what pre-annotation and the review send -------------------------------------------------


@child_message
@dataclass(frozen=True)
class DocumentsPredicted:
    """``predict`` (or ``review --predict``) stored a run's predictions of ``documents``."""

    run: str
    documents: int


@child_message
@dataclass(frozen=True)
class SuspiciousFound:
    """``review``'s findings, most confident disagreement first."""

    run: str
    documents: tuple[SuspiciousDocument, ...]


def suspicious_to_json(found: Sequence[SuspiciousDocument]) -> list[dict[str, Any]]:
    """What ``review --json`` prints (for scripts)."""
    return [
        {
            "id": s.document_id,
            "confidence": round(s.confidence, 4),
            "text": s.text,
            "reasons": list(s.reasons),
        }
        for s in found
    ]


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
    project: Project,
    run_id: int,
    predictor: Predictor,
    requests: Iterable[str],
    send: Callable[[ServeReply], object],
) -> int:
    """``predict --serve``: the window's on-the-fly predictions. The model stays loaded;
    each request line is a document id, predicted and stored, answered by one message."""
    send(ServeReady())
    for line in requests:
        if not line.strip():
            continue
        send(serve_one(project, run_id, predictor, line))
    return 0
