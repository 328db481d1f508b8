"""The store under load and beside other processes: a check bounded by the largest document,
readers that never wait for a writer, a check of a read-only project, labels and spans
added in time that grows with their number, not its square (issue 23, items 1, 5, 10b, 13)."""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import nerstudio
from nerstudio.core.errors import LabelError, ProjectError
from nerstudio.core.formats import overlaps
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import Span
from nerstudio.core.store import DocumentQuery, Project, connection
from nerstudio.core.store.labels import PALETTE, Labels
from nerstudio.core.tokens import tokenize


def long_document(words: int, spans: int, label: str = "PER") -> DocumentRecord:
    """One document of ``words`` words with ``spans`` one-word spans spread over it."""
    text = " ".join(f"w{i:06d}" for i in range(words))
    tokens = tuple(tokenize(text))
    step = len(tokens) // spans
    found = tuple(Span(*tokens[i], label) for i in range(0, step * spans, step))
    return DocumentRecord(text=text, tokens=tokens, spans=found)


def short_documents(count: int) -> list[DocumentRecord]:
    texts = [f"Anna met Omar in Paris number {i} ." for i in range(count)]
    return [DocumentRecord(text=t, tokens=tuple(tokenize(t))) for t in texts]


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    with Project.create(path, ["PER", "LOC"]) as project:
        project.documents.add(short_documents(50))
        project.spans.add(1, 0, 4, "PER")
    return path


@pytest.fixture
def read_only(monkeypatch) -> None:
    """The file and its folder without write permission (as a user without it sees them)."""
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )


@pytest.fixture
def short_lock_wait(monkeypatch) -> None:
    """Writers give up after about 0.6 s instead of 15 s, so a wait shows fast."""
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 200)


