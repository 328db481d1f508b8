"""Fine-tuning a Hugging Face encoder on a project's done documents.

``train(project_path, config)`` is a generator of events (see ``events``): the CLI prints
them, or writes them as JSON lines for the window, which runs training as that child
process (``gui/workers``) and never imports torch. Qt-free, and the same under torchrun.
"""

from nerstudio.core.training.config import TrainConfig
from nerstudio.core.training.events import (
    EvalFinished,
    StepLogged,
    TrainEvent,
    TrainingDiscarded,
    TrainingDone,
    TrainingNote,
    TrainingStarted,
    TrainingWarning,
)


def __getattr__(name: str):
    """``train`` loads torch; import it only when asked, so config and events stay light."""
    if name == "train":
        from nerstudio.core.training.loop import train

        return train
    raise AttributeError(name)


__all__ = [
    "EvalFinished",
    "StepLogged",
    "TrainConfig",
    "TrainEvent",
    "TrainingDiscarded",
    "TrainingDone",
    "TrainingNote",
    "TrainingStarted",
    "TrainingWarning",
    "train",
]
