"""The training loop: accelerate for devices, precision and DDP; a generator of events.

Why not transformers' Trainer: this loop is a generator the CLI iterates step by step,
printing each event or, for the window, writing it as a JSON line to the child process's
stdout (no callback-to-thread bridging); batches come from length-sorted windows
(under 10% padding, where Trainer's random batches are over half padding), evaluation runs
once per epoch in length-sorted batches under ``inference_mode``, and the best weights are
kept in memory instead of checkpoints written to disk. accelerate runs the same loop on
CPU, one GPU, or many under ``torchrun`` / ``accelerate launch``.

``train`` reads top to bottom: ``prepare`` (prepare.py) -> ``run_epochs`` (epochs.py, a
generator of steps and evaluations that returns its ``Progress``; with ``--self-training``
a second round, self_training.py) -> ``_finish``: ``_summarise``, then
``outcome.save``; a run that fails or is aborted is marked by ``outcome``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import torch
from accelerate.utils import set_seed

from nerstudio.core.errors import NerstudioError
from nerstudio.core.plural import counted
from nerstudio.core.run_folders import runs_folder
from nerstudio.core.store import Project
from nerstudio.core.training import data, events, models, outcome, self_training
from nerstudio.core.training.config import TrainConfig
from nerstudio.core.training.epochs import Progress, run_epochs, score_examples
from nerstudio.core.training.prepare import Setup, make_accelerator, prepare

log = logging.getLogger(__name__)
NOTHING_SAVED = "cancelled before the first epoch ended: nothing was saved"


def train(
    project_path: str | Path,
    config: TrainConfig,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[events.TrainEvent]:
    """Fine-tune on the project's done documents; yields events, saves the run folder.

    ``should_stop`` is checked before every step: when it returns True the run ends as
    cancelled, keeping its best epoch so far; stopped before the first epoch ended, it
    saves nothing, forgets the run and ends with ``TrainingDiscarded``. The run folder
    appears only complete (written to a temporary sibling, then renamed). Only the main
    process writes the project and the run folder.
    """
    project_path = Path(project_path)
    name, path = _name_and_path(project_path, config)
    accelerator, device, precision = make_accelerator(config)
    set_seed(config.seed)
    snap = data.snapshot(project_path, config.dev_fraction)
    yield from _unseen_labels(snap)
    setup = prepare(config, name, path, snap, accelerator, device, precision)
    run_id = None
    project = Project.open(project_path) if accelerator.is_main_process else None
    try:
        if project is not None:
            run_id = _record_start(project, setup)
            name, path = setup.name, setup.path
        yield from _started(setup)
        stop = should_stop or (lambda: False)
        progress = yield from run_epochs(setup, stop, project, run_id, Progress())
        if config.self_training and progress.status == "completed":
            setup = yield from self_training.second_round(
                project_path, setup, stop, project, run_id, progress
            )
        if progress.best.state is None:
            # Stopped before the first evaluation: the weights are barely trained and no
            # epoch was scored, so a saved "model" would only mislead.
            if project is not None:
                project.runs.delete(name)
                run_id = None
            yield events.TrainingDiscarded(run=name, steps=progress.step, message=NOTHING_SAVED)
            return
        yield from _finish(setup, progress, project, run_id)
    except torch.cuda.OutOfMemoryError:
        outcome.mark_failed(project, run_id, "out of GPU memory")
        raise NerstudioError(
            f"the GPU ran out of memory at batch size {config.batch_size} and max length "
            f"{config.max_length}; lower --batch-size (e.g. {max(1, config.batch_size // 2)}) "
            "or --max-length"
        ) from None
    except (KeyboardInterrupt, GeneratorExit):
        # Ctrl+C twice (or the consumer stopped iterating): cancelled, not failed.
        outcome.cancel_or_forget(project, run_id, path)
        raise
    except BaseException as err:
        outcome.mark_failed(project, run_id, str(err) or type(err).__name__)
        raise
    finally:
        if project is not None:
            project.close()
        accelerator.free_memory()


def _name_and_path(project_path: Path, config: TrainConfig) -> tuple[str, Path]:
    """The run's name and folder; a name the user chose that is in use is refused before
    anything loads."""
    name = config.name or default_run_name()
    path = runs_folder(project_path).absolute() / name
    if config.name and path.exists():  # before loading anything: a name in use is refused
        raise NerstudioError(f"{path}: exists already; choose another run name")
    return name, path


def _unseen_labels(snap: data.Snapshot) -> Iterator[events.TrainEvent]:
    """A warning for each label no training document holds."""
    for label, count in snap.label_counts.items():
        if count == 0:
            yield events.TrainingWarning(f"label {label} has no examples in the training documents")


def _record_start(project: Project, setup: Setup) -> int:
    """Start the project's record of the run; ``setup`` takes the name and folder it got
    (made unique when the run was not named). Returns the run's id."""
    config = setup.config
    record = project.runs.start(
        setup.name,
        config.base_model,
        config.method,
        setup.config.to_json(),
        str(setup.path),
        unique=config.name is None,  # two runs started in the same second
    )
    setup.name, setup.path = record.name, Path(record.path or setup.path)
    return record.id


