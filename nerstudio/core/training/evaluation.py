"""Scoring a saved run folder on a split of the project (``nerstudio evaluate``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from transformers import DataCollatorForTokenClassification

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import Status
from nerstudio.core.store import Project
from nerstudio.core.training import data, metrics, model_folder, models
from nerstudio.core.training.metrics import EVAL_BATCH_SIZE, Scores


def resolve_run(project: Project, run: str) -> Path:
    """A run name recorded in the project, or the path of a run folder."""
    folder = Path(run).expanduser()
    if folder.is_dir():
        return folder
    record = project.runs.get(run)
    if record.status == "source":  # a dictionary, model or zero-shot source (issue 26)
        raise NerstudioError(
            f"{run!r} is a {record.method} source, not a trained run: run it again with "
            "'nerstudio suggest' (Document > Suggest from in the window)"
        )
    if not record.path or not Path(record.path).is_dir():
        raise NerstudioError(f"run {run!r}: its folder {record.path} is gone")
    return Path(record.path)


def _held_out(folder: Path) -> list[int] | None:
    """The documents a run held out of its own training (its dev F1 was measured on them),
    as its nerstudio.json records them; None for a folder that does not say."""
    info = model_folder.read_info(folder) or {}
    ids = info.get("data", {}).get("dev_ids") if isinstance(info.get("data"), dict) else None
    if isinstance(ids, list) and ids and all(isinstance(i, int) for i in ids):
        return ids
    return None


def _documents(
    project: Project, folder: Path, split: str | None
) -> tuple[list[data.Example], str]:
    """The done documents to score, and which they are in words: ``split``'s, or (None)
    the run's own held-out ones, else split dev."""
    held_out = _held_out(folder) if split is None else None
    if held_out is not None:
        wanted = set(held_out)
        records = [r for r in project.documents.iter(status=Status.DONE) if r.id in wanted]
        described = f"the {len(records)} done documents the run held out of its training"
    else:
        split = split or "dev"
        records = list(project.documents.iter(status=Status.DONE, split=split))
        described = f"the {len(records)} done documents of split {split!r}"
    return [data.example_from(r) for r in records if r.tokens], described


def evaluate_run(
    project_path: str | Path, run: str, split: str | None = None, device: str = "auto"
) -> Scores:
    """Entity-level scores of a run's model on the done documents of ``split``, or (None)
    on the documents the run held out of its training: what its dev F1 was measured on,
    with their gold as it is now (a project without a dev split has no other)."""
    with Project.open(project_path) as project:
        folder = resolve_run(project, run)
        examples, described = _documents(project, folder, split)
    if not examples:
        where = f"in split {split!r}" if split else "held out by the run or in split 'dev'"
        raise NerstudioError(
            f"{project_path}: no done documents {where} to score; name another with --split"
        )
    run_model = models.load_run(folder, device)
    known = {tag[2:] for tag in run_model.tag_names if tag != "O"}
    unknown = {t[2:] for ex in examples for t in ex.tags if t != "O"} - known
    if unknown:
        raise NerstudioError(
            f"{folder}: the model does not know label(s) {', '.join(sorted(unknown))}"
        )
    encoded = data.encode(run_model.tokenizer, examples, run_model.tag_names, run_model.max_length)
    collator = DataCollatorForTokenClassification(run_model.tokenizer)
    scores = metrics.evaluate(
        run_model.model,
        encoded,
        examples,
        run_model.tag_names,
        collator,
        EVAL_BATCH_SIZE,
        run_model.model.device,
    )
    return replace(scores, scored_on=described)
