"""The one contract every suggestion source meets: a trained run, an existing Hugging Face
model, a dictionary, a zero-shot model.

A source turns documents into scored spans plus the uncertainty scores the queue ranks by.
It is stored as a ``runs`` row whose ``method`` is its kind (``run`` rows keep their
training method), so its suggestions land in ``predictions`` under that row's id: the
editor, accept/reject and the queue read them exactly as they read a trained run's.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.spans import ScoredSpan

SOURCE_KINDS = ("run", "model", "dictionary", "zeroshot")
"""Every kind of source, in the order the CLI and the window offer them."""
SOURCE_STATUS = "source"  # the ``runs.status`` of a row that is a source, not a training
NO_SCORES = {"least_confidence": 0.0, "mnlp": 0.0, "entropy": 0.0}

_OPENERS = {
    "dictionary": "nerstudio.core.sources.dictionary:open_dictionary",
    "learnt": "nerstudio.core.sources.dictionary:open_learnt",
    "model": "nerstudio.core.sources.model:open_model",
    "zeroshot": "nerstudio.core.sources.zeroshot:open_zeroshot",
}
"""``--source KIND:ARGUMENT`` -> the function that opens it (imported only when used, so
a heavy extra loads only for its own kind)."""


@dataclass(frozen=True)
class Suggested:
    """What a source says about one document: spans (offsets on the document's token
    boundaries, labels of the project) and the queue's scores (higher = less sure), keyed
    as ``store.predictions.QUEUE_SCORES`` (least_confidence, mnlp, entropy)."""

    spans: tuple[ScoredSpan, ...] = ()
    scores: dict[str, float] = field(default_factory=lambda: dict(NO_SCORES))


@runtime_checkable
class SuggestionSource(Protocol):
    """A source of suggestions. ``suggest`` is called with batches of documents (their text
    and tokens; ``id`` set) and returns one ``Suggested`` per document, in order."""

    name: str  # the default name of its runs row ("dictionary-clients")
    kind: str  # one of SOURCE_KINDS
    origin: str  # what it reads (a file, a folder, a model id): runs.base_model
    params: dict[str, Any]  # what to record with the row (label map, options)
    # Optional: ``dropped: Counter[str]``, the source labels it left out (unmapped), which
    # ``suggest_unfinished`` records and the CLI reports; ``prepare(project, run)``, called
    # with the source's runs row before the first batch (what it keeps in the project).

    def suggest(self, records: Sequence[DocumentRecord]) -> list[Suggested]: ...


@dataclass(frozen=True)
class SourceOptions:
    """What opening a source may need from the project and the command line."""

    labels: tuple[str, ...] = ()  # the project's label names (targets of a label map)
    label_map: dict[str, str] = field(default_factory=dict)  # --map: source label -> ours
    project_path: Path | None = None
    device: str = "cpu"


def open_source(spec: str, options: SourceOptions) -> SuggestionSource:
    """``KIND:ARGUMENT`` (``dictionary:clients.tsv``, ``model:folder``, ``zeroshot:id``,
    ``learnt``) opened as a source; a kind we do not know is one line naming the kinds."""
    kind, _, argument = spec.partition(":")
    target = _OPENERS.get(kind)
    if target is None:
        kinds = ", ".join(f"{k}:..." if k != "learnt" else k for k in _OPENERS)
        raise NerstudioError(f"source {spec!r}: use one of {kinds}")
    module, _, function = target.partition(":")
    try:
        opener = getattr(importlib.import_module(module), function)
    except ModuleNotFoundError as err:
        if err.name != module:
            raise  # a module it imports is missing: its opener says which extra brings it
        raise NerstudioError(f"source {kind!r} is not available in this installation") from None
    return opener(argument, options)


def source_kind(method: str) -> str:
    """The kind of a runs row from its ``method`` (a training method is a ``run``)."""
    return method if method in SOURCE_KINDS else "run"


def parse_label_map(text: str | None) -> dict[str, str]:
    """``PER=person,ORG=organisation`` as a mapping; one line naming a bad pair."""
    mapping: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise NerstudioError(
                f"--map {pair.strip()!r}: write SOURCE=LABEL pairs split by commas "
                "(PER=person,ORG=organisation)"
            )
        mapping[source.strip()] = target.strip()
    return mapping


def safe_source_name(text: str) -> str:
    """A runs-row name made from a file or model name: letters, digits, '.', '_', '-'."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in text).strip(".-")
    return cleaned[:100] or "source"
