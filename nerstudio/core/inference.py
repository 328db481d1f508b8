"""Predictor: a run folder's model applied to documents, with confidences and uncertainty.

Words are tokenized once in overlapping windows (the training code path), run in
length-sorted batches under ``torch.inference_mode``, and each word takes its
probabilities from the window where it sits farthest from an edge. Tags are repaired the
conlleval way, then become spans on our token boundaries. Three uncertainty scores per
document feed the active-learning queue (higher = the model is less sure).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import AutoModelForTokenClassification, DataCollatorForTokenClassification

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import entities_to_spans, tags_to_entities
from nerstudio.core.training import data, models
from nerstudio.core.training.metrics import repair


@dataclass(frozen=True)
class ScoredSpan:
    start: int
    end: int
    label: str
    score: float  # mean probability of the entity's word tags


@dataclass(frozen=True)
class Prediction:
    document_id: int | None
    tags: tuple[str, ...]
    spans: tuple[ScoredSpan, ...]
    uncertainty: dict[str, float] = field(default_factory=dict)

    def to_json(self, text: str | None = None) -> dict:
        out: dict = {"id": self.document_id}
        if text is not None:
            out["text"] = text
        out["spans"] = [
            {"start": s.start, "end": s.end, "label": s.label, "score": round(s.score, 4)}
            for s in self.spans
        ]
        out["uncertainty"] = round(self.uncertainty.get("mnlp", 0.0), 6)
        out["scores"] = {k: round(v, 6) for k, v in self.uncertainty.items()}
        return out


def uncertainty_scores(best: Sequence[float], entropies: Sequence[float]) -> dict[str, float]:
    """Least confidence (1 - P(best path)), MNLP (Shen et al. 2017: minus the mean log
    probability of the best path) and mean token entropy, from per-word best probabilities."""
    if not best:
        return {"least_confidence": 0.0, "mnlp": 0.0, "entropy": 0.0}
    logs = [math.log(max(p, 1e-12)) for p in best]
    return {
        "least_confidence": 1.0 - math.exp(sum(logs)),
        "mnlp": -sum(logs) / len(logs),
        "entropy": sum(entropies) / len(entropies),
    }


class Predictor:
    """Loads a run folder (or any token-classification folder with IOB2 labels)."""

    def __init__(self, folder: str | Path, device: str = "auto", batch_size: int = 64):
        self.folder = Path(folder)
        if not (self.folder / "config.json").exists():
            raise NerstudioError(f"{self.folder}: not a model folder (no config.json)")
        info_path = self.folder / "nerstudio.json"
        self.max_length = 256
        if info_path.exists():
            self.max_length = json.loads(info_path.read_text("utf-8"))["config"]["max_length"]
        self.tokenizer = models.load_tokenizer(str(self.folder))
        self.model = AutoModelForTokenClassification.from_pretrained(str(self.folder))
        self.device = torch.device(models.pick_device(device))
        self.model.to(self.device).eval()
        config = self.model.config
        self.tag_names = [config.id2label[i] for i in range(config.num_labels)]
        self.batch_size = batch_size
        self.collator = DataCollatorForTokenClassification(self.tokenizer)

    @torch.inference_mode()
    def predict(self, records: Sequence[DocumentRecord]) -> list[Prediction]:
        examples = [
            data.Example(r.id or 0, tuple(r.text[s:e] for s, e in r.tokens), ("O",) * len(r.tokens))
            for r in records
        ]
        encoded = data.encode(self.tokenizer, examples, self.tag_names, self.max_length)
        lengths = [len(f["input_ids"]) for f in encoded.features]
        probs: list[list[list[float] | None]] = [[None] * len(ex.words) for ex in examples]
        margins = [[-1] * len(ex.words) for ex in examples]
        for batch_ids in data.length_batches(lengths, self.batch_size, None):
            batch = self.collator([encoded.features[i] for i in batch_ids])
            batch.pop("labels")
            batch = {k: v.to(self.device) for k, v in batch.items()}
            window_probs = self.model(**batch).logits.float().softmax(-1).cpu()
            for row, w in enumerate(batch_ids):
                example = encoded.window_example[w]
                words = encoded.window_words[w]
                for position, word in enumerate(words):
                    if word is None:
                        continue
                    margin = min(position, len(words) - 1 - position)
                    if margin > margins[example][word]:
                        margins[example][word] = margin
                        probs[example][word] = window_probs[row, position].tolist()
        return [self._prediction(r, p) for r, p in zip(records, probs)]

    def _prediction(self, record: DocumentRecord, probs: list) -> Prediction:
        o = self.tag_names.index("O") if "O" in self.tag_names else 0
        best, entropies, raw = [], [], []
        for p in probs:
            if p is None:  # a word the tokenizer turned into nothing
                p = [1.0 if i == o else 0.0 for i in range(len(self.tag_names))]
            k = max(range(len(p)), key=p.__getitem__)
            raw.append(self.tag_names[k])
            best.append(p[k])
            entropies.append(-sum(x * math.log(x) for x in p if x > 0))
        tags = repair(raw)
        entities = tags_to_entities(tags)
        spans = tuple(
            ScoredSpan(
                span.start,
                span.end,
                span.label,
                sum(best[ent.first : ent.last + 1]) / (ent.last - ent.first + 1),
            )
            for ent, span in zip(entities, entities_to_spans(entities, record.tokens))
        )
        return Prediction(record.id, tuple(tags), spans, uncertainty_scores(best, entropies))
