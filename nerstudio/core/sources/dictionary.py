"""Dictionary sources: a gazetteer or pattern file, and the dictionary that learns from
the gold (INCEpTION's string matcher): every entity the person tags is an entry, its other
occurrences are suggested at once, and a string rejected more often than accepted stops
being suggested. A file's entries are kept in the project (``dictionary_entries``), so
the window can suggest with the dictionary without the file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nerstudio.core.errors import NerstudioError
from nerstudio.core.records import DocumentRecord
from nerstudio.core.sources.base import SourceOptions, Suggested, safe_source_name
from nerstudio.core.sources.gazetteer import read_dictionary
from nerstudio.core.sources.labels import build_mapping
from nerstudio.core.sources.matcher import DictionaryMatcher, phrase_key
from nerstudio.core.spans import ScoredSpan, Span
from nerstudio.core.store import Project, RunRecord
from nerstudio.core.store.dictionaries import DictionaryEntry

LEARNT = "learnt"  # the name and origin of the dictionary that learns from gold only


class DictionarySource:
    """Entries (from a file, or none) plus, with ``learn``, every gold entity."""

    kind = "dictionary"

    def __init__(
        self, name: str, origin: str, entries: Sequence[DictionaryEntry] | None, learn: bool = True
    ) -> None:
        self.name, self.origin, self.learn = name, origin, learn
        self.entries = entries  # None: read the row's stored entries in ``prepare``
        self.params: dict[str, Any] = {"learn": learn}
        self.dropped: Counter[str] = Counter()
        self.matcher: DictionaryMatcher | None = None

    def prepare(self, project: Project, run: RunRecord) -> None:
        """Keep the file's entries with the row (or read them back) and build the matcher
        with the project's gold and the row's rejections."""
        if self.entries is None:
            self.entries = project.dictionaries.entries(run.id)
        else:
            project.dictionaries.replace_entries(run.id, self.entries)
        self.matcher = build_matcher(project, run.id, self.entries, self.learn)

    def suggest(self, records: Sequence[DocumentRecord]) -> list[Suggested]:
        if self.matcher is None:
            self.matcher = DictionaryMatcher(self.entries or ())
        return [self.matcher.suggest(r.text, r.tokens) for r in records]


def build_matcher(
    project: Project, run_id: int, entries: Iterable[DictionaryEntry], learn: bool
) -> DictionaryMatcher:
    gold = project.dictionaries.gold_entities()
    accepted = gold if learn else Counter()
    matcher = DictionaryMatcher(entries, accepted, project.dictionaries.rejections(run_id))
    if not learn:  # gold still counts as accepts, not as entries
        for (text, label), count in gold.items():
            matcher.accepted[phrase_key(text).casefold(), label] += count
    return matcher


def open_dictionary(argument: str, options: SourceOptions) -> DictionarySource:
    """``dictionary:FILE``: the file's entries with their labels mapped onto the project's
    (``--map``, else by name); entries of unmapped labels are dropped and counted."""
    if not argument:
        raise NerstudioError("dictionary: name the file (dictionary:clients.tsv)")
    path = Path(argument).expanduser()
    entries = read_dictionary(path)
    mapping = build_mapping(sorted({e.label for e in entries}), options.labels, options.label_map)
    kept = [
        DictionaryEntry(e.text, mapping.targets[e.label], e.case_sensitive, e.pattern)
        for e in entries
        if e.label in mapping.targets
    ]
    source = DictionarySource(safe_source_name(f"dictionary-{path.stem}"), str(path), kept)
    source.dropped.update(e.label for e in entries if e.label not in mapping.targets)
    source.params.update(entries=len(kept), map=mapping.targets)
    return source


def open_learnt(argument: str, options: SourceOptions) -> DictionarySource:
    """``learnt``: the dictionary of what the person has tagged, nothing else."""
    if argument:
        raise NerstudioError("learnt takes no argument: --source learnt")
    return DictionarySource(LEARNT, LEARNT, (), learn=True)


def stored_source(project: Project, run: RunRecord) -> DictionarySource:
    """A dictionary row of the project as a source again (the window's Suggest, a re-run)."""
    source = DictionarySource(run.name, run.base_model, None, bool(run.params.get("learn", True)))
    source.prepare(project, run)
    return source


def learns(run: RunRecord | None) -> bool:
    """Whether ``run`` is a dictionary source that learns from gold."""
    return run is not None and run.method == "dictionary" and bool(run.params.get("learn", True))


def learn_in_document(
    project: Project, run: RunRecord, record: DocumentRecord, entities: Iterable[tuple[str, str]]
) -> list[ScoredSpan]:
    """Occurrences, in the open document, of entities (text, label) just tagged: added to
    the row's stored suggestions of that document at once (one small transaction; nothing
    in gold). Returns what was added. Strings the person rejected more often than accepted
    are left out; so is anything gold or a suggestion covers already."""
    found = Counter(entities)
    if not learns(run) or not found:
        return []
    matcher = DictionaryMatcher((), found, project.dictionaries.rejections(run.id))
    stored = project.predictions.get(run.id, record.id)
    before = list(stored.spans) if stored is not None else []
    taken = [*before, *(Span(s.start, s.end, s.label) for s in record.spans)]
    new = [
        s
        for s in matcher.match(record.text, record.tokens)
        if not any(s.overlaps(other) for other in taken)
    ]
    if new:
        scores = stored.scores if stored is not None else {}
        spans = sorted([*before, *new], key=lambda s: (s.start, s.end))
        project.predictions.save(run.id, [(record.id, spans, scores)])
    return new


def count_rejections(
    project: Project, run_id: int, text: str, spans: Iterable[Span], delta: int = 1
) -> None:
    """A person rejected (``delta`` -1: undid rejecting) these suggestions of a dictionary
    source: counted per string and label, for the learnt filter. Other sources: nothing."""
    if project.runs.get_by_id(run_id).method != "dictionary":
        return
    items = [(text[s.start : s.end], s.label) for s in spans]
    if items:
        project.dictionaries.add_rejections(run_id, items, delta)


def learnt_entries(project: Project) -> list[tuple[str, str, int]]:
    """The learnt dictionary: (text, label, times tagged), most tagged first."""
    gold = project.dictionaries.gold_entities()
    return sorted(((t, lab, n) for (t, lab), n in gold.items()), key=lambda e: (-e[2], e[0], e[1]))