def _finish(
    setup: Setup, progress: Progress, project: Project | None, run_id: int | None
) -> Iterator[events.TrainEvent]:
    """Sum the run up, warn when it learnt nothing, save it (main process) and say so."""
    dev, summary = _summarise(setup, progress)
    hint = outcome.untrained_hint(setup, dev)
    if hint is not None:
        yield events.TrainingWarning(hint)
    setup.accelerator.wait_for_everyone()
    if project is not None:
        outcome.save(setup, progress, dev, summary, project, run_id)
    yield events.TrainingDone(
        run=setup.name,
        path=str(setup.path),
        status=progress.status,
        best_epoch=progress.best.epoch,
        dev=dev,
        summary=summary,
    )


def default_run_name() -> str:
    """``run-DATE-TIME``; ``Runs.start`` makes it unique (``-2``…) when it is taken."""
    return datetime.now().strftime("run-%Y%m%d-%H%M%S")


def _started(setup: Setup) -> Iterator[events.TrainEvent]:
    """What the run is about to do, and a warning when documents train as windows."""
    snap, windowed = setup.snap, setup.train_enc.windowed_examples
    yield events.TrainingStarted(
        run=setup.name,
        path=str(setup.path),
        device=str(setup.accelerator.device),
        precision=setup.precision,
        labels=snap.labels,
        train_documents=len(snap.train),
        dev_documents=len(snap.dev),
        train_windows=len(setup.train_enc.features),
        windowed_documents=windowed,
        epochs=setup.epochs,
        total_steps=setup.total_steps,
        learning_rate=setup.learning_rate,
        trainable_parameters=setup.trainable_parameters,
        parameters=setup.parameters,
        device_name=models.describe_device(setup.device),
    )
    for message in setup.warnings:
        yield events.TrainingWarning(message)
    if windowed:
        yield events.TrainingWarning(
            f"{counted(windowed, 'document')} longer than {setup.config.max_length} "
            "sub-words train as overlapping windows"
        )


# -- summarise --------------------------------------------------------------------------------


def _summarise(setup: Setup, progress: Progress) -> tuple[dict[str, Any], dict[str, Any]]:
    """Put the best epoch's weights back, score them on the whole dev split when the epochs
    saw only a sample of it, and sum the run up: (dev scores, summary)."""
    assert progress.best.state is not None and progress.best.scores is not None
    unwrapped = setup.accelerator.unwrap_model(setup.model)
    unwrapped.load_state_dict(progress.best.state)
    train_seconds = time.perf_counter() - progress.started
    snap, step, seconds = setup.snap, progress.step, progress.step_seconds
    dev = progress.best.scores.to_json()
    final_eval_seconds = 0.0
    if len(setup.select) < len(snap.dev):
        tick = time.perf_counter()
        dev = score_examples(setup, unwrapped, setup.dev_enc, snap.dev).to_json()
        final_eval_seconds = time.perf_counter() - tick
    summary = {
        "train_seconds": round(train_seconds, 2),
        "train_step_seconds": round(seconds, 2),
        "epoch_eval_seconds": round(progress.eval_seconds, 2),
        "epoch_eval_documents": len(setup.select),
        "final_eval_seconds": round(final_eval_seconds, 2),
        "steps": step,
        "epochs": round(progress.epoch_at(step, setup.steps_per_epoch), 2),
        "train_sentences_per_s": round(progress.seen_sentences / seconds, 2) if step else 0.0,
        "train_tokens_per_s": round(progress.seen_tokens / seconds, 1) if step else 0.0,
        "padding_fraction": (
            round(1 - progress.seen_tokens / progress.padded_tokens, 4) if step else 0.0
        ),
        "learning_rate": setup.learning_rate,
        "precision": setup.precision,
        "processes": setup.accelerator.num_processes,
        "train_documents": len(snap.train),
        "dev_documents": len(snap.dev),
        "pseudo_documents": progress.pseudo_documents,
    }
    return dev, summary
