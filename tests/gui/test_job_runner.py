"""The job runner and the child-process worker base: bounded stops (stop, then abort),
threads and workers deleted once they end, and a child's failure as its typed message."""

from __future__ import annotations

import sys
import threading
import time

import shiboken6

from nerstudio.gui.workers.child import last_line
from nerstudio.gui.workers.command import CommandWorker
from nerstudio.gui.workers.runner import JobRunner, Worker


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_without_a_failure_message_the_error_is_the_last_line_of_stderr() -> None:
    """A child that died before it could say why (a usage error, a crash of Python)."""
    bug = "Fatal Python error: Segmentation fault"
    assert last_line(f"Traceback...\n{bug}\n\n", "fallback") == bug
    assert last_line("", "exit code 3") == "exit code 3"


def test_a_failing_child_reports_its_error_line(qtbot) -> None:
    runner = JobRunner()
    worker = CommandWorker([])
    failed = '{"type": "ChildFailed", "message": "the model is gone", "error": "ProjectError"}'
    worker.command = python(
        "import sys; print('loading', file=sys.stderr); "
        f"print({failed!r}); sys.exit(1)"
    )
    ended = []
    with qtbot.waitSignal(worker.failed, timeout=30_000) as failed:
        job = runner.start(worker, ended=lambda: ended.append(True))
    assert failed.args == ["the model is gone"]
    qtbot.waitUntil(lambda: ended == [True], timeout=10_000)
    assert not job.is_running() and runner.jobs == []
    qtbot.waitUntil(lambda: not shiboken6.isValid(job.thread), timeout=5_000)
    assert not shiboken6.isValid(job.worker)  # both deleted once the thread ended


def test_stop_ends_a_child_at_once_and_reports_it_stopped(qtbot) -> None:
    runner = JobRunner()
    worker = CommandWorker([])
    worker.command = python("import time; time.sleep(60)")
    messages: list[str] = []
    worker.failed.connect(messages.append)
    job = runner.start(worker)
    qtbot.waitUntil(lambda: worker.process is not None, timeout=10_000)
    started = time.monotonic()
    assert runner.stop(job, timeout_s=10)
    assert time.monotonic() - started < 10
    assert worker.process.poll() is not None  # the child is gone too
    qtbot.waitUntil(lambda: bool(messages), timeout=5_000)
    assert messages == ["stopped; the documents done so far keep their suggestions"]


class Stubborn(Worker):
    """Ignores ``stop()``; only ``abort()`` ends it."""

    def __init__(self) -> None:
        super().__init__()
        self.aborted = threading.Event()

    def work(self) -> None:
        assert self.aborted.wait(30)

    def abort(self) -> None:
        self.aborted.set()


def test_stop_all_waits_no_longer_than_its_bound_then_aborts(qtbot) -> None:
    runner = JobRunner()
    jobs = [runner.start(Stubborn()) for _ in range(2)]
    started = time.monotonic()
    assert runner.stop_all(timeout_s=0.3)
    assert time.monotonic() - started < 5
    assert all(job.worker.aborted.is_set() and not job.is_running() for job in jobs)
    assert runner.jobs == []
