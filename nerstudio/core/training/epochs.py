"""The epochs of a run: steps, an evaluation after each epoch that keeps the best weights
(or the last, on a tiny dev set), early stopping; ``Progress`` counts what they did, over
every round of a run (self-training's second round goes on counting)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import torch

from nerstudio.core.errors import NerstudioError
from nerstudio.core.store import MetricPoint, Project
from nerstudio.core.training import data, events, metrics
from nerstudio.core.training.metrics import EVAL_BATCH_SIZE, Scores
from nerstudio.core.training.prepare import Setup


@dataclass(frozen=True)
class Best:
    """The best epoch so far: its dev F1, its number, its weights (on the CPU), its scores."""

    f1: float = -1.0
    epoch: int | None = None
    state: dict[str, torch.Tensor] | None = None
    scores: Scores | None = None


@dataclass
class Progress:
    """How far the epochs got: counters for the summary, the best epoch, and the metric
    points not yet written to the project."""

    started: float = field(default_factory=time.perf_counter)
    status: str = "completed"  # or cancelled, early_stopped
    step: int = 0
    step_seconds: float = 0.0
    eval_seconds: float = 0.0
    seen_tokens: int = 0
    seen_sentences: int = 0
    padded_tokens: int = 0
    bad_epochs: int = 0
    step_base: int = 0  # steps and epochs of the rounds before this one (self-training)
    epoch_base: int = 0
    best: Best = field(default_factory=Best)
    points: list[MetricPoint] = field(default_factory=list)
    pseudo_documents: int = 0  # joined the training by self-training

    def epoch_at(self, step: int, steps_per_epoch: int) -> float:
        """The epoch (fractional) that ``step`` falls in, over every round so far."""
        return self.epoch_base + (step - self.step_base) / steps_per_epoch


def run_epochs(
    setup: Setup,
    should_stop: Callable[[], bool],
    project: Project | None,
    run_id: int | None,
    progress: Progress,
) -> Generator[events.TrainEvent, None, Progress]:
    """Train epoch by epoch, each scored on dev; returns how far it got.

    Ends at the last epoch (completed), when ``should_stop`` says so before a step
    (cancelled), or when dev F1 has not improved for ``setup.patience`` epochs
    (early_stopped). Each epoch's points go to the project as it ends. A second round
    (self-training) goes on counting from where ``progress`` stands."""
    last = progress.epoch_base + setup.epochs
    for epoch in range(progress.epoch_base + 1, last + 1):
        setup.sampler.set_epoch(epoch)
        setup.model.train()
        for batch in setup.loader:
            if should_stop():
                progress.status = "cancelled"
                return progress
            yield _step(setup, batch, progress)
        evaluated = _evaluate_epoch(setup, epoch, progress)
        if project is not None:
            project.runs.log(run_id, progress.points)
        progress.points = []
        yield evaluated
        stalled = setup.config.patience and progress.bad_epochs >= setup.patience
        if stalled and epoch < last:
            progress.status = "early_stopped"
            break
    return progress


def _step(setup: Setup, batch: dict[str, torch.Tensor], progress: Progress) -> events.StepLogged:
    """One optimizer step on ``batch``, counted in ``progress``."""
    accelerator, model = setup.accelerator, setup.model
    tick = time.perf_counter()
    with setup.autocast():
        loss = model(**batch).loss
    accelerator.backward(loss)
    if setup.config.max_grad_norm:
        accelerator.clip_grad_norm_(model.parameters(), setup.config.max_grad_norm)
    setup.optimizer.step()
    setup.scheduler.step()
    setup.optimizer.zero_grad(set_to_none=True)
    loss_value = float(loss.detach())
    _refuse_divergence(setup, progress.step + 1, loss_value)
    progress.step_seconds += time.perf_counter() - tick
    progress.step += 1
    processes = accelerator.num_processes
    progress.seen_tokens += int(batch["attention_mask"].sum()) * processes
    progress.padded_tokens += batch["input_ids"].numel() * processes
    progress.seen_sentences += len(batch["input_ids"]) * processes
    step, seconds = progress.step, progress.step_seconds
    epoch = progress.epoch_at(step, setup.steps_per_epoch)
    total = progress.step_base + setup.total_steps
    progress.points.append(MetricPoint(step, epoch, "train_loss", loss_value))
    return events.StepLogged(
        step=step,
        total_steps=total,
        epoch=epoch,
        loss=loss_value,
        learning_rate=setup.scheduler.get_last_lr()[0],
        tokens_per_s=progress.seen_tokens / seconds,
        sentences_per_s=progress.seen_sentences / seconds,
        eta_seconds=(total - step) / (step / seconds),
    )


def _refuse_divergence(setup: Setup, step: int, loss: float) -> None:
    """A NaN or infinite loss: the weights are lost, and NaN metrics cannot be stored."""
    if not math.isfinite(loss):
        raise NerstudioError(
            f"the training diverged at step {step} (loss {loss}); lower --lr (it was "
            f"{setup.learning_rate:g}) and train again"
        )


def _evaluate_epoch(setup: Setup, epoch: int, progress: Progress) -> events.EvalFinished:
    """Score the epoch on the dev sample; keep its weights when it is the best so far."""
    tick = time.perf_counter()
    model = setup.accelerator.unwrap_model(setup.model)
    scores = score_examples(setup, model, setup.select_enc, setup.select)
    progress.eval_seconds += time.perf_counter() - tick
    _refuse_divergence(setup, progress.step, scores.loss)
    improved = setup.keep_last or scores.f1 > progress.best.f1
    if improved:
        progress.best = Best(scores.f1, epoch, _cpu_state(model), scores)
        progress.bad_epochs = 0
    elif progress.best.f1 > 0:
        # Patience counts only once the model finds entities at all: on a small
        # corpus the first epochs score about 0 while the loss still falls (the
        # 30-document sample: F1 0.01, 0, 0 in epochs 1-3, and an early stop there).
        progress.bad_epochs += 1
    step = progress.step
    progress.points += [
        MetricPoint(step, epoch, "dev_loss", scores.loss),
        MetricPoint(step, epoch, "dev_f1", scores.f1),
        MetricPoint(step, epoch, "dev_precision", scores.precision),
        MetricPoint(step, epoch, "dev_recall", scores.recall),
    ]
    return events.EvalFinished(
        epoch=epoch,
        step=step,
        dev_loss=scores.loss,
        f1=scores.f1,
        precision=scores.precision,
        recall=scores.recall,
        per_label=scores.per_label,
        is_best=improved,
    )


def score_examples(
    setup: Setup, model, encoded: data.Encoded, examples: list[data.Example]
) -> Scores:
    return metrics.evaluate(
        model,
        encoded,
        examples,
        setup.snap.tag_names,
        setup.collator,
        EVAL_BATCH_SIZE,
        setup.accelerator.device,
    )


def _cpu_state(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
