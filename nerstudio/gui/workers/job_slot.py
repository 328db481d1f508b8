"""One job of a kind at a time: the review check, a training run, the queue's order, ...

A ``JobSlot`` holds the running job of its kind. A newer job either supersedes it (the
older one is cancelled; the newer starts once it has ended, so never two run at once) or
is refused while it runs (a training run is not replaced by a second click). Results
reach the owner only while ``accepts()``: from the slot's current job, not cancelled,
and for the project that is open now. Owners check it first thing in their result slots
instead of each keeping its own counters and project checks.

Qt-free on purpose (the runner is passed in): its rules are tested without a window.
Results queued by a job's thread arrive before that thread's end, so while a job is the
slot's current one, whatever arrives is that job's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol


class Runner(Protocol):
    """What the slot needs of ``runner.JobRunner``."""

    closed: bool

    def start(self, worker: Any, ended: Callable[[], object] | None = None) -> Any: ...

    def cancel(self, job: Any) -> None: ...

    def stop(self, job: Any, timeout_s: float) -> bool: ...


class JobSlot:
    """The one running job of a kind (``job``: a ``runner.Job``, or None)."""

    def __init__(
        self,
        runner: Runner,
        open_project: Callable[[], Path | None],
        *,
        supersede: bool,
        idle: Callable[[], object] | None = None,
    ) -> None:
        """``open_project``: the project open now; ``supersede``: a newer job replaces
        the running one (else it is refused); ``idle``: called when a job has ended and
        none follows."""
        self.runner = runner
        self.open_project = open_project
        self.supersede = supersede
        self.idle = idle
        self.job: Any = None
        self.project: Path | None = None  # the running job's
        self.pending: tuple[Any, Path | None] | None = None

    @property
    def worker(self) -> Any:
        """The running job's worker, or None."""
        return self.job.worker if self.job is not None else None

    def busy(self) -> bool:
        """A job runs (perhaps a cancelled one, finishing) or waits to start."""
        return self.job is not None or self.pending is not None

    def start(self, worker: Any, project: Path | None) -> bool:
        """Run ``worker`` for ``project`` (None: results whatever is open); whether it
        runs or will (False: refused, or the window is closing). Connect its signals
        first."""
        if self.runner.closed:
            return False
        if self.job is None:
            self._start(worker, project)
            return True
        if not self.supersede:
            return False
        self.pending = (worker, project)
        self.runner.cancel(self.job)  # the newer one starts when it has ended
        return True

    def cancel(self) -> None:
        """Drop the waiting job and ask the running one to stop (without waiting)."""
        self.pending = None
        if self.job is not None:
            self.runner.cancel(self.job)

    def stop(self, timeout_s: float) -> None:
        """On quit: drop the waiting job, stop the running one and wait at most
        ``timeout_s``."""
        self.pending = None
        if self.job is not None:
            self.runner.stop(self.job, timeout_s)

    def accepts(self) -> bool:
        """Whether a result arriving now is to be used: the current job's, not cancelled
        (superseded), and for the project open now."""
        if self.job is None or self.job.worker.stopping.is_set():
            return False
        return self.project is None or self.open_project() == self.project

    def _start(self, worker: Any, project: Path | None) -> None:
        self.project = Path(project) if project is not None else None
        job = self.runner.start(worker, ended=lambda: self._ended(job))
        self.job = job

    def _ended(self, job: Any) -> None:
        if job is not self.job:
            return
        self.job = self.project = None
        waiting, self.pending = self.pending, None
        if waiting is not None and not self.runner.closed:
            self._start(*waiting)
        elif self.idle is not None:
            self.idle()


def open_project_path(state: Any) -> Callable[[], Path | None]:
    """The ``open_project`` of a slot owned beside the window's state."""
    return lambda: state.project.path if state.project is not None else None
