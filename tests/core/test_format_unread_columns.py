"""Columns that hold tags the reader does not use are named in a note, with the option that
reads them (issue 24 item 2): never dropped without a word.

Real data: tests/data/conll/germeval2014_sample.tsv (sources in its README.md).
"""

from __future__ import annotations

from pathlib import Path

from nerstudio.core.formats.conll import read_conll

GERMEVAL = Path(__file__).parent.parent / "data" / "conll" / "germeval2014_sample.tsv"


def test_germeval_read_by_its_outer_column_names_the_inner_one():
    result = read_conll(GERMEVAL, tag_column="3")
    assert (
        "germeval2014_sample.tsv: ignored column 4, which holds tags (LOC): use --tag-column 4"
        " to read it"
    ) in result.notes
    inner = read_conll(GERMEVAL, tag_column="4")
    assert any("ignored column 3" in note and "LOCpart, OTH" in note for note in inner.notes)


def test_germeval_read_by_default_reads_both_columns_and_names_none():
    assert not any("ignored column" in note for note in read_conll(GERMEVAL).notes)


def test_a_second_entity_column_before_the_last_is_named(tmp_path):
    path = tmp_path / "two.conll"
    path.write_text("Anna B-PER B-PERSON x\nsang O O y\n\nBerlin B-LOC B-CITY z\n", "utf-8")
    notes = read_conll(path, tag_column="2").notes
    assert notes[-1] == (
        "two.conll: ignored column 3, which holds tags (CITY, PERSON): use --tag-column 3 to"
        " read it"
    )


def test_columns_without_tags_or_only_o_are_not_named(tmp_path):
    path = tmp_path / "plain.conll"
    path.write_text("Anna NNP O B-PER\nsang VBD O O\n", "utf-8")
    assert read_conll(path).notes == ["plain.conll: tag scheme IOB2"]
