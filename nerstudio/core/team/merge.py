"""Merge annotators' projects back into the lead's: each person's work kept as their set.

Documents are matched by content hash (the k-th copy of a text in a source with the k-th
in the target, so repeated texts pair up in order); a document the target lacks is added.
Every source document becomes the source annotator's set (their spans and status); an
unchanged set is not rewritten, so merging the same files twice changes nothing. Gold is
then rebuilt (``project.curation.derive_gold``) for the documents whose sets changed, except
those the target had finished itself before any set arrived: their gold stays as it is.

Labels are matched by name. A source label the target lacks refuses the merge, listing
the difference, unless ``--map OLD=NEW`` names the target label it becomes. The whole
merge is one transaction, after a backup of the target.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nerstudio.core.errors import LabelError, NerstudioError, SpanError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.store import Project
from nerstudio.core.store.annotations import GoldSummary


@dataclass(frozen=True)
class SourceSummary:
    path: Path
    annotator: str
    documents: int
    done: int
    changed: int  # sets new or different from the last merge
    added: int  # documents the target lacked, added from this source


@dataclass(frozen=True)
class MergeSummary:
    sources: tuple[SourceSummary, ...]
    gold: GoldSummary
    kept: tuple[int, ...]  # documents the target had finished itself: gold untouched
    added: tuple[int, ...]  # ids of documents added to the target
    backup: Path | None


@dataclass(frozen=True)
class _Source:
    path: Path
    annotator: str
    labels: tuple[str, ...]
    documents: tuple[tuple[str, DocumentRecord], ...]  # (content hash, record) in id order


def parse_label_map(items: Sequence[str]) -> dict[str, str]:
    """``["PERSON=PER", ...]`` -> ``{"PERSON": "PER"}``."""
    found: dict[str, str] = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise NerstudioError(f"--map {item!r}: write it as OLD=NEW, e.g. --map PERSON=PER")
        found[old.strip()] = new.strip()
    return found


def _read(path: Path) -> _Source:
    with Project.open(path) as source:
        hashes = {i: h for i, h, _ in source.annotation_sets.document_hashes()}
        records = tuple((hashes[r.id], r) for r in source.documents.iter())  # type: ignore[index]
        labels = tuple(label.name for label in source.labels.list())
        return _Source(Path(path), source.annotator(), labels, records)


def _check_labels(target: Project, sources: Sequence[_Source], mapping: Mapping[str, str]) -> None:
    names = [label.name for label in target.labels.list()]
    for old, new in mapping.items():
        if new not in names:
            raise LabelError(
                f"--map {old}={new}: {target.path} has no label {new!r} "
                f"(its labels: {', '.join(names) or 'none'})"
            )
        if not any(old in source.labels for source in sources):
            raise LabelError(f"--map {old}={new}: no source project has a label {old!r}")
    for source in sources:
        mapped = {mapping.get(name, name) for name in source.labels}
        missing = sorted(name for name in source.labels if mapping.get(name, name) not in names)
        if missing:
            only_target = sorted(set(names) - mapped)
            raise LabelError(
                f"{source.path}: its labels differ from {target.path}'s: only in the source: "
                f"{', '.join(missing)}; only in the target: {', '.join(only_target) or 'none'}; "
                "add them to the target or map each with --map OLD=NEW"
            )


def _read_sources(target: Project, paths: Sequence[Path]) -> list[_Source]:
    """The annotators' projects, refused when one is the target or two share an annotator."""
    if not paths:
        raise NerstudioError("name at least one annotator's project to merge")
    for path in paths:
        if Path(path).resolve() == target.path.resolve():
            raise NerstudioError(f"{path}: that is the target itself; name annotators' projects")
    sources = [_read(Path(path)) for path in paths]
    by_annotator: dict[str, Path] = {}
    for source in sources:
        if source.annotator in by_annotator:
            raise NerstudioError(
                f"{by_annotator[source.annotator]} and {source.path} both belong to annotator "
                f"{source.annotator!r}; merge them one at a time, or give one another "
                "annotator ('nerstudio annotator PROJECT NAME')"
            )
        by_annotator[source.annotator] = source.path
    return sources


_Key = tuple[str, int]  # (content hash, k): the k-th copy of that text


@dataclass(frozen=True)
class _Placement:
    """Where each source's documents go: keyed by (hash, k) per source; the texts the
    target lacks (the same missing text from several sources is added once), and which
    source brought each first."""

    items: list[list[tuple[_Key, DocumentRecord]]]
    missing: dict[_Key, DocumentRecord]
    added_from: dict[_Key, int]


def _place(sources: Sequence[_Source], slots: Mapping[str, list[int]]) -> _Placement:
    placement = _Placement([], {}, {})
    for number, source in enumerate(sources):
        seen: dict[str, int] = {}
        items = []
        for content_hash, record in source.documents:
            k = seen[content_hash] = seen.get(content_hash, -1) + 1
            if k >= len(slots.get(content_hash, ())):
                placement.missing.setdefault((content_hash, k), record)
                placement.added_from.setdefault((content_hash, k), number)
            items.append(((content_hash, k), record))
        placement.items.append(items)
    return placement


def _save_source(
    target: Project,
    source: _Source,
    items: Sequence[tuple[_Key, DocumentRecord]],
    document_id: Callable[[_Key], int],
    mapping: Mapping[str, str],
) -> list[int]:
    """Store one source's documents as its annotator's sets; the documents that changed."""
    sets = []
    for key, record in items:
        spans = [Span(s.start, s.end, mapping.get(s.label, s.label)) for s in record.spans]
        sets.append((document_id(key), record.status, spans))
    try:
        return target.annotation_sets.save_sets(source.annotator, sets)
    except (LabelError, SpanError) as err:
        raise type(err)(f"{source.path}: {err}") from None


def merge(
    target: Project, paths: Sequence[Path], label_map: Mapping[str, str] | None = None
) -> MergeSummary:
    """Merge annotators' project files into ``target`` (see the module docstring)."""
    mapping = dict(label_map or {})
    sources = _read_sources(target, paths)
    _check_labels(target, sources, mapping)

    hashes = target.annotation_sets.document_hashes()
    slots: dict[str, list[int]] = {}
    for document_id, content_hash, _ in hashes:
        slots.setdefault(content_hash, []).append(document_id)
    finished_alone = {i for i, _, status in hashes if status is Status.DONE}
    finished_alone -= target.annotation_sets.annotated_documents()
    placement = _place(sources, slots)

    made = target.backup("merge")
    with target.transaction():
        new = [
            DocumentRecord(r.text, r.tokens, split=r.split, source=r.source, meta=r.meta)
            for r in placement.missing.values()
        ]
        new_ids = target.documents.add(new).document_ids if new else ()
        where = dict(zip(placement.missing, new_ids))
        changed: set[int] = set()
        summaries = []
        for number, (source, items) in enumerate(zip(sources, placement.items)):
            saved = _save_source(
                target, source, items, lambda key: where.get(key) or slots[key[0]][key[1]], mapping
            )
            changed.update(saved)
            summaries.append(
                SourceSummary(
                    source.path,
                    source.annotator,
                    len(items),
                    sum(record.status is Status.DONE for _, record in items),
                    len(saved),
                    sum(origin == number for origin in placement.added_from.values()),
                )
            )
        gold = target.curation.derive_gold(sorted(changed - finished_alone))
    return MergeSummary(
        tuple(summaries),
        gold,
        tuple(sorted(changed & finished_alone)),
        tuple(new_ids),
        made,
    )
