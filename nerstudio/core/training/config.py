"""TrainConfig: every setting of a run, with defaults that need no tuning."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from nerstudio.core.errors import NerstudioError
from nerstudio.core.store.runs import check_run_name

Method = Literal["full", "head", "lora"]
METHODS = ("full", "head", "lora")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "fp16", "bf16")


@dataclass(frozen=True)
class TrainConfig:
    """A run's settings. ``None`` means 'choose for me' (resolved when training starts).

    ``learning_rate`` None picks one from the model's size (small encoders want larger
    steps); ``epochs`` None picks a number from the corpus size (see ``default_epochs``).
    The evaluation after each epoch, which picks the best epoch and stops early, uses at
    most ``eval_limit`` dev documents (a fixed spread sample); the best model is then scored
    on the whole dev split.

    ``train_word_embeddings`` False keeps the vocabulary's embedding matrix as pretrained
    in ``full`` runs: each step then skips a dense vocab x hidden gradient and its AdamW
    update (half of MiniLM's weights), which is where much of a short-sentence step goes.
    """

    base_model: str
    method: Method = "full"
    epochs: int | None = None
    max_epochs: int = 20
    batch_size: int = 16
    learning_rate: float | None = None
    head_learning_rate_factor: float = 10.0
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    max_length: int = 256
    seed: int = 13
    device: str = "auto"
    precision: str = "auto"
    patience: int = 2
    dev_fraction: float = 0.1
    eval_limit: int = 1000
    lora_rank: int = 16
    train_word_embeddings: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise NerstudioError(f"method {self.method!r}: use one of {', '.join(METHODS)}")
        if self.device not in DEVICES:
            raise NerstudioError(f"device {self.device!r}: use one of {', '.join(DEVICES)}")
        if self.precision not in PRECISIONS:
            raise NerstudioError(
                f"precision {self.precision!r}: use one of {', '.join(PRECISIONS)}"
            )
        if self.batch_size < 1 or (self.epochs is not None and self.epochs < 1):
            raise NerstudioError("batch size and epochs must be at least 1")
        if not 0 < self.dev_fraction < 0.5:
            raise NerstudioError("dev fraction must be between 0 and 0.5")
        if self.max_length < 16:
            raise NerstudioError("max length must be at least 16 sub-word tokens")
        if self.name is not None:
            check_run_name(self.name)  # a folder name in the runs folder, never a path

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def default_learning_rate(parameters: int, method: str) -> float:
    """A learning rate for the encoder by its size: ~1e-4 for MiniLM, 5e-5 base, 2e-5 large.

    A frozen encoder (``head``) only trains the classifier, which wants much larger steps;
    LoRA adapters likewise train best around 1e-3..5e-4.
    """
    if method == "head":
        return 5e-3
    if method == "lora":
        return 5e-4 if parameters > 200e6 else 1e-3
    if parameters < 40e6:
        return 1.5e-4
    if parameters < 200e6:
        return 5e-5
    return 2e-5


TARGET_STEPS = 375
# Early stopping waits at least this many optimizer steps without a better dev F1: on a
# small corpus an epoch is a couple of steps, and "2 epochs" is noise (the 30-document
# sample stopped at F1 0.64 after 2 flat epochs; it keeps improving past epoch 15).
PATIENCE_MIN_STEPS = 50


def effective_patience(patience: int, steps_per_epoch: int) -> int:
    """``patience`` epochs, but never fewer than PATIENCE_MIN_STEPS optimizer steps."""
    return max(patience, -(-PATIENCE_MIN_STEPS // max(1, steps_per_epoch)))


def default_epochs(train_windows: int, batch_size: int, max_epochs: int) -> int:
    """Enough passes for about 375 optimizer steps, at least 2 and at most ``max_epochs``.

    Small corpora need many passes to converge, large ones few (measured on CoNLL-2003 with
    MiniLM: 2,000 sentences peak around 3 epochs); early stopping on dev F1 ends a run
    sooner when it stops improving.
    """
    steps_per_epoch = max(1, -(-train_windows // batch_size))
    return max(2, min(max_epochs, -(-TARGET_STEPS // steps_per_epoch)))
