"""A nerstudio CLI command in a child process (pre-annotation, the review check): its last
line of output when it succeeds, its error line when it fails."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Signal

from nerstudio.gui.workers.child import ChildProcess

STOPPED = "stopped; the documents done so far keep their suggestions"


class CommandWorker(ChildProcess):
    """Runs ``python -m nerstudio ARGS``; ``stop()`` ends it (its finished chunks stay)."""

    succeeded = Signal(str)  # the command's last line of output

    def supervise(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        lines = process.stdout.read().strip().splitlines()
        code = process.wait()
        if self.stopping.is_set():
            self.failed.emit(STOPPED)
        elif code == 0:
            self.result(lines[-1] if lines else "done")
        else:
            self.failed.emit(self.error_text(f"exit code {code}"))

    def result(self, last_line: str) -> None:
        """What the command printed last, when it succeeded (a subclass may read it)."""
        self.succeeded.emit(last_line)
