"""What a training run reports, as frozen dataclasses: plain data that may cross threads,
and the messages ``train --messages`` sends the window (``core.child_protocol``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nerstudio.core.child_protocol import child_message


@child_message
@dataclass(frozen=True)
class TrainingStarted:
    run: str
    path: str
    device: str
    precision: str
    labels: tuple[str, ...]
    train_documents: int
    dev_documents: int
    train_windows: int
    windowed_documents: int
    epochs: int
    total_steps: int
    learning_rate: float
    trainable_parameters: int
    parameters: int
    device_name: str = ""


@child_message
@dataclass(frozen=True)
class TrainingWarning:
    message: str


@child_message
@dataclass(frozen=True)
class TrainingNote:
    """What the run does next, in one line (self-training's second round)."""

    message: str


@child_message
@dataclass(frozen=True)
class StepLogged:
    step: int
    total_steps: int
    epoch: float
    loss: float
    learning_rate: float
    tokens_per_s: float
    sentences_per_s: float
    eta_seconds: float


@child_message
@dataclass(frozen=True)
class EvalFinished:
    epoch: int
    step: int
    dev_loss: float
    f1: float
    precision: float
    recall: float
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    is_best: bool = False


@child_message
@dataclass(frozen=True)
class TrainingDone:
    """The end of a run whose folder was saved at ``path``: ``status`` is completed,
    early_stopped or cancelled (stopped after an epoch: its best epoch is kept)."""

    run: str
    path: str
    status: str
    best_epoch: int | None
    dev: dict[str, Any]
    summary: dict[str, Any]


@child_message
@dataclass(frozen=True)
class TrainingDiscarded:
    """The end of a run stopped before its first epoch ended: there is no model worth
    keeping, so nothing was saved and the run's row is gone. ``message`` says so in one
    line (the CLI prints it, the window shows it)."""

    run: str
    steps: int
    message: str


TrainEvent = (
    TrainingStarted
    | TrainingWarning
    | TrainingNote
    | StepLogged
    | EvalFinished
    | TrainingDone
    | TrainingDiscarded
)

