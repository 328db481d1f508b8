"""What a training run reports, as frozen dataclasses: plain data that may cross threads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


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


@dataclass(frozen=True)
class TrainingWarning:
    message: str


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


@dataclass(frozen=True)
class TrainingDiscarded:
    """The end of a run stopped before its first epoch ended: there is no model worth
    keeping, so nothing was saved and the run's row is gone. ``message`` says so in one
    line (the CLI prints it, the window shows it)."""

    run: str
    steps: int
    message: str


TrainEvent = (
    TrainingStarted | TrainingWarning | StepLogged | EvalFinished | TrainingDone | TrainingDiscarded
)


EVENT_TYPES = {
    cls.__name__: cls
    for cls in (
        TrainingStarted,
        TrainingWarning,
        StepLogged,
        EvalFinished,
        TrainingDone,
        TrainingDiscarded,
    )
}


def event_to_json(event: TrainEvent) -> dict[str, Any]:
    """An event as a JSON object (``type`` names the class), for the events stream."""
    return {"type": type(event).__name__, **asdict(event)}


def event_from_json(data: dict[str, Any]) -> TrainEvent:
    """The inverse of ``event_to_json``; unknown keys are ignored (newer writers)."""
    cls = EVENT_TYPES[data["type"]]
    known = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in known}
    if cls is TrainingStarted:
        values["labels"] = tuple(values["labels"])
    return cls(**values)
