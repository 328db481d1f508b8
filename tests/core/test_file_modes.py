"""Files for others get the mode the umask gives: a teammate on a shared drive reads the
project ``assign`` wrote for them, a service reads a run's model weights (both were 0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from nerstudio.core.records import DocumentRecord
from nerstudio.core.safe_io import write_folder
from nerstudio.core.store import Project
from nerstudio.core.team import assign
from nerstudio.core.tokens import tokenize


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_folder_gets_umask_modes_whatever_made_its_files(tmp_path, umask_022):
    target = tmp_path / "model"
    with write_folder(target) as folder:
        private = folder / "weights.bin"
        private.write_bytes(b"w")
        private.chmod(0o600)  # as safetensors or mkstemp leaves a file
        (folder / "sub").mkdir(mode=0o700)
        (folder / "sub" / "run.sh").write_text("echo")
        (folder / "sub" / "run.sh").chmod(0o700)

    assert mode(target / "weights.bin") == 0o644
    assert mode(target / "sub") == 0o755
    assert mode(target / "sub" / "run.sh") == 0o755  # an executable stays executable


def test_assigned_projects_are_readable_by_the_team(tmp_path, umask_022):
    lead = tmp_path / "corpus.db"
    texts = ["Anna met Omar .", "Oslo is cold ."]
    with Project.create(lead, ["PER"]) as project:
        project.documents.add([DocumentRecord(t, tuple(tokenize(t))) for t in texts])
        summary = assign(project, ["alice", "bob"], tmp_path, overlap=1.0)

    assert [mode(f.path) for f in summary.files] == [0o644, 0o644]


def test_a_runs_model_weights_are_readable_by_others(tmp_path, tiny_model, umask_022):
    from tests.conftest import build_project, train_tiny

    folder = Path(train_tiny(build_project(tmp_path), tiny_model, "r"))

    assert mode(folder / "model.safetensors") == 0o644
    assert {mode(p) for p in folder.rglob("*") if p.is_file()} == {0o644}
