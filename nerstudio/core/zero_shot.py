"""Zero-shot suggestions: a GLiNER2 model finds spans of labels it was only told the names
(or descriptions) of, before anyone has annotated anything.

GLiNER2 splits its input into words at spaces and punctuation, so Chinese and Japanese,
written without spaces, would reach it as one "word" per clause (its users report
near-zero results). We therefore feed it our own tokens (``core.tokens``: one token per
Han or kana character) joined by single spaces, in windows of at most ``window_words``
tokens that overlap by ``overlap_words``, and map each span it finds back to the
character offsets of the original text, snapped to our token edges. A window keeps only
the spans that start in its own middle part, so a span cut at a window's edge is taken
from the neighbour that sees it whole, and no span is found twice.

``gliner2`` (the ``zeroshot`` extra, Apache-2.0) is imported only when a model is loaded.
"""

from __future__ import annotations

import bisect
import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from nerstudio.core.errors import NerstudioError
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.tokens import Token, tokenize

INSTALL_HINT = 'zero-shot suggestions need the zeroshot extra: pip install "nerstudio[zeroshot]"'
WINDOW_WORDS = 256  # with the label prompt, well inside a 512-sub-word encoder
OVERLAP_WORDS = 32
BATCH_SIZE = 8


class ZeroShotModel(Protocol):
    """What we call on a GLiNER2 model (``gliner2.GLiNER2``): its batched extraction."""

    def batch_extract(self, texts: list[str], schemas: Any, **options: Any) -> list[dict]: ...


@dataclass(frozen=True)
class Window:
    """A run of a text's tokens as the model reads it: the tokens joined by single spaces.

    ``starts[i]`` is where token ``first + i`` begins in ``text``; the window keeps the
    spans that start at tokens ``own_first .. own_last`` (inclusive)."""

    text: str
    first: int
    starts: tuple[int, ...]
    own_first: int
    own_last: int


def zeroshot_installed() -> bool:
    """Whether ``gliner2`` can be imported (the optional ``zeroshot`` extra)."""
    return importlib.util.find_spec("gliner2") is not None


def load_zero_shot_model(name_or_path: str, device: str = "cpu") -> ZeroShotModel:
    """A GLiNER2 model (span or boundary architecture) from a local folder or hub id;
    one line naming the extra when it is absent."""
    if not zeroshot_installed():
        raise NerstudioError(INSTALL_HINT)
    folder = Path(name_or_path)
    if folder.is_dir():
        check_zero_shot_folder(folder)
    from gliner2 import AutoExtractor

    try:
        model = AutoExtractor.from_pretrained(name_or_path)
    except (OSError, ValueError) as err:
        raise NerstudioError(
            f"{name_or_path}: not a GLiNER2 model folder or hub id ({err})"
        ) from None
    return model.to(device)


def check_zero_shot_folder(folder: Path) -> None:
    """Refuse what we never load: weights as a pickle, and configs that name remote code
    (GLiNER2 builds its encoder with ``trust_remote_code``)."""
    if not (folder / "model.safetensors").is_file():
        raise NerstudioError(f"{folder}: no model.safetensors; only safetensors weights load")
    for config in (folder / "config.json", folder / "encoder_config" / "config.json"):
        try:
            text = config.read_text(encoding="utf-8")
        except OSError:
            raise NerstudioError(
                f"{config}: missing or unreadable; is this a GLiNER2 folder?"
            ) from None
        if '"auto_map"' in text:
            raise NerstudioError(f"{config}: names remote code (auto_map), which never runs")


