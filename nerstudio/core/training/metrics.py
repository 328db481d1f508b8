"""Evaluation: predictions per word under ``torch.inference_mode``, scored by seqeval.

Windows are run in length-sorted batches; a word seen in two overlapping windows takes the
prediction from the window where it sits farther from the edge. Predicted tag sequences
are repaired the conlleval way before scoring (an I-X after O opens an entity), which is
how the predictor reads them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from transformers import DataCollatorForTokenClassification

from nerstudio.core.spans import Scheme, entities_to_tags, tags_to_entities
from nerstudio.core.training.data import Encoded, Example, central_pieces, length_batches

EVAL_BATCH_SIZE = 64  # windows a batch when scoring: no gradients, so larger than training's


@dataclass(frozen=True)
class Scores:
    loss: float
    f1: float
    precision: float
    recall: float
    per_label: dict[str, dict[str, float]]
    scored_on: str = ""  # which documents, in words ("split 'dev': 40 done documents")

    def to_json(self) -> dict[str, Any]:
        found = {
            "f1": self.f1,
            "precision": self.precision,
            "recall": self.recall,
            "loss": self.loss,
            "per_label": self.per_label,
        }
        return {**found, "scored_on": self.scored_on} if self.scored_on else found


def repair(tags: Sequence[str]) -> list[str]:
    return entities_to_tags(tags_to_entities(tags), len(tags), Scheme.IOB2)


def score(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], loss: float) -> Scores:
    """Entity-level strict IOB2 scores, overall (micro) and per label."""
    report = classification_report(
        list(map(list, gold)),
        list(map(list, predicted)),
        mode="strict",
        scheme=IOB2,
        output_dict=True,
        zero_division=0,
    )
    per_label = {
        name: {
            "precision": float(v["precision"]),
            "recall": float(v["recall"]),
            "f1": float(v["f1-score"]),
            "support": int(v["support"]),
        }
        for name, v in report.items()
        if not name.endswith("avg")
    }
    micro = report.get("micro avg", {"precision": 0.0, "recall": 0.0, "f1-score": 0.0})
    return Scores(
        loss=loss,
        f1=float(micro["f1-score"]),
        precision=float(micro["precision"]),
        recall=float(micro["recall"]),
        per_label=per_label,
    )


def _window_logits(model, encoded: Encoded, collator, batch_size: int, device: torch.device):
    """(window indices, their logits, their labels) batch by batch, in length order."""
    model.eval()
    lengths = [len(f["input_ids"]) for f in encoded.features]
    for batch_ids in length_batches(lengths, batch_size, None):
        batch = collator([encoded.features[i] for i in batch_ids])
        batch = {k: v.to(device) for k, v in batch.items()}
        labels = batch.pop("labels")
        yield batch_ids, model(**batch).logits.float(), labels


@torch.inference_mode()
def predict_windows(
    model,
    encoded: Encoded,
    collator: DataCollatorForTokenClassification,
    batch_size: int,
    device: torch.device,
) -> tuple[list[list[int]], float]:
    """Argmax label ids per window (in window order) and the mean loss over labelled tokens."""
    lengths = [len(f["input_ids"]) for f in encoded.features]
    out: list[list[int]] = [[] for _ in lengths]
    loss_sum, loss_tokens = 0.0, 0
    for batch_ids, logits, labels in _window_logits(model, encoded, collator, batch_size, device):
        mask = labels != -100
        n = int(mask.sum())
        if n:
            loss_sum += float(torch.nn.functional.cross_entropy(logits[mask], labels[mask])) * n
            loss_tokens += n
        predicted = logits.argmax(-1).cpu().tolist()
        for row, i in zip(predicted, batch_ids):
            out[i] = row[: lengths[i]]
    return out, loss_sum / max(loss_tokens, 1)


@torch.inference_mode()
def confident_windows(
    model,
    encoded: Encoded,
    collator: DataCollatorForTokenClassification,
    batch_size: int,
    device: torch.device,
) -> tuple[list[list[int]], list[list[float]]]:
    """Argmax label ids per window and the probability the model gives each of them."""
    lengths = [len(f["input_ids"]) for f in encoded.features]
    ids: list[list[int]] = [[] for _ in lengths]
    sure: list[list[float]] = [[] for _ in lengths]
    for batch_ids, logits, _ in _window_logits(model, encoded, collator, batch_size, device):
        best = logits.softmax(-1).max(-1)
        for row, (values, indices) in enumerate(zip(best.values.cpu(), best.indices.cpu())):
            i = batch_ids[row]
            ids[i] = indices[: lengths[i]].tolist()
            sure[i] = values[: lengths[i]].tolist()
    return ids, sure


def word_predictions(
    encoded: Encoded,
    window_predictions: list[list[int]],
    examples: Sequence[Example],
    tag_names: Sequence[str],
) -> list[list[str]]:
    """Tags per word of each example, each from its most central window (``central_pieces``)."""
    sources = central_pieces(encoded, [len(ex.words) for ex in examples])
    return [
        repair(["O" if s is None else tag_names[window_predictions[s[0]][s[1]]] for s in words])
        for words in sources
    ]


def evaluate(
    model,
    encoded: Encoded,
    examples: Sequence[Example],
    tag_names: Sequence[str],
    collator: DataCollatorForTokenClassification,
    batch_size: int,
    device: torch.device,
) -> Scores:
    """Score ``model`` on ``examples`` (already encoded)."""
    window_predictions, loss = predict_windows(model, encoded, collator, batch_size, device)
    predicted = word_predictions(encoded, window_predictions, examples, tag_names)
    return score([ex.tags for ex in examples], predicted, loss)
