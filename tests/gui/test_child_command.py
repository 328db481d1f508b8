"""The child-process command line: ``python -m nerstudio`` from source, the app binary
itself when frozen (PyInstaller's ``sys.executable`` has no ``-m``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nerstudio import __version__
from nerstudio.core.training.config import TrainConfig
from nerstudio.gui.workers.child import nerstudio_command
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.training_child import train_command


@pytest.fixture
def frozen(monkeypatch) -> str:
    """Pretend to be a PyInstaller app whose binary is ``/opt/nerstudio/nerstudio``."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/nerstudio/nerstudio")
    return "/opt/nerstudio/nerstudio"


@pytest.fixture
def not_frozen(monkeypatch) -> None:
    monkeypatch.delattr(sys, "frozen", raising=False)


def test_from_source_runs_the_module(not_frozen) -> None:
    assert nerstudio_command(["stats", "a.db"]) == [
        sys.executable,
        "-m",
        "nerstudio",
        "stats",
        "a.db",
    ]


def test_frozen_runs_the_app_binary_itself(frozen) -> None:
    assert nerstudio_command(["stats", "a.db"]) == [frozen, "stats", "a.db"]


def test_frozen_false_counts_as_source(monkeypatch) -> None:
    monkeypatch.setattr(sys, "frozen", False, raising=False)
    assert nerstudio_command([])[1:] == ["-m", "nerstudio"]


def test_args_are_copied_not_aliased(not_frozen) -> None:
    args = ["stats", "a.db"]
    command = nerstudio_command(args)
    command.append("--json")
    assert args == ["stats", "a.db"]


def test_both_workers_use_it(frozen, tmp_path: Path) -> None:
    config = TrainConfig(base_model="some/model", epochs=1)
    train = train_command(tmp_path / "p.db", config, tmp_path / "stop")
    assert train[:3] == [frozen, "train", str(tmp_path / "p.db")]
    assert "-m" not in train
    assert train[-2:] == ["--epochs", "1"]
    assert CommandWorker(["predict", "p.db"]).command == [frozen, "predict", "p.db"]


def test_workers_from_source(not_frozen, tmp_path: Path) -> None:
    train = train_command(tmp_path / "p.db", TrainConfig(base_model="m"), tmp_path / "stop")
    assert train[:4] == [sys.executable, "-m", "nerstudio", "train"]
    assert CommandWorker(["stats"]).command[:3] == [sys.executable, "-m", "nerstudio"]


def test_the_source_command_really_runs(not_frozen) -> None:
    done = subprocess.run(
        nerstudio_command(["--version"]), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"nerstudio {__version__}"


def test_children_run_in_the_background_and_the_window_does_not(monkeypatch):
    """The window's children yield to it (core.priority reads the flag); the window itself
    never carries the flag, or its own Predictor would lower the window's priority."""
    import os
    import subprocess
    import sys

    from nerstudio.gui.workers.child import child_environment

    monkeypatch.delenv("NERSTUDIO_BACKGROUND", raising=False)
    env = child_environment()
    assert env["NERSTUDIO_BACKGROUND"] == "1"
    assert "NERSTUDIO_BACKGROUND" not in os.environ
    script = (
        "import os; from nerstudio.core.os_priority import run_in_background;"
        "print(run_in_background(), os.getpriority(os.PRIO_PROCESS, 0))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "True" and int(out[1]) >= 10
