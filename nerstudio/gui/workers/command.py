"""A nerstudio CLI command in a child process (pre-annotation, the review check, agreement):
its messages go to the owner as they come, its error line when it fails."""

from __future__ import annotations

from nerstudio.gui.workers.child import ChildProcess

STOPPED = "stopped; the documents done so far keep their suggestions"


class CommandWorker(ChildProcess):
    """Runs ``nerstudio ARGS`` (ARGS end with ``--messages``); ``received`` emits each
    message, ``stop()`` ends the child (its finished chunks stay) and says so."""

    def check_end(self, code: int) -> None:
        if self.stopping.is_set():
            self.failed.emit(STOPPED)
        else:
            super().check_end(code)
