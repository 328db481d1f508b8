"""The store under load and beside other processes: a check bounded by the largest document,
readers that never wait for a writer, a check of a read-only project, labels and spans
added in time that grows with their number, not its square (issue 23, items 1, 5, 10b, 13)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nerstudio.core.errors import ProjectError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import Span
from nerstudio.core.store import Project, connection
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
        project.add_documents(short_documents(50))
        project.add_span(1, 0, 4, "PER")
    return path


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


# -- item 5: a reader never waits for a writer -----------------------------------------------


def test_a_reader_opens_and_reads_while_another_process_holds_the_write_lock(
    project_path, short_lock_wait, writer
):
    """Every open took the write lock: stats, queue, export and the window failed after 15 s."""
    started = time.monotonic()
    with Project.open(project_path) as project:
        assert project.stats().documents == 50
        assert len(project.list_documents()) == 50
        assert project.runs.all() == []
        assert project.spans(1)[0].label == "PER"
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
