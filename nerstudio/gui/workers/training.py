"""Training from the window: a child process supervised by a QThread.

Importing torch and transformers and loading a model hold Python's GIL for hundreds of
milliseconds at a time; in a thread of the GUI process that freezes the window. So the run
happens in ``python -m nerstudio train --events`` (the same core code as the CLI), this
worker reads its JSON event lines, and the GUI process never imports torch. Stopping
creates the run's stop file: the child finishes its step, keeps the best epoch and exits.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from nerstudio.core.training.config import TrainConfig
from nerstudio.core.training.events import StepLogged, TrainingDiscarded, event_from_json
from nerstudio.gui.workers.child import nerstudio_command

STEP_BATCH_SECONDS = 0.1  # steps are sent to the GUI at most ten times a second


def train_command(project: Path, config: TrainConfig, stop_file: Path) -> list[str]:
    """The CLI call that runs ``config`` (only options that differ from the defaults)."""
    command = [
        "train",
        str(project),
        "--model",
        config.base_model,
        "--method",
        config.method,
        "--events",
        "--stop-file",
        str(stop_file),
        "--batch-size",
        str(config.batch_size),
        "--max-length",
        str(config.max_length),
        "--seed",
        str(config.seed),
        "--device",
        config.device,
        "--precision",
        config.precision,
        "--patience",
        str(config.patience),
        "--dev-fraction",
        str(config.dev_fraction),
    ]
    if config.epochs is not None:
        command += ["--epochs", str(config.epochs)]
    if config.learning_rate is not None:
        command += ["--lr", str(config.learning_rate)]
    if config.name:
        command += ["--name", config.name]
    if config.train_word_embeddings:
        command.append("--train-word-embeddings")
    return nerstudio_command(command)


class TrainingWorker(QObject):
    """Emits core training events (frozen dataclasses) as they arrive from the child."""

    # TrainingStarted, TrainingWarning, EvalFinished, TrainingDone or TrainingDiscarded
    event = Signal(object)
    steps = Signal(object)  # a tuple of StepLogged, batched
    failed = Signal(str)
    finished = Signal()

    def __init__(self, project: Path, config: TrainConfig) -> None:
        super().__init__()
        self.project = project
        self.config = config
        folder = Path(tempfile.mkdtemp(prefix="nerstudio-stop-"))
        self.stop_file = folder / "stop"
        self.process: subprocess.Popen | None = None

    def stop(self) -> None:
        """Ask the run to end after its current step (safe to call from any thread)."""
        self.stop_file.touch()

    @Slot()
    def run(self) -> None:
        pending: list[StepLogged] = []
        discarded = False
        last_sent = time.monotonic()
        # stderr goes to a file, not a pipe: a pipe nobody reads could fill and block.
        error_log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finally)
        try:
            self.process = subprocess.Popen(
                train_command(self.project, self.config, self.stop_file),
                stdout=subprocess.PIPE,
                stderr=error_log,
                text=True,
                bufsize=1,
            )
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if not line.startswith("{"):
                    continue
                event = event_from_json(json.loads(line))
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
            if self.process.wait() != 0 and not discarded:
                error_log.seek(0)
                error = error_log.read().decode("utf-8", "replace")
                lines = [ln for ln in error.splitlines() if ln.strip()]
                message = next(
                    (ln for ln in reversed(lines) if "error:" in ln),
                    lines[-1] if lines else "training stopped unexpectedly",
                )
                self.failed.emit(message.replace("nerstudio: error: ", ""))
        except Exception as err:  # a thread boundary: report, never crash the window
            self.failed.emit(str(err))
        finally:
            self.stop_file.unlink(missing_ok=True)
            error_log.close()
            self.finished.emit()
