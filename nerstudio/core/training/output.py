"""The run folder: a standard Hugging Face model folder plus nerstudio.json and a model card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save_model(model, tokenizer, path: Path, method: str) -> None:
    """Save weights (safetensors), config with id2label and tokenizer; LoRA merged first."""
    if method == "lora":
        model = model.merge_and_unload()
    model.save_pretrained(str(path), safe_serialization=True)
    tokenizer.save_pretrained(str(path))


def write_info(path: Path, info: dict[str, Any]) -> None:
    (path / "nerstudio.json").write_text(json.dumps(info, indent=2), encoding="utf-8")


def write_model_card(path: Path, info: dict[str, Any]) -> None:
    """README.md: what the model is, what it saw, how well it does, how to use it."""
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

# {info["run"]}

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
ner = pipeline("token-classification", model="path/to/{path.name}", aggregation_strategy="simple")
print(ner("Angela Merkel visited Paris."))
```
"""
    (path / "README.md").write_text(card, encoding="utf-8")
