"""Running a source over a project: every unfinished document, in batches, each batch's
suggestions stored in one transaction under the source's runs row, which then becomes the
active source. The CLI (``nerstudio suggest``) and the window's background job both call
``suggest_unfinished``; stopping between batches (Stop, Ctrl+C) keeps what was stored.
The child tells the window how far it is (``SuggestProgress``) and what it did
(``SuggestFinished``) in ``core.child_protocol`` messages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice

from nerstudio.core.child_protocol import child_message
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.sources.base import SuggestionSource
from nerstudio.core.store import Project, RunRecord
from nerstudio.core.store.queries import DocumentQuery

BATCH = 256  # documents suggested and stored per transaction


@child_message
@dataclass(frozen=True)
class SuggestProgress:
    """``done`` of ``total`` unfinished documents are suggested and stored (per batch)."""

    done: int
    total: int


@child_message
@dataclass(frozen=True)
class SuggestFinished:
    """What a source run did (``suggest_unfinished``'s result, and the child's last
    message): its runs row's name, documents stored of how many, whether it was stopped,
    and the source labels it dropped (unmapped) with their counts."""

    run: str
    stored: int
    total: int
    stopped: bool = False
    dropped: dict[str, int] = field(default_factory=dict)


def register_source(project: Project, source: SuggestionSource, name: str | None) -> RunRecord:
    """The source's runs row (made or updated): ``name`` or the source's own."""
    return project.runs.add_source(name or source.name, source.kind, source.origin, source.params)


def count_unfinished(project: Project) -> int:
    return sum(
        project.documents.count(DocumentQuery(status=status, limit=0))
        for status in (Status.NEW, Status.IN_PROGRESS)
    )


def _batches(project: Project, size: int) -> Iterator[list[DocumentRecord]]:
    """Unfinished documents in batches, read through a connection of their own so the
    batches' writes never wait on an open read statement."""
    with Project.open(project.path, check=False) as reader:
        records = chain(
            reader.documents.iter(Status.NEW), reader.documents.iter(Status.IN_PROGRESS)
        )
        while batch := list(islice(records, size)):
            yield batch


def suggest_unfinished(
    project: Project,
    source: SuggestionSource,
    name: str | None = None,
    progress: Callable[[int, int], object] | None = None,
    stop: Callable[[], bool] | None = None,
    batch_size: int = BATCH,
) -> SuggestFinished:
    """Suggest every unfinished document with ``source``, store the suggestions apart from
    gold (one transaction a batch), and make the source the active one. ``progress`` gets
    (done, total) after each batch; ``stop`` is asked before each batch."""
    run = register_source(project, source, name)
    prepare = getattr(source, "prepare", None)
    if prepare is not None:
        prepare(project, run)
    total = count_unfinished(project)
    done, stopped = 0, False
    if progress is not None:
        progress(0, total)
    for batch in _batches(project, batch_size):
        if stop is not None and stop():
            stopped = True
            break
        store_suggestions(project, run.id, batch, source.suggest(batch))
        done += len(batch)
        if progress is not None:
            progress(done, total)
    dropped = dict(Counter(getattr(source, "dropped", {}) or {}))
    if dropped:
        project.runs.add_source(
            run.name, source.kind, source.origin, {**source.params, "dropped": dropped}
        )
    project.runs.set_active(run.name)
    return SuggestFinished(run.name, done, total, stopped, dropped)


def store_suggestions(
    project: Project, run_id: int, records: Sequence[DocumentRecord], suggested: Sequence
) -> int:
    """One transaction: each record's suggestions replace what the source said before."""
    rows = [(r.id, s.spans, s.scores) for r, s in zip(records, suggested) if r.id is not None]
    return project.predictions.save(run_id, rows)
