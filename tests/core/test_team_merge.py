"""Merging annotators' work back: sets kept apart, gold derived, idempotent, all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nerstudio.core.errors import LabelError, NerstudioError, SpanError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project, backup
from nerstudio.core.store.annotations import Choice
from nerstudio.core.team import agreement, assign, merge
from nerstudio.core.tokens import tokenize

TEXTS = [
    "Anna Berg met Omar in Paris .",
    "Acme hired Li Wei .",
    "Oslo is cold .",
    "Maria Rossi visited Lima .",
    "Globex sued Initech .",
    "Kofi Mensah lives in Osaka .",
]
# What each annotator marks, by text: they differ on the first three only.
MARKS = {
    "alice": {
        TEXTS[0]: [("Anna Berg", "PER"), ("Omar", "PER"), ("Paris", "LOC")],
        TEXTS[1]: [("Acme", "ORG"), ("Li Wei", "PER")],
        TEXTS[2]: [("Oslo", "LOC")],
        TEXTS[3]: [("Maria Rossi", "PER"), ("Lima", "LOC")],
        TEXTS[4]: [("Globex", "ORG"), ("Initech", "ORG")],
        TEXTS[5]: [("Kofi Mensah", "PER"), ("Osaka", "LOC")],
    },
    "bob": {
        TEXTS[0]: [("Anna", "PER"), ("Omar", "PER"), ("Paris", "ORG")],
        TEXTS[1]: [("Acme", "ORG"), ("Li Wei", "PER")],
        TEXTS[2]: [],
        TEXTS[3]: [("Maria Rossi", "PER"), ("Lima", "LOC")],
        TEXTS[4]: [("Globex", "ORG"), ("Initech", "ORG")],
        TEXTS[5]: [("Kofi Mensah", "PER"), ("Osaka", "LOC")],
    },
}


def record(text: str, status=Status.NEW, spans=()) -> DocumentRecord:
    return DocumentRecord(text, tuple(tokenize(text)), tuple(spans), status)


def span_of(text: str, words: str, label: str) -> Span:
    start = text.index(words)
    return Span(start, start + len(words), label)


def annotate(path: Path, marks: dict[str, list[tuple[str, str]]]) -> None:
    """What an annotator does in the window: tag each document they got, mark it done."""
    with Project.open(path) as project:
        for doc in project.documents.iter():
            spans = [span_of(doc.text, w, label) for w, label in marks[doc.text]]
            project.spans.add_many([(doc.id, s.start, s.end, s.label) for s in spans])
            project.documents.set_status([doc.id], Status.DONE)


def dump(path: Path) -> dict[str, list]:
    """Every row of the tables a merge writes."""
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in (
                "documents",
                "spans",
                "labels",
                "annotators",
                "annotations",
                "annotation_status",
                "curation",
            )
        }


@pytest.fixture
def lead(tmp_path) -> Path:
    path = tmp_path / "corpus.db"
    with Project.create(path, ["PER", "ORG", "LOC"], annotator="lead") as project:
        project.documents.add([record(t) for t in TEXTS])
        project.documents.add([record("The lead finished this .", Status.DONE)])
    return path


@pytest.fixture
def split(lead, tmp_path) -> list[Path]:
    """Every unfinished document to both (overlap 1), so every figure is on six documents."""
    with Project.open(lead) as project:
        assign(project, ["alice", "bob"], tmp_path / "team", overlap=1.0)
    paths = [tmp_path / "team" / f"corpus-{name}.db" for name in ("alice", "bob")]
    for path, name in zip(paths, ("alice", "bob")):
        annotate(path, MARKS[name])
    return paths


def test_assign_annotate_merge_agree_settle_and_train_on_the_gold(lead, tmp_path):
    with Project.open(lead) as project:
        assign(project, ["alice", "bob"], tmp_path / "team", overlap=0.5, seed=3)
    alice, bob = (tmp_path / "team" / f"corpus-{n}.db" for n in ("alice", "bob"))
    annotate(alice, MARKS["alice"])
    annotate(bob, MARKS["bob"])
    with Project.open(alice) as a, Project.open(bob) as b:
        texts = {n: {d.text for d in p.documents.iter()} for n, p in (("a", a), ("b", b))}
    shared = texts["a"] & texts["b"]
    assert len(shared) == 3 and texts["a"] | texts["b"] == set(TEXTS)

    with Project.open(lead) as project:
        summary = merge(project, [alice, bob])
        assert [(s.annotator, s.done, s.added) for s in summary.sources] == [
            ("alice", len(texts["a"]), 0),
            ("bob", len(texts["b"]), 0),
        ]
        assert summary.backup is not None and summary.backup.is_file()
        # each person's work is their own set, the lead's gold untouched where they finished
        assert project.annotation_sets.with_sets() == ["alice", "bob"]
        disputed = {project.documents.get(i).text for i in summary.gold.disputed}
        assert disputed == shared & {TEXTS[0], TEXTS[2]} == {TEXTS[0], TEXTS[2]}
        assert len(summary.gold.single) == 3  # the documents only one of them had

        (pair,) = agreement(project)
        assert pair.documents == 3

        # curate: take each of alice's candidates, reject each of bob's
        for item in project.curation.disputed_documents():
            for group in project.curation.disagreements(item.document_id):
                for option in group.options:
                    accept = "alice" in option.annotators
                    project.curation.settle(item.document_id, Choice(option.span, accept))
        assert project.curation.disputed_documents() == []
        gold = {d.text: d.spans for d in project.documents.iter(status=Status.DONE)}
    # what training reads: every document, each with alice's spans (bob agreed elsewhere)
    assert set(gold) == {*TEXTS, "The lead finished this ."}
    for text in TEXTS:
        assert gold[text] == tuple(span_of(text, w, lb) for w, lb in MARKS["alice"][text])


def test_merging_the_same_work_twice_changes_nothing(lead, split):
    with Project.open(lead) as project:
        first = merge(project, split)
    before = dump(lead)
    with Project.open(lead) as project:
        second = merge(project, split)
    assert dump(lead) == before
    assert [s.changed for s in first.sources] == [6, 6]
    assert [s.changed for s in second.sources] == [0, 0]
    assert [(s.documents, s.done) for s in second.sources] == [(6, 6), (6, 6)]
    assert len(before["annotation_status"]) == 12


def test_a_remerge_keeps_curation_and_takes_an_annotators_later_work(lead, split):
    with Project.open(lead) as project:
        merge(project, split)
        oslo = next(r.id for r in project.documents.iter() if r.text == TEXTS[2])
        project.curation.settle(oslo, Choice(span_of(TEXTS[2], "Oslo", "LOC")))
        assert project.documents.get(oslo).status is Status.DONE
    with Project.open(split[1]) as bob:  # bob goes back and fixes Anna Berg
        doc = next(r for r in bob.documents.iter() if r.text == TEXTS[0])
        (anna,) = [s for s in bob.spans.list(doc.id) if s.start == 0]
        bob.spans.remove(anna.id)
        bob.spans.add(doc.id, 0, 9, "PER")
    with Project.open(lead) as project:
        again = merge(project, split)
        assert [s.changed for s in again.sources] == [0, 1]
        assert project.documents.get(oslo).spans == (span_of(TEXTS[2], "Oslo", "LOC"),)
        assert project.documents.get(oslo).status is Status.DONE  # the settled one stays settled
        first = next(r for r in project.documents.iter() if r.text == TEXTS[0])
        assert Span(0, 9, "PER") in first.spans  # now agreed, so gold
        (left,) = project.curation.disagreements(first.id)
        assert (left.start, left.end) == (22, 27)  # only Paris LOC/ORG is open


def test_differing_labels_are_refused_with_the_difference_or_mapped(lead, tmp_path):
    other = tmp_path / "carol.db"
    with Project.create(other, ["PERSON", "ORG", "LOC", "MISC"], annotator="carol") as carol:
        carol.documents.add([record(TEXTS[0], Status.DONE, [Span(0, 9, "PERSON")])])
    before = dump(lead)
    with Project.open(lead) as project:
        with pytest.raises(LabelError) as refused:
            merge(project, [other])
        assert "only in the source: MISC, PERSON; only in the target: PER" in str(refused.value)
        assert "--map" in str(refused.value)
        assert dump(lead) == before  # nothing written
        with pytest.raises(LabelError, match="MISC"):
            merge(project, [other], {"PERSON": "PER"})
        with pytest.raises(LabelError, match="no label 'PEOPLE'"):
            merge(project, [other], {"PERSON": "PEOPLE", "MISC": "ORG"})
        summary = merge(project, [other], {"PERSON": "PER", "MISC": "ORG"})
        doc = next(r for r in project.documents.iter() if r.text == TEXTS[0])
        assert project.annotation_sets.sets(doc.id)["carol"].spans == (Span(0, 9, "PER"),)
        assert summary.gold.single == (doc.id,)
        assert project.documents.get(doc.id).spans == (Span(0, 9, "PER"),)
        assert project.documents.get(doc.id).status is Status.DONE


def test_a_document_the_target_lacks_is_added(lead, tmp_path):
    other = tmp_path / "dave.db"
    with Project.create(other, ["PER"], annotator="dave") as dave:
        dave.documents.add(
            [record("A brand new text by Anna .", Status.DONE, [Span(20, 24, "PER")])]
        )
        dave.documents.add([record(TEXTS[3], Status.IN_PROGRESS)])
    with Project.open(lead) as project:
        summary = merge(project, [other])
        assert summary.sources[0].added == 1 and len(summary.added) == 1
        added = project.documents.get(summary.added[0])
        assert added.text == "A brand new text by Anna ."
        assert added.spans == (Span(20, 24, "PER"),) and added.status is Status.DONE
        assert summary.gold.unfinished == (4,)  # dave's in-progress one: gold untouched
        assert project.documents.count() == 8
        assert merge(project, [other]).added == ()  # matched by content the second time


def test_the_targets_own_finished_documents_keep_their_gold(lead, tmp_path):
    other = tmp_path / "erin.db"
    with Project.create(other, ["PER"], annotator="erin") as erin:
        erin.documents.add([record("The lead finished this .", Status.DONE, [Span(4, 8, "PER")])])
    with Project.open(lead) as project:
        summary = merge(project, [other])
        assert summary.kept == (7,)
        assert project.documents.get(7).spans == ()  # the lead's gold, not erin's
        assert project.annotation_sets.sets(7)["erin"].spans == (Span(4, 8, "PER"),)


def test_a_merge_is_all_or_nothing(lead, split, tmp_path):
    broken = tmp_path / "frank.db"
    with Project.create(broken, ["PER"], annotator="frank") as frank:
        # the same text, tokenized differently: its span is off the target's token boundaries
        frank.documents.add(
            [
                DocumentRecord(
                    "Oslo is cold .",
                    ((0, 2), (2, 4), (5, 7), (8, 12), (13, 14)),
                    (Span(0, 2, "PER"),),
                    Status.DONE,
                )
            ]
        )
    before = dump(lead)
    with (
        Project.open(lead) as project,
        pytest.raises(SpanError, match=r"frank\.db: document 3: .*token boundaries"),
    ):
        merge(project, [*split, broken])
    assert dump(lead) == before  # alice's and bob's sets were rolled back too
    assert backup.latest(lead) is not None  # and a backup was taken before


def test_the_same_annotator_twice_or_the_target_itself_is_refused(lead, split):
    with Project.open(lead) as project:
        with pytest.raises(NerstudioError, match="both belong to annotator 'alice'"):
            merge(project, [split[0], split[0]])
        with pytest.raises(NerstudioError, match="the target itself"):
            merge(project, [lead])
