"""``nerstudio ARGS`` in a child process, supervised from a QThread: torch stays out of the
GUI process, so the window never stalls on it.

From source the child is ``python -m nerstudio ARGS``. In a frozen app (PyInstaller)
``sys.executable`` is the app itself, which has no ``-m``: its entry point dispatches CLI
subcommands, so the child is ``<app> ARGS``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from typing import IO

from nerstudio.core.errors import NerstudioError
from nerstudio.core.os_priority import BACKGROUND_VARIABLE
from nerstudio.gui.workers.runner import Worker

ERROR_PREFIX = "nerstudio: error: "
END_WAIT_S = 10.0  # after terminate, before kill


def nerstudio_command(args: list[str]) -> list[str]:
    """``[python, -m, nerstudio, *args]``, or ``[app, *args]`` when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "nerstudio", *args]


def error_line(stderr: str, fallback: str) -> str:
    """What a failed child says in one line: its last ``nerstudio: error:`` line (without
    the prefix), else its last line (a bug's ``nerstudio: internal error`` line as it is)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    line = next(
        (line for line in reversed(lines) if ERROR_PREFIX in line), lines[-1] if lines else ""
    )
    return line.replace(ERROR_PREFIX, "") or fallback


def child_environment() -> dict[str, str]:
    """The window's environment, plus the flag that makes a child yield to the window
    (``core.os_priority.run_in_background``: lower priority, one core left to the GUI)."""
    return {**os.environ, BACKGROUND_VARIABLE: "1"}


class ChildEnded(NerstudioError):
    """The child process ended while it was expected to answer."""


class ChildProcess(Worker):
    """Owns one child: its Popen, its stderr (a temporary file: a pipe nobody reads could
    fill and block the child), its error line and its end (terminate, wait, kill).

    Subclasses read its stdout in ``supervise``. ``stop()`` ends the child (a subclass may
    ask it more gently); ``abort()`` always terminates it.
    """

    stdin: int | None = None  # subprocess.PIPE for a child that reads requests

    def __init__(self, args: list[str]) -> None:
        super().__init__()
        self.command = nerstudio_command(args)
        self.process: subprocess.Popen | None = None
        self._stderr: IO[bytes] | None = None

    def supervise(self, process: subprocess.Popen) -> None:
        """Read the child's stdout until it ends (in the worker thread)."""
        raise NotImplementedError

    def stop(self) -> None:
        super().stop()
        self.abort()

    def abort(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()

    def work(self) -> None:
        with tempfile.TemporaryFile() as stderr:
            self._stderr = stderr
            try:
                self.process = subprocess.Popen(
                    self.command,
                    env=child_environment(),
                    stdin=self.stdin,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                    errors="replace",
                    bufsize=1,
                )
                if self.stopping.is_set():  # stopped while it started
                    self.abort()
                self.supervise(self.process)
            finally:
                self.end_process()
                self._stderr = None

    def end_process(self, timeout_s: float = END_WAIT_S) -> int | None:
        """Make sure the child has ended (terminate, wait, then kill); its exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):  # a pipe whose other end is gone
                    stream.close()
        return process.returncode

    def error_text(self, fallback: str) -> str:
        """The ended child's error line (``error_line``) from its stderr."""
        self.end_process()
        if self._stderr is None:
            return fallback
        self._stderr.seek(0)
        return error_line(self._stderr.read().decode("utf-8", "replace"), fallback)

    def ended(self, fallback: str) -> ChildEnded:
        """The error to raise when the child closed its stdout mid-conversation."""
        return ChildEnded(self.error_text(fallback))