@pytest.fixture
def writer(project_path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's long write transaction (an import, a merge) on the project."""
    conn = sqlite3.connect(project_path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE documents SET seconds_spent = 1 WHERE id = 2")
    yield conn
    conn.execute("ROLLBACK")
    conn.close()


CAPPED_CHECK = """
import sys
from nerstudio.core.store import Project, integrity
with Project.open(sys.argv[1], check=False) as project:
    # SQLite's temporary storage in memory, and its memory capped (for this process: the
    # pragma can lower the cap, never lift it)
    project.db.execute("PRAGMA temp_store=MEMORY")
    project.db.execute(f"PRAGMA hard_heap_limit={int(sys.argv[2])}")
    try:
        print(project.full_check())
    except Exception as err:
        print(type(err).__name__, err)
"""


def capped_check(path: Path, limit: int) -> str:
    """``full_check``'s outcome in a process whose SQLite may use only ``limit`` bytes."""
    done = subprocess.run(
        [sys.executable, "-c", CAPPED_CHECK, str(path), str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(nerstudio.__file__).parents[1])},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# -- item 1: a check in memory and time proportional to the project ----------------------


def test_check_of_a_long_annotated_document_does_not_sort_its_text_once_per_span(tmp_path):
    """One 400,000-word document with 2,000 spans wrote 70 GB of temporary files: its text
    and tokens went through SQLite's sorter once per span. With temporary storage in
    memory and SQLite's memory capped at 32 MB, that fails at once; one copy fits."""
    path = tmp_path / "long.db"
    with Project.create(path, ["PER"]) as project:
        project.documents.add([long_document(40_000, 200)])
    assert capped_check(path, 32 << 20) == "[]"


def test_check_still_finds_bad_spans_in_every_document_and_none_in_documents_without(
    project_path,
):
    with Project.open(project_path) as project:
        project.documents.add([long_document(2_000, 50)])
        project.spans.add(3, 0, 4, "LOC")
        project.db.execute('UPDATE spans SET "end" = start + 2 WHERE document_id IN (1, 51)')
        project.db.execute(
            'INSERT INTO spans (document_id, start, "end", label_id) VALUES (3, 0, 4, 1)'
        )  # a second span on the same token
        problems = project.full_check()
    assert [p.split(":")[0] for p in problems] == ["document 1", "document 3", "document 51"]


def test_a_check_that_runs_out_of_memory_says_so_in_one_line_not_damage(tmp_path):
    path = tmp_path / "long.db"
    with Project.create(path, ["PER"]) as project:
        project.documents.add([long_document(40_000, 10)])
    outcome = capped_check(path, 1 << 20)  # less than the document needs
    assert outcome.startswith("ProjectError") and "the check could not finish" in outcome
    assert "\n" not in outcome and "damaged" not in outcome


# -- item 5: a reader never waits for a writer -----------------------------------------------


def test_a_reader_opens_and_reads_while_another_process_holds_the_write_lock(
    project_path, short_lock_wait, writer
):
    """Every open took the write lock: stats, queue, export and the window failed after 15 s."""
    started = time.monotonic()
    with Project.open(project_path) as project:
        assert project.stats().documents == 50
        assert len(project.documents.list()) == 50
        assert project.runs.all() == []
        assert project.spans.list(1)[0].label == "PER"
    assert time.monotonic() - started < 0.5


def test_a_dead_run_does_not_hold_a_reader_up_and_is_marked_on_a_later_open(
    project_path, short_lock_wait
):
    with Project.open(project_path) as project:
        project.runs.start("killed", "tiny", "full", {}, str(project_path.parent / "k"))
        project.db.execute("UPDATE runs SET pid = NULL WHERE name = 'killed'")
    holder = sqlite3.connect(project_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with Project.open(project_path) as project:
        assert project.runs.get("killed").status == "running"  # left for a later open
    assert time.monotonic() - started < 0.5
    holder.execute("ROLLBACK")
    with Project.open(project_path) as project:
        assert project.runs.get("killed").status == "interrupted"


def test_a_migration_still_takes_the_lock_and_says_so_when_it_cannot(project_path, short_lock_wait):
    with Project.open(project_path) as project:
        project.db.execute("ALTER TABLE runs DROP COLUMN pid")
        project.db.execute("ALTER TABLE runs DROP COLUMN host")
        project.db.execute("UPDATE project_meta SET value = 3 WHERE key = 'schema_version'")
    holder = sqlite3.connect(project_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(ProjectError, match="another process"):
        Project.open(project_path)
    holder.execute("ROLLBACK")
    with Project.open(project_path) as project:
        assert project.runs.all() == []
        assert project.db.execute("SELECT pid FROM runs").fetchall() == []


# -- item 10b: check a read-only project (and one another process is writing) --------------


def test_check_of_a_read_only_project_reports_no_false_problem(project_path, read_only):
    with Project.open(project_path, check=False) as project:
        assert project.read_only
        assert project.full_check() == []


def test_check_of_a_read_only_project_still_checks_the_full_text_index(project_path, monkeypatch):
    with Project.open(project_path) as project:
        project.db.execute("DROP TRIGGER documents_au")
        project.db.execute("UPDATE documents SET text = 'changed behind the index' WHERE id = 3")
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    with Project.open(project_path, check=False) as project:
        assert project.read_only
        problems = project.full_check()
    assert len(problems) == 1 and "full-text" in problems[0]


def test_check_while_another_process_writes_reports_no_false_problem(
    project_path, short_lock_wait, writer
):
    started = time.monotonic()
    with Project.open(project_path, check=False) as project:
        assert project.full_check() == []
    assert time.monotonic() - started < 1


# -- item 13: labels and spans in time that grows with their number ------------------------


@contextlib.contextmanager
def calls_at_most(owner: type, name: str, most: int) -> Iterator[None]:
    """Fail at once when ``owner.name`` is called over ``most`` times in here: quadratic
    code fails fast instead of taking minutes."""
    calls = 0
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        assert calls <= most, f"{owner.__name__}.{name} called over {most} times"
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner, name, counted)
        yield


def test_init_with_thousands_of_labels_reads_the_labels_once(tmp_path):
    """10,000 labels took 182 s: each new label read every label before it again."""
    names = [f"L{i}" for i in range(3000)]
    started = time.monotonic()
    with calls_at_most(Labels, "list", 1):
        project = Project.create(tmp_path / "many.db", names)
    assert time.monotonic() - started < 5
    with project:
        labels = project.labels.list()
    assert [label.name for label in labels] == names
    assert [label.position for label in labels] == list(range(3000))
    assert [label.hotkey for label in labels[:10]] == [*"123456789", None]
    assert [label.color for label in labels[:13]] == [*PALETTE, PALETTE[0]]


def test_an_import_with_thousands_of_new_labels_reads_the_labels_once(project_path):
    """5,000 new labels on import took 93 s."""
    texts = [f"x{i} y" for i in range(3000)]
    records = [
        DocumentRecord(text=t, tokens=tuple(tokenize(t)), spans=(Span(0, len(t) - 2, f"N{i}"),))
        for i, t in enumerate(texts)
    ]
    with Project.open(project_path) as project:
        with calls_at_most(Labels, "list", 1):
            added = project.documents.add(records, labels=["DECLARED"])
        labels = project.labels.list()
    assert added.labels_added == ("DECLARED", *(f"N{i}" for i in range(3000)))
    assert [label.name for label in labels[:3]] == ["PER", "LOC", "DECLARED"]
    assert [label.position for label in labels] == list(range(3003))
    assert len({label.hotkey for label in labels if label.hotkey}) == 9


def test_a_bad_or_repeated_label_at_init_leaves_no_file(tmp_path):
    for names in (["PER", "PER"], ["PER", "has space"]):
        path = tmp_path / "new.db"
        with pytest.raises(LabelError):
            Project.create(path, names)
        assert not path.exists()


def test_one_document_with_thousands_of_spans_settles_overlaps_in_linear_time():
    """One 5 MB document with 14,097 spans imported in 118 s (8 s without its spans): each
    span was compared with every span kept before it."""
    spans = [Span(10 * i, 10 * i + 5, "A") for i in range(14_097)]
    spans += [Span(10 * i + 3, 10 * i + 8 + 10, "B") for i in range(0, 14_097, 7)]  # overlap
    started = time.monotonic()
    with calls_at_most(Span, "overlaps", 1000):
        kept, dropped = overlaps.keep_longest(spans)
    assert time.monotonic() - started < 2
    assert len(kept) + len(dropped) == len(spans)
    assert all(not a.overlaps(b) for a, b in itertools.pairwise(kept))
    assert all(span.label == "A" for span in dropped)  # each B is longer than the As it meets


def test_the_report_of_dropped_spans_names_the_first_kept_span_each_overlaps():
    origin = {Span(0, 10, "A"): 1, Span(2, 4, "B"): 2, Span(8, 12, "C"): 3, Span(20, 22, "D"): 4}
    kept, lines, count = overlaps.keep_longest_reported(
        origin, lambda span, line: (f"line {line}", span.label)
    )
    assert kept == [Span(0, 10, "A"), Span(20, 22, "D")]
    assert lines == ["line 2: B overlaps A, dropped", "line 3: C overlaps A, dropped"]
    assert count == 2


def test_tag_all_on_a_long_document_compares_each_match_with_its_neighbours_only(tmp_path):
    """'Tag all occurrences' compared each match with every span of the document."""
    words = [("Paris" if i % 4 == 0 else f"w{i}") for i in range(20_000)]
    text = " ".join(words)
    tokens = tuple(tokenize(text))
    gold = tuple(Span(*tokens[i], "LOC") for i in range(0, 20_000, 8))  # every other Paris
    with Project.create(tmp_path / "long.db", ["LOC"]) as project:
        project.documents.add([DocumentRecord(text=text, tokens=tokens, spans=gold)])
        with calls_at_most(Span, "overlaps", 1000):
            found = project.spans.find_occurrences(["Paris"], [1])
        assert [start for _, start, _ in found] == [tokens[i][0] for i in range(4, 20_000, 8)]
        assert project.spans.find_occurrences(["a", "a"], None) == []
    with Project.create(tmp_path / "short.db", ["LOC"]) as project:
        project.documents.add([DocumentRecord(text="a a a b", tokens=tuple(tokenize("a a a b")))])
        assert project.spans.find_occurrences(["a", "a"], [1]) == [(1, 0, 3)]  # not 2-5 as well


def test_a_status_change_leaves_the_full_text_index_alone_and_a_text_change_reindexes(tmp_path):
    from nerstudio.core.records import Status

    path = tmp_path / "p.db"
    text = "Anna Berg lives in Oslo . " * 200
    with Project.create(path, ["PER"]) as project:
        project.documents.add([DocumentRecord(text, tuple(tokenize(text)))])
        before = project.db.conn.total_changes
        project.documents.set_status([1], Status.DONE)
        # one row changed, and no delete + insert of the whole text in the index
        assert project.db.conn.total_changes - before == 1
        assert project.documents.list(DocumentQuery(search="Oslo"))[0].id == 1
        project.db.execute("UPDATE documents SET text = 'Paris' WHERE id = 1")
        assert project.documents.list(DocumentQuery(search="Paris"))[0].id == 1
        assert project.documents.list(DocumentQuery(search="Oslo")) == []


def test_a_backup_asked_for_inside_a_transaction_is_skipped_not_a_hang(project_path):
    """SQLite's backup of a connection inside its own write transaction spins forever: a
    label merge inside an undo step's transaction hung the window."""
    with Project.open(project_path) as project:
        with project.transaction():
            assert project.backup("inside") is None
            project.labels.merge("LOC", "PER")  # its own backup is skipped, not waited on
        assert [label.name for label in project.labels.list()] == ["PER"]