def zero_shot_spans(
    texts: Sequence[str],
    labels: Mapping[str, str | None] | Sequence[str],
    model: ZeroShotModel | str,
    threshold: float = 0.5,
    *,
    window_words: int = WINDOW_WORDS,
    overlap_words: int = OVERLAP_WORDS,
    tokens: Sequence[Sequence[Token]] | None = None,
) -> list[list[ScoredSpan]]:
    """For each text, the spans ``model`` finds for ``labels``, non-overlapping, by offset.

    ``labels`` maps each label name to its description (None or empty: the name alone is
    the prompt), or lists names. ``model`` is a loaded GLiNER2 model or what
    ``load_zero_shot_model`` takes. Where spans of two labels overlap, the surer one wins.
    ``tokens``: each text's own tokens (a stored document's, which an imported format may
    have cut otherwise than ``tokenize``), so spans fall on them; else the text tokenized.
    """
    if not 0 <= overlap_words < window_words:
        raise ValueError("the overlap must be shorter than the window")
    if isinstance(model, str):
        model = load_zero_shot_model(model)
    schema = entity_schema(labels)
    if not schema:
        return [[] for _ in texts]
    tokens = [tokenize(text) for text in texts] if tokens is None else list(tokens)
    windows = [
        windows_of(text, toks, window_words, overlap_words) for text, toks in zip(texts, tokens)
    ]
    flat = [window for doc in windows for window in doc]
    found = _extract(model, [w.text for w in flat], schema, threshold)
    out: list[list[ScoredSpan]] = []
    at = 0
    for toks, doc in zip(tokens, windows):
        candidates: list[ScoredSpan] = []
        for window in doc:
            candidates += spans_in_window(window, found[at], toks, threshold)
            at += 1
        out.append(flat_spans(candidates))
    return out


def entity_schema(labels: Mapping[str, str | None] | Sequence[str]) -> dict[str, str]:
    """GLiNER2's entity types: label name -> description ("" where there is none)."""
    if isinstance(labels, Mapping):
        return {name: (description or "").strip() for name, description in labels.items()}
    return {name: "" for name in labels}


def windows_of(text: str, tokens: Sequence[Token], size: int, overlap: int) -> list[Window]:
    """The text's tokens in windows of ``size`` that overlap by ``overlap``; each window
    owns the tokens up to the middle of its overlaps with its neighbours."""
    if not tokens:
        return []
    stride = size - overlap
    firsts = list(range(0, max(1, len(tokens) - overlap), stride))
    out = []
    for n, first in enumerate(firsts):
        last = min(first + size, len(tokens)) - 1
        own_first = first if n == 0 else first + overlap // 2
        own_last = last if n == len(firsts) - 1 else firsts[n + 1] + overlap // 2 - 1
        words = [text[s:e] for s, e in tokens[first : last + 1]]
        starts, offset = [], 0
        for word in words:
            starts.append(offset)
            offset += len(word) + 1
        out.append(Window(" ".join(words), first, tuple(starts), own_first, own_last))
    return out


def spans_in_window(
    window: Window, found: list[dict], tokens: Sequence[Token], threshold: float
) -> list[ScoredSpan]:
    """The model's spans in ``window`` as spans of the original text, on token edges."""
    out = []
    for hit in found:
        start, end, score = hit.get("start"), hit.get("end"), hit.get("confidence")
        if not isinstance(start, int) or not isinstance(end, int) or score is None:
            continue
        if not 0 <= start < end <= len(window.text) or float(score) < threshold:
            continue
        first = window.first + bisect.bisect_right(window.starts, start) - 1
        last = window.first + bisect.bisect_right(window.starts, end - 1) - 1
        if not window.own_first <= first <= window.own_last:
            continue
        out.append(ScoredSpan(tokens[first][0], tokens[last][1], hit["label"], float(score)))
    return out


def flat_spans(candidates: list[ScoredSpan]) -> list[ScoredSpan]:
    """No two spans overlap: the surest first, then each that overlaps none kept; by offset."""
    kept: list[ScoredSpan] = []
    for span in sorted(candidates, key=lambda s: (-s.score, s.start, s.end, s.label)):
        if not any(span.overlaps(other) for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))


def _extract(
    model: ZeroShotModel, texts: list[str], schema: dict[str, str], threshold: float
) -> list[list[dict]]:
    """One list of hits (``start``, ``end``, ``confidence``, ``label``) per window text."""
    if not texts:
        return []
    descriptions = {name: text for name, text in schema.items() if text}
    results = model.batch_extract(
        texts,
        {"entities": dict.fromkeys(schema, ""), "entity_descriptions": descriptions},
        batch_size=BATCH_SIZE,
        threshold=threshold,
        include_confidence=True,
        include_spans=True,
    )
    out = []
    for result in results:
        entities = result.get("entities", {}) if isinstance(result, dict) else {}
        out.append(
            [
                {**hit, "label": label}
                for label, hits in entities.items()
                if label in schema
                for hit in hits
                if isinstance(hit, dict)
            ]
        )
    return out
