"""Settling a whole disagreement with one annotator's version, as one undoable step."""

from __future__ import annotations

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.team.curation_versions import (
    curation_document,
    describe_version,
    settle_version,
    version_of,
)
from nerstudio.core.tokens import tokenize

TEXT = "Anna Berg met Omar in Paris ."  # Anna 0-4 Berg 5-9 Omar 14-18 Paris 22-27
ALICE = (Span(0, 9, "PER"), Span(14, 18, "PER"), Span(22, 27, "LOC"))
BOB = (Span(0, 4, "PER"), Span(5, 9, "LOC"), Span(14, 18, "PER"))


def two_annotators(tmp_path) -> tuple[Project, int]:
    project = Project.create(tmp_path / "p.db", ["PER", "LOC"], annotator="lead")
    (doc,) = project.documents.add([DocumentRecord(TEXT, tuple(tokenize(TEXT)))]).document_ids
    project.annotation_sets.save_sets("alice", [(doc, Status.DONE, ALICE)])
    project.annotation_sets.save_sets("bob", [(doc, Status.DONE, BOB)])
    project.curation.derive_gold([doc])
    return project, doc


def gold(project: Project, doc: int) -> list[Span]:
    return sorted(Span(s.start, s.end, s.label) for s in project.spans.list(doc))


def test_a_version_takes_all_of_one_annotators_candidates_and_undoes_in_one_step(tmp_path):
    project, doc = two_annotators(tmp_path)
    found = curation_document(project, doc)
    assert found.annotators == ("alice", "bob")
    names, paris = found.disagreements  # Anna Berg vs Anna + Berg; Paris vs nothing
    assert gold(project, doc) == [Span(14, 18, "PER")]  # the agreed Omar

    assert describe_version(names, "bob") == "Take bob's PER + LOC"
    assert describe_version(paris, "bob") == "Take bob's: none"
    assert describe_version(paris, None) == "Reject all at 22-27"
    choices = version_of(names, "bob")
    assert [c.accept for c in choices] == [False, True, True]  # rejections first

    settled = settle_version(project, names, "bob")
    assert gold(project, doc) == [Span(0, 4, "PER"), Span(5, 9, "LOC"), Span(14, 18, "PER")]
    again = settle_version(project, names, "alice")  # changing one's mind: alice's instead
    assert gold(project, doc) == [Span(0, 9, "PER"), Span(14, 18, "PER")]
    project.curation.undo(again)
    assert gold(project, doc) == [Span(0, 4, "PER"), Span(5, 9, "LOC"), Span(14, 18, "PER")]
    project.curation.undo(settled)
    assert gold(project, doc) == [Span(14, 18, "PER")]
    assert [d.settled for d in project.curation.disagreements(doc)] == [False, False]

    settle_version(project, names, "alice")
    assert curation_document(project, doc).next_open(0) == 1
    settle_version(project, paris, None)
    assert curation_document(project, doc).next_open(0) is None
    assert project.documents.rows([doc])[0].status is Status.DONE
    project.close()
