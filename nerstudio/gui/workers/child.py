"""``nerstudio ARGS --messages`` in a child process, supervised from a QThread: torch
stays out of the GUI process, so the window never stalls on it.

The child speaks ``core.child_protocol``: each stdout line is a typed message, decoded
here and handed to the owner (``receive``); a failure arrives as a ``ChildFailed``
message whose line the owner shows. A line that is no message is a ``ProtocolError``
naming the child.

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
from collections.abc import Iterator
from typing import IO, Any

from PySide6.QtCore import Signal

from nerstudio.core.child_protocol import ChildFailed, decode_line
from nerstudio.core.errors import NerstudioError
from nerstudio.core.os_priority import BACKGROUND_VARIABLE
from nerstudio.gui.workers.runner import Worker

END_WAIT_S = 10.0  # after terminate, before kill


def nerstudio_command(args: list[str]) -> list[str]:
    """``[python, -m, nerstudio, *args]``, or ``[app, *args]`` when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "nerstudio", *args]


def last_line(stderr: str, fallback: str) -> str:
    """What a child that failed without a ``ChildFailed`` message (killed, a usage error,
    a crash of Python itself) left last on stderr, as it is; else ``fallback``."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else fallback


def child_environment() -> dict[str, str]:
    """The window's environment, plus the flag that makes a child yield to the window
    (``core.os_priority.run_in_background``: lower priority, one core left to the GUI)."""
    return {**os.environ, BACKGROUND_VARIABLE: "1"}


class ChildEnded(NerstudioError):
    """The child process ended while it was expected to answer."""


class ChildProcess(Worker):
    """Owns one child: its Popen, its stderr (a temporary file: a pipe nobody reads could
    fill and block the child), its messages, its failure and its end (terminate, wait,
    kill).

    ``supervise`` hands each message to ``receive`` (by default: the ``received``
    signal) and reports a failed end on ``failed``; a subclass that converses with its
    child reads one message at a time (``next_message``). ``stop()`` ends the child (a
    subclass may ask it more gently); ``abort()`` always terminates it.
    """

    received = Signal(object)  # a message of the child (ChildFailed aside)
    stdin: int | None = None  # subprocess.PIPE for a child that reads requests

    def __init__(self, args: list[str]) -> None:
        super().__init__()
        self.command = nerstudio_command(args)
        self.child = " ".join(["nerstudio", *args[:1]])  # who a ProtocolError names
        self.process: subprocess.Popen | None = None
        self.failure: ChildFailed | None = None
        self._stderr: IO[bytes] | None = None

    def supervise(self, process: subprocess.Popen) -> None:
        """Hand the child's messages to ``receive`` until it ends, then say whether it
        failed (in the worker thread)."""
        assert process.stdout is not None
        for message in self.messages(process.stdout):
            self.receive(message)
        self.check_end(process.wait())

    def receive(self, message: Any) -> None:
        """One message of the child (in the worker thread)."""
        self.received.emit(message)

    def check_end(self, code: int) -> None:
        """A child that exited non-zero, unasked, failed: ``failed`` says its line."""
        if code != 0 and not self.stopping.is_set():
            self.failed.emit(self.error_text(f"exit code {code}"))

    def messages(self, stream: IO[str]) -> Iterator[Any]:
        """The child's messages until it closes its stdout; a ``ChildFailed`` is kept for
        ``error_text``, not handed on."""
        while (message := self.next_message(stream)) is not None:
            yield message

    def next_message(self, stream: IO[str]) -> Any | None:
        """The child's next message, or None once it closed its stdout."""
        for line in stream:
            if not line.strip():
                continue
            message = decode_line(line, self.child)
            if not isinstance(message, ChildFailed):
                return message
            self.failure = message
        return None

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
        """Why the child failed, in one line: its ``ChildFailed`` message, else what it
        left last on stderr (``last_line``), else ``fallback``."""
        if self.failure is not None:
            return self.failure.message
        self.end_process()
        if self._stderr is None:
            return fallback
        self._stderr.seek(0)
        return last_line(self._stderr.read().decode("utf-8", "replace"), fallback)

    def ended(self, fallback: str) -> ChildEnded:
        """The error to raise when the child closed its stdout mid-conversation."""
        return ChildEnded(self.error_text(fallback))
