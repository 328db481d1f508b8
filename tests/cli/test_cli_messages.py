"""``--messages``: what the window's children print is core.child_protocol's typed lines,
their errors included; at a terminal the same commands print as before."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from nerstudio.cli import main, run_command
from nerstudio.core.child_protocol import ChildFailed, decode_line
from nerstudio.core.errors import ProjectError
from nerstudio.core.store import Project

CHILDREN = [  # the window's children, failing on a project without documents, runs, sets
    ("review", "--predict"),
    ("agreement",),
    ("predict", "--run", "nope"),
]


@pytest.fixture
def project(tmp_path) -> Path:
    with Project.create(tmp_path / "p.db", ["PER"]):
        pass
    return tmp_path / "p.db"


def messages(out: str) -> list:
    return [decode_line(line, "test") for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("child", CHILDREN, ids=lambda c: " ".join(c))
def test_a_child_that_fails_sends_the_users_line_as_a_typed_message(project, capsys, child):
    command, *rest = child
    code = main([command, str(project), *rest, "--messages"])
    out, err = capsys.readouterr()
    assert code == 1
    (failed,) = messages(out)
    assert isinstance(failed, ChildFailed) and failed.error.endswith("Error")
    assert failed.message and "\n" not in failed.message
    assert "nerstudio: error" not in out + err


@pytest.mark.parametrize("child", CHILDREN, ids=lambda c: " ".join(c))
def test_at_a_terminal_the_same_failure_is_the_one_line_it_always_was(project, capsys, child):
    command, *rest = child
    code = main([command, str(project), *rest])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 1 and out == ""
    assert len(lines) == 1 and lines[0].startswith("nerstudio: error: ")


def test_the_message_carries_the_errors_class_and_the_exit_code_stays(capsys) -> None:
    def command(args):
        raise ProjectError("p.db: the run 'm' is gone; train it again")

    args = argparse.Namespace(func=command, project=Path("p.db"), messages=True)
    assert run_command(args) == 1
    out, err = capsys.readouterr()
    line = "p.db: the run 'm' is gone; train it again"
    assert messages(out) == [ChildFailed(line, "ProjectError")]
    assert err == ""


def test_a_bug_in_a_child_is_a_typed_message_with_exit_70(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def command(args):
        print("a stray line a library printed")
        raise RuntimeError("something we did not foresee")

    args = argparse.Namespace(func=command, project=Path("p.db"), messages=True)
    assert run_command(args) == 70
    out, err = capsys.readouterr()
    (failed,) = messages(out)  # the stray line went to stderr, not among the messages
    assert failed.error == "RuntimeError"
    assert failed.message.startswith("internal error (RuntimeError: something we did not")
    assert "details saved to" in failed.message
    assert err == "a stray line a library printed\n"
