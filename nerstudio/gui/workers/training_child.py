"""Training from the window: a child process supervised by a QThread.

Importing torch and transformers and loading a model hold Python's GIL for hundreds of
milliseconds at a time; in a thread of the GUI process that freezes the window. So the run
happens in ``python -m nerstudio train --messages`` (the same core code as the CLI), this
worker reads its events (``core.child_protocol`` messages), and the GUI process never
imports torch. Stopping
creates the run's stop file: the child finishes its step, keeps the best epoch and exits.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Signal

from nerstudio.core.training.config import TrainConfig, cli_arguments
from nerstudio.core.training.events import StepLogged, TrainingDiscarded
from nerstudio.gui.workers.child import ChildProcess, nerstudio_command

STEP_BATCH_SECONDS = 0.1  # steps are sent to the GUI at most ten times a second


def train_arguments(project: Path, config: TrainConfig, stop_file: Path) -> list[str]:
    """The ``train`` arguments that run ``config`` (only options off their defaults)."""
    events = ["--messages", "--stop-file", str(stop_file)]
    return ["train", str(project), *events, *cli_arguments(config)]


def train_command(project: Path, config: TrainConfig, stop_file: Path) -> list[str]:
    """The command line of the child that runs ``config``."""
    return nerstudio_command(train_arguments(project, config, stop_file))


class TrainingWorker(ChildProcess):
    """Emits core training events (frozen dataclasses) as they arrive from the child."""

    # TrainingStarted, TrainingWarning, TrainingNote, EvalFinished, TrainingDone or
    # TrainingDiscarded
    event = Signal(object)
    steps = Signal(object)  # a tuple of StepLogged, batched

    def __init__(self, project: Path, config: TrainConfig) -> None:
        stop_file = Path(tempfile.mkdtemp(prefix="nerstudio-stop-")) / "stop"
        super().__init__(train_arguments(project, config, stop_file))
        self.stop_file = stop_file
        self.project = project
        self.config = config

    def stop(self) -> None:
        """Ask the run to end after its current step (safe to call from any thread); the
        child keeps its best epoch. ``abort()`` ends it at once."""
        self.stop_file.touch()

    def cleanup(self) -> None:
        self.stop_file.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.stop_file.parent.rmdir()

    def supervise(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        pending: list[StepLogged] = []
        discarded = False
        last_sent = time.monotonic()
        for event in self.messages(process.stdout):
            if isinstance(event, StepLogged):
                pending.append(event)
                if time.monotonic() - last_sent >= STEP_BATCH_SECONDS:
                    self.steps.emit(tuple(pending))
                    pending, last_sent = [], time.monotonic()
                continue
            if pending:
                self.steps.emit(tuple(pending))
                pending = []
            discarded = discarded or isinstance(event, TrainingDiscarded)
            self.event.emit(event)
        if pending:
            self.steps.emit(tuple(pending))
        # A run stopped before its first epoch exits 130 on purpose; the event said so.
        code = process.wait()
        if code != 0 and not discarded:
            self.failed.emit(self.error_text("training stopped unexpectedly"))
