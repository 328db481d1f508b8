"""Opening a project written by an older schema upgrades it in place, data intact."""

from __future__ import annotations

import sqlite3

import pytest

from nerstudio.core.errors import LabelError
from nerstudio.core.store import Project, connection, schema
from nerstudio.core.store.schema import APPLICATION, SCHEMA_VERSION


def make_version_1(path) -> None:
    """A project file as the first schema wrote it, with one document and two spans."""
    db = connection.connect(path)
    with db.atomic():
        db.execute("CREATE TABLE project_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "INSERT INTO project_meta VALUES ('application', ?), ('schema_version', 1)",
            [APPLICATION],
        )
        schema.MIGRATIONS[0](db)
        db.execute("INSERT INTO labels VALUES (1, 'PER', '#aa9cfc', '1', 0)")
        db.execute(
            "INSERT INTO documents (id, text, tokens, content_hash, updated_at)"
            " VALUES (1, 'Anna met Omar', '[0,4,5,8,9,13]', 'x', 'now')"
        )
        db.execute(
            'INSERT INTO spans (id, document_id, start, "end", label_id)'
            " VALUES (1, 1, 0, 4, 1), (2, 1, 9, 13, 1)"
        )
    db.close()


def test_a_version_1_project_is_upgraded_and_keeps_its_spans(tmp_path):
    path = tmp_path / "old.db"
    make_version_1(path)
    with Project.open(path) as project:
        assert [(s.start, s.end, s.label) for s in project.spans.list(1)] == [
            (0, 4, "PER"),
            (9, 13, "PER"),
        ]
        # from schema 2 on, a removed span's id is never handed out again, so an undo
        # and redo can restore spans by id without touching newer ones
        removed = project.spans.remove_many([2])
        new = project.spans.add(1, 9, 13, "PER")
        assert new.id != removed[0].id
    version = (
        sqlite3.connect(path)
        .execute("SELECT value FROM project_meta WHERE key = 'schema_version'")
        .fetchone()[0]
    )
    assert int(version) == SCHEMA_VERSION


def test_an_upgraded_project_can_describe_its_labels(tmp_path):
    path = tmp_path / "old.db"
    make_version_1(path)
    with Project.open(path) as project:
        assert project.labels.descriptions() == {}
        project.labels.describe("PER", "  names of people  ")
        assert project.labels.descriptions() == {"PER": "names of people"}
    with Project.open(path) as project:  # kept in the file
        assert project.labels.descriptions() == {"PER": "names of people"}
        project.labels.describe("PER", "")
        assert project.labels.descriptions() == {}


def test_a_description_goes_with_its_label_and_an_unknown_label_is_one_line(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER", "ORG"]) as project:
        project.labels.describe("ORG", "companies")
        project.labels.describe("PER", "people")
        project.labels.delete("ORG")
        assert project.labels.descriptions() == {"PER": "people"}
        with pytest.raises(LabelError, match="no label 'LOC'"):
            project.labels.describe("LOC", "places")
        with pytest.raises(LabelError, match="longer than 500"):
            project.labels.describe("PER", "x" * 501)
