"""One JSON reader, many shapes: doccano, Hugging Face run_ner rows, spaCy v2 training JSON,
and how a file is sent to the reader of the shape it holds. Counts worked out by hand.

Data in tests/data/json/ (sources in its README.md): ``doccano_sequence_labeling.jsonl``,
``doccano_relation_extraction.jsonl`` and ``doccano_overlapping.jsonl`` are doccano/doccano's
``backend/data_export/pipeline/examples/sequence_labeling/example.jsonl``,
``backend/data_import/pipeline/examples/relation_extraction/example.jsonl`` and
``backend/api/tests/data/sequence_labeling/example_overlapping.jsonl``;
``hf_run_ner_sample.json`` is huggingface/transformers'
``tests/fixtures/tests_samples/conll/sample.json``; ``spacy_v2_training_data.json`` holds the
tokens of explosion/spaCy's ``examples/training/training-data.json`` (spaCy v2).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats.jsonl import read_jsonl
from nerstudio.core.records import Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import tokenize
from nerstudio.core.transfer.importing import settle_overlaps

DATA = Path(__file__).parent.parent / "data" / "json"


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def jsonl(path: Path, *objects) -> Path:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), "utf-8")
    return path


# -- doccano ----------------------------------------------------------------------------------


def test_doccano_export_example():
    eu, peter, obama = read_jsonl(DATA / "doccano_sequence_labeling.jsonl").records

    assert surface(eu) == [("EU", "ORG"), ("German", "MISC")]
    assert surface(peter) == [("Peter Blackburn", "PERSON")]
    assert surface(obama) == [("Obama", "PERSON")]
    assert {eu.status, peter.status, obama.status} == {Status.DONE}


def test_doccano_relation_example_is_one_object_over_many_lines():
    result = read_jsonl(DATA / "doccano_relation_extraction.jsonl")

    (doc,) = result.records
    assert surface(doc) == [
        ("Google", "ORG"),
        ("September 4, 1998", "DATE"),
        ("Larry Page", "PERSON"),
        ("Sergey Brin", "PERSON"),
    ]
    assert result.skipped == {"doccano relations": 3}
    assert doc.source == "doccano_relation_extraction.jsonl:1"


def test_doccano_repeated_span_counts_once_and_splits_its_token():
    result = read_jsonl(DATA / "doccano_overlapping.jsonl")

    (doc,) = result.records
    assert doc.spans == (Span(0, 1, "LOC"),)
    assert doc.tokens == ((0, 1), (1, 8))
    assert doc.meta == {"wikiPageID": 1}


def test_doccano_with_its_own_field_names(tmp_path):
    path = jsonl(
        tmp_path / "custom.jsonl",
        {
            "content": "Anna met Omar.",
            "ents": [[0, 4, "PER"], {"start_offset": 9, "end_offset": 13, "label": "PER"}],
        },
        {"content": "Nobody here."},
    )

    anna, nobody = read_jsonl(path, text_key="content", label_key="ents").records
    assert surface(anna) == [("Anna", "PER"), ("Omar", "PER")]
    assert (anna.status, nobody.status) == (Status.DONE, Status.NEW)
    with pytest.raises(FormatError, match=r"line 1: a record of no JSON shape.*--text-key"):
        read_jsonl(path)
    with pytest.raises(FormatError, match="no record has the field 'labels' named by --label-key"):
        read_jsonl(path, text_key="content", label_key="labels")
    with pytest.raises(FormatError, match=r"line 1: no 'body' field \(named by --text-key\)"):
        read_jsonl(path, text_key="body", label_key="ents")


def test_doccano_1x_wrote_its_text_as_data(tmp_path):
    path = jsonl(
        tmp_path / "d.jsonl", {"id": 10, "data": "It makes police work easy.", "label": []}
    )

    (doc,) = read_jsonl(path).records
    assert (doc.text, doc.status) == ("It makes police work easy.", Status.DONE)


# -- how a file is read -----------------------------------------------------------------------


def test_a_record_of_no_known_shape_names_the_record_and_lists_the_shapes(tmp_path):
    path = jsonl(tmp_path / "odd.jsonl", {"text": "Fine."}, {"sentence": "What?", "tags": []})

    with pytest.raises(FormatError) as info:
        read_jsonl(path)

    message = str(info.value)
    assert info.value.line == 2 and "odd.jsonl: line 2: a record of no JSON shape" in message
    assert "it has 'sentence', 'tags'" in message
    for shape in ("doccano", "Prodigy", "Label Studio JSON", "JSON-MIN", "run_ner", "spaCy v2"):
        assert shape in message
    assert "\n" not in message


def test_several_objects_one_after_another_over_many_lines(tmp_path):
    path = tmp_path / "stream.json"
    path.write_text(
        '{\n  "text": "Anna",\n  "label": [[0, 4, "PER"]]\n}\n{\n  "text": "Omar"\n}\n', "utf-8"
    )

    anna, omar = read_jsonl(path).records
    assert (surface(anna), omar.status) == ([("Anna", "PER")], Status.NEW)
    assert [anna.source, omar.source] == ["stream.json:1", "stream.json:2"]


def test_a_broken_object_over_many_lines_names_the_line_of_the_fault(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "text": "Anna",\n  "label": [[0, 4, "PER"]\n}\n', "utf-8")

    with pytest.raises(FormatError, match="not valid JSON") as info:
        read_jsonl(path)
    assert info.value.line == 4


def test_records_of_several_shapes_are_each_read_as_such_in_file_order(tmp_path):
    path = jsonl(
        tmp_path / "mixed.jsonl",
        {"text": "Anna left.", "label": [[0, 4, "PER"]]},
        {"data": {"text": "Omar left."}, "predictions": [{"result": []}]},
        {"text": "Li left.", "spans": [{"start": 0, "end": 2, "label": "PER"}], "answer": "ignore"},
        {"text": "Plain."},
    )
    result = read_jsonl(path)

    assert [r.text for r in result.records] == ["Anna left.", "Omar left.", "Li left.", "Plain."]
    assert [r.status for r in result.records] == [
        Status.DONE,
        Status.NEW,
        Status.SKIPPED,
        Status.NEW,
    ]
    assert result.suggestions == [(1, "label-studio", [])]  # points at "Omar left."
    assert any("records of several shapes" in note for note in result.notes)


def test_overlapping_spans_split_tokens_and_are_settled_by_the_import(tmp_path):
    text = "AcmeCorp2024 report"  # one token of ours before the spans split it
    spans = [[0, 8, "ORG"], [4, 12, "EVENT"], [0, 4, "ORG"]]
    path = jsonl(tmp_path / "nested.jsonl", {"text": text, "label": spans})

    result = read_jsonl(path)
    (doc,) = result.records
    assert surface(doc) == [("Acme", "ORG"), ("AcmeCorp", "ORG"), ("Corp2024", "EVENT")]
    # Every edge of every span is a token boundary, overlapping ones too.
    assert [text[s:e] for s, e in doc.tokens] == ["Acme", "Corp", "2024", "report"]
    assert any("2 tokens split" in note for note in result.notes)

    settled = settle_overlaps(result, "keep-longest")
    assert surface(settled.records[0]) == [("AcmeCorp", "ORG")]  # a tie: the earlier wins
    assert settled.dropped == [
        "nested.jsonl:1: ORG 0-4 'Acme' overlaps a longer span, dropped",
        "nested.jsonl:1: EVENT 4-12 'Corp2024' overlaps a longer span, dropped",
    ]
    with pytest.raises(NerstudioError, match="overlaps another"):
        settle_overlaps(result, "error")


# -- Hugging Face run_ner ---------------------------------------------------------------------


def test_run_ner_sample_words_and_ner():
    records = read_jsonl(DATA / "hf_run_ner_sample.json").records

    # By hand: 1 + 2 + 3 + 0 + 0 + 5 + 0 + 7 + 3 + 4 entities in the ten rows.
    assert len(records) == 10
    assert [len(r.spans) for r in records] == [1, 2, 3, 0, 0, 5, 0, 7, 3, 4]
    assert all(r.status is Status.DONE for r in records)
    assert surface(records[2]) == [("Bill Clinton", "PER"), ("Fowler", "PER"), ("Senate", "ORG")]
    assert records[1].text == "CHICAGO AT ATLANTA"  # words joined by single spaces
    assert records[1].tokens == ((0, 7), (8, 10), (11, 18))


CONLL2003 = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
EU_ROW = {
    "id": "0",
    "tokens": ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
    "ner_tags": [3, 0, 7, 0, 0, 0, 7, 0, 0],
}


def test_run_ner_integer_tags_need_their_names(tmp_path):
    path = jsonl(tmp_path / "conll2003.jsonl", EU_ROW)

    with pytest.raises(FormatError, match=r"integer tag ids.*--tag-names") as info:
        read_jsonl(path)
    assert info.value.line == 1

    (doc,) = read_jsonl(path, tag_names=CONLL2003).records
    assert surface(doc) == [("EU", "ORG"), ("German", "MISC"), ("British", "MISC")]
    assert doc.meta == {"id": "0"}
    with pytest.raises(FormatError, match=r"ner_tags\[0\] is 3, not an id of --tag-names"):
        read_jsonl(path, tag_names=["O", "B-PER", "I-PER"])


def test_run_ner_columns_named_by_the_user_and_tags_in_bilou(tmp_path):
    row = {"sent": ["Li", "Wei", "left"], "bio": ["B-PER", "L-PER", "O"], "pos": ["N", "N", "V"]}
    path = jsonl(tmp_path / "own.jsonl", row)

    (doc,) = read_jsonl(path, tokens_column="sent", tags_column="bio").records
    assert surface(doc) == [("Li Wei", "PER")]
    with pytest.raises(FormatError, match="no record has the field 'words' named by"):
        read_jsonl(path, tokens_column="words", tags_column="bio")
    # Only the tags column named: the words are the usual column.
    other = jsonl(tmp_path / "words.jsonl", {"words": ["Li", "left"], "tags": ["U-PER", "O"]})
    (doc,) = read_jsonl(other, tags_column="tags").records
    assert surface(doc) == [("Li", "PER")]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"words": ["a", "b"], "ner": ["O"]}, "1 tags for 2 tokens"),
        ({"words": ["a", " b"], "ner": ["O", "O"]}, r"words\[1\] \(' b'\) is blank or starts"),
        ({"words": [], "ner": []}, "not a list of words"),
        ({"words": ["a"], "ner": ["X-PER"]}, "not O or B-/I-/E-/S-"),
        ({"tokens": ["a"], "ner_tags": [None]}, r"ner_tags\[0\] is None, neither a tag"),
    ],
    ids=["lengths", "space", "empty", "bad-tag", "null-tag"],
)
def test_a_bad_run_ner_row_names_its_line(tmp_path, row, reason):
    fine = {"words": ["fine"], "ner": ["O"]}
    with pytest.raises(FormatError, match=reason) as info:
        read_jsonl(jsonl(tmp_path / "bad.jsonl", fine, row))

    assert info.value.line == 2


# -- spaCy v2 training JSON -------------------------------------------------------------------


def test_spacy_v2_example_one_document_per_paragraph_from_biluo_tags():
    result = read_jsonl(DATA / "spacy_v2_training_data.json")

    (doc,) = result.records
    # 9 entities in the first sentence, 2 in the second.
    assert surface(doc) == [
        ("Oct. 19", "DATE"),
        ("The Misanthrope", "WORK_OF_ART"),
        ("Chicago", "GPE"),
        ("Goodman Theatre", "FAC"),
        ("Revitalized Classics Take the Stage in Windy City", "WORK_OF_ART"),
        ("Leisure & Arts", "ORG"),
        ("Celimene", "PERSON"),
        ("Kim Cattrall", "PERSON"),
        ("Christina Haag", "PERSON"),
        ("Haag", "PERSON"),
        ("Elianti", "PERSON"),
    ]
    # The raw text has '"' where the tokens have `` and '': the tokens are joined instead.
    assert doc.text.startswith("In an Oct. 19 review of `` The Misanthrope '' at")
    assert len(doc.tokens) == 54
    assert (doc.status, doc.meta) == (Status.DONE, {"id": 42})
    assert doc.source == "spacy_v2_training_data.json:1:paragraph 1"
    assert result.skipped == {"spaCy raw texts that do not match their tokens (tokens joined)": 1}


def spacy_doc(raw, *sentences):
    return {
        "id": 1,
        "paragraphs": [
            {
                "raw": raw,
                "sentences": [
                    {"tokens": [{"orth": o, "ner": n} for o, n in sentence]}
                    for sentence in sentences
                ],
            }
        ],
    }


def test_spacy_v2_raw_text_is_kept_and_missing_tags_leave_it_in_progress(tmp_path):
    path = tmp_path / "train.json"
    doc = spacy_doc(
        "Anna  lives in\nOslo.",
        [("Anna", "U-PER"), ("lives", "-"), ("in", "O")],
        [("Oslo", "U-GPE"), (".", "O")],
    )
    unknown = spacy_doc("Who?", [("Who", "-"), ("?", "-")])
    path.write_text(json.dumps([doc, unknown]), "utf-8")

    known, nothing = read_jsonl(path).records
    assert known.text == "Anna  lives in\nOslo."
    assert surface(known) == [("Anna", "PER"), ("Oslo", "GPE")]
    assert known.status is Status.IN_PROGRESS  # "lives" was not annotated
    assert nothing.status is Status.NEW


def test_spacy_v2_bad_tag_names_the_record_and_sentence(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([spacy_doc("A B", [("A", "O")], [("B", "Q-X")])]), "utf-8")

    with pytest.raises(FormatError, match=r"record 1: paragraphs\[0\]\.sentences\[1\]: token 1"):
        read_jsonl(path)


def test_text_of_tokens_is_tokenized_as_ever_when_none_are_given(tmp_path):
    (doc,) = read_jsonl(jsonl(tmp_path / "t.jsonl", {"text": "Anna's shop"})).records
    assert doc.tokens == tuple(tokenize("Anna's shop"))


# -- a field of the wrong type, a label that is a tag (issue 23 item 7) -----------------------

DOC = "Anna Berg flew"


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ({"text": DOC, "label": "PER"}, "'label' is 'PER', not a list of spans"),
        ({"text": DOC, "label": {"PER": [0, 9]}}, "'label' is {'PER': [0, 9]}, not a list"),
        ({"text": DOC, "label": 5}, "'label' is 5, not a list of spans"),
        ({"text": DOC, "labels": "PER"}, "'labels' is 'PER', not a list of spans"),
        ({"text": DOC, "entities": {"label": "PER"}}, "'entities' is {'label': 'PER'}, not a"),
        ({"text": DOC, "label": [], "tokens": "Anna Berg"}, "'tokens' is 'Anna Berg', not a"),
        ({"text": DOC, "spans": [], "answer": "accept", "tokens": 3}, "'tokens' is 3, not a"),
    ],
    ids=[
        "label-str",
        "label-dict",
        "label-number",
        "labels-str",
        "entities-dict",
        "tokens",
        "prodigy-tokens",
    ],
)
def test_a_span_field_of_the_wrong_type_is_refused_naming_line_and_field(tmp_path, record, says):
    path = jsonl(tmp_path / "d.jsonl", {"text": DOC, "label": [[0, 9, "PER"]]}, record)

    with pytest.raises(FormatError, match=re.escape(says)) as info:
        read_jsonl(path)

    assert info.value.line == 2
    assert "d.jsonl: line 2:" in str(info.value)


def test_a_null_span_field_is_a_record_without_spans(tmp_path):
    (record,) = read_jsonl(jsonl(tmp_path / "d.jsonl", {"text": DOC, "label": None})).records

    assert record.spans == () and record.status is Status.NEW


@pytest.mark.parametrize(
    "record",
    [
        {"text": DOC, "label": [[0, 4, "B-PER"], [5, 9, "I-PER"]]},
        {"text": DOC, "entities": [{"start_offset": 0, "end_offset": 9, "label": "U-PER"}]},
        {"text": DOC, "spans": [{"start": 0, "end": 9, "label": "B-PER"}], "answer": "accept"},
        {
            "text": DOC,
            "label": [{"start": 0, "end": 9, "text": "Anna Berg", "labels": ["S-PER"]}],
            "annotator": 1,
            "annotation_id": 2,
            "lead_time": 3.0,
        },
    ],
    ids=["doccano", "doccano-entities", "prodigy", "json-min"],
)
def test_a_label_with_a_tag_prefix_is_refused_with_the_name_to_use(tmp_path, record):
    with pytest.raises(FormatError, match=r"carries the tag prefix '[BUS]-'.*rename it to 'PER'"):
        read_jsonl(jsonl(tmp_path / "d.jsonl", record))


def test_labels_that_only_look_like_tags_are_kept(tmp_path):
    record = {"text": DOC, "label": [[0, 4, "BIO-X"], [5, 9, "B_PER"], [10, 14, "X-Y"]]}

    (read,) = read_jsonl(jsonl(tmp_path / "d.jsonl", record)).records

    assert [s.label for s in read.spans] == ["BIO-X", "B_PER", "X-Y"]


def test_a_prodigy_span_whose_text_is_not_at_its_offsets_is_refused(tmp_path):
    spans = [{"start": 0, "end": 4, "label": "PER", "text": "Anna"}]
    spans.append({"start": 5, "end": 9, "label": "PER", "text": "flew"})
    path = jsonl(tmp_path / "p.jsonl", {"text": DOC, "spans": spans, "answer": "accept"})

    with pytest.raises(FormatError, match="gives the text 'flew' but the record's text has 'Berg'"):
        read_jsonl(path)


def test_a_prodigy_span_whose_text_fits_is_read(tmp_path):
    spans = [{"start": 0, "end": 9, "label": "PER", "text": "Anna Berg"}]
    path = jsonl(tmp_path / "p.jsonl", {"text": DOC, "spans": spans, "answer": "accept"})

    (record,) = read_jsonl(path).records

    assert surface(record) == [("Anna Berg", "PER")]
