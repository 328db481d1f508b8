"""Dictionary sources (issue 26 items 1, 2, 6): reading gazetteers and pattern files with
one-line errors, matching on token boundaries, the learnt filter, learning from gold, and
the queue ordered by dictionary ambiguity before any run exists."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from nerstudio.core.active import queue_for_run
from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.sources import SourceOptions, open_source, parse_label_map
from nerstudio.core.sources.dictionary import learn_in_document, learnt_entries
from nerstudio.core.sources.gazetteer import read_dictionary
from nerstudio.core.sources.matcher import DictionaryMatcher
from nerstudio.core.sources.running import suggest_unfinished
from nerstudio.core.store import Project
from nerstudio.core.store.dictionaries import DictionaryEntry as Entry
from nerstudio.core.tokens import tokenize

TEXTS = [
    "Anna Berg moved to New York City in May.",
    "Washington is a city and Washington was a person.",
    "Nothing to see here.",
    "Yorkshire is not York, but new york is New York.",
]


def _record(text: str) -> DocumentRecord:
    return DocumentRecord(text, tuple(tokenize(text)))


def _project(tmp_path: Path, labels=("PER", "LOC")) -> Project:
    project = Project.create(tmp_path / "p.db", list(labels))
    project.documents.add([_record(t) for t in TEXTS])
    return project


def _texts(text: str, spans) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


# -- reading ---------------------------------------------------------------------------


def test_tsv_csv_and_patterns_are_read(tmp_path):
    tsv = tmp_path / "d.tsv"
    tsv.write_text("New York\tLOC\nApple\tORG\tcase\n\n", encoding="utf-8")
    csv = tmp_path / "d.csv"
    csv.write_text('text,label\n"Berg, Anna",PER\n', encoding="utf-8")
    jsonl = tmp_path / "d.jsonl"
    patterns = [
        {"label": "ORG", "pattern": "Acme"},
        {"label": "LOC", "pattern": [{"LOWER": "new"}, {"LOWER": "york"}]},
        {"label": "NUM", "pattern": [{"IS_DIGIT": True}, {"lower": "km"}]},
    ]
    jsonl.write_text("\n".join(json.dumps(p) for p in patterns), encoding="utf-8")
    assert read_dictionary(tsv) == [Entry("New York", "LOC"), Entry("Apple", "ORG", True)]
    assert read_dictionary(csv) == [Entry("Berg, Anna", "PER")]
    read = read_dictionary(jsonl)
    assert read[:2] == [Entry("Acme", "ORG", True), Entry("new york", "LOC", False)]
    assert read[2].pattern is not None and read[2].label == "NUM"


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("a.tsv", "New York\tLOC\nno tab here\n", 2),
        ("b.tsv", "x\tLOC\n\tLOC\n", 2),
        ("c.tsv", "Berg\t\n", 1),
        ("d.csv", "text,label\nonly one column\n", 2),
        ("e.jsonl", '{"label": "A", "pattern": "x"}\n{not json\n', 2),
        ("f.jsonl", '{"label": "A", "pattern": [{"OP": "+", "LOWER": "a"}]}\n', 1),
        ("g.jsonl", '{"label": "A", "pattern": [{"SHAPE": "Xxx"}]}\n', 1),
        ("h.jsonl", '{"pattern": "x"}\n', 1),
    ],
)
def test_a_bad_dictionary_line_is_one_line_naming_file_and_line(tmp_path, name, content, line):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        read_dictionary(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line {line}: ") and "\n" not in message


def test_label_map_syntax_errors_are_one_line():
    assert parse_label_map("PER=person, ORG=org") == {"PER": "person", "ORG": "org"}
    with pytest.raises(NerstudioError, match="SOURCE=LABEL"):
        parse_label_map("PER")


# -- matching --------------------------------------------------------------------------


def test_matches_fall_on_token_boundaries_longest_first_with_each_entrys_case_rule():
    matcher = DictionaryMatcher(
        [
            Entry("York", "LOC"),
            Entry("New York", "LOC"),
            Entry("New York City", "CITY"),
            Entry("Apple", "ORG", case_sensitive=True),
        ]
    )
    text = "Yorkshire, new  york city, York, Apple and apple."
    found = _texts(text, matcher.match(text, tokenize(text)))
    assert found == [("new  york city", "CITY"), ("York", "LOC"), ("Apple", "ORG")]


def test_abbreviations_match_with_or_without_their_period():
    matcher = DictionaryMatcher([Entry("Acme Corp", "ORG"), Entry("St. Louis", "LOC")])
    text = "Acme Corp. moved from St Louis to Acme Corp headquarters."
    found = _texts(text, matcher.match(text, tokenize(text)))
    assert found == [("Acme Corp.", "ORG"), ("St Louis", "LOC"), ("Acme Corp", "ORG")]


def test_token_patterns_test_flags_and_literals():
    pattern = json.dumps([{"is_digit": True}, {"lower": "km"}])
    matcher = DictionaryMatcher([Entry("* km", "DIST", True, pattern)])
    text = "It is 12 km, not twelve km or 12 miles."
    assert _texts(text, matcher.match(text, tokenize(text))) == [("12 km", "DIST")]


def test_cjk_entries_match_character_tokens():
    matcher = DictionaryMatcher([Entry("东京", "LOC")])
    text = "我住在东京都。"
    assert _texts(text, matcher.match(text, tokenize(text))) == [("东京", "LOC")]


def test_a_string_rejected_more_often_than_accepted_is_no_longer_suggested():
    entries = [Entry("Jordan", "PER"), Entry("Jordan", "LOC")]
    text = "Jordan said so."
    matcher = DictionaryMatcher(entries, Counter({("Jordan", "LOC"): 1}), Counter())
    (span,) = matcher.match(text, tokenize(text))
    assert (span.label, round(span.score, 2)) == ("LOC", 0.67)  # ambiguous: 2 of 3
    rejected = Counter({("jordan", "LOC"): 2, ("jordan", "PER"): 1})
    assert (
        DictionaryMatcher(entries, Counter({("Jordan", "LOC"): 1}), rejected).match(
            text, tokenize(text)
        )
        == ()
    )


# -- the project -----------------------------------------------------------------------


def test_suggest_stores_apart_from_gold_sets_active_and_orders_the_queue(tmp_path):
    gazetteer = tmp_path / "places.tsv"
    gazetteer.write_text(
        "New York\tLOC\nWashington\tLOC\nWashington\tPER\nAnna Berg\tPER\nMay\tDATE\n"
    )
    with _project(tmp_path) as project:
        options = SourceOptions(labels=("PER", "LOC"))
        source = open_source(f"dictionary:{gazetteer}", options)
        result = suggest_unfinished(project, source)
        assert (result.stored, result.total, result.dropped) == (4, 4, {"DATE": 1})
        run = project.runs.active()
        assert run is not None and (run.name, run.method, run.status) == (
            "dictionary-places",
            "dictionary",
            "source",
        )
        first = project.predictions.get(run.id, 1)
        assert _texts(TEXTS[0], first.spans) == [("Anna Berg", "PER"), ("New York", "LOC")]
        assert all(not project.spans.list(doc) for doc in range(1, 5))  # nothing in gold
        order = queue_for_run(project, run.id, "mnlp", random_share=0.0)
        assert order.document_ids[0] == 2  # the ambiguous Washingtons come first


def test_stop_between_batches_keeps_what_was_stored(tmp_path):
    gazetteer = tmp_path / "g.tsv"
    gazetteer.write_text("New York\tLOC\n")
    with _project(tmp_path) as project:
        source = open_source(f"dictionary:{gazetteer}", SourceOptions(labels=("LOC",)))
        calls = iter([False, True])
        result = suggest_unfinished(project, source, stop=lambda: next(calls), batch_size=2)
        assert (result.stored, result.stopped) == (2, True)
        assert project.predictions.count(project.runs.get("dictionary-g").id) == 2


def test_the_learnt_dictionary_suggests_other_occurrences_at_once(tmp_path):
    with _project(tmp_path) as project:
        project.spans.add(4, TEXTS[3].index("New York"), TEXTS[3].index("New York") + 8, "LOC")
        source = open_source("learnt", SourceOptions(labels=("PER", "LOC")))
        suggest_unfinished(project, source)
        run = project.runs.active()
        stored = project.predictions.get(run.id, 1)
        assert _texts(TEXTS[0], stored.spans) == [("New York", "LOC")]
        # a new gold entity: its other occurrences in the open document, fast
        project.spans.add(2, 0, 10, "LOC")
        record = project.documents.get(2)
        started = time.perf_counter()
        added = learn_in_document(project, run, record, [("Washington", "LOC")])
        elapsed_ms = 1000 * (time.perf_counter() - started)
        assert _texts(TEXTS[1], added) == [("Washington", "LOC")]
        assert project.predictions.get(run.id, 2).spans == tuple(added)
        assert elapsed_ms < 50
        assert [(t, lab) for t, lab, _ in learnt_entries(project)] == [
            ("New York", "LOC"),
            ("Washington", "LOC"),
        ]


def test_rejections_are_remembered_per_source(tmp_path):
    with _project(tmp_path) as project:
        project.spans.add(3, 0, 7, "PER")  # "Nothing" tagged once as a person
        project.documents.set_status([3], Status.DONE)
        source = open_source("learnt", SourceOptions(labels=("PER", "LOC")))
        run = project.runs.add_source("learnt", "dictionary", "learnt", {"learn": True})
        project.dictionaries.add_rejections(run.id, [("nothing", "PER")] * 2)
        project.documents.add([_record("Nothing at all.")])
        suggest_unfinished(project, source)
        assert project.predictions.get(run.id, 5).spans == ()
