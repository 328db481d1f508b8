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

from nerstudio.core.errors import ModelError

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
        raise ModelError(f"{path}: cannot read it ({err.strerror or err})") from None
    except (UnicodeDecodeError, ValueError) as err:
        raise ModelError(
            f"{path}: not valid JSON ({first_line(err)}); restore the file or re-save the model"
        ) from None
    except RecursionError:
        raise ModelError(
            f"{path}: nested too deeply to be a model file; restore the file or re-save the model"
        ) from None


def check_weights(folder: Path) -> None:
    """Safetensors weights, or one line saying why nothing else is loaded."""
    if (folder / SAFETENSORS[1]).is_file():
        _check_weight_index(folder / SAFETENSORS[1])
        return
    if (folder / SAFETENSORS[0]).is_file():
        return
    pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise ModelError(
            f"no safetensors weights in {folder} (only {', '.join(pickles)}; nerstudio never "
            f"loads pickled weights); {RESAVE}"
        )
    raise ModelError(
        f"no safetensors weights in {folder} (model.safetensors is missing); choose a folder "
        "saved with save_pretrained, or train the run again"
    )


def _check_weight_index(index: Path) -> None:
    """A sharded model's index may name only safetensors shards beside it: one naming a
    pickle (``pytorch_model-00001.bin``) would be unpickled by the loader."""
    data = read_json(index)
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        raise ModelError(f"{index}: no 'weight_map' of weight names to shard files; {RESAVE}")
    for shard in sorted(set(map(str, weight_map.values()))):
        if Path(shard).name != shard or not shard.endswith(".safetensors"):
            raise ModelError(
                f"{index}: names the shard {shard!r}, not a .safetensors file beside it "
                f"(nerstudio never loads pickled weights); {RESAVE}"
            )
        if not (index.parent / shard).is_file():
            raise ModelError(f"{index}: its shard {shard} is missing; restore the folder")


# Sizes a config.json may give, under their names in the common architectures.
_SIZE_KEYS = {
    "hidden": ("hidden_size", "d_model", "dim"),
    "vocab": ("vocab_size",),
    "layers": ("num_hidden_layers", "n_layers", "num_layers"),
    "intermediate": ("intermediate_size", "hidden_dim", "ffn_dim", "d_ff"),
    "positions": ("max_position_embeddings",),
    "heads": ("num_attention_heads", "n_heads"),
}
_AT_LEAST_ONE = ("hidden", "vocab", "heads")  # 0 divides by zero deep in transformers
BYTES_PER_PARAMETER = 4  # float32, as the model is loaded


def check_config_sizes(path: Path, config: dict[str, Any]) -> int:
    """The parameters ``config`` describes (an estimate), refused in one line when a size
    is no whole number or the model would not fit in memory, before anything allocates
    it (a 4 TB hidden size failed deep in torch, or took the machine's memory)."""
    sizes: dict[str, int] = {}
    for what, keys in _SIZE_KEYS.items():
        for key in keys:
            value = config.get(key)
            if value is None:
                continue
            least = 1 if what in _AT_LEAST_ONE else 0
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ModelError(
                    f"{path}: {key} must be a whole number of at least {least}, not {value!r}; "
                    f"{REFIX}"
                )
            sizes.setdefault(what, value)
    hidden, layers = sizes.get("hidden", 0), sizes.get("layers", 0)
    ffn = sizes.get("intermediate", 4 * hidden)
    embeddings = (sizes.get("vocab", 0) + sizes.get("positions", 0)) * hidden
    parameters = embeddings + layers * (4 * hidden * hidden + 2 * hidden * ffn)
    needed = parameters * BYTES_PER_PARAMETER
    available = _available_memory()
    if needed > available:
        raise ModelError(
            f"{path}: describes a model of about {parameters / 1e9:,.1f} billion parameters "
            f"({needed / 2**30:,.0f} GiB), more than the {available / 2**30:,.1f} GiB of memory "
            f"free; check its sizes (hidden_size, vocab_size, layers), or choose a smaller model"
        )
    return parameters


def _available_memory() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


REFIX = "restore config.json, or re-save the model with save_pretrained"


