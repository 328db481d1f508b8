"""Splitting a project out: who gets what, and what goes along in each file."""

from __future__ import annotations

from collections import Counter

import pytest

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.safe_io import TargetError
from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import Project
from nerstudio.core.team import assign, deal
from nerstudio.core.tokens import tokenize


def record(text: str, status=Status.NEW, spans=()) -> DocumentRecord:
    return DocumentRecord(text, tuple(tokenize(text)), tuple(spans), status)


def test_deal_is_even_reproducible_and_shares_the_overlap_with_everyone():
    ids = list(range(1, 24))  # 23 documents
    plan = deal(ids, ["alice", "bob", "carol"], overlap=0.1, seed=7)
    assert len(plan.shared) == 3  # ceil(0.1 * 23)
    sizes = sorted(len(own) for own in plan.own.values())
    assert sizes == [6, 7, 7]  # the other 20, evenly
    counts = Counter(i for name in plan.own for i in plan.documents(name))
    assert set(counts) == set(ids)  # nobody's document is lost
    assert {i for i, n in counts.items() if n == 3} == set(plan.shared)
    assert all(n == 1 for i, n in counts.items() if i not in plan.shared)
    assert deal(ids, ["alice", "bob", "carol"], 0.1, seed=7) == plan
    assert deal(ids, ["alice", "bob", "carol"], 0.1, seed=8) != plan
    assert deal(ids, ["alice", "bob"], 0.0, 7).shared == ()
    assert len(deal(ids, ["alice", "bob"], 1.0, 7).shared) == 23
    with pytest.raises(NerstudioError, match="between 0 and 1"):
        deal(ids, ["alice"], 1.5, 7)


@pytest.fixture
def lead(tmp_path):
    """A lead's project: 8 new, 1 in progress (with a span), 2 done, 1 skipped; guidelines,
    styled labels, two runs with suggestions, the second active."""
    path = tmp_path / "corpus.db"
    with Project.create(path, annotator="lead") as project:
        project.labels.add("PER", color="#123456", hotkey="p")
        project.labels.add("LOC", color="#abcdef", hotkey="l")
        new = [record(f"Document number {i} mentions Oslo .") for i in range(8)]
        project.documents.add(new)
        project.documents.add([record("Anna started this one .", Status.IN_PROGRESS)])
        project.spans.add(9, 0, 4, "PER")
        project.documents.add(
            [
                record("Secret finished text one .", Status.DONE),
                record("Secret finished text two .", Status.DONE),
                record("A skipped text .", Status.SKIPPED),
            ]
        )
        project.set_guidelines("Tag people as PER.")
        for name in ("old-run", "best-run"):
            run = project.runs.start(name, "tiny-bert", "full", {}, str(tmp_path / name))
            project.runs.finish(run.id, "completed", {"dev": {"f1": 0.5}})
            project.predictions.save(
                run.id,
                [(i, [ScoredSpan(0, 4, "PER", 0.9)], {"mnlp": 0.1}) for i in range(1, 13)],
            )
        project.runs.set_active("best-run")
    return path


def test_each_annotator_gets_a_project_with_what_they_need(lead, tmp_path):
    out = tmp_path / "team"
    with Project.open(lead) as project:
        summary = assign(project, ["alice", "bob"], out, overlap=0.25, seed=1)
    assert summary.unfinished == 9 and summary.shared == 3 and summary.kept == 3
    assert summary.run == "best-run"
    assert sorted(p.name for p in out.iterdir()) == ["corpus-alice.db", "corpus-bob.db"]
    seen = Counter()
    for name in ("alice", "bob"):
        with Project.open(out / f"corpus-{name}.db") as copy:
            assert copy.annotator() == name
            assert copy.guidelines() == "Tag people as PER."
            assert [(lb.name, lb.color, lb.hotkey) for lb in copy.labels.list()] == [
                ("PER", "#123456", "p"),
                ("LOC", "#abcdef", "l"),
            ]
            docs = list(copy.documents.iter())
            assert all(d.status in (Status.NEW, Status.IN_PROGRESS) for d in docs)
            seen.update(d.text for d in docs)
            started = [d for d in docs if d.text.startswith("Anna")]
            assert all(d.spans == (Span(0, 4, "PER"),) for d in started)  # its gold goes too
            (run,) = copy.runs.all()  # only the active run, without its folder
            assert (run.name, run.status, run.path) == ("best-run", "imported", None)
            assert copy.runs.active().name == "best-run"
            assert copy.predictions.count(run.id) == len(docs)
            assert copy.annotation_sets.with_sets() == []
        # done documents stay with the lead: not even in the file's free pages
        assert b"Secret finished" not in (out / f"corpus-{name}.db").read_bytes()
    assert len(seen) == 9
    assert sum(n == 2 for n in seen.values()) == 3  # the shared ones, in both files
    assert [f.documents for f in summary.files] == [6, 6]


def test_existing_targets_are_refused_unless_forced_and_nothing_is_half_written(lead, tmp_path):
    out = tmp_path / "team"
    out.mkdir()
    (out / "corpus-bob.db").write_bytes(b"bob's precious work")
    with Project.open(lead) as project:
        with pytest.raises(TargetError, match=r"corpus-bob\.db: exists already.*--force"):
            assign(project, ["alice", "bob"], out)
        assert sorted(p.name for p in out.iterdir()) == ["corpus-bob.db"]  # no alice either
        assert (out / "corpus-bob.db").read_bytes() == b"bob's precious work"
        (out / "corpus-bob.db-wal").write_bytes(b"stale log of the old file")
        assign(project, ["alice", "bob"], out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["corpus-alice.db", "corpus-bob.db"]
    with Project.open(out / "corpus-bob.db") as copy:
        assert copy.annotator() == "bob"


def test_the_same_seed_deals_the_same_documents(lead, tmp_path):
    dealt = []
    for run in ("one", "two"):
        with Project.open(lead) as project:
            assign(project, ["alice", "bob"], tmp_path / run, overlap=0.1, seed=5)
        with Project.open(tmp_path / run / "corpus-alice.db") as copy:
            dealt.append([d.text for d in copy.documents.iter()])
    assert dealt[0] == dealt[1]


def test_bad_annotator_lists_are_refused(lead, tmp_path):
    with Project.open(lead) as project:
        with pytest.raises(NerstudioError, match="named twice"):
            assign(project, ["alice", "alice"], tmp_path / "out")
        with pytest.raises(NerstudioError, match="annotator name"):
            assign(project, ["alice", "b/ob"], tmp_path / "out")
    assert not any((tmp_path / "out").glob("*.db"))


def test_a_project_with_nothing_left_to_annotate_is_not_split(tmp_path):
    with Project.create(tmp_path / "all-done.db", ["PER"]) as project:
        project.documents.add([record("Finished .", Status.DONE)])
        with pytest.raises(NerstudioError, match="no unfinished"):
            assign(project, ["alice", "bob"], tmp_path / "out")
    assert not (tmp_path / "out").exists()
