"""An existing token-classification model as a source: any Hugging Face folder with IOB2
labels and safetensors weights (a public NER model, another project's exported run), run
through the same ``Predictor`` as a trained run (no pickles, no remote code). Its labels
map onto the project's by ``--map`` or by name; the rest are dropped and counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.sources.base import SourceOptions, Suggested, safe_source_name
from nerstudio.core.sources.labels import LabelMapping, build_mapping
from nerstudio.core.training.model_folder import check_model_folder


def entity_labels(tags: Sequence[str]) -> list[str]:
    """The entity types of IOB2 tags (``B-PER``, ``I-PER`` -> ``PER``), in order."""
    return list(dict.fromkeys(tag[2:] for tag in tags if tag != "O"))


class ModelSource:
    """A model folder's suggestions with the project's labels; torch loads on first use."""

    kind = "model"

    def __init__(self, folder: Path, mapping: LabelMapping, device: str) -> None:
        self.folder, self.mapping, self.device = folder, mapping, device
        self.name = safe_source_name(f"model-{folder.name}")
        self.origin = str(folder)
        self.params: dict[str, Any] = {"map": mapping.targets, "folder": str(folder)}
        self.predictor = None

    @property
    def dropped(self) -> Counter[str]:
        return self.mapping.dropped

    def suggest(self, records: Sequence[DocumentRecord]) -> list[Suggested]:
        if self.predictor is None:
            from nerstudio.core.inference import Predictor

            self.predictor = Predictor(self.folder, device=self.device)
        return [
            Suggested(self.mapping.map_spans(p.rounded_spans()), dict(p.uncertainty))
            for p in self.predictor.predict(records)
        ]


def open_model(argument: str, options: SourceOptions) -> ModelSource:
    """``model:FOLDER``: the folder checked (before torch loads) and its labels mapped."""
    if not argument:
        raise NerstudioError("model: name the model folder (model:path/to/folder)")
    folder = Path(argument).expanduser()
    if not folder.is_dir():
        raise NerstudioError(
            f"model:{argument}: no such folder; download the model into one first "
            f"(huggingface-cli download {argument} --local-dir FOLDER)"
        )
    checked = check_model_folder(folder)
    mapping = build_mapping(entity_labels(checked.tags), options.labels, options.label_map)
    return ModelSource(checked.path, mapping, options.device)
