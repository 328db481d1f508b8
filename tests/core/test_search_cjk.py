"""Search and tag-all find words inside unspaced Chinese and Japanese text, where the
full-text index (which splits at spaces) holds a whole run of characters as one word."""

from __future__ import annotations

import pytest

from nerstudio.core.records import DocumentRecord
from nerstudio.core.store import DocumentQuery, Project
from nerstudio.core.tokens import tokenize

TEXTS = [
    "张三在北京大学工作。",
    "李四去了上海。",
    "東京タワーは東京にあります。",
    "Anna Berg lives in Oslo .",
    "Beijing and 北京 in one line .",
]


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "p.db", ["PER", "LOC"]) as project:
        project.documents.add([DocumentRecord(t, tuple(tokenize(t))) for t in TEXTS])
        yield project


def found(project: Project, search: str) -> list[str]:
    return [TEXTS[row.id - 1] for row in project.documents.list(DocumentQuery(search=search))]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("北京", [TEXTS[0], TEXTS[4]]),  # inside a run, and standing alone
        ("京", [TEXTS[0], TEXTS[2], TEXTS[4]]),
        ("北京大学", [TEXTS[0]]),
        ("上海", [TEXTS[1]]),
        ("東京", [TEXTS[2]]),
        ("タワー", [TEXTS[2]]),  # katakana
        ("Beijing 北京", [TEXTS[4]]),  # every word, spaced and unspaced
        ("Oslo", [TEXTS[3]]),  # the index still serves spaced scripts
        ("oslo", [TEXTS[3]]),
        ("南京", []),
    ],
)
def test_search_finds_substrings_of_unspaced_scripts(project, search, expected):
    assert found(project, search) == expected
    assert project.documents.count(DocumentQuery(search=search)) == len(expected)


def test_tag_all_finds_every_occurrence_in_chinese(project):
    # Han is one token a character: 北京 is the token sequence 北, 京
    assert project.spans.find_occurrences(["北", "京"], None) == [(1, 3, 5), (5, 12, 14)]
    assert project.spans.find_occurrences(["東", "京"], None) == [(3, 0, 2), (3, 6, 8)]
