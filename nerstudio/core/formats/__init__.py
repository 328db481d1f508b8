"""Outside formats: one module each; readers return plain records, writers take them.

No module here touches the database: ``nerstudio.core.transfer`` joins formats and the
Project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nerstudio.core.records import DocumentRecord


@dataclass
class ReadResult:
    """Records read from one file, plus what the user should be told about the reading.

    ``notes`` are repairs and detections worth a line each (scheme, token splits);
    ``labels`` are label names the file declares even where no span uses them (brat's
    annotation.conf); ``dropped`` lists each span left out, with its file:line and why
    (overlaps in a flat project, discontinuous fragments), for the summary and --report;
    ``skipped`` counts what the format holds and nerstudio does not keep, by kind
    ("relation lines": 3); ``suggestions`` are a model's spans that are never gold, as
    (index of the record in ``records``, run name, [{start, end, label, score}]).
    """

    records: list[DocumentRecord]
    notes: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    overlapping: int = 0  # of ``dropped``: spans a reader left out for overlapping a longer one
    suggestions: list[tuple[int, str, list[dict]]] = field(default_factory=list)
