"""``nerstudio suggest --json --stdin-stop`` in a child process: a source (dictionary,
model folder, zero-shot, learnt) over every unfinished document, off the GUI process (a
model source loads torch there, never here). Progress and the result come as JSON lines;
Stop closes the child's stdin, and it stops between batches, keeping what it stored."""

from __future__ import annotations

import contextlib
import json
import subprocess

from PySide6.QtCore import Signal

from nerstudio.gui.workers.child import ChildProcess


def suggest_arguments(project: str, spec: str, label_map: str = "") -> list[str]:
    args = ["suggest", project, "--source", spec, "--json", "--stdin-stop"]
    return [*args, "--map", label_map] if label_map else args


class SuggestWorker(ChildProcess):
    """Emits ``progress(done, total)`` per batch and ``succeeded(result)`` at the end (the
    child's result object: run, stored, total, stopped, dropped)."""

    progress = Signal(int, int)
    succeeded = Signal(object)

    stdin = subprocess.PIPE

    def __init__(self, project: str, spec: str, label_map: str = "") -> None:
        super().__init__(suggest_arguments(project, spec, label_map))
        self.spec = spec

    def stop(self) -> None:
        """Ask the child to stop after its batch (safe from any thread)."""
        self.stopping.set()
        process = self.process
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                process.stdin.close()

    def supervise(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        result = None
        for line in process.stdout:
            if not line.startswith("{"):
                continue
            data = json.loads(line)
            if "done" in data:
                self.progress.emit(int(data["done"]), int(data["total"]))
            elif "run" in data:
                result = data
        code = process.wait()
        if code == 0 and result is not None:
            self.succeeded.emit(result)
        else:
            self.failed.emit(self.error_text(f"exit code {code}"))
