"""``nerstudio queue``: the top of the window's queue, read from the store's order."""

from __future__ import annotations

import json

import pytest

from nerstudio.core.active import queue_for_run
from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import Project
from nerstudio.core.tokens import tokenize
from tests.cli.test_cli import run

TEXTS = [f"Anna met Omar in town number {i} today" for i in range(30)]


@pytest.fixture
def scored(tmp_path):
    path = tmp_path / "q.db"
    with Project.create(path, ["PER"]) as project:
        docs = project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in TEXTS)
        r = project.runs.start("r", "tiny", "full", {}, str(tmp_path / "r"))
        project.runs.finish(r.id, "completed", {})
        scores = [
            (d, [], {"mnlp": (i % 7) / 7, "entropy": i / 30})
            for i, d in enumerate(docs.document_ids)
        ]
        project.predictions.save(r.id, scores)
    return path, r.id


@pytest.mark.parametrize("strategy", ["mnlp", "entropy", "random"])
def test_queue_lists_the_top_of_the_windows_queue(scored, capsys, strategy):
    path, run_id = scored
    code, out, _ = run(capsys, "queue", path, "--strategy", strategy, "--top", 12, "--json")
    assert code == 0
    listed = json.loads(out)
    with Project.open(path) as project:
        window = queue_for_run(project, run_id, strategy, 0.1)
        texts = {d: project.documents.get(d).text for d in window.document_ids}
    assert [item["id"] for item in listed] == list(window.document_ids[:12])
    assert [item["reason"] for item in listed] == [r.value for r in window.reasons[:12]]
    assert all(item["text"] == texts[item["id"]] for item in listed)
