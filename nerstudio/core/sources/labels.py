"""A source's labels onto the project's: ``--map PER=person``, else the same name (a run
exported from another nerstudio project maps by itself), else case-blind the same name.
Labels left unmapped are dropped and counted, so the person is told what was left out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nerstudio.core.errors import NerstudioError
from nerstudio.core.spans import ScoredSpan


@dataclass
class LabelMapping:
    """Source label -> project label; what it drops is counted in ``dropped``."""

    targets: dict[str, str]
    dropped: Counter[str] = field(default_factory=Counter)

    def map_spans(self, spans: Iterable[ScoredSpan]) -> tuple[ScoredSpan, ...]:
        kept = []
        for span in spans:
            target = self.targets.get(span.label)
            if target is None:
                self.dropped[span.label] += 1
            else:
                kept.append(ScoredSpan(span.start, span.end, target, span.score))
        return tuple(kept)

    def unmapped(self, source_labels: Iterable[str]) -> list[str]:
        return sorted(set(source_labels) - set(self.targets))


def build_mapping(
    source_labels: Sequence[str], project_labels: Sequence[str], explicit: dict[str, str]
) -> LabelMapping:
    """The mapping of ``source_labels`` onto ``project_labels``: explicit pairs first (each
    must name a project label when the project has labels), then equal names, then names
    equal but for case. A project without labels takes the source's labels as they are."""
    ours = list(project_labels)
    if ours:
        for source, target in explicit.items():
            if target not in ours:
                raise NerstudioError(
                    f"--map {source}={target}: the project has no label {target!r}; "
                    f"use one of {', '.join(ours)}"
                )
    targets = dict(explicit)
    folded = {label.casefold(): label for label in ours}
    for label in source_labels:
        if label in targets:
            continue
        if not ours or label in ours:
            targets[label] = label
        elif label.casefold() in folded:
            targets[label] = folded[label.casefold()]
    return LabelMapping(targets)
