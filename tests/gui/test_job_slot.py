"""JobSlot's rules without Qt (a stand-in runner): one job of a kind at a time, a newer
one supersedes the older (or is refused), results for another project or from a
superseded job are dropped."""

from __future__ import annotations

import threading
from pathlib import Path

from nerstudio.gui.workers.job_slot import JobSlot


class FakeWorker:
    def __init__(self, name: str) -> None:
        self.name = name
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()


class FakeJob:
    def __init__(self, worker: FakeWorker, ended) -> None:
        self.worker, self.on_ended = worker, ended


class FakeRunner:
    """Starts nothing: a test ends a job with ``end(job)``, as the runner does once its
    thread has finished."""

    def __init__(self) -> None:
        self.closed = False
        self.started: list[FakeJob] = []
        self.stopped: list[tuple[FakeJob, float]] = []

    def start(self, worker, ended=None) -> FakeJob:
        job = FakeJob(worker, ended)
        self.started.append(job)
        return job

    def cancel(self, job: FakeJob) -> None:
        job.worker.stop()

    def stop(self, job: FakeJob, timeout_s: float) -> bool:
        job.worker.stop()
        self.stopped.append((job, timeout_s))
        return True

    def end(self, job: FakeJob) -> None:
        job.on_ended()


A, B = Path("a.db"), Path("b.db")


def make(supersede: bool, open_project: list[Path | None] | None = None):
    runner, idle = FakeRunner(), []
    where = open_project if open_project is not None else [A]
    slot = JobSlot(runner, lambda: where[0], supersede=supersede, idle=lambda: idle.append(1))
    return runner, slot, idle


def test_a_newer_job_supersedes_the_running_one_and_starts_when_it_has_ended() -> None:
    runner, slot, idle = make(supersede=True)
    old, new = FakeWorker("old"), FakeWorker("new")
    assert slot.start(old, A) and slot.accepts()
    assert slot.start(new, A)
    assert old.stopping.is_set() and not slot.accepts()  # the old one's results: dropped
    assert [j.worker for j in runner.started] == [old]  # never two at once
    runner.end(runner.started[0])
    assert [j.worker for j in runner.started] == [old, new] and slot.accepts()
    assert idle == [] and slot.busy()
    runner.end(runner.started[1])
    assert idle == [1] and not slot.busy() and slot.worker is None


def test_only_the_newest_of_several_waiting_jobs_runs() -> None:
    runner, slot, _ = make(supersede=True)
    first, second, third = (FakeWorker(n) for n in ("1", "2", "3"))
    slot.start(first, A)
    slot.start(second, A)
    slot.start(third, A)
    runner.end(runner.started[0])
    assert [j.worker for j in runner.started] == [first, third]


def test_a_refusing_slot_keeps_the_running_job() -> None:
    runner, slot, idle = make(supersede=False)
    running, second = FakeWorker("run"), FakeWorker("second")
    assert slot.start(running, A)
    assert not slot.start(second, A)
    assert not running.stopping.is_set() and slot.worker is running and slot.accepts()
    runner.end(runner.started[0])
    assert idle == [1] and slot.start(second, A) and slot.worker is second


def test_results_for_another_project_are_dropped() -> None:
    open_now: list[Path | None] = [A]
    _, slot, _ = make(supersede=True, open_project=open_now)
    slot.start(FakeWorker("w"), A)
    assert slot.accepts()
    open_now[0] = B
    assert not slot.accepts()
    open_now[0] = None  # the project was closed
    assert not slot.accepts()


def test_a_job_for_no_project_in_particular_is_accepted_whatever_is_open() -> None:
    open_now: list[Path | None] = [A]
    _, slot, _ = make(supersede=False, open_project=open_now)
    slot.start(FakeWorker("w"), None)
    open_now[0] = B
    assert slot.accepts()


def test_cancel_drops_the_waiting_job_and_stops_the_running_one() -> None:
    runner, slot, idle = make(supersede=True)
    running, waiting = FakeWorker("run"), FakeWorker("wait")
    slot.start(running, A)
    slot.start(waiting, A)
    slot.cancel()
    runner.end(runner.started[0])
    assert [j.worker for j in runner.started] == [running] and idle == [1]
    assert not slot.busy()


def test_stop_waits_for_the_running_job_and_nothing_starts_once_the_runner_closed() -> None:
    runner, slot, _ = make(supersede=True)
    slot.start(FakeWorker("run"), A)
    slot.start(FakeWorker("wait"), A)
    slot.stop(5.0)
    assert runner.stopped == [(runner.started[0], 5.0)] and slot.pending is None
    runner.closed = True
    runner.end(runner.started[0])
    assert not slot.start(FakeWorker("late"), A) and len(runner.started) == 1


def test_the_end_of_a_job_the_slot_no_longer_holds_changes_nothing() -> None:
    runner, slot, idle = make(supersede=True)
    slot.start(FakeWorker("old"), A)
    old_job = runner.started[0]
    slot.start(FakeWorker("new"), A)
    runner.end(old_job)
    new_job = runner.started[1]
    runner.end(old_job)  # a second report of the old end
    assert slot.job is new_job and idle == []
