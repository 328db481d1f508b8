"""Suspicious annotations: where a confident model disagrees with gold, and in what order."""

from __future__ import annotations

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.review import disagreements, suspicious_documents
from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

TEXT = "Anna Berg flew to Paris to meet Omar Haddad"


def pred(start: int, end: int, label: str, score: float) -> ScoredSpan:
    return ScoredSpan(start, end, label, score)


def test_agreement_and_unsure_predictions_are_not_suspicious():
    gold = [Span(0, 9, "PER"), Span(18, 23, "LOC")]
    found = disagreements(
        TEXT, gold, [pred(0, 9, "PER", 0.99), pred(32, 43, "PER", 0.6)], 0.5, threshold=0.8
    )
    assert found == []


def test_each_kind_of_disagreement_is_named():
    gold = [Span(0, 4, "PER"), Span(18, 23, "ORG"), Span(32, 43, "PER")]
    predicted = [pred(0, 9, "PER", 0.95), pred(18, 23, "LOC", 0.97)]
    reasons = [d.reason for d in disagreements(TEXT, gold, predicted, 0.9)]
    assert reasons == [
        "'Paris' is ORG; the model says LOC (0.97)",
        "'Anna' (PER); the model marks 'Anna Berg' as PER (0.95)",
        "'Omar Haddad' is PER; the model sees no entity (0.90)",
    ]


def test_a_missed_entity_is_suspicious_when_the_model_is_sure():
    (found,) = disagreements(TEXT, [], [pred(18, 23, "LOC", 0.93)], 0.2)
    assert found.reason == "'Paris' is not tagged; the model says LOC (0.93)"


def test_done_documents_come_most_confident_first_and_others_never(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER", "LOC"]) as project:
        docs = [
            DocumentRecord(TEXT, tuple(tokenize(TEXT)), (Span(18, 23, "PER"),), Status.DONE),
            DocumentRecord(TEXT, tuple(tokenize(TEXT)), (Span(18, 23, "PER"),), Status.DONE),
            DocumentRecord(TEXT, tuple(tokenize(TEXT)), (), Status.NEW),
        ]
        a, b, c = project.documents.add(docs).document_ids
        run = project.runs.start("r", "m", "full", {}, None)
        project.predictions.save(
            run.id,
            [
                (a, [pred(18, 23, "LOC", 0.85)], {"least_confidence": 0.5}),
                (b, [pred(18, 23, "LOC", 0.99)], {"least_confidence": 0.5}),
                (c, [pred(18, 23, "LOC", 0.99)], {"least_confidence": 0.5}),
            ],
        )
        found = suspicious_documents(project, run.id)
    assert [(s.document_id, s.confidence) for s in found] == [(b, 0.99), (a, 0.85)]
