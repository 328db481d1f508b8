"""Background priority for the window's child processes (training, prediction, serving).

The window sets ``NERSTUDIO_BACKGROUND=1`` for the processes it starts; each calls
``run_in_background()`` first thing, so a run yields the CPU to the window (and to
whatever else the user is doing): a lower scheduling priority, and one core left free.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

log = logging.getLogger(__name__)
BACKGROUND_VARIABLE = "NERSTUDIO_BACKGROUND"
BACKGROUND_NICENESS = 10


def background_requested(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process was started to run in the background."""
    return (os.environ if environ is None else environ).get(BACKGROUND_VARIABLE) == "1"


def usable_cores() -> int:
    """Cores this process may run on (its affinity where the system says), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def run_in_background(environ: Mapping[str, str] | None = None) -> bool:
    """Under ``NERSTUDIO_BACKGROUND=1``: niceness 10 (below normal on Windows) and torch
    threads = cores - 1 (at least 1). Returns whether it applied; a no-op otherwise.

    The niceness is raised *to* 10, never by 10 again, so calling it twice, or in a
    grandchild that inherits the variable, leaves it at 10.
    """
    if not background_requested(environ):
        return False
    _lower_priority()
    import torch  # the processes that run in the background all use torch

    threads = max(1, usable_cores() - 1)
    torch.set_num_threads(threads)
    log.info("running in the background: priority lowered, %d torch threads", threads)
    return True


def _lower_priority() -> None:
    if sys.platform == "win32":
        import psutil

        process = psutil.Process()
        if process.nice() == psutil.NORMAL_PRIORITY_CLASS:
            process.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if current < BACKGROUND_NICENESS:
            os.nice(BACKGROUND_NICENESS - current)
    except OSError as err:  # a sandbox may refuse it: run at normal priority
        log.warning("cannot lower this process's priority: %s", err)
