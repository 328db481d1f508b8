"""The one way the window runs a background job: a ``Worker`` in its own QThread.

superqt's wiring (``started -> run``, ``finished -> quit``, ``deleteLater`` for the worker
and the thread) with what the window needs on top: a handle per job, stopping it with a
bounded wait (the worker's ``stop()``, then its ``abort()``), and stopping every job on
quit. Cancelling is a ``threading.Event`` the worker checks, never a signal: a busy worker
receives no queued signals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from nerstudio.core.bug_report import user_message

log = logging.getLogger(__name__)

ABORT_WAIT_S = 10.0  # after ``abort()``: a child is terminated, then killed


class Worker(QObject):
    """A job's work, done in its thread by ``work()``. ``run()`` catches everything once
    and emits ``failed`` (unless the job was stopped), then always ``finished``. Only plain
    immutable data may go out through its signals."""

    failed = Signal(str)
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.stopping = threading.Event()

    def work(self) -> None:
        raise NotImplementedError

    def cleanup(self) -> None:
        """After ``work()``, whatever happened (in the worker thread)."""

    def stop(self) -> None:
        """Ask the work to end soon (safe from any thread)."""
        self.stopping.set()

    def abort(self) -> None:
        """End the work now, when ``stop()`` was not enough in time (from any thread)."""

    @Slot()
    def run(self) -> None:
        try:
            self.work()
        except Exception as err:  # a thread boundary: report, never crash the window
            if not self.stopping.is_set():
                self.failed.emit(user_message(err))
        finally:
            self.cleanup()
            self.finished.emit()


class Job:
    """A started worker and its thread (the handle ``JobRunner.start`` returns)."""

    def __init__(self, worker: Worker, thread: QThread, ended: Callable[[], object] | None):
        self.worker = worker
        self.thread = thread
        self.on_ended = ended
        self.ended = False  # its thread has finished (and is deleted soon after)

    def is_running(self) -> bool:
        return not self.ended

    def __repr__(self) -> str:
        state = "ended" if self.ended else "running"
        return f"<Job {type(self.worker).__name__} {state}>"


class JobRunner(QObject):
    """Starts workers in threads, keeps them referenced until their thread has finished,
    and stops them with bounded waits. Lives on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[Job] = []
        self.closed = False  # stop_all ran: the window is going, start nothing new

    def start(self, worker: Worker, ended: Callable[[], object] | None = None) -> Job:
        """Run ``worker.run`` in a new thread; ``ended`` is called on the GUI thread once
        the thread has finished. Connect the worker's own signals before this."""
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: quit() is thread-safe, and a GUI thread blocked in wait() (on close)
        # would never run a queued one.
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(worker.deleteLater)
        thread.finished.connect(self._thread_finished)  # before the thread's deleteLater
        thread.finished.connect(thread.deleteLater)
        job = Job(worker, thread, ended)
        self.jobs.append(job)
        thread.start()
        return job

    def stop(self, job: Job, timeout_s: float) -> bool:
        """Ask the job to stop and wait at most ``timeout_s`` (then ``abort()`` it and wait
        a little more); whether it has ended."""
        if job.ended:
            return True
        job.worker.stop()
        return self._wait_or_abort([job], time.monotonic() + timeout_s)

    def stop_all(self, timeout_s: float) -> bool:
        """On quit: ask every job to stop, wait for all of them at most ``timeout_s``, abort
        what still runs; whether all have ended."""
        self.closed = True
        jobs = list(self.jobs)
        for job in jobs:
            job.worker.stop()
        return self._wait_or_abort(jobs, time.monotonic() + timeout_s)

    def cancel(self, job: Job) -> None:
        """Ask a job to stop without waiting (a menu action: the GUI thread never blocks);
        it ends on its own, and its ``ended`` is called then."""
        if not job.ended:
            job.worker.stop()

    def _wait_or_abort(self, jobs: list[Job], deadline: float) -> bool:
        left = [job for job in jobs if not self._wait(job, deadline)]
        for job in left:
            job.worker.abort()
        deadline = time.monotonic() + ABORT_WAIT_S
        left = [job for job in left if not self._wait(job, deadline)]
        for job in left:
            log.warning("%r did not stop in time", job)
        return not left

    def _wait(self, job: Job, deadline: float) -> bool:
        if job.ended:
            return True
        ms = max(0, int(1000 * (deadline - time.monotonic())))
        if not job.thread.wait(ms):
            return False
        self._end(job)
        return True

    @Slot()
    def _thread_finished(self) -> None:
        thread = self.sender()
        job = next((j for j in self.jobs if j.thread is thread), None)
        if job is not None:
            job.thread.wait()  # ``finished`` is the thread's last word; let it end
            self._end(job)

    def _end(self, job: Job) -> None:
        if job.ended:
            return
        job.ended = True
        self.jobs.remove(job)
        if job.on_ended is not None:
            job.on_ended()
