"""Scoring a saved run folder on a split of the project (``nerstudio evaluate``)."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from transformers import AutoModelForTokenClassification, DataCollatorForTokenClassification

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import Status
from nerstudio.core.store import Project
from nerstudio.core.training import data, metrics, models
from nerstudio.core.training.metrics import Scores

EVAL_BATCH_SIZE = 64


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
    info_path = folder / "nerstudio.json"
    max_length = 256
    if info_path.exists():
        max_length = json.loads(info_path.read_text(encoding="utf-8"))["config"]["max_length"]
    tokenizer = models.load_tokenizer(str(folder))
    try:
        model = AutoModelForTokenClassification.from_pretrained(str(folder))
    except (OSError, ValueError) as err:
        raise NerstudioError(f"{folder}: cannot load the model: {err}") from None
    tag_names = [model.config.id2label[i] for i in range(model.config.num_labels)]
    known = {tag[2:] for tag in tag_names if tag != "O"}
    unknown = {t[2:] for ex in examples for t in ex.tags if t != "O"} - known
    if unknown:
        raise NerstudioError(
            f"{folder}: the model does not know label(s) {', '.join(sorted(unknown))}"
        )
    target = torch.device(models.pick_device(device))
    model.to(target)
    encoded = data.encode(tokenizer, examples, tag_names, max_length)
    collator = DataCollatorForTokenClassification(tokenizer)
    return metrics.evaluate(model, encoded, examples, tag_names, collator, EVAL_BATCH_SIZE, target)
