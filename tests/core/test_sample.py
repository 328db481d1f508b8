"""The bundled sample project: installed once from the package's corpus, never overwritten,
and reachable as ``nerstudio --demo``."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from nerstudio.cli import main
from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import Status
from nerstudio.core.sample import install_sample_project, sample_project_path
from nerstudio.core.store import DocumentQuery, Project


def test_install_builds_the_sample_project(tmp_path):
    path = install_sample_project(tmp_path / "data")

    assert path == tmp_path / "data" / "sample.db"
    assert sorted(p.name for p in path.parent.iterdir()) == ["sample.db"]  # no temp files left
    with Project.open(path) as project:
        assert [label.name for label in project.labels.list()] == ["PER", "ORG", "LOC", "MISC"]
        stats = project.stats()
        assert 280 <= stats.documents <= 320
        assert stats.by_status["done"] >= 30
        assert stats.by_status["new"] == stats.documents - stats.by_status["done"]
        assert set(stats.entities) == {"PER", "ORG", "LOC", "MISC"}
        assert all(count >= 10 for count in stats.entities.values())
        done = list(project.documents.iter(status=Status.DONE))
        assert {record.split for record in done} == {"train", "dev"}
        assert 5 <= sum(record.split == "dev" for record in done) <= 15
        for record in done:
            assert record.spans, f"done document {record.id} has no entities"
            starts = {start for start, _ in record.tokens}
            ends = {end for _, end in record.tokens}
            for span in record.spans:
                assert span.start in starts and span.end in ends, (record.text, span)
                assert (
                    record.text[span.start : span.end].strip() == record.text[span.start : span.end]
                )
        new = project.documents.list(DocumentQuery(status=Status.NEW, limit=1000))
        assert len(new) == stats.by_status["new"]
        assert all(project.spans.list(row.id) == [] for row in new)


def test_a_second_install_keeps_the_users_work(tmp_path):
    path = install_sample_project(tmp_path)
    with Project.open(path) as project:
        document_id = project.documents.list(DocumentQuery(status=Status.NEW, limit=1))[0].id
        text = project.documents.get(document_id).text
        start, end = project.documents.get(document_id).tokens[0]
        project.spans.add(document_id, start, end, "MISC")
        project.documents.set_status([document_id], Status.DONE)
        project.labels.add("EVENT")

    again = install_sample_project(tmp_path)

    assert again == path
    with Project.open(path) as project:
        assert project.documents.get(document_id).text == text
        assert [(s.start, s.end, s.label) for s in project.spans.list(document_id)] == [
            (start, end, "MISC")
        ]
        assert project.documents.rows([document_id])[0].status == Status.DONE
        assert "EVENT" in [label.name for label in project.labels.list()]
        assert project.stats().documents == 300


def test_a_foreign_file_is_never_overwritten(tmp_path):
    target = sample_project_path(tmp_path)
    target.write_text("not a database, but someone's file")

    with pytest.raises(NerstudioError, match="move it away"):
        install_sample_project(tmp_path)

    assert target.read_text() == "not a database, but someone's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.db"]


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """platformdirs' user data folder inside tmp_path (Linux: XDG; macOS: under HOME)."""
    if sys.platform == "win32":
        pytest.skip("the user data folder on Windows does not follow environment variables")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def launched(monkeypatch) -> list:
    """The GUI's ``main`` replaced by a recorder, without loading Qt."""
    calls: list = []
    fake = types.ModuleType("nerstudio.gui.app")
    fake.main = lambda project=None: calls.append(project) or 0
    monkeypatch.setitem(sys.modules, "nerstudio.gui.app", fake)
    return calls


def test_demo_installs_the_sample_and_opens_the_window_on_it(data_home, launched, capsys):
    assert main(["--demo"]) == 0

    (opened,) = launched
    assert opened == sample_project_path()
    assert opened.is_file()
    assert data_home in opened.parents
    assert f"sample project: {opened}" in capsys.readouterr().out
    with Project.open(opened) as project:
        assert project.stats().by_status["done"] >= 30

    assert main(["--demo"]) == 0  # a second launch opens the same project
    assert launched == [opened, opened]


def test_demo_and_a_project_together_is_a_usage_error(data_home, launched, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path / "mine.db"), "--demo"])
    assert exit_.value.code == 2
    assert "not both" in capsys.readouterr().err
    assert launched == []


def test_demo_reports_a_foreign_file_in_its_place(data_home, launched, capsys):
    target = sample_project_path()
    target.parent.mkdir(parents=True)
    target.write_text("someone's notes")

    assert main(["--demo"]) == 1

    assert "move it away" in capsys.readouterr().err
    assert launched == []
    assert target.read_text() == "someone's notes"
