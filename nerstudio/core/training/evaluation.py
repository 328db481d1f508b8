"""Scoring a saved run folder on a split of the project (``nerstudio evaluate``)."""

from __future__ import annotations

from pathlib import Path

from transformers import DataCollatorForTokenClassification

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import Status
from nerstudio.core.store import Project
from nerstudio.core.training import data, metrics, models
from nerstudio.core.training.metrics import EVAL_BATCH_SIZE, Scores


def resolve_run(project: Project, run: str) -> Path:
    """A run name recorded in the project, or the path of a run folder."""
    folder = Path(run).expanduser()
    if folder.is_dir():
        return folder
    record = project.runs.get(run)
    if not record.path or not Path(record.path).is_dir():
        raise NerstudioError(f"run {run!r}: its folder {record.path} is gone")
    return Path(record.path)


def evaluate_run(
    project_path: str | Path, run: str, split: str = "dev", device: str = "auto"
) -> Scores:
    """Entity-level scores of a run's model on the done documents of ``split``."""
    with Project.open(project_path) as project:
        folder = resolve_run(project, run)
        examples = [
            data.example_from(record)
            for record in project.iter_documents(status=Status.DONE, split=split)
            if record.tokens
        ]
    if not examples:
        raise NerstudioError(f"{project_path}: no done documents in split {split!r} to score")
    run_model = models.load_run(folder, device)
    known = {tag[2:] for tag in run_model.tag_names if tag != "O"}
    unknown = {t[2:] for ex in examples for t in ex.tags if t != "O"} - known
    if unknown:
        raise NerstudioError(
            f"{folder}: the model does not know label(s) {', '.join(sorted(unknown))}"
        )
    encoded = data.encode(run_model.tokenizer, examples, run_model.tag_names, run_model.max_length)
    collator = DataCollatorForTokenClassification(run_model.tokenizer)
    return metrics.evaluate(
        run_model.model,
        encoded,
        examples,
        run_model.tag_names,
        collator,
        EVAL_BATCH_SIZE,
        run_model.model.device,
    )
