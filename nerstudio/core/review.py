"""Suspicious annotations: done documents where a model confidently disagrees with gold.

Annotators slip (a missed name, a wrong label, a span one word short); a model trained on
the rest of the corpus often catches it. A disagreement counts when the model is sure:
a predicted span's confidence, or, for a gold entity the model does not see at all, the
probability of its whole best tag sequence (which says "O" there). The most confident
disagreements come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import Project


@dataclass(frozen=True)
class Disagreement:
    confidence: float
    reason: str  # one line a person reads


@dataclass(frozen=True)
class SuspiciousDocument:
    document_id: int
    text: str
    confidence: float  # the most confident disagreement
    reasons: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.reasons:  # the list shows the first one: a finding says why
            raise ValueError(f"document {self.document_id}: a finding without a reason")


def disagreements(
    text: str,
    gold: Sequence[Span],
    predicted: Sequence[ScoredSpan],
    sequence_confidence: float,
    threshold: float = 0.8,
) -> list[Disagreement]:
    """Where the model (at ``threshold`` or surer) and the gold spans of a document differ."""
    found: list[Disagreement] = []
    for p in predicted:
        if p.score < threshold:
            continue
        words = text[p.start : p.end]
        hits = [g for g in gold if g.overlaps(p)]
        if p.span in {g.span for g in hits}:
            continue
        same_bounds = [g for g in hits if (g.start, g.end) == (p.start, p.end)]
        if same_bounds:
            reason = (
                f"'{words}' is {same_bounds[0].label}; the model says {p.label} ({p.score:.2f})"
            )
        elif hits:
            g = hits[0]
            reason = (
                f"'{text[g.start : g.end]}' ({g.label}); the model marks '{words}' as {p.label} "
                f"({p.score:.2f})"
            )
        else:
            reason = f"'{words}' is not tagged; the model says {p.label} ({p.score:.2f})"
        found.append(Disagreement(p.score, reason))
    if sequence_confidence >= threshold:
        for g in gold:
            if not any(g.overlaps(p) for p in predicted):
                found.append(
                    Disagreement(
                        sequence_confidence,
                        f"'{text[g.start : g.end]}' is {g.label}; the model sees no entity "
                        f"({sequence_confidence:.2f})",
                    )
                )
    return sorted(found, key=lambda d: -d.confidence)


def suspicious_documents(
    project: Project, run_id: int, threshold: float = 0.8
) -> list[SuspiciousDocument]:
    """Done documents with a stored prediction of this run that disagrees with gold."""
    out: list[SuspiciousDocument] = []
    for document_id, stored in project.predictions.for_done_documents(run_id):
        record = project.documents.get(document_id)
        sequence_confidence = 1.0 - stored.scores.get("least_confidence", 1.0)
        found = disagreements(
            record.text, record.spans, stored.spans, sequence_confidence, threshold
        )
        if found:
            out.append(
                SuspiciousDocument(
                    document_id,
                    record.text,
                    found[0].confidence,
                    tuple(d.reason for d in found),
                )
            )
    return sorted(out, key=lambda s: (-s.confidence, s.document_id))
