"""Predictor: a run folder's model applied to documents, with confidences and uncertainty.

Words are tokenized once in overlapping windows (the training code path), run in
length-sorted batches under ``torch.inference_mode``, and each word takes its
probabilities from the window where it sits farthest from an edge (``data.central_pieces``,
as evaluation does). Tags are repaired the conlleval way, then become spans on our token
boundaries. Three uncertainty scores per document feed the active-learning queue (higher =
the model is less sure).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from transformers import DataCollatorForTokenClassification

from nerstudio.core import inference_onnx
from nerstudio.core.errors import ModelError, NerstudioError
from nerstudio.core.os_priority import run_in_background
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import ScoredSpan, entities_to_spans, tags_to_entities
from nerstudio.core.training import data, models
from nerstudio.core.training.metrics import repair

log = logging.getLogger(__name__)


RETRAIN = "nothing was stored; train the run again (a lower --lr), or choose another run"


@dataclass(frozen=True)
class Prediction:
    document_id: int | None
    tags: tuple[str, ...]
    spans: tuple[ScoredSpan, ...]
    uncertainty: dict[str, float] = field(default_factory=dict)

    def to_row(self) -> tuple[int, tuple[ScoredSpan, ...], dict[str, float]]:
        """What ``Project.predictions.save`` stores: (document id, spans, scores).

        Only a stored document's prediction is stored: one without an id is refused
        (it used to be stored under document 0)."""
        if self.document_id is None:
            raise ValueError("a prediction of a document without an id cannot be stored")
        scores = [*self.uncertainty.values(), *(s.score for s in self.spans)]
        if not all(math.isfinite(score) for score in scores):
            raise ModelError(
                f"document {self.document_id}: the model scored it NaN or infinite (its "
                f"weights are damaged, or the training diverged); {RETRAIN}"
            )
        return self.document_id, self.rounded_spans(), self.uncertainty

    def rounded_spans(self) -> tuple[ScoredSpan, ...]:
        """The spans with scores to 4 places, as they are stored and printed."""
        return tuple(replace(s, score=round(s.score, 4)) for s in self.spans)

    def to_json(self, text: str | None = None) -> dict:
        out: dict = {"id": self.document_id}
        if text is not None:
            out["text"] = text
        out["spans"] = [s.to_json() for s in self.rounded_spans()]
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


PREDICTION_PRECISIONS = ("auto", "fp32", "bf16")


def prediction_precision(preference: str, device: str) -> str:
    """``auto``: bf16 autocast on a CPU that computes bf16 natively
    (``models.cpu_has_native_bf16``, the check training uses), else fp32; an explicit
    bf16 on a CPU without it is refused in one line (``models.pick_precision``)."""
    if preference not in PREDICTION_PRECISIONS:
        raise NerstudioError(
            f"precision {preference!r}: use one of {', '.join(PREDICTION_PRECISIONS)}"
        )
    if preference != "auto":
        return models.pick_precision(preference, device)
    return "bf16" if device == "cpu" and models.cpu_has_native_bf16() else "fp32"


class Predictor:
    """Loads a run folder (or any token-classification folder with IOB2 labels and
    safetensors weights; anything else is refused in one line by ``models.load_run``).

    ``backend`` ``auto`` (or ``NERSTUDIO_PREDICT_BACKEND``) runs PyTorch in bf16 autocast
    where ``prediction_precision`` says so; otherwise the folder's model.onnx through ONNX
    Runtime when it has one and the extra is installed, else PyTorch in fp32
    (``inference_onnx.choose_backend``, which says why). A window longer than the model
    holds is cut to fit (``models.cap_max_length``). In a process started with
    ``NERSTUDIO_BACKGROUND=1`` (the window's prediction and serving children) it first
    lowers the process's priority (``os_priority.run_in_background``)."""

    def __init__(
        self,
        folder: str | Path,
        device: str = "auto",
        batch_size: int | None = None,
        backend: str | None = None,
        precision: str = "auto",
    ):
        run_in_background()
        self.folder = Path(folder)
        requested = inference_onnx.requested_backend(backend)
        torch_bf16 = (
            requested == "auto"
            and prediction_precision(precision, models.pick_device(device)) == "bf16"
        )
        self.backend = inference_onnx.choose_backend(requested, self.folder, device, torch_bf16)
        self.onnx: inference_onnx.OnnxRun | None = None
        if self.backend == "onnx":
            self._load_onnx(fallback=requested == "auto")
        if self.onnx is None:
            loaded = models.load_run(self.folder, device)
            self.tokenizer, self.model = loaded.tokenizer, loaded.model
            self.tag_names, self.max_length = loaded.tag_names, loaded.max_length
            self.device = self.model.device
        self.precision = "fp32" if self.onnx else prediction_precision(precision, self.device.type)
        # Measured on CPU (MiniLM, CoNLL dev): 32 windows a batch beat 64, 128 and 256.
        self.batch_size = batch_size or (32 if self.device.type == "cpu" else 128)
        self.collator = DataCollatorForTokenClassification(self.tokenizer)

    def _load_onnx(self, fallback: bool) -> None:
        """The folder's model.onnx on the CPU (no PyTorch weights loaded); with
        ``fallback`` (backend auto) a file that does not fit the folder means PyTorch."""
        try:
            self.onnx = inference_onnx.load_onnx_run(self.folder, torch.get_num_threads())
        except NerstudioError as err:
            if not fallback:
                raise
            log.warning("%s; predicting with PyTorch", err)
            self.backend = "torch"
            return
        self.tokenizer, self.model = self.onnx.tokenizer, None
        self.tag_names, self.max_length = self.onnx.tag_names, self.onnx.max_length
        self.device = torch.device("cpu")

    def _autocast(self) -> AbstractContextManager:
        if self.precision == "fp32":
            return nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    def _logits(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The batch's logits from the ONNX session or the PyTorch model."""
        if self.onnx is not None:
            return self.onnx.logits(batch)
        with self._autocast():
            return self.model(**batch).logits

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
            log_probs = self._logits(batch).float().log_softmax(-1)
            if not bool(torch.isfinite(log_probs).all()):
                raise ModelError(
                    f"{self.folder}: the model's scores are NaN or infinite (its weights are "
                    f"damaged, or the training diverged); {RETRAIN}"
                )
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
