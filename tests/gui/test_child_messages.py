"""ChildProcess hands the owner decoded messages: a real child that fails shows the user's
one line, a line that is no message is a ProtocolError naming the child."""

from __future__ import annotations

import sys

import pytest

from nerstudio.core.child_protocol import encode_line
from nerstudio.core.prediction import DocumentsPredicted
from nerstudio.core.store import Project
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.runner import JobRunner


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.fixture
def runner():
    """The runner stays referenced until its jobs have ended: a QThread whose owner is
    collected while it runs takes the process down."""
    runner = JobRunner()
    yield runner
    assert runner.stop_all(timeout_s=30)


def ended(qtbot, job) -> None:
    """The worker's signal comes before its thread has ended (a loaded machine shows the
    gap): wait for the thread too, or the test returns with it running."""
    qtbot.waitUntil(lambda: not job.is_running(), timeout=10_000)


def test_a_real_child_that_fails_shows_the_users_one_line(qtbot, tmp_path, runner) -> None:
    with Project.create(tmp_path / "p.db", ["PER"]):
        pass
    worker = CommandWorker(["agreement", str(tmp_path / "p.db"), "--messages"])
    with qtbot.waitSignal(worker.failed, timeout=60_000) as failed:
        job = runner.start(worker)
    ended(qtbot, job)
    (line,) = failed.args
    assert line.startswith(f"{tmp_path / 'p.db'}: fewer than two annotators' sets; merge")
    assert "nerstudio: error" not in line


def test_the_owner_receives_the_decoded_messages(qtbot, runner) -> None:
    worker = CommandWorker(["predict"])
    sent = DocumentsPredicted("m", 3)
    worker.command = python(f"print({encode_line(sent)!r}); print()")
    received: list = []
    worker.received.connect(received.append)
    with qtbot.waitSignal(worker.finished, timeout=30_000):
        job = runner.start(worker)
    ended(qtbot, job)
    assert received == [sent]


def test_a_line_that_is_no_message_fails_naming_the_child_and_the_line(qtbot, runner) -> None:
    worker = CommandWorker(["review"])
    worker.command = python("print('Some weights were not initialized')")
    with qtbot.waitSignal(worker.failed, timeout=30_000) as failed:
        job = runner.start(worker)
    ended(qtbot, job)
    (line,) = failed.args
    assert line.startswith("nerstudio review printed 'Some weights were not initialized'")
