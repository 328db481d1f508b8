"""Annotators in the store: who made what, annotation sets, and curation with undo."""

from __future__ import annotations

import getpass
import sqlite3

import pytest

from nerstudio.core.errors import ProjectError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project, connection, schema
from nerstudio.core.store.annotations import Choice
from nerstudio.core.tokens import tokenize

TEXT = "Anna Berg met Omar in Paris ."  # Anna 0-4 Berg 5-9 met Omar 14-18 in Paris 22-27 .


def record(text: str, spans=(), status=Status.NEW) -> DocumentRecord:
    return DocumentRecord(text, tuple(tokenize(text)), tuple(spans), status)


def authors(project: Project) -> list[tuple[int, int, str]]:
    return project.db.execute(
        'SELECT s.start, s."end", a.name FROM spans s JOIN annotators a'
        " ON a.id = s.annotator_id ORDER BY s.start"
    ).fetchall()


def status_author(project: Project, document_id: int) -> str:
    return project.db.execute(
        "SELECT a.name FROM documents d JOIN annotators a ON a.id = d.status_annotator_id"
        " WHERE d.id = ?",
        [document_id],
    ).fetchone()[0]


# -- annotators ------------------------------------------------------------------------------


def test_every_span_and_status_change_keeps_its_annotator(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER", "LOC"], annotator="alice") as project:
        assert project.annotator() == "alice"
        assert project.annotators() == ["alice"]
        (doc,) = project.documents.add([record(TEXT, [Span(0, 9, "PER")])]).document_ids
        project.documents.set_status([doc], Status.IN_PROGRESS)
        assert status_author(project, doc) == "alice"
        project.set_annotator("bob")
        project.spans.add(doc, 14, 18, "PER")
        project.spans.add_many([(doc, 22, 27, "LOC")])  # the bulk path records bob too
        project.documents.set_status([doc], Status.DONE)
        assert authors(project) == [(0, 9, "alice"), (14, 18, "bob"), (22, 27, "bob")]
        assert status_author(project, doc) == "bob"
        assert project.annotators() == ["alice", "bob"]
    with Project.open(tmp_path / "p.db") as project:  # the choice is the file's, not the run's
        assert project.annotator() == "bob"


def test_the_default_annotator_is_the_os_user(tmp_path, monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "zoe")
    with Project.create(tmp_path / "a.db") as project:
        assert project.annotator() == "zoe"

    def no_user() -> str:
        raise KeyError("uid not found")

    monkeypatch.setattr(getpass, "getuser", no_user)
    with Project.create(tmp_path / "b.db") as project:
        assert project.annotators() == ["annotator"]


def test_a_bad_annotator_name_is_refused_before_any_file_is_made(tmp_path):
    with pytest.raises(ProjectError, match="annotator name"):
        Project.create(tmp_path / "p.db", annotator="../alice")
    assert not (tmp_path / "p.db").exists()
    with Project.create(tmp_path / "q.db") as project, pytest.raises(ProjectError):
        project.set_annotator("two words")


def make_version_4(path) -> None:
    """A project as schema 4 wrote it: one done document with two spans."""
    db = connection.connect(path)
    with db.atomic():
        db.execute("CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "INSERT INTO project_meta VALUES ('application', ?), ('schema_version', 4)",
            [schema.APPLICATION],
        )
        for migration in schema.MIGRATIONS[:4]:
            migration(db)
        db.execute("INSERT INTO labels VALUES (1, 'PER', '#aa9cfc', '1', 0)")
        db.execute(
            "INSERT INTO documents (id, text, tokens, status, content_hash, updated_at)"
            " VALUES (1, 'Anna met Omar', '[0,4,5,8,9,13]', 'done', 'x', 'now')"
        )
        db.execute(
            'INSERT INTO spans (document_id, start, "end", label_id) VALUES (1, 0, 4, 1),'
            " (1, 9, 13, 1)"
        )
    db.close()


def test_an_existing_project_migrates_with_one_annotator(tmp_path, monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "olduser")
    path = tmp_path / "old.db"
    make_version_4(path)
    with Project.open(path) as project:
        assert project.annotators() == ["olduser"]
        assert project.annotator() == "olduser"
        assert authors(project) == [(0, 4, "olduser"), (9, 13, "olduser")]
        assert status_author(project, 1) == "olduser"
        project.spans.add(1, 5, 8, "PER")  # new spans are recorded too
        assert authors(project)[1] == (5, 8, "olduser")
        assert project.full_check() == []
    version = sqlite3.connect(path).execute(
        "SELECT value FROM project_meta WHERE key = 'schema_version'"
    )
    assert int(version.fetchone()[0]) == schema.SCHEMA_VERSION


def test_guidelines_are_a_project_note(tmp_path):
    with Project.create(tmp_path / "p.db") as project:
        assert project.guidelines() is None
        project.set_guidelines("# Guidelines\nTag people as PER.\n")
    with Project.open(tmp_path / "p.db") as project:
        assert project.guidelines() == "# Guidelines\nTag people as PER.\n"
        project.set_guidelines(None)
        assert project.guidelines() is None


# -- annotation sets -------------------------------------------------------------------------


@pytest.fixture
def team(tmp_path):
    """A lead's project with one document alice and bob both finished, differently."""
    project = Project.create(tmp_path / "team.db", ["PER", "ORG", "LOC"], annotator="lead")
    (doc,) = project.documents.add([record(TEXT)]).document_ids
    project.annotation_sets.save_sets(
        "alice", [(doc, Status.DONE, [Span(0, 9, "PER"), Span(14, 18, "PER"), Span(22, 27, "LOC")])]
    )
    project.annotation_sets.save_sets(
        "bob", [(doc, Status.DONE, [Span(0, 4, "PER"), Span(14, 18, "PER"), Span(22, 27, "ORG")])]
    )
    project.curation.derive_gold([doc])
    yield project, doc
    project.close()


def test_one_persons_set_is_exported_instead_of_gold(team):
    project, _ = team
    (alice,) = project.documents.iter(annotator="alice", status=Status.DONE)
    assert alice.spans == (Span(0, 9, "PER"), Span(14, 18, "PER"), Span(22, 27, "LOC"))
    assert alice.status is Status.DONE and alice.text == TEXT
    assert [r.spans[0] for r in project.documents.iter(annotator="bob")] == [Span(0, 4, "PER")]
    assert list(project.documents.iter(annotator="bob", status=Status.NEW)) == []
    with pytest.raises(ProjectError, match=r"no annotator 'carol'.*alice, bob"):
        list(project.documents.iter(annotator="carol"))


def test_merging_labels_keeps_the_annotation_sets(team):
    project, doc = team
    project.labels.merge("ORG", "LOC")
    assert project.annotation_sets.sets(doc)["bob"].spans[-1] == Span(22, 27, "LOC")


def test_agreed_spans_are_gold_and_the_document_waits_for_curation(team):
    project, doc = team
    assert [s.span for s in project.spans.list(doc)] == [Span(14, 18, "PER")]
    assert project.documents.get(doc).status is Status.IN_PROGRESS
    (disputed,) = project.curation.disputed_documents()
    assert (disputed.document_id, disputed.open, disputed.settled) == (doc, 2, 0)
    first, second = project.curation.disagreements(doc)
    assert [(o.span, o.annotators) for o in first.options] == [
        (Span(0, 4, "PER"), ("bob",)),
        (Span(0, 9, "PER"), ("alice",)),
    ]
    assert (second.start, second.end, second.settled) == (22, 27, False)


def test_the_queue_read_in_one_pass_matches_each_documents_disagreements(tmp_path):
    """The queue reads the whole project at once; each entry must say what reading that
    document alone says, whoever finished it, whatever was settled."""
    import random

    pick = random.Random(7)
    places = [  # one set marks at most one span in each place (its spans never overlap)
        [None, Span(0, 4, "PER"), Span(0, 9, "PER")],
        [None, Span(14, 18, "PER")],
        [None, Span(22, 27, "LOC"), Span(22, 27, "ORG")],
    ]

    def marks() -> list[Span]:
        return [s for s in (pick.choice(place) for place in places) if s is not None]

    with Project.create(tmp_path / "many.db", ["PER", "ORG", "LOC"], annotator="lead") as project:
        docs = project.documents.add([record(TEXT) for _ in range(60)]).document_ids
        for name in ("alice", "bob", "carol"):
            statuses = (Status.DONE, Status.DONE, Status.IN_PROGRESS)
            project.annotation_sets.save_sets(
                name,
                [(doc, pick.choice(statuses), marks()) for doc in docs if pick.random() < 0.8],
            )
        project.curation.derive_gold(docs)
        for doc in docs[::5]:  # some settled, some of them completely
            for disagreement in project.curation.disagreements(doc)[: pick.randint(1, 2)]:
                option = pick.choice(disagreement.options)
                project.curation.settle(doc, Choice(option.span, pick.random() < 0.7))
        expected = []
        for doc in docs:
            groups = project.curation.disagreements(doc)
            still_open = sum(not g.settled for g in groups)
            if groups:
                expected.append((doc, still_open, len(groups) - still_open))
        queue = project.curation.disputed_documents(open_only=False)
        assert [(d.document_id, d.open, d.settled) for d in queue] == expected
        assert len(expected) > 20 and any(settled for *_, settled in expected)
        open_only = project.curation.disputed_documents()
        assert [d.document_id for d in open_only] == [d for d, left, _ in expected if left]


def test_settling_every_disagreement_makes_the_document_curated_gold(team):
    project, doc = team
    took = project.curation.settle(doc, Choice(Span(0, 9, "PER")))
    assert took.added == (Span(0, 9, "PER"),) and took.removed == ()
    assert took.status is Status.IN_PROGRESS and not took.curated
    assert project.curation.disputed_documents()[0].open == 1
    rejected = project.curation.settle(doc, Choice(Span(22, 27, "ORG"), accept=False))
    assert not rejected.curated  # rejecting bob's ORG does not take alice's LOC
    done = project.curation.settle(doc, Choice(Span(22, 27, "LOC")))
    assert done.status is Status.DONE and done.curated
    assert project.curation.disputed_documents() == []
    (gold,) = project.documents.iter(status=Status.DONE)
    assert gold.spans == (Span(0, 9, "PER"), Span(14, 18, "PER"), Span(22, 27, "LOC"))
    curated = project.db.execute("SELECT curated_at FROM documents WHERE id = ?", [doc])
    assert curated.fetchone()[0] is not None
    # the annotators' own sets are untouched by curation
    assert project.annotation_sets.sets(doc)["bob"].spans[0] == Span(0, 4, "PER")


def test_taking_a_span_replaces_the_gold_it_overlaps_and_undo_restores_it(team):
    project, doc = team
    first = project.curation.settle(doc, Choice(Span(0, 4, "PER")))
    before = [(s.id, s.span) for s in project.spans.list(doc)]
    changed = project.curation.settle(doc, Choice(Span(0, 9, "PER")))
    assert changed.removed == (Span(0, 4, "PER"),)
    assert changed.added == (Span(0, 9, "PER"),)
    (option_bob, option_alice) = project.curation.disagreements(doc)[0].options
    assert (option_bob.decision, option_alice.decision) == (False, True)
    project.curation.undo(changed)
    assert [(s.id, s.span) for s in project.spans.list(doc)] == before
    options = project.curation.disagreements(doc)[0].options
    assert [o.decision for o in options] == [True, None]
    project.curation.undo(first)
    assert [s.span for s in project.spans.list(doc)] == [Span(14, 18, "PER")]
    assert project.curation.disputed_documents()[0].open == 2


def test_undo_of_the_last_settle_reopens_the_document(team):
    project, doc = team
    project.curation.settle(doc, Choice(Span(0, 9, "PER")))
    last = project.curation.settle(doc, Choice(Span(22, 27, "ORG")))
    assert project.documents.get(doc).status is Status.DONE
    project.curation.undo(last)
    assert project.documents.get(doc).status is Status.IN_PROGRESS
    assert project.db.execute("SELECT curated_at FROM documents").fetchone()[0] is None
    assert list(project.documents.iter(status=Status.DONE)) == []


def test_only_a_disagreement_can_be_settled(team):
    project, doc = team
    with pytest.raises(ProjectError, match="not one of its disagreements"):
        project.curation.settle(doc, Choice(Span(14, 18, "PER")))  # both agree on it
    with pytest.raises(ProjectError, match="not one of its disagreements"):
        project.curation.settle(doc, Choice(Span(10, 13, "PER")))
    assert [s.span for s in project.spans.list(doc)] == [Span(14, 18, "PER")]
