"""How far annotators agree, pair by pair, on the documents both of them finished.

For a pair (a, b), ``a`` is the reference and ``b`` the prediction (F1 is symmetric):

- ``f1`` and ``per_label``: exact-span precision, recall and F1, by seqeval in strict IOB2
  mode on the tags ``spans_to_tags`` derives; a span counts only with the same first and
  last token and the same label. ``support`` is the number of a's spans of the label.
- ``partial_f1``: a span of b is matched when it shares at least one character with a span
  of a *of the same label*, and a span of a when it shares one with a span of b of the
  same label (not one-to-one: one long span can match two short ones); precision =
  matched spans of b / spans of b, recall = matched spans of a / spans of a, F1 their
  harmonic mean.
- ``kappa``: Cohen's kappa over tokens, each token labelled with its entity's label or
  ``O`` (prefixes dropped), every token of the shared documents counted.
- ``confusion``: over span pairs that overlap (any labels), ``confusion[a_label][b_label]``
  counts them; a span with no overlapping span on the other side counts under ``none``
  (``confusion[label]["none"]`` for a's, ``confusion["none"][label]`` for b's).
- ``worst_documents``: the ten documents with the most spans not matched exactly on either
  side (most first, then by id), leaving out those without any.

Where neither annotator marked anything in the shared documents, exact and partial F1
are 1.0 (they agree there is nothing), and kappa is 1.0 whenever the token labels are
identical (sklearn would give nan). A pair sharing no finished document has None scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from nerstudio.core.child_protocol import child_message
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Scheme, Span, spans_to_tags
from nerstudio.core.store import Project

WORST = 10
NONE = "none"


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class DocumentDisagreement:
    document_id: int
    disagreements: int  # spans of either annotator without an exact match on the other side
    text: str


@dataclass(frozen=True)
class PairAgreement:
    a: str
    b: str
    documents: int
    f1: float | None
    partial_f1: float | None
    kappa: float | None
    per_label: dict[str, LabelScore]
    confusion: dict[str, dict[str, int]]
    worst_documents: tuple[DocumentDisagreement, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "documents": self.documents,
            "f1": self.f1,
            "partial_f1": self.partial_f1,
            "kappa": self.kappa,
            "per_label": {
                label: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                    "support": s.support,
                }
                for label, s in self.per_label.items()
            },
            "confusion": self.confusion,
            "worst_documents": [
                {"id": d.document_id, "disagreements": d.disagreements, "text": d.text}
                for d in self.worst_documents
            ],
        }


@child_message
@dataclass(frozen=True)
class AgreementComputed:
    """What ``agreement --messages`` sends the window: every pair's figures."""

    pairs: tuple[PairAgreement, ...]


Shared = Sequence[tuple[DocumentRecord, Sequence[Span], Sequence[Span]]]


def _harmonic(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def exact_scores(shared: Shared) -> tuple[float, dict[str, LabelScore]]:
    """Overall (micro) exact F1 and per-label scores, by seqeval strict IOB2."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    if not any(a or b for _, a, b in shared):
        return 1.0, {}
    truth = [spans_to_tags(a, doc.tokens, Scheme.IOB2) for doc, a, _ in shared]
    guess = [spans_to_tags(b, doc.tokens, Scheme.IOB2) for doc, _, b in shared]
    report = classification_report(
        truth, guess, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
    )
    per_label = {
        label: LabelScore(
            float(m["precision"]), float(m["recall"]), float(m["f1-score"]), int(m["support"])
        )
        for label, m in sorted(report.items())
        if not label.endswith(" avg")
    }
    return float(report["micro avg"]["f1-score"]), per_label


def partial_f1(shared: Shared) -> float:
    """F1 where a span is matched by any same-label span it overlaps (module docstring)."""
    spans_a = spans_b = matched_a = matched_b = 0
    for _, a, b in shared:
        spans_a, spans_b = spans_a + len(a), spans_b + len(b)
        matched_a += sum(any(x.label == y.label and x.overlaps(y) for y in b) for x in a)
        matched_b += sum(any(x.label == y.label and x.overlaps(y) for x in a) for y in b)
    if not spans_a and not spans_b:
        return 1.0
    precision = matched_b / spans_b if spans_b else 0.0
    recall = matched_a / spans_a if spans_a else 0.0
    return _harmonic(precision, recall)


def token_labels(spans: Sequence[Span], doc: DocumentRecord) -> list[str]:
    """Each token's entity label, or ``O``."""
    return [tag.partition("-")[2] or "O" for tag in spans_to_tags(spans, doc.tokens, Scheme.IOB2)]


def token_kappa(shared: Shared) -> float:
    """Cohen's kappa over every token's label (``O`` included)."""
    from sklearn.metrics import cohen_kappa_score

    a = [label for doc, spans, _ in shared for label in token_labels(spans, doc)]
    b = [label for doc, _, spans in shared for label in token_labels(spans, doc)]
    if a == b:
        return 1.0
    return float(cohen_kappa_score(a, b))


def confusion(shared: Shared) -> dict[str, dict[str, int]]:
    """Label pairs of overlapping spans, with ``none`` for a span nothing overlaps."""
    labels = [*sorted({s.label for _, a, b in shared for s in (*a, *b)}), NONE]
    table = {row: dict.fromkeys(labels, 0) for row in labels}
    for _, a, b in shared:
        for x in a:
            hits = [y for y in b if x.overlaps(y)]
            for y in hits:
                table[x.label][y.label] += 1
            if not hits:
                table[x.label][NONE] += 1
        for y in b:
            if not any(x.overlaps(y) for x in a):
                table[NONE][y.label] += 1
    return table


def worst_documents(shared: Shared) -> tuple[DocumentDisagreement, ...]:
    counts = [
        (len(set(a) ^ set(b)), doc) for doc, a, b in shared if set(a) != set(b)
    ]  # spans on one side only
    counts.sort(key=lambda item: (-item[0], item[1].id))
    return tuple(
        DocumentDisagreement(doc.id or 0, n, doc.text[:80].replace("\n", " "))
        for n, doc in counts[:WORST]
    )


def pair_agreement(a: str, b: str, shared: Shared) -> PairAgreement:
    """Every figure for one pair over the documents both finished."""
    if not shared:
        return PairAgreement(a, b, 0, None, None, None, {}, {}, ())
    f1, per_label = exact_scores(shared)
    return PairAgreement(
        a,
        b,
        len(shared),
        f1,
        partial_f1(shared),
        token_kappa(shared),
        per_label,
        confusion(shared),
        worst_documents(shared),
    )


def agreement(project: Project) -> list[PairAgreement]:
    """Every pair of annotators with a set in the project, names in order."""
    documents = list(project.annotation_sets.iter_sets(Status.DONE))
    names = project.annotation_sets.with_sets()
    return [
        pair_agreement(
            a,
            b,
            [(doc, sets[a], sets[b]) for doc, sets in documents if a in sets and b in sets],
        )
        for a, b in combinations(names, 2)
    ]
