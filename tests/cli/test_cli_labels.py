"""``nerstudio labels``: the labels with hotkeys, entity counts and descriptions, and
``--describe`` giving one the description a zero-shot model reads."""

from __future__ import annotations

import json

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from tests.cli.test_cli import run


def test_labels_lists_counts_and_descriptions_and_describe_sets_and_clears(tmp_path, capsys):
    path = tmp_path / "l.db"
    with Project.create(path, ["PER", "LOC"]) as project:
        text = "Anna lives in Oslo ."
        (doc,) = project.documents.add([DocumentRecord(text, tuple(tokenize(text)))]).document_ids
        project.spans.add(doc, 0, 4, "PER")
    code, out, err = run(capsys, "labels", path, "--describe", "LOC", " cities and countries ")
    assert (code, out) == (0, "described LOC: cities and countries\n"), err
    code, out, _ = run(capsys, "labels", path)
    assert out.splitlines() == ["PER   1          1", "LOC   2          0  cities and countries"]
    code, out, _ = run(capsys, "labels", path, "--json")
    assert json.loads(out)[1] == {
        "name": "LOC",
        "hotkey": "2",
        "entities": 0,
        "description": "cities and countries",
    }
    assert run(capsys, "labels", path, "--describe", "LOC", "")[1] == "LOC: no description\n"
    with Project.open(path) as project:
        assert project.labels.descriptions() == {}


def test_describing_a_label_the_project_lacks_is_one_line(tmp_path, capsys):
    path = tmp_path / "l.db"
    Project.create(path, ["PER"]).close()
    code, out, err = run(capsys, "labels", path, "--describe", "ORG", "companies")
    assert code == 1 and out == ""
    assert err == "nerstudio: error: no label 'ORG' in this project\n"
    code, _, err = run(capsys, "labels", path, "--describe", "PER", "x" * 501)
    assert code == 1 and "longer than 500 characters" in err and err.count("\n") == 1
