"""core.prediction: the --serve messages and their codec (both ends use it), the review
list codec, and the serve loop and chunked prediction with a stand-in predictor (no torch)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest

from nerstudio.core.prediction import (
    PredictionFailed,
    PredictionRequest,
    PredictionStored,
    ProtocolError,
    ServeReady,
    predict_documents,
    reply_from_line,
    reply_to_line,
    request_from_line,
    request_to_line,
    serve_predictions,
    suspicious_from_json,
    suspicious_to_json,
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
    line = reply_to_line(reply)
    assert line.endswith("\n") and line.count("\n") == 1
    assert reply_from_line(line) == reply


def test_the_wire_format_is_the_one_the_window_always_read() -> None:
    assert json.loads(reply_to_line(ServeReady())) == {"ready": True}
    assert json.loads(reply_to_line(PredictionStored(3, 1.5))) == {"id": 3, "ms": 1.5}
    assert json.loads(reply_to_line(PredictionFailed("99", "gone"))) == {
        "id": "99",
        "error": "gone",
    }


def test_requests_round_trip_and_a_bad_one_is_a_protocol_error() -> None:
    assert request_from_line(request_to_line(PredictionRequest(42))) == PredictionRequest(42)
    with pytest.raises(ProtocolError, match="'x' is not a document id"):
        request_from_line("x\n")


@pytest.mark.parametrize(
    "line", ["", "not json\n", "[1, 2]\n", '{"id": 1}\n', '{"id": "3", "ms": 2}\n', "null\n"]
)
def test_a_line_that_is_no_reply_is_a_protocol_error(line: str) -> None:
    with pytest.raises(ProtocolError):
        reply_from_line(line)


def test_the_review_list_round_trips_and_is_guarded() -> None:
    found = [SuspiciousDocument(4, "Anna Berg", 0.912345, ("'Anna' is not tagged", "more"))]
    line = json.dumps(suspicious_to_json(found))
    (back,) = suspicious_from_json(line)
    assert back == SuspiciousDocument(4, "Anna Berg", 0.9123, ("'Anna' is not tagged", "more"))
    for bad in (
        "predicted 3 documents with run m",
        '{"id": 1}',
        '[{"id": 1}]',
        '[{"id": 1, "text": "", "confidence": 1, "reasons": []}]',
    ):
        with pytest.raises(ProtocolError):
            suspicious_from_json(bad)


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
    assert (
        serve_predictions(project, run_id, FakePredictor(), ["1\n", "\n", "x\n", "2\n"], out) == 0
    )
    replies = [reply_from_line(line) for line in out.getvalue().splitlines(keepends=True)]
    assert replies[0] == ServeReady()
    assert isinstance(replies[1], PredictionStored) and replies[1].document_id == 1
    assert isinstance(replies[2], PredictionFailed) and replies[2].request == "x"
    assert isinstance(replies[3], PredictionStored) and replies[3].document_id == 2
    assert project.predictions.get(run_id, 2) is not None
