"""One span value type: stored and scored spans are Spans, overlap is written once, and
predictions come back as ScoredSpans from the same JSON the predictions table always held."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nerstudio.core.errors import SpanError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import ScoredSpan, Span, check_spans
from nerstudio.core.store import Project, StoredSpan
from nerstudio.core.tokens import tokenize

TEXT = "Anna Berg flew to Paris to meet Omar Haddad"


@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(st.integers(0, 30))
    end = draw(st.integers(start + 1, 40))
    return Span(start, end, draw(st.sampled_from(["PER", "LOC"])))


def characters(span: Span) -> set[int]:
    return set(range(span.start, span.end))


@given(spans(), spans())
def test_overlaps_is_symmetric_and_means_a_shared_character(a: Span, b: Span):
    assert a.overlaps(b) == b.overlaps(a) == bool(characters(a) & characters(b))


@given(spans(), spans(), st.integers(-2, 42))
def test_covers_and_contains_are_set_containment(a: Span, b: Span, offset: int):
    assert a.covers(b) == (characters(b) <= characters(a))
    assert a.contains(offset) == (offset in characters(a))


def test_touching_spans_do_not_overlap():
    assert not Span(0, 4, "PER").overlaps(Span(4, 9, "PER"))
    assert Span(0, 5, "PER").overlaps(Span(4, 9, "LOC"))


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER", "LOC"]) as project:
        record = DocumentRecord(TEXT, tuple(tokenize(TEXT)), (Span(0, 9, "PER"),))
        project.documents.add([record])
        yield project


def test_a_stored_span_is_a_span_with_its_row(project: Project):
    (stored,) = project.spans.list(1)
    assert isinstance(stored, StoredSpan) and isinstance(stored, Span)
    assert (stored.document_id, stored.origin) == (1, "human") and stored.id is not None
    assert stored.span == Span(0, 9, "PER") and stored != Span(0, 9, "PER")
    assert stored.overlaps(Span(5, 14, "LOC")) and not stored.overlaps(Span(18, 23, "LOC"))
    added = project.spans.add(1, 18, 23, "LOC")
    assert project.spans.list(1)[-1] == added  # what add_span returns is the row as stored
    (removed,) = project.spans.remove_many([added.id])
    assert removed == added
    project.spans.restore([removed])
    assert project.spans.list(1)[-1] == added  # back with the same id


def test_stored_and_plain_spans_are_checked_together(project: Project):
    record = project.documents.get(1)
    stored = project.spans.list(1)
    assert check_spans([Span(18, 23, "LOC"), *stored], record.tokens, len(TEXT))[0] == stored[0]
    with pytest.raises(SpanError, match="overlaps 0-9"):
        check_spans([*stored, Span(5, 14, "LOC")], record.tokens, len(TEXT))


def stored_json(project: Project, run_id: int) -> str:
    return project.db.execute(
        "SELECT spans FROM predictions WHERE run_id = ? AND document_id = 1", [run_id]
    ).fetchone()[0]


def test_predictions_come_back_as_scored_spans_from_unchanged_json(project: Project):
    run = project.runs.start("r", "m", "full", {}, None)
    suggestions = (ScoredSpan(18, 23, "LOC", 0.8123), ScoredSpan(32, 43, "PER", 0.5))
    project.predictions.save(run.id, [(1, suggestions, {"mnlp": 0.3})])
    on_disk = (
        '[{"start": 18, "end": 23, "label": "LOC", "score": 0.8123},'
        ' {"start": 32, "end": 43, "label": "PER", "score": 0.5}]'
    )
    assert stored_json(project, run.id) == on_disk  # the column's format, as always written
    stored = project.predictions.get(run.id, 1)
    assert stored.spans == suggestions and all(isinstance(s, Span) for s in stored.spans)
    dropped = project.predictions.reject(run.id, 1, 18, 23)
    assert dropped == [suggestions[0]]
    assert project.predictions.get(run.id, 1).spans == suggestions[1:]
    project.predictions.restore(run.id, 1, dropped)
    assert stored_json(project, run.id) == on_disk  # reject + undo leaves the bytes as they were


def test_a_column_written_by_an_older_version_reads_as_scored_spans(project: Project):
    run = project.runs.start("r", "m", "full", {}, None)
    old = json.dumps([{"start": 0, "end": 9, "label": "PER", "score": 0.97}])
    project.db.execute(
        "INSERT INTO predictions (document_id, run_id, spans, uncertainty, scores, created_at)"
        " VALUES (1, ?, ?, 0.1, '{}', 'then')",
        [run.id, old],
    )
    assert project.predictions.get(run.id, 1).spans == (ScoredSpan(0, 9, "PER", 0.97),)


def test_a_models_prediction_is_stored_to_four_places_as_before(project: Project):
    from nerstudio.core.inference import Prediction

    run = project.runs.start("r", "m", "full", {}, None)
    prediction = Prediction(1, (), (ScoredSpan(18, 23, "LOC", 0.876543),), {"mnlp": 0.2})
    project.predictions.save(run.id, [prediction.to_row()])
    assert stored_json(project, run.id) == (
        '[{"start": 18, "end": 23, "label": "LOC", "score": 0.8765}]'
    )
    assert prediction.to_json()["spans"] == json.loads(stored_json(project, run.id))
