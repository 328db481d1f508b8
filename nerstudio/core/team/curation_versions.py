"""Curation as the window does it: one key settles a whole disagreement.

The store settles one candidate span at a time (``project.curation.settle``). A curator thinks
in annotators' versions instead: "take alice's" means every candidate alice marked in the
disagreement is taken into gold and every other one is rejected; "reject all" rejects
every candidate (gold keeps nothing there). ``settle_version`` does that as one
transaction and returns the first ``Settlement``, whose snapshot ``project.curation.undo``
restores: one key, one undo step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.store.annotations import Choice, Disagreement, Settlement


@dataclass(frozen=True)
class CurationDocument:
    """What the curation screen shows of one document: the finished annotators' spans,
    the curated gold, and the disagreements (settled ones included), in text order."""

    record: DocumentRecord
    sets: dict[str, tuple[Span, ...]]
    disagreements: tuple[Disagreement, ...]

    @property
    def annotators(self) -> tuple[str, ...]:
        """The finished annotators, by name: key 1 is the first."""
        return tuple(self.sets)

    def next_open(self, after: int, step: int = 1) -> int | None:
        """The index of the next (``step`` 1) or previous (-1) open disagreement from
        ``after``, wrapping round; None when all are settled."""
        count = len(self.disagreements)
        for offset in range(1, count + 1):
            index = (after + step * offset) % count
            if not self.disagreements[index].settled:
                return index
        return None


def curation_document(project: Project, document_id: int) -> CurationDocument:
    """Read one document's finished sets and disagreements."""
    sets = {
        name: found.spans
        for name, found in project.annotation_sets.sets(document_id).items()
        if found.status is Status.DONE
    }
    return CurationDocument(
        project.documents.get(document_id),
        sets,
        tuple(project.curation.disagreements(document_id)),
    )


def version_of(disagreement: Disagreement, annotator: str | None) -> tuple[Choice, ...]:
    """The decisions that make gold ``annotator``'s version of the disagreement (None:
    nobody's, every candidate rejected); rejections first, so an accepted span is never
    undone by a later rejection."""
    mine = [o.span for o in disagreement.options if annotator in o.annotators]
    others = [o.span for o in disagreement.options if annotator not in o.annotators]
    return (*(Choice(s, accept=False) for s in others), *(Choice(s) for s in mine))


def describe_version(disagreement: Disagreement, annotator: str | None) -> str:
    """The undo step's name: "Take alice's LOC", "Take bob's: no entity", "Reject all"."""
    if annotator is None:
        return f"Reject all at {disagreement.start}-{disagreement.end}"
    labels = [o.span.label for o in disagreement.options if annotator in o.annotators]
    return f"Take {annotator}'s {' + '.join(labels)}" if labels else f"Take {annotator}'s: none"


def settle_version(
    project: Project, disagreement: Disagreement, annotator: str | None
) -> Settlement:
    """Settle a disagreement with one annotator's version (None: reject all), all or
    nothing; the returned settlement undoes the whole of it."""
    choices: Sequence[Choice] = version_of(disagreement, annotator)
    with project.transaction():
        settlements = [
            project.curation.settle(disagreement.document_id, choice) for choice in choices
        ]
    return settlements[0]
