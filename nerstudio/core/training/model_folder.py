"""What a model folder must hold before nerstudio loads it, checked without torch.

A run folder (or any token-classification folder) is loaded only when its weights are
safetensors (a pickle can run code when loaded, so nerstudio never loads one), its
config.json describes a token classifier whose labels are IOB2 tags with an ``O``, and its
nerstudio.json, when there is one, is sound. Each problem is one line naming the file and
the fix, instead of an UnpicklingError or a ``KeyError: 'O'`` deep in the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nerstudio.core.errors import NerstudioError

DEFAULT_MAX_LENGTH = 256
SAFETENSORS = ("model.safetensors", "model.safetensors.index.json")
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
RESAVE = "re-save it with save_pretrained(safe_serialization=True)"


@dataclass(frozen=True)
class ModelFolder:
    """A checked folder: its tags (the classifier's classes, in order) and window size."""

    path: Path
    tags: list[str]
    max_length: int
    info: dict[str, Any] | None  # nerstudio.json, when the folder has one


def first_line(err: BaseException) -> str:
    """An exception's message as one line (transformers' run over several)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def read_json(path: Path) -> Any:
    """A JSON file, or one line naming it and why it does not parse."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise NerstudioError(f"{path}: cannot read it ({err.strerror or err})") from None
    except (UnicodeDecodeError, ValueError) as err:
        raise NerstudioError(
            f"{path}: not valid JSON ({first_line(err)}); restore the file or re-save the model"
        ) from None


def check_weights(folder: Path) -> None:
    """Safetensors weights, or one line saying why nothing else is loaded."""
    if any((folder / name).is_file() for name in SAFETENSORS):
        return
    pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise NerstudioError(
            f"no safetensors weights in {folder} (only {', '.join(pickles)}; nerstudio never "
            f"loads pickled weights); {RESAVE}"
        )
    raise NerstudioError(
        f"no safetensors weights in {folder} (model.safetensors is missing); choose a folder "
        "saved with save_pretrained, or train the run again"
    )


def _tags(folder: Path, config: dict[str, Any]) -> list[str]:
    """The classifier's IOB2 tags from config.json, or why this is no NER model."""
    fix = "choose a run folder, or a token-classification model with IOB2 labels (O, B-X, I-X)"
    architectures = config.get("architectures") or []
    if not isinstance(architectures, list) or not all(isinstance(a, str) for a in architectures):
        raise NerstudioError(f"{folder / 'config.json'}: 'architectures' is not a list of names")
    if architectures and not any(a.endswith("ForTokenClassification") for a in architectures):
        raise NerstudioError(
            f"{folder}: not a named-entity model (config.json says {', '.join(architectures)}, "
            f"not a token classifier); {fix}"
        )
    id2label = config.get("id2label")
    if not isinstance(id2label, dict) or not id2label:
        raise NerstudioError(
            f"{folder}: not a named-entity model (config.json has no id2label); {fix}"
        )
    try:
        by_index = {int(k): v for k, v in id2label.items()}
    except ValueError:
        raise NerstudioError(
            f"{folder / 'config.json'}: id2label keys must be class numbers 0, 1, 2…"
        ) from None
    if sorted(by_index) != list(range(len(by_index))):
        raise NerstudioError(
            f"{folder / 'config.json'}: id2label must number its classes 0 to "
            f"{len(by_index) - 1} without gaps"
        )
    tags = [by_index[i] for i in range(len(by_index))]
    if "O" not in tags:
        shown = ", ".join(map(str, tags[:4])) + ("…" if len(tags) > 4 else "")
        raise NerstudioError(
            f"{folder}: not a named-entity model (its labels {shown} have no 'O' tag); {fix}"
        )
    bad = [t for t in tags if not isinstance(t, str) or not _is_iob2(t)]
    if bad:
        raise NerstudioError(f"{folder}: its labels are not IOB2 tags (e.g. {bad[0]!r}); {fix}")
    return tags


def _is_iob2(tag: str) -> bool:
    return tag == "O" or (tag[:2] in ("B-", "I-") and len(tag) > 2)


def read_info(folder: Path) -> dict[str, Any] | None:
    """A run folder's nerstudio.json, checked for what loading it reads; None if absent."""
    path = folder / "nerstudio.json"
    if not path.exists():
        return None
    info = read_json(path)
    fix = "restore it from a backup, or delete it to load the folder as a plain model"
    if not isinstance(info, dict):
        raise NerstudioError(f"{path}: not a JSON object; {fix}")
    config = info.get("config")
    if not isinstance(config, dict):
        raise NerstudioError(f"{path}: 'config' is missing or not an object; {fix}")
    max_length = config.get("max_length")
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 16:
        raise NerstudioError(
            f"{path}: config.max_length must be a whole number of at least 16, not "
            f"{max_length!r}; {fix}"
        )
    tags = info.get("tags")
    if tags is not None and (
        not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)
    ):
        raise NerstudioError(f"{path}: 'tags' must be a list of tag names; {fix}")
    run = info.get("run")
    if run is not None and not isinstance(run, str):
        raise NerstudioError(f"{path}: 'run' must be the run's name; {fix}")
    return info


def check_model_folder(folder: str | Path) -> ModelFolder:
    """Everything loading ``folder`` as an NER model needs, checked before torch runs."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise NerstudioError(f"{folder}: no such model folder")
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise NerstudioError(f"{folder}: not a model folder (no config.json)")
    config = read_json(config_path)
    if not isinstance(config, dict):
        raise NerstudioError(f"{config_path}: not a JSON object; re-save the model")
    tags = _tags(folder, config)
    info = read_info(folder)
    if info is not None and info.get("tags") is not None and info["tags"] != tags:
        raise NerstudioError(
            f"{folder}: nerstudio.json's tags differ from config.json's id2label (the folder "
            "mixes two models); restore it, or train the run again"
        )
    check_weights(folder)
    max_length = info["config"]["max_length"] if info is not None else DEFAULT_MAX_LENGTH
    return ModelFolder(folder, tags, max_length, info)
