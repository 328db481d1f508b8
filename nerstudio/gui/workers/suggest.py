"""``nerstudio suggest --messages --stdin-stop`` in a child process: a source (dictionary,
model folder, zero-shot, learnt) over every unfinished document, off the GUI process (a
model source loads torch there, never here). Its ``SuggestProgress`` and
``SuggestFinished`` messages reach the owner through ``ChildProcess.received``, its error
as the ``failed`` line. Stop closes the child's stdin, and it stops between batches,
keeping what it stored (and still saying so in its ``SuggestFinished``)."""

from __future__ import annotations

import contextlib
import subprocess
import threading

from nerstudio.gui.workers.child import ChildProcess


def suggest_arguments(project: str, spec: str, label_map: str = "") -> list[str]:
    args = ["suggest", project, "--source", spec, "--messages", "--stdin-stop"]
    return [*args, "--map", label_map] if label_map else args


class SuggestWorker(ChildProcess):
    """Runs ``nerstudio suggest`` for ``spec``; ``received`` emits its messages."""

    stdin = subprocess.PIPE

    def __init__(self, project: str, spec: str, label_map: str = "") -> None:
        super().__init__(suggest_arguments(project, spec, label_map))
        self.spec = spec
        self.stop_asked = threading.Event()

    def stop(self) -> None:
        """Ask the child to stop after its batch (safe from any thread). ``stopping`` stays
        clear: what the stopped run stored is a result the window shows."""
        self.stop_asked.set()  # before reading ``process``: ``supervise`` sees one of them
        self._close_stdin()

    def supervise(self, process: subprocess.Popen) -> None:
        if self.stop_asked.is_set():  # stopped while it started
            self._close_stdin()
        super().supervise(process)

    def _close_stdin(self) -> None:
        process = self.process
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                process.stdin.close()

    def abort(self) -> None:
        """End the child now (a quit that could not wait): no failure to report."""
        self.stopping.set()
        super().abort()
