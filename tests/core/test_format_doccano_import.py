"""doccano's own sequence-labelling import examples (sources in tests/data/*/README.md):
the JSONL one names its fields ``column_data`` and ``column_label``, as doccano's import
form does by default; the CoNLL one separates token and tag with two spaces."""

from __future__ import annotations

import json
from pathlib import Path

from nerstudio.core.formats.jsonl import read_jsonl
from nerstudio.core.records import Status
from nerstudio.core.transfer.importing import read_file

DATA = Path(__file__).parent.parent / "data"


def test_doccano_import_example_jsonl_reads_column_data_and_column_label():
    path = DATA / "json" / "doccano_import_sequence_labeling.jsonl"
    result = read_jsonl(path)

    expected = [
        (record["column_data"], [tuple(span) for span in record["column_label"]])
        for record in map(json.loads, path.read_text("utf-8").splitlines())
    ]
    assert [
        (r.text, [(s.start, s.end, s.label) for s in r.spans]) for r in result.records
    ] == expected
    assert {r.status for r in result.records} == {Status.DONE}


def test_column_data_without_labels_is_a_new_document(tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text('{"column_data": "Anna lives in Oslo."}\n', "utf-8")

    (record,) = read_jsonl(path).records
    assert record.text == "Anna lives in Oslo." and record.status is Status.NEW


def test_doccano_import_example_conll_reads_its_four_entities():
    _, result = read_file(DATA / "conll" / "doccano_import_sequence_labeling.txt")

    got = [(r.text[s.start : s.end], s.label) for r in result.records for s in r.spans]
    assert got == [
        ("EU", "ORG"),
        ("German", "MISC"),
        ("British", "MISC"),
        ("Peter Blackburn", "PER"),
    ]
