"""The run folder: a standard Hugging Face model folder plus nerstudio.json and a model card.

The loop writes them into ``safe_io.write_folder``'s temporary folder, which becomes the
run folder only once everything is on disk.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nerstudio.core.errors import NerstudioError
from nerstudio.core.safe_io import (
    TargetError,
    check_target,
    copy_folder,
    output_folder,
    refuse_links,
)
from nerstudio.core.training.model_folder import read_json


def save_model(model, tokenizer, path: Path, method: str) -> None:
    """Save weights (safetensors), config with id2label and tokenizer; LoRA merged first."""
    if method == "lora":
        model = model.merge_and_unload()
    model.save_pretrained(str(path), safe_serialization=True)
    tokenizer.save_pretrained(str(path))


def write_info(path: Path, info: dict[str, Any]) -> None:
    """nerstudio.json into the folder being written (a temporary one until complete)."""
    (path / "nerstudio.json").write_text(json.dumps(info, indent=2), encoding="utf-8")


def write_model_card(path: Path, info: dict[str, Any]) -> None:
    """README.md: what the model is, what it saw, how well it does, how to use it.

    ``path`` is the folder being written, a temporary sibling until the run folder is
    complete: the card names the run from ``info``, never from ``path``."""
    run = info["run"]
    dev = info.get("metrics", {}).get("dev", {})
    rows = "\n".join(
        f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        for label, m in sorted(dev.get("per_label", {}).items())
    )
    snapshot = info["data"]
    dev_from = (
        "the project's dev split"
        if snapshot["dev_source"] == "split"
        else "a fixed held-out fraction of train"
    )
    card = f"""---
library_name: transformers
pipeline_tag: token-classification
base_model: {info["base_model"]}
---

# {run}

A named-entity recognizer fine-tuned with nerstudio from `{info["base_model"]}`
({info["method"]} fine-tuning).

Labels: {", ".join(info["labels"])} (tags in IOB2: {", ".join(info["tags"])}).

## Data

{snapshot["train_documents"]} training documents and {snapshot["dev_documents"]} dev documents
(dev from {dev_from}),
snapshot hash `{snapshot["hash"][:16]}`; the document ids are in `nerstudio.json`.

## Scores on dev (entity level, seqeval strict IOB2)

F1 {dev.get("f1", 0):.3f}, precision {dev.get("precision", 0):.3f},
recall {dev.get("recall", 0):.3f} (best epoch: {info.get("best_epoch")}).

| label | precision | recall | F1 | support |
| --- | --- | --- | --- | --- |
{rows}

## Use

```python
from transformers import pipeline
ner = pipeline("token-classification", model="path/to/{run}", aggregation_strategy="simple")
print(ner("Angela Merkel visited Paris."))
```
"""
    (path / "README.md").write_text(card, encoding="utf-8")


def require_run_folder(folder: str | Path) -> Path:
    """``folder`` if it is a run folder nerstudio wrote (its nerstudio.json names the run)
    and holds no links: exporting anything else would copy whatever folder was named
    (``/etc``), or follow a link out of the run into the copy."""
    folder, info_path = Path(folder), Path(folder) / "nerstudio.json"
    info = read_json(info_path) if info_path.is_file() else None
    if not isinstance(info, dict) or not isinstance(info.get("run"), str):
        raise NerstudioError(
            f"{folder}: not a nerstudio run folder (no nerstudio.json naming its run); pass "
            "a run folder, or a run name with --project"
        )
    refuse_links(folder)
    return folder


def export_run(
    folder: str | Path, into: str | Path, name: str, project: Path | None = None
) -> Path:
    """Copy a run folder to ``into/name``, all or nothing (``safe_io.copy_folder``).

    ``into`` is the folder the user chose; the copy goes into a new subfolder named after
    the run, so it never merges into or replaces what is there. Returns where it wrote.
    """
    folder, target = Path(folder), Path(into) / name
    if not folder.is_dir():
        raise NerstudioError(f"{folder}: the run's folder is gone; there is nothing to export")
    require_run_folder(folder)
    if target.absolute().resolve().is_relative_to(folder.resolve()):
        raise TargetError(f"{target}: inside the run's own folder; choose a folder outside it")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise TargetError(
            f"{target}: exists already and is not empty; choose another folder (nothing was copied)"
        )
    with output_folder(into):
        check_target(target, project)
        return copy_folder(folder, target)
