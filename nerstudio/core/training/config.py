"""TrainConfig: every setting of a run, with defaults that need no tuning, and ``FIELDS``,
the one table of those settings that the ``train`` command's flags, the window's child
command line and its training form are all built from."""

from __future__ import annotations

import argparse
import math
from dataclasses import MISSING, asdict, dataclass
from typing import Any, Literal

from nerstudio.core.errors import NerstudioError
from nerstudio.core.store.runs import check_run_name

Method = Literal["full", "head", "lora"]
METHODS = ("full", "head", "lora")
DEVICES = ("auto", "cpu", "cuda", "mps")
BACKENDS = ("auto", "torch", "onnx")
"""How a run predicts (``nerstudio.core.inference_onnx``); kept here, with the other
choices, so the CLI offers them without importing torch."""
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
    max_epochs: int = 40
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
    mention_copies: int | None = None
    self_training: bool = False
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
        for field in FIELDS:
            field.check(getattr(self, field.name))
        if not 0 < self.dev_fraction < 0.5:
            raise NerstudioError("dev fraction must be between 0 and 0.5")
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


FIRST_RUN_AFTER = 10
"""Done documents after which auto-retrain trains a project's first model (later runs come
every N more done): the defaults learn from that few (``tests/benchmarks/coldstart_bench.py``)."""

TARGET_STEPS = 375
MIN_EPOCHS = 5
# A tiny corpus trains for at least this many optimizer steps, over ``max_epochs`` if need
# be: 10 sentences are one step an epoch, and 20 epochs (the old ceiling) were 20 steps.
MIN_STEPS = 100
# Early stopping waits at least this many optimizer steps without a better dev F1: on a
# small corpus an epoch is a couple of steps, and "2 epochs" is noise (the 30-document
# sample stopped at F1 0.64 after 2 flat epochs; it keeps improving past epoch 15).
PATIENCE_MIN_STEPS = 50
# Below this many dev documents an epoch's dev F1 moves in steps of several points, so the
# "best" epoch is chance and early stopping ends runs at a lucky early epoch (50 train
# sentences, 8 held out, batch 8: stopped after 102 steps with the best at step 48, F1
# 0.38 on 1,000 CoNLL dev sentences; run for 378 steps, the best was still epoch 9).
# Such runs train their whole schedule and keep the last epoch (120 steps: F1 0.57); each
# epoch is still scored, for the chart.
FEW_DEV_DOCUMENTS = 30


def keeps_last_epoch(dev_documents: int) -> bool:
    """Whether a run scored on this many dev documents keeps its last epoch (no early stop)."""
    return dev_documents < FEW_DEV_DOCUMENTS


