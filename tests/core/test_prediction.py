"""core.prediction: the --serve messages on the wire (``core.child_protocol``), the review's
findings, and the serve loop and chunked prediction with a stand-in predictor (no torch)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest

from nerstudio.core.child_protocol import MessageWriter, decode_line, encode_line
from nerstudio.core.prediction import (
    PredictionFailed,
    PredictionRequest,
    PredictionStored,
    ProtocolError,
    ServeReady,
    SuspiciousFound,
    predict_documents,
    request_from_line,
    request_to_line,
    serve_predictions,
)
from nerstudio.core.records import DocumentRecord
from nerstudio.core.review import SuspiciousDocument
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize


@pytest.mark.parametrize(
    "reply",
    [ServeReady(), PredictionStored(7, 12.5), PredictionFailed("not-a-number", "no id")],
)
def test_replies_round_trip_through_one_line(reply) -> None:
    line = encode_line(reply)
    assert line.endswith("\n") and line.count("\n") == 1
    assert decode_line(line) == reply


def test_the_wire_format_is_typed_json() -> None:
    assert json.loads(encode_line(ServeReady())) == {"type": "ServeReady"}
    assert json.loads(encode_line(PredictionStored(3, 1.5))) == {
        "type": "PredictionStored",
        "document_id": 3,
        "ms": 1.5,
    }
    assert json.loads(encode_line(PredictionFailed("99", "gone"))) == {
        "type": "PredictionFailed",
        "request": "99",
        "error": "gone",
    }


def test_requests_round_trip_and_a_bad_one_is_a_protocol_error() -> None:
    assert request_from_line(request_to_line(PredictionRequest(42))) == PredictionRequest(42)
    with pytest.raises(ProtocolError, match="'x' is not a document id"):
        request_from_line("x\n")


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json\n",
        "[1, 2]\n",
        '{"id": 1}\n',
        '{"ready": true}\n',
        '{"type": "PredictionStored", "document_id": "3", "ms": 2}\n',
        "null\n",
    ],
)
def test_a_line_that_is_no_reply_is_a_protocol_error(line: str) -> None:
    with pytest.raises(ProtocolError, match="nerstudio predict"):
        decode_line(line, "nerstudio predict")


def test_the_review_findings_round_trip_and_are_guarded() -> None:
    found = SuspiciousDocument(4, "Anna Berg", 0.912345, ("'Anna' is not tagged", "more"))
    message = SuspiciousFound("m", (found,))
    assert decode_line(encode_line(message)) == message
    for bad in (
        "predicted 3 documents with run m",
        '{"type": "SuspiciousFound", "run": "m", "documents": [{"document_id": 1}]}',
        '{"type": "SuspiciousFound", "run": "m", "documents": {"document_id": 1}}',
        '{"type": "SuspiciousFound", "run": "m", "documents": [{"document_id": 1, "text": "",'
        ' "confidence": 1, "reasons": []}]}',
    ):
        with pytest.raises(ProtocolError, match="nerstudio review"):
            decode_line(bad, "nerstudio review")


@dataclass(frozen=True)
class FakePrediction:
    document_id: int

    def to_row(self):
        return self.document_id, (ScoredSpan(0, 1, "PER", 0.9),), {}

    def to_json(self, text=None):
        return {"id": self.document_id, "text": text}


class FakePredictor:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, records):
        self.calls.append(len(records))
        return [FakePrediction(r.id) for r in records]


@pytest.fixture
def project(tmp_path):
    texts = [f"Anna met Omar {i}" for i in range(300)]
    with Project.create(tmp_path / "p.db", ["PER"]) as project:
        project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in texts)
        run = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        yield project, run.id


def test_predict_documents_stores_in_chunks_and_reports_progress(project) -> None:
    project, run_id = project
    records = list(project.documents.iter())
    predictor, out, ticks = FakePredictor(), io.StringIO(), []
    stored = predict_documents(project, run_id, predictor, records, out, progress=ticks.append)
    assert stored == 300 and predictor.calls == [256, 44] and ticks == [256, 44]
    lines = out.getvalue().splitlines()
    assert len(lines) == 300 and json.loads(lines[0]) == {"id": 1, "text": "Anna met Omar 0"}
    assert project.predictions.count(run_id) == 300


def test_serve_answers_every_request_in_order(project) -> None:
    project, run_id = project
    out = io.StringIO()
    requests = ["1\n", "\n", "x\n", "2\n"]
    send = MessageWriter(out).send
    assert serve_predictions(project, run_id, FakePredictor(), requests, send) == 0
    replies = [decode_line(line) for line in out.getvalue().splitlines(keepends=True)]
    assert replies[0] == ServeReady()
    assert isinstance(replies[1], PredictionStored) and replies[1].document_id == 1
    assert isinstance(replies[2], PredictionFailed) and replies[2].request == "x"
    assert isinstance(replies[3], PredictionStored) and replies[3].document_id == 2
    assert project.predictions.get(run_id, 2) is not None
