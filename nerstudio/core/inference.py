"""Predictor: a run folder's model applied to documents, with confidences and uncertainty.

Words are tokenized once in overlapping windows (the training code path), run in
length-sorted batches under ``torch.inference_mode``, and each word takes its
probabilities from the window where it sits farthest from an edge (``data.central_pieces``,
as evaluation does). Tags are repaired the conlleval way, then become spans on our token
boundaries. Three uncertainty scores per document feed the active-learning queue (higher =
the model is less sure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import DataCollatorForTokenClassification

from nerstudio.core.priority import run_in_background
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

    def to_row(self) -> tuple[int, list[dict], dict[str, float]]:
        """What ``Project.predictions.save`` stores: (document id, spans, scores).

        Only a stored document's prediction is stored: one without an id is refused
        (it used to be stored under document 0)."""
        if self.document_id is None:
            raise ValueError("a prediction of a document without an id cannot be stored")
        return self.document_id, self.to_json()["spans"], self.uncertainty

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
    """Loads a run folder (or any token-classification folder with IOB2 labels and
    safetensors weights; anything else is refused in one line by ``models.load_run``).

    A window longer than the model holds is cut to fit (``models.cap_max_length``). In a
    process started with ``NERSTUDIO_BACKGROUND=1`` (the window's prediction and serving
    children) it first lowers the process's priority (``priority.run_in_background``)."""

    def __init__(self, folder: str | Path, device: str = "auto", batch_size: int | None = None):
        run_in_background()
        self.folder = Path(folder)
        loaded = models.load_run(self.folder, device)
        self.tokenizer, self.model = loaded.tokenizer, loaded.model
        self.tag_names, self.max_length = loaded.tag_names, loaded.max_length
        self.device = self.model.device
        # Measured on CPU (MiniLM, CoNLL dev): 32 windows a batch beat 64, 128 and 256.
        self.batch_size = batch_size or (32 if self.device.type == "cpu" else 128)
        self.collator = DataCollatorForTokenClassification(self.tokenizer)

    def predict(self, records: Sequence[DocumentRecord]) -> list[Prediction]:
        examples = [
            data.Example(r.id or 0, tuple(r.text[s:e] for s, e in r.tokens), ("O",) * len(r.tokens))
            for r in records
        ]
        encoded = data.encode(self.tokenizer, examples, self.tag_names, self.max_length)
        windows = self._windows(encoded)
        sources = data.central_pieces(encoded, [len(ex.words) for ex in examples])
        # Per word: (best label id, its probability, entropy) from its most central window.
        words = [
            [None if s is None else windows[s[0]][s[1]] for s in word_sources]
            for word_sources in sources
        ]
        return [self._prediction(r, w) for r, w in zip(records, words)]

    @torch.inference_mode()
    def _windows(self, encoded: data.Encoded) -> list[list[tuple[int, float, float]]]:
        """Per window, per piece: (best label id, its probability, the entropy)."""
        lengths = [len(f["input_ids"]) for f in encoded.features]
        out: list[list[tuple[int, float, float]]] = [[] for _ in lengths]
        for batch_ids in data.length_batches(lengths, self.batch_size, None):
            batch = self.collator([encoded.features[i] for i in batch_ids])
            batch.pop("labels")
            batch = {k: v.to(self.device) for k, v in batch.items()}
            log_probs = self.model(**batch).logits.float().log_softmax(-1)
            best_log, best_id = log_probs.max(-1)
            entropy = -(log_probs.exp() * log_probs).sum(-1)
            rows = zip(
                best_id.cpu().tolist(), best_log.exp().cpu().tolist(), entropy.cpu().tolist()
            )
            for w, (ids, probabilities, entropies) in zip(batch_ids, rows):
                n = lengths[w]
                out[w] = list(zip(ids[:n], probabilities[:n], entropies[:n]))
        return out

    def _prediction(self, record: DocumentRecord, words: list) -> Prediction:
        o = self.tag_names.index("O")  # load_run refuses a folder whose labels lack O
        raw, best, entropies = [], [], []
        for word in words:
            k, p, h = word if word is not None else (o, 1.0, 0.0)  # a word with no pieces
            raw.append(self.tag_names[k])
            best.append(p)
            entropies.append(h)
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
