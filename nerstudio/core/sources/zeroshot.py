"""A zero-shot model as a source (``zeroshot:MODEL``): a GLiNER2 model finds spans of the
project's labels from their names, or their descriptions where a label has one, before
anything is annotated. The model is a local folder (safetensors, no remote code) or a
hub id already in the local cache; ``gliner2`` is the optional ``zeroshot`` extra.

The queue's scores are how close the document's least sure span is to a coin toss: a
document whose spans the model barely believes (or barely rejects) is served first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.sources.base import NO_SCORES, SourceOptions, Suggested, safe_source_name
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store import Project
from nerstudio.core.zero_shot import (
    INSTALL_HINT,
    ZeroShotModel,
    check_zero_shot_folder,
    load_zero_shot_model,
    zero_shot_spans,
    zeroshot_installed,
)

THRESHOLD = 0.5  # GLiNER2's own default: a span it gives at least even odds


def uncertainty(spans: Sequence[ScoredSpan]) -> dict[str, float]:
    """The queue's scores of one document: 1 where a span sits at the threshold, falling
    to 0 as every span grows sure (a document with no span scores 0)."""
    if not spans:
        return dict(NO_SCORES)
    doubt = max(1.0 - abs(2.0 * span.score - 1.0) for span in spans)
    return dict.fromkeys(NO_SCORES, round(doubt, 6))


class ZeroShotSource:
    """The project's labels (and descriptions) asked of a GLiNER2 model; it loads on the
    first batch, so opening the source checks only what can be checked cheaply."""

    kind = "zeroshot"

    def __init__(
        self, model: str, labels: dict[str, str | None], threshold: float, device: str
    ) -> None:
        self.model_name, self.labels = model, labels
        self.threshold, self.device = threshold, device
        self.name = safe_source_name(f"zeroshot-{Path(model).name}")
        self.origin = model
        self.params: dict[str, Any] = {"model": model, "threshold": threshold, "labels": labels}
        self.model: ZeroShotModel | None = None

    def suggest(self, records: Sequence[DocumentRecord]) -> list[Suggested]:
        if self.model is None:
            device = "cpu" if self.device == "auto" else self.device
            self.model = load_zero_shot_model(self.model_name, device)
        found = zero_shot_spans(
            [r.text for r in records],
            self.labels,
            self.model,
            self.threshold,
            tokens=[r.tokens for r in records],
        )
        return [Suggested(tuple(spans), uncertainty(spans)) for spans in found]


def open_zeroshot(argument: str, options: SourceOptions) -> ZeroShotSource:
    """``zeroshot:MODEL``: the extra and the project's labels checked before any model loads."""
    if not argument:
        raise NerstudioError("zeroshot: name the model (zeroshot:path/to/gliner2-folder)")
    if not zeroshot_installed():
        raise NerstudioError(INSTALL_HINT)
    if Path(argument).is_dir():
        check_zero_shot_folder(Path(argument))  # before any document is read
    labels: dict[str, str | None] = dict.fromkeys(options.labels)
    if options.project_path is not None:
        with Project.open(options.project_path, check=False) as project:
            labels.update(project.labels.descriptions())
    if not labels:
        raise NerstudioError(
            "zeroshot: the project has no labels; add the labels to look for first"
        )
    return ZeroShotSource(argument, labels, THRESHOLD, options.device)
