"""The window's session rules without Qt: what is shown, where Next goes, which run makes
the suggestions, the armed label, and which events listeners hear (once each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.session import EVENTS, Session
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize

TEXT = "Anna Berg flew to Paris to meet Omar Haddad"
PREDICTED = [
    ScoredSpan(0, 9, "PER", 0.97),
    ScoredSpan(18, 23, "LOC", 0.55),
    ScoredSpan(32, 43, "PER", 0.91),
]


def make_project(path: Path, documents: int = 1, runs: tuple[str, ...] = ("r1",)) -> list[int]:
    """``documents`` copies of TEXT; each run predicts PREDICTED on each; the first is
    active."""
    with Project.create(path, ["PER", "LOC"]) as project:
        record = DocumentRecord(TEXT, tuple(tokenize(TEXT)))
        ids = project.documents.add([record] * documents).document_ids
        for name in runs:
            run = project.runs.start(name, "tiny", "full", {}, str(path.parent / name))
            project.runs.finish(run.id, "completed", {})
            project.predictions.save(run.id, [(d, PREDICTED, {"mnlp": 0.1 * d}) for d in ids])
        if runs:
            project.runs.set_active(runs[0])
    return list(ids)


class Heard:
    """Every event a session fires, in order, with its arguments."""

    def __init__(self, session: Session) -> None:
        self.events: list[tuple] = []
        for event in sorted(EVENTS):
            session.on(event, lambda *args, event=event: self.events.append((event, *args)))

    def names(self) -> list[str]:
        return [event[0] for event in self.events]

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
def opened(tmp_path):
    """A session on a two-document project whose active run predicts three entities in
    each; the first is shown."""
    path = tmp_path / "s.db"
    make_project(path, documents=2)
    session = Session()
    heard = Heard(session)
    session.open_project(path)
    yield session, heard
    session.close_on_quit()


def starts(spans) -> list[int]:
    return [s.start for s in spans]


def test_opening_a_project_tells_project_labels_then_the_document(tmp_path):
    path = tmp_path / "s.db"
    (doc,) = make_project(path)
    session = Session()
    heard = Heard(session)
    session.open_project(path)
    assert heard.events == [("project_changed",), ("labels_changed",), ("document_changed", doc)]
    assert session.document.id == doc and [label.name for label in session.labels] == [
        "PER",
        "LOC",
    ]
    session.close_on_quit()


def test_an_unknown_event_name_is_refused_at_once():
    with pytest.raises(ValueError, match="no session event 'document_changd'"):
        Session().on("document_changd", print)


def test_suggestions_shown_are_the_prediction_minus_what_gold_covers(opened):
    session, heard = opened
    assert starts(session.suggestions) == [0, 18, 32]
    heard.clear()
    doc = session.document.id
    session.project.spans.add_many([(doc, 18, 23, "LOC")])
    (paris,) = session.project.spans.list(doc)
    session.spans_edited(doc, added=[paris])
    assert starts(session.suggestions) == [0, 32]
    assert heard.events == [("document_edited", doc)]  # one event per edit
    session.project.spans.remove_many([paris.id])
    session.spans_edited(doc, removed=[paris])
    assert starts(session.suggestions) == [0, 18, 32]  # uncovered: back again


def test_gold_overlapping_a_suggestion_hides_it(opened):
    session, _ = opened
    doc = session.document.id
    session.project.spans.add_many([(doc, 0, 4, "PER")])  # "Anna" inside "Anna Berg"
    session.reload(doc)
    assert starts(session.suggestions) == [18, 32]


def test_a_done_document_shows_gold_alone_unless_opened_for_review(opened):
    session, _ = opened
    doc = session.document.id
    session.project.spans.add_many([(doc, 0, 9, "PER"), (doc, 18, 23, "PER")])
    session.project.documents.set_status([doc], Status.DONE)
    session.reload(doc)
    assert session.suggestions == []
    session.open_for_review(doc)
    # Only what disagrees with gold: Paris as LOC (gold says PER), Omar Haddad (no gold).
    assert [(s.start, s.label) for s in session.suggestions] == [(18, "LOC"), (32, "PER")]
    session.open_document(doc + 1)
    session.open_document(doc)  # moving on ended the comparison: gold alone again
    assert session.suggestions == []


def test_without_a_queue_next_and_enter_follow_document_order(tmp_path):
    path = tmp_path / "s.db"
    ids = make_project(path, documents=4)
    session = Session()
    session.open_project(path)
    assert session.document.id == ids[0]
    assert session.neighbour(1) == ids[1] and session.neighbour(-1) is None
    session.project.documents.set_status([ids[1]], Status.DONE)
    assert session.following_unfinished() == ids[2]  # Enter skips done work
    session.close_on_quit()


def test_the_queue_drives_next_previous_and_enter(tmp_path):
    path = tmp_path / "s.db"
    a, b, c, d = make_project(path, documents=4)
    session = Session()
    session.open_project(path)
    session.set_queue([c, a, d, b])
    # Opened before the queue existed: Enter starts at the queue's top.
    assert session.following_unfinished() == c
    session.open_document(a)  # opened with the queue in force: its place counts
    assert session.neighbour(1) == d and session.neighbour(-1) == c
    session.project.documents.set_status([d], Status.DONE)
    assert session.following_unfinished() == b  # the next unfinished after a
    session.open_document(b)
    assert session.following_unfinished() == c  # wraps to the queue's top
    session.set_queue(None)
    assert session.neighbour(1) == c  # document order again
    session.close_on_quit()


def test_walking_past_the_queue_read_so_far_reads_on(tmp_path):
    path = tmp_path / "s.db"
    a, b, c, d = make_project(path, documents=4)
    chunks = [[d, b]]

    def read_more() -> bool:
        if not chunks:
            return False
        session.set_queue([*session.queue, *chunks.pop(0)])
        return True

    session = Session(read_more_queue=read_more)
    session.open_project(path)
    session.set_queue([c, a])
    session.open_document(a)
    assert session.neighbour(1) == d  # read the next chunk to find it
    assert session.queue == [c, a, d, b]
    session.project.documents.set_status([c, d, b], Status.DONE)
    session.open_document(a)
    assert session.following_unfinished() is None  # every other one is done
    session.close_on_quit()


def test_when_all_is_done_enter_goes_nowhere_and_says_what_next(opened):
    session, _ = opened
    doc = session.document.id
    session.project.documents.set_status([doc], Status.DONE)
    session.reload(doc)
    assert session.following_unfinished() == doc + 1
    session.project.documents.set_status([doc + 1], Status.SKIPPED)
    assert session.following_unfinished() is None
    assert session.all_done_text().startswith("All 2 documents are done (1 skipped). Next:")


def test_activating_a_run_fires_once_and_shows_its_suggestions(tmp_path):
    path = tmp_path / "s.db"
    (doc,) = make_project(path, runs=("r1", "r2"))
    with Project.open(path) as project:
        r2 = project.runs.get("r2")
        project.predictions.save(r2.id, [(doc, [ScoredSpan(32, 43, "PER", 0.5)], {})])
    session = Session()
    heard = Heard(session)
    session.open_project(path)
    heard.clear()
    assert session.activate_run("r2")
    assert session.active_run == r2.id
    assert starts(session.suggestions) == [32]  # the new run's, at once
    assert heard.names() == ["document_edited", "active_run_changed"]
    heard.clear()
    assert not session.activate_run("r2")  # already active: nothing happens
    assert heard.events == []
    session.close_on_quit()


def test_deleting_runs_tells_only_when_the_active_one_goes(tmp_path):
    path = tmp_path / "s.db"
    make_project(path, runs=("r1", "r2"))
    session = Session()
    heard = Heard(session)
    session.open_project(path)
    heard.clear()
    with Project.open(path) as other:  # a worker's own connection
        other.runs.delete("r2")
    session.runs_changed()
    assert heard.events == []
    with Project.open(path) as other:
        other.runs.delete("r1")
    session.runs_changed()
    assert heard.names().count("active_run_changed") == 1
    assert session.active_run is None and session.suggestions == []
    session.close_on_quit()


def test_the_armed_label_is_disarmed_when_its_label_goes_and_follows_a_rename(opened):
    session, _ = opened
    session.arm("LOC")
    session.project.labels.rename("LOC", "PLACE")
    session.follow_label_rename("LOC", "PLACE")
    session.reload_labels()
    assert session.armed_label == "PLACE"
    session.project.labels.delete("PLACE")
    session.reload_labels()
    assert session.armed_label is None


def test_closing_forgets_the_queue_and_tells_once(opened):
    session, heard = opened
    session.set_queue([session.document.id])
    heard.clear()
    session.close_project()
    assert heard.events == [("project_changed",)]
    assert session.project is None and session.queue is None and session.document is None


def test_another_project_never_inherits_the_last_ones_queue_or_run(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    make_project(first)
    make_project(second, runs=())
    session = Session()
    session.open_project(first)
    session.set_queue([1])
    session.open_project(second)
    assert session.queue is None and session.active_run is None
    assert session.suggestions == []
    session.close_on_quit()