def check_loadable(folder: str | Path) -> dict[str, Any]:
    """A local model folder's config.json (a JSON object of sane sizes), tokenizer.json
    (when there is one: JSON) and weights (safetensors only), checked before transformers
    reads any of them; returns the config. Every problem is one ``ModelError`` line."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise ModelError(f"{folder}: no such model folder")
    config_path = folder / "config.json"
    if not config_path.is_file():
        raise ModelError(
            f"{folder}: not a model folder (no config.json); choose a folder saved with "
            "save_pretrained, or a Hugging Face hub id"
        )
    config = read_json(config_path)
    if not isinstance(config, dict):
        raise ModelError(f"{config_path}: not a JSON object; {REFIX}")
    check_config_sizes(config_path, config)
    tokenizer_path = folder / "tokenizer.json"
    if tokenizer_path.is_file() and not isinstance(read_json(tokenizer_path), dict):
        raise ModelError(f"{tokenizer_path}: not a JSON object; restore the tokenizer files")
    check_weights(folder)
    return config


def _tags(folder: Path, config: dict[str, Any]) -> list[str]:
    """The classifier's IOB2 tags from config.json, or why this is no NER model."""
    fix = "choose a run folder, or a token-classification model with IOB2 labels (O, B-X, I-X)"
    architectures = config.get("architectures") or []
    if not isinstance(architectures, list) or not all(isinstance(a, str) for a in architectures):
        raise ModelError(f"{folder / 'config.json'}: 'architectures' is not a list of names")
    if architectures and not any(a.endswith("ForTokenClassification") for a in architectures):
        raise ModelError(
            f"{folder}: not a named-entity model (config.json says {', '.join(architectures)}, "
            f"not a token classifier); {fix}"
        )
    id2label = config.get("id2label")
    if not isinstance(id2label, dict) or not id2label:
        raise ModelError(f"{folder}: not a named-entity model (config.json has no id2label); {fix}")
    try:
        by_index = {int(k): v for k, v in id2label.items()}
    except ValueError:
        raise ModelError(
            f"{folder / 'config.json'}: id2label keys must be class numbers 0, 1, 2…"
        ) from None
    if sorted(by_index) != list(range(len(by_index))):
        raise ModelError(
            f"{folder / 'config.json'}: id2label must number its classes 0 to "
            f"{len(by_index) - 1} without gaps"
        )
    tags = [by_index[i] for i in range(len(by_index))]
    if "O" not in tags:
        shown = ", ".join(map(str, tags[:4])) + ("…" if len(tags) > 4 else "")
        raise ModelError(
            f"{folder}: not a named-entity model (its labels {shown} have no 'O' tag); {fix}"
        )
    bad = [t for t in tags if not isinstance(t, str) or not _is_iob2(t)]
    if bad:
        raise ModelError(f"{folder}: its labels are not IOB2 tags (e.g. {bad[0]!r}); {fix}")
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
        raise ModelError(f"{path}: not a JSON object; {fix}")
    config = info.get("config")
    if not isinstance(config, dict):
        raise ModelError(f"{path}: 'config' is missing or not an object; {fix}")
    max_length = config.get("max_length")
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 16:
        raise ModelError(
            f"{path}: config.max_length must be a whole number of at least 16, not "
            f"{max_length!r}; {fix}"
        )
    tags = info.get("tags")
    if tags is not None and (
        not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)
    ):
        raise ModelError(f"{path}: 'tags' must be a list of tag names; {fix}")
    run = info.get("run")
    if run is not None and not isinstance(run, str):
        raise ModelError(f"{path}: 'run' must be the run's name; {fix}")
    return info


def check_model_folder(folder: str | Path) -> ModelFolder:
    """Everything loading ``folder`` as an NER model needs, checked before torch runs."""
    folder = Path(folder).expanduser()
    config = check_loadable(folder)
    tags = _tags(folder, config)
    info = read_info(folder)
    if info is not None and info.get("tags") is not None and info["tags"] != tags:
        raise ModelError(
            f"{folder}: nerstudio.json's tags differ from config.json's id2label (the folder "
            "mixes two models); restore it, or train the run again"
        )
    max_length = info["config"]["max_length"] if info is not None else DEFAULT_MAX_LENGTH
    return ModelFolder(folder, tags, max_length, info)
