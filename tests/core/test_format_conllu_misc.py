"""CoNLL-U with entity tags in MISC, on a real NorNE file, and the keys not read.

``tests/data/conll/norne_nob_dev_excerpt.conllu``: the first 25 sentences of NorNE's
Bokmål dev file (sources in that folder's README.md), tags as ``name=B-PER``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.conllu import read_conllu
from nerstudio.core.records import Status

NORNE = Path(__file__).parent.parent / "data" / "conll" / "norne_nob_dev_excerpt.conllu"


def entities_in_file(text: str) -> list[tuple[str, str]]:
    """(words, type) of each entity, read from the file's own ``name=`` tags."""
    found: list[tuple[list[str], str]] = []
    for line in text.splitlines():
        cols = line.split("\t")
        if len(cols) != 10 or not cols[0].isdigit():
            continue
        tag = next(f[5:] for f in cols[9].split("|") if f.startswith("name="))
        if tag.startswith("B-"):
            found.append(([cols[1]], tag[2:]))
        elif tag.startswith("I-"):
            found[-1][0].append(cols[1])
    return [(" ".join(words), label) for words, label in found]


def test_norne_name_tags_in_misc_are_read():
    result = read_conllu(NORNE)

    assert len(result.records) == 25
    got = [
        (r.text[s.start : s.end], s.label) for r in result.records for s in r.spans
    ]
    assert got == entities_in_file(NORNE.read_text("utf-8"))
    assert len(got) == 10 and ("Finn Eilertsen", "PER") in got and ("Oslo", "GPE_LOC") in got
    assert result.records[0].text.startswith("Dommer Finn Eilertsen avstår, selvfølgelig")
    assert result.records[0].status is Status.DONE


def test_tags_under_a_misc_key_not_read_refuse_the_file_and_name_the_key(tmp_path):
    renamed = tmp_path / "renamed.conllu"
    renamed.write_text(NORNE.read_text("utf-8").replace("name=", "EntTag="), "utf-8")

    with pytest.raises(FormatError, match=r"MISC key 'EntTag' holds entity tags.*--tag-column"):
        read_conllu(renamed)
    # Named, the key is read.
    result = read_conllu(renamed, tag_column="EntTag")
    assert sum(len(r.spans) for r in result.records) == 10


def test_misc_without_tag_like_values_still_imports_unannotated(tmp_path):
    plain = tmp_path / "plain.conllu"
    plain.write_text("1\tAnna\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No|Gloss=name\n\n", "utf-8")

    (record,) = read_conllu(plain).records
    assert record.status is Status.NEW
