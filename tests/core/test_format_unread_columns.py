"""Columns that hold tags the reader does not use are named in a note, with the option that
reads them (issue 24 item 2): never dropped without a word.

Real data: tests/data/conll/germeval2014_sample.tsv (sources in its README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nerstudio.core.formats.brat import read_brat
from nerstudio.core.formats.conll import read_conll
from nerstudio.core.formats.conllu import read_conllu
from nerstudio.core.formats.hfdatasets import read_hf
from nerstudio.core.formats.jsonl import read_jsonl

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


def test_hf_dataset_names_its_pos_and_chunk_tag_columns(tmp_path):
    datasets = pytest.importorskip("datasets")
    datasets.disable_progress_bars()
    label = datasets.Sequence
    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "tokens": label(datasets.Value("string")),
            "pos_tags": label(datasets.ClassLabel(names=["NNP", "VBD"])),
            "chunk_tags": label(datasets.ClassLabel(names=["O", "B-NP", "B-VP"])),
            "ner_tags": label(datasets.ClassLabel(names=["O", "B-PER"])),
        }
    )
    rows = {
        "id": ["0"],
        "tokens": [["Omar", "sang"]],
        "pos_tags": [[0, 1]],
        "chunk_tags": [[1, 2]],
        "ner_tags": [[1, 0]],
    }
    datasets.Dataset.from_dict(rows, features=features).save_to_disk(str(tmp_path / "c"))
    result = read_hf(tmp_path / "c")
    assert [(s.start, s.end, s.label) for s in result.records[0].spans] == [(0, 4, "PER")]
    assert result.notes == [
        "c: ignored the tag columns 'pos_tags', 'chunk_tags': use --tags-column to read one"
    ]
    chunks = read_hf(tmp_path / "c", tags_column="chunk_tags")
    assert "c: ignored the tag columns 'pos_tags', 'ner_tags': use --tags-column to read one" in (
        chunks.notes
    )


def test_hf_germeval_nested_labels_column_is_named_when_labels_are_read(tmp_path):
    datasets = pytest.importorskip("datasets")
    columns = {
        "tokens": [["Troia", "-", "Traum"]],
        "labels": [["B-OTH", "I-OTH", "I-OTH"]],
        "nested-labels": [["B-LOC", "O", "O"]],
    }
    features = datasets.Features({n: datasets.Sequence(datasets.Value("string")) for n in columns})
    datasets.Dataset.from_dict(columns, features=features).to_parquet(str(tmp_path / "g.parquet"))
    assert read_hf(tmp_path / "g.parquet").notes[-1] == (
        "g.parquet: ignored the tag column 'nested-labels': use --tags-column nested-labels to"
        " read it"
    )


def test_run_ner_json_names_an_unread_tags_column(tmp_path):
    path = tmp_path / "train.json"
    rows = [
        {
            "tokens": ["Anna", "sang"],
            "ner_tags": ["B-PER", "O"],
            "fine_ner_tags": ["B-ARTIST", "O"],
        },
        {"tokens": ["Bo"], "ner_tags": ["B-PER"], "fine_ner_tags": ["B-ARTIST"]},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows), "utf-8")
    result = read_jsonl(path)
    assert len(result.records) == 2
    assert (
        "train.json: ignored the tag column 'fine_ner_tags': use --tags-column fine_ner_tags"
        " to read it"
    ) in result.notes
    fine = read_jsonl(path, tags_column="fine_ner_tags")
    assert {s.label for r in fine.records for s in r.spans} == {"ARTIST"}
    assert any("'ner_tags'" in note for note in fine.notes)


def test_run_ner_json_with_only_its_columns_has_no_such_note(tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text(json.dumps({"words": ["Bo"], "ner": ["B-PER"], "id": 3}), "utf-8")
    assert not any("ignored" in note for note in read_jsonl(path).notes)


def test_brat_relations_events_and_attributes_are_counted_not_dropped_quietly(tmp_path):
    (tmp_path / "d.txt").write_text("Anna met Bo", "utf-8")
    (tmp_path / "d.ann").write_text(
        "T1\tPER 0 4\tAnna\nT2\tPER 9 11\tBo\nT3\tMeet 5 8\tmet\nR1\tKnows Arg1:T1 Arg2:T2\n"
        "E1\tMeet:T3 Agent:T1\nA1\tNegated E1\n#1\tAnnotatorNotes T1\tnote\n",
        "utf-8",
    )
    result = read_brat(tmp_path / "d.ann")
    assert result.skipped == {
        "relation lines": 1,
        "event lines": 1,
        "attribute lines": 1,
        "note lines": 1,
        "event trigger lines": 1,
    }


def conllu_line(i: int, form: str, misc: str) -> str:
    return f"{i}\t{form}\t_\t_\t_\t_\t0\troot\t_\t{misc}\n"


def test_conllu_names_a_misc_key_with_tags_beside_the_one_read(tmp_path):
    path = tmp_path / "a.conllu"
    path.write_text(
        "# sent_id = 1\n"
        + conllu_line(1, "Anna", "NE=B-PER|Fine=B-ARTIST")
        + conllu_line(2, "sang", "NE=O|Fine=O")
        + "\n",
        "utf-8",
    )
    result = read_conllu(path)
    assert [s.label for s in result.records[0].spans] == ["PER"]
    assert result.notes == [
        "a.conllu: ignored the MISC key Fine, which holds entity tags: use --tag-column Fine"
        " to read it"
    ]
    fine = read_conllu(path, tag_column="Fine")
    assert [s.label for s in fine.records[0].spans] == ["ARTIST"]
    assert fine.notes == [
        "a.conllu: ignored the MISC key NE, which holds entity tags: use --tag-column NE to read it"
    ]


def test_conllu_plus_names_a_second_tag_column(tmp_path):
    path = tmp_path / "p.conllup"
    path.write_text(
        "# global.columns = ID FORM NER NESTED\n# sent_id = 1\n"
        "1\tTroia\tB-OTH\tB-LOC\n2\tTraum\tI-OTH\tO\n\n",
        "utf-8",
    )
    result = read_conllu(path)
    assert [s.label for s in result.records[0].spans] == ["OTH"]
    assert result.notes == [
        "p.conllup: ignored the column NESTED, which holds entity tags: use --tag-column NESTED"
        " to read it"
    ]


def test_doccano_names_a_second_span_field_beside_the_one_read(tmp_path):
    path = tmp_path / "d.jsonl"
    row = {
        "text": "Anna sang",
        "label": [[0, 4, "PER"]],
        "entities": [{"start_offset": 0, "end_offset": 4, "label": "ARTIST"}],
    }
    path.write_text(json.dumps(row) + "\n", "utf-8")
    result = read_jsonl(path)
    assert [s.label for s in result.records[0].spans] == ["PER"]
    assert (
        "d.jsonl: ignored the field 'entities' of 1 records, which holds spans: use --label-key"
        " entities to read it"
    ) in result.notes
    other = read_jsonl(path, label_key="entities")
    assert [s.label for s in other.records[0].spans] == ["ARTIST"]
    assert any("ignored the field 'label'" in note for note in other.notes)
