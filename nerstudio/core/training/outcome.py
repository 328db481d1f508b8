"""How a run ends: the best epoch's summary, the run folder and the project's record of a
finished run; or the mark a failed or aborted run leaves.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nerstudio.core.plural import counted
from nerstudio.core.safe_io import write_folder
from nerstudio.core.store import Project
from nerstudio.core.training import models, output
from nerstudio.core.training.config import TrainConfig, default_epochs
from nerstudio.core.training.prepare import Setup

if TYPE_CHECKING:
    from nerstudio.core.training.epochs import Progress

log = logging.getLogger(__name__)


# -- a run that ends well -----------------------------------------------------------------------


def untrained_hint(setup: Setup, dev: dict[str, Any]) -> str | None:
    """What to do when the run learnt nothing measurable (dev F1 0): usually too few
    epochs for the corpus (``--max-epochs 1`` on 300 sentences), said with the default."""
    if dev.get("f1", 0) > 0:
        return None
    config = setup.config
    usual = setup.epochs  # the defaults' own schedule (mention copies included)
    if config.epochs is not None or config.max_epochs < TrainConfig.max_epochs:
        usual = default_epochs(
            setup.steps_per_epoch * config.batch_size, config.batch_size, TrainConfig.max_epochs
        )
    if setup.epochs < usual:
        more = f"train longer: {counted(usual, 'epoch')} is the default for this corpus"
        return f"dev F1 is 0 after {counted(setup.epochs, 'epoch')}: {more}"
    return (
        f"dev F1 is 0 after {counted(setup.epochs, 'epoch')}: check that the done documents"
        " hold entities, or try another learning rate (--lr)"
    )


def save(
    setup: Setup,
    progress: Progress,
    dev: dict[str, Any],
    summary: dict[str, Any],
    project: Project,
    run_id: int | None,
) -> None:
    """Write the run folder (it appears only complete), then finish the project's run."""
    config, snap, best_epoch = setup.config, setup.snap, progress.best.epoch
    info = {
        "run": setup.name,
        "base_model": config.base_model,
        "method": config.method,
        "status": progress.status,
        "labels": list(snap.labels),
        "tags": snap.tag_names,
        "scheme": "IOB2",
        "config": config.to_json(),
        "best_epoch": best_epoch,
        "metrics": {"dev": dev, **summary},
        "data": {
            "train_documents": len(snap.train),
            "dev_documents": len(snap.dev),
            "dev_source": snap.dev_source,
            "train_ids": [ex.document_id for ex in snap.train],
            "dev_ids": [ex.document_id for ex in snap.dev],
            "hash": snap.fingerprint(),
        },
    }
    unwrapped = setup.accelerator.unwrap_model(setup.model)
    models.refuse_non_finite_weights(setup.path, unwrapped)  # never save a model scoring NaN
    setup.path.parent.mkdir(parents=True, exist_ok=True)
    with write_folder(setup.path) as folder:
        output.save_model(unwrapped, setup.tokenizer, folder, config.method)
        output.write_info(folder, info)
        output.write_model_card(folder, info)
    if progress.points:
        project.runs.log(run_id, progress.points)
    project.runs.finish(
        run_id,
        progress.status,
        {"dev": dev, **summary, "best_epoch": best_epoch},
        label_map={"tags": snap.tag_names},
    )


# -- a run that ends badly --------------------------------------------------------------------


def mark_failed(project: Project | None, run_id: int | None, reason: str) -> None:
    """Record a run that is still running as failed, with ``reason``; never masks the
    original error."""
    if project is None or run_id is None:
        return
    with contextlib.suppress(Exception):
        if project.runs.get_by_id(run_id).status == "running":
            project.runs.finish(run_id, "failed", {"error": reason})


def cancel_or_forget(project: Project | None, run_id: int | None, path: Path) -> None:
    """An aborted run (Ctrl+C twice, or its events no longer read): marked cancelled when
    its folder was saved (the folder appears only complete), else forgotten, as nothing of
    it was kept. Never masks the interrupt."""
    if project is None or run_id is None:
        return
    with contextlib.suppress(Exception):
        record = project.runs.get_by_id(run_id)
        if record.status != "running":
            return
        if path.is_dir():
            project.runs.finish(run_id, "cancelled", {"error": "interrupted while saving"})
        else:
            project.runs.delete(record.name)
            log.info("run %s interrupted before it was saved: forgotten", record.name)
