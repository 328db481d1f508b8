"""A nerstudio CLI command in a child process, supervised from a QThread (torch stays out
of the GUI process, so the window never stalls on it)."""

from __future__ import annotations

import subprocess
import tempfile

from PySide6.QtCore import QObject, Signal, Slot

from nerstudio.core.bug_report import user_message
from nerstudio.gui.workers.child import nerstudio_command


class CommandWorker(QObject):
    """Runs ``python -m nerstudio ARGS``; ``stop()`` ends it (its finished chunks stay)."""

    succeeded = Signal(str)  # the command's last line of output
    failed = Signal(str)
    finished = Signal()

    def __init__(self, args: list[str]) -> None:
        super().__init__()
        self.command = nerstudio_command(args)
        self.process: subprocess.Popen | None = None
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    @Slot()
    def run(self) -> None:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            try:
                self.process = subprocess.Popen(self.command, stdout=out, stderr=err)
                code = self.process.wait()
                out.seek(0)
                err.seek(0)
                lines = out.read().decode("utf-8", "replace").strip().splitlines()
                errors = err.read().decode("utf-8", "replace").strip().splitlines()
                if self.stopped:
                    self.failed.emit("stopped; the documents done so far keep their suggestions")
                elif code == 0:
                    self.succeeded.emit(lines[-1] if lines else "done")
                else:
                    message = next(
                        (e for e in reversed(errors) if "error:" in e),
                        errors[-1] if errors else f"exit code {code}",
                    )
                    self.failed.emit(message.replace("nerstudio: error: ", ""))
            except Exception as exc:  # a thread boundary: report, never crash the window
                self.failed.emit(user_message(exc))
            finally:
                self.finished.emit()