def effective_patience(patience: int, steps_per_epoch: int) -> int:
    """``patience`` epochs, but never fewer than PATIENCE_MIN_STEPS optimizer steps."""
    return max(patience, -(-PATIENCE_MIN_STEPS // max(1, steps_per_epoch)))


def default_epochs(train_windows: int, batch_size: int, max_epochs: int) -> int:
    """Enough passes for about 375 optimizer steps, at least MIN_EPOCHS, at most
    ``max_epochs`` — but never fewer than MIN_STEPS steps.

    Small corpora need many passes to converge; early stopping on dev F1 ends a run sooner
    when it stops improving. The floor is 5: on the full CoNLL-2003 train set (14,041
    sentences, MiniLM-L6, bf16) dev F1 on the epoch sample still rose every epoch of a
    5-epoch run (0.844, 0.888, 0.902, 0.910, 0.919) and the 5-epoch model scored 0.916 on
    the whole dev set against 0.911 after a 3-epoch run, the Trainer recipe's 0.912 beside
    it, in 47% of its time; an 8-epoch run overfit (dev loss lowest after epoch 3, F1
    0.912). The floor changes only corpora above 375 x 16 / 5 = 1,200 windows at the
    default batch size. The ceiling of 40 (20 before) and MIN_STEPS are for few-shot
    corpora (``tests/benchmarks/coldstart_bench.py``): 50 CoNLL sentences trained 60
    steps and scored 0.43 on the first 1,000 dev sentences; 120 steps, keeping the last
    epoch, scored 0.57; 10 sentences, 100 steps: 0.47.
    """
    steps_per_epoch = max(1, -(-train_windows // batch_size))
    epochs = min(max_epochs, max(MIN_EPOCHS, -(-TARGET_STEPS // steps_per_epoch)))
    return max(epochs, -(-MIN_STEPS // steps_per_epoch))


COPIES_BELOW = 500
"""A corpus of fewer training windows gets MENTION_COPIES mention-replaced copies of each
document by default (``tests/benchmarks/coldstart_bench.py``, 3 stretches of CoNLL-2003
train, all of dev: mean F1 +2.6 points at 50 sentences and +0.8 at 100, in 26% and 18%
less CPU time, as each epoch is longer and fewer of them are scored)."""
MENTION_COPIES = 3


def default_mention_copies(train_windows: int) -> int:
    """Mention-replaced copies of each document a run trains on when not told."""
    return MENTION_COPIES if train_windows < COPIES_BELOW else 0


MAX_EPOCHS = 10_000
MAX_SEED = 2**32 - 1  # numpy's seeds, which accelerate's set_seed sets too


@dataclass(frozen=True)
class Field:
    """One training option: the ``TrainConfig`` field, its ``train`` flag, how to read it.

    The default is the dataclass's (``MISSING`` where the option is required); ``in_form``
    says whether the window's training form shows it.
    """

    name: str
    flag: str
    type: type
    help: str
    choices: tuple[str, ...] | None = None
    in_form: bool = False
    low: float | None = None  # a number's bounds, inclusive
    high: float | None = None

    @property
    def default(self) -> Any:
        return TrainConfig.__dataclass_fields__[self.name].default

    def check(self, value: Any) -> None:
        """One line naming the option when ``value`` is no finite number in its bounds
        (a NaN learning rate, a seed numpy cannot take, a negative batch size)."""
        if value is None or self.type not in (int, float):
            return
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or (self.type is int and not isinstance(value, int)):
            kind = "a whole number" if self.type is int else "a number"
            raise NerstudioError(f"{self.flag} {value!r}: give {kind}")
        if not math.isfinite(value):
            raise NerstudioError(f"{self.flag} {value}: give a finite number")
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise NerstudioError(
                f"{self.flag} {value}: give a value from {_number(self.low)} to "
                f"{_number(self.high)}"
            )

    @property
    def dest(self) -> str:
        """The attribute argparse gives the flag's value (``--batch-size`` -> batch_size)."""
        return self.flag.removeprefix("--").replace("-", "_")


def _number(bound: float | None) -> str:
    """A bound as the user types it: 4294967295, 0.5, 1e+06; none: 'any'."""
    if bound is None:
        return "any"
    return str(bound) if isinstance(bound, int) else f"{bound:g}"


FIELDS: tuple[Field, ...] = (
    Field("base_model", "--model", str, "hub id or local model folder", in_form=True),
    Field(
        "method",
        "--method",
        str,
        "full: every weight; head: the classifier only; lora: adapters",
        METHODS,
        in_form=True,
    ),
    Field(
        "epochs",
        "--epochs",
        int,
        "default: from the corpus size, early stopping",
        in_form=True,
        low=1,
        high=MAX_EPOCHS,
    ),
    Field(
        "max_epochs",
        "--max-epochs",
        int,
        "at most this many when --epochs is not given (a tiny corpus still gets 100 steps)",
        low=1,
        high=MAX_EPOCHS,
    ),
    Field("batch_size", "--batch-size", int, "windows per step", in_form=True, low=1, high=65536),
    Field(
        "learning_rate",
        "--lr",
        float,
        "default: from the model's size",
        in_form=True,
        low=0,
        high=10,
    ),
    Field(
        "head_learning_rate_factor",
        "--head-lr-factor",
        float,
        "full runs: the fresh classifier's learning rate as a multiple of --lr",
        low=0,
        high=10_000,
    ),
    Field(
        "warmup_ratio", "--warmup-ratio", float, "share of the steps that warm up", low=0, high=1
    ),
    Field("weight_decay", "--weight-decay", float, "AdamW's weight decay", low=0, high=1),
    Field(
        "max_grad_norm",
        "--max-grad-norm",
        float,
        "clip gradients to this norm; 0: never",
        low=0,
        high=1e6,
    ),
    Field(
        "max_length",
        "--max-length",
        int,
        "sub-words per window",
        in_form=True,
        low=16,
        high=1_000_000,
    ),
    Field(
        "seed",
        "--seed",
        int,
        "for the head, the batches' order and dropout",
        low=0,
        high=MAX_SEED,
    ),
    Field("device", "--device", str, "where it trains", DEVICES),
    Field(
        "precision",
        "--precision",
        str,
        "auto: bf16 or fp16 on a GPU; bf16 on a CPU with native bf16, else fp32",
        PRECISIONS,
    ),
    Field(
        "patience",
        "--patience",
        int,
        "epochs without gain before stopping",
        low=0,
        high=MAX_EPOCHS,
    ),
    Field("dev_fraction", "--dev-fraction", float, "held out when there is no dev split"),
    Field(
        "eval_limit",
        "--eval-limit",
        int,
        "dev documents scored after each epoch",
        low=1,
        high=10**9,
    ),
    Field("lora_rank", "--lora-rank", int, "rank of the LoRA adapters", low=1, high=4096),
    Field(
        "train_word_embeddings",
        "--train-word-embeddings",
        bool,
        "also train the vocabulary embeddings (default: kept as pretrained, which is "
        "faster; use for a model that was not pretrained)",
        in_form=True,
    ),
    Field(
        "mention_copies",
        "--mention-copies",
        int,
        "train also on this many copies of each document with its entities swapped for "
        "others of the same label, in the same number of steps (default: 3 below "
        f"{COPIES_BELOW} training windows unless --epochs is given, else 0)",
        low=0,
        high=100,
    ),
    Field(
        "self_training",
        "--self-training",
        bool,
        "then label the untouched documents with the model and train on as many steps "
        "again with those it is sure of (at most 2,000 read; nothing is stored)",
        in_form=True,
    ),
    Field("name", "--name", str, "run name (default: run-DATE-TIME)"),
)


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``train`` command's option flags, one per entry of ``FIELDS``."""
    for field in FIELDS:
        if field.type is bool:  # a switch that turns on what is off by default
            parser.add_argument(field.flag, action="store_true", help=field.help)
            continue
        required = field.default is MISSING
        shown = "" if required or field.default is None else f" (default: {field.default})"
        parser.add_argument(
            field.flag,
            type=field.type,
            choices=field.choices,
            required=required,
            default=None if required else field.default,
            help=field.help + shown,
        )


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The ``TrainConfig`` that parsed ``train`` flags (``add_train_arguments``) describe."""
    return TrainConfig(**{field.name: getattr(args, field.dest) for field in FIELDS})


def cli_arguments(config: TrainConfig) -> list[str]:
    """The ``train`` flags that give ``config``: one for every option off its default."""
    arguments: list[str] = []
    for field in FIELDS:
        value = getattr(config, field.name)
        if value == field.default:
            continue
        if field.type is bool:  # a switch: on where the default is off
            if value is not True:
                raise ValueError(f"{field.flag} can only switch {field.name} on")
            arguments.append(field.flag)
        elif value is None:
            raise ValueError(f"{field.name} None has no {field.flag} to say it")
        else:
            text = str(value)
            # a value that starts like a flag must be attached to its own
            arguments += [f"{field.flag}={text}"] if text.startswith("-") else [field.flag, text]
    return arguments
