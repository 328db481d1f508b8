"""Outside formats as a user meets them: files in, documents and spans out, and back.

Every input is a tiny file written into ``tmp_path``; nothing is downloaded or shared.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError, NerstudioError
from nerstudio.core.formats.conll import read_conll
from nerstudio.core.formats.hfdatasets import read_hf
from nerstudio.core.formats.jsonl import read_jsonl
from nerstudio.core.formats.text import read_text_documents
from nerstudio.core.records import Status
from nerstudio.core.spans import Scheme, Span
from nerstudio.core.store import Project
from nerstudio.core.transfer import export_corpus, import_files

LABELS = ["PER", "ORG", "LOC"]


def write(path: Path, content: str | bytes) -> Path:
    """Write exactly these bytes (no newline translation)."""
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def surface(record) -> list[tuple[str, str]]:
    """A record's entities as (text, label) pairs, the way a user reads them."""
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "corpus.db", LABELS) as proj:
        yield proj


# -- CoNLL: reading --------------------------------------------------------------------------

CONLL_IOB2 = (
    "Anna\tB-PER\nBerg\tI-PER\nflew\tO\nto\tO\nNew\tB-LOC\nYork\tI-LOC\n.\tO\n"
    "\n"
    "Acme\tB-ORG\nCorp\tI-ORG\nhired\tO\nLi\tB-PER\nWei\tI-PER\nand\tO\nOmar\tB-PER\n\n"
)
EXPECTED_ENTITIES = [
    [("Anna Berg", "PER"), ("New York", "LOC")],
    [("Acme Corp", "ORG"), ("Li Wei", "PER"), ("Omar", "PER")],
]


def test_conll_tokens_joined_by_single_spaces_with_exact_offsets(tmp_path):
    result = read_conll(write(tmp_path / "a.conll", CONLL_IOB2))

    first, second = result.records
    assert first.text == "Anna Berg flew to New York ."
    assert [first.text[s:e] for s, e in first.tokens] == [
        "Anna",
        "Berg",
        "flew",
        "to",
        "New",
        "York",
        ".",
    ]
    assert first.tokens[:2] == ((0, 4), (5, 9))
    assert first.spans == (Span(0, 9, "PER"), Span(18, 26, "LOC"))
    assert [surface(r) for r in result.records] == EXPECTED_ENTITIES
    assert second.text == "Acme Corp hired Li Wei and Omar"


def test_conll_documents_arrive_done_with_their_source_line(tmp_path):
    result = read_conll(write(tmp_path / "a.conll", CONLL_IOB2))

    assert [r.status for r in result.records] == [Status.DONE, Status.DONE]
    assert [r.source for r in result.records] == ["a.conll:1", "a.conll:9"]
    assert "a.conll: tag scheme IOB2" in result.notes


def test_conll_token_first_tag_last_middle_columns_ignored(tmp_path):
    content = (
        "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n. . O O\n\n"
    )
    (record,) = read_conll(write(tmp_path / "c.txt", content)).records

    assert record.text == "EU rejects German call ."
    assert surface(record) == [("EU", "ORG"), ("German", "MISC")]


def test_conll_docstart_and_comment_lines_are_skipped(tmp_path):
    content = (
        "-DOCSTART- -X- -X- O\n\n"
        "# sent_id = 1\n"
        "# a comment line\n"
        "Paris\tB-LOC\nis\tO\nnice\tO\n\n"
        "-DOCSTART- -X- -X- O\n\n"
        "Omar\tB-PER\nslept\tO\n"
    )
    result = read_conll(write(tmp_path / "d.conll", content))

    assert [r.text for r in result.records] == ["Paris is nice", "Omar slept"]
    assert [surface(r) for r in result.records] == [[("Paris", "LOC")], [("Omar", "PER")]]


def test_conll_hash_token_with_a_tag_is_a_token_not_a_comment(tmp_path):
    content = "#\tO\nMeToo\tB-MISC\n\n"
    (record,) = read_conll(write(tmp_path / "h.conll", content)).records

    assert record.text == "# MeToo"
    assert surface(record) == [("MeToo", "MISC")]


def test_conll_blank_line_ends_a_document_and_extra_blank_lines_add_none(tmp_path):
    content = "Anna\tB-PER\n\n\n\nOmar\tB-PER\n\n\n"
    result = read_conll(write(tmp_path / "b.conll", content))

    assert [r.text for r in result.records] == ["Anna", "Omar"]


def test_conll_iob1_input_is_detected_and_decoded_like_iob2(tmp_path):
    iob1 = (
        "Anna\tI-PER\nBerg\tI-PER\nflew\tO\nto\tO\nNew\tI-LOC\nYork\tI-LOC\n.\tO\n"
        "\n"
        "Acme\tI-ORG\nCorp\tI-ORG\nhired\tO\nLi\tI-PER\nWei\tI-PER\nand\tO\nOmar\tI-PER\n\n"
    )
    result = read_conll(write(tmp_path / "a.iob", iob1))

    assert [surface(r) for r in result.records] == EXPECTED_ENTITIES
    assert any("IOB1" in note for note in result.notes)
    assert not any("ill-formed" in note for note in result.notes)


def test_conll_iob1_b_tag_separates_two_adjacent_entities(tmp_path):
    content = "Li\tI-PER\nWei\tI-PER\nOmar\tB-PER\nsang\tO\n\n"
    (record,) = read_conll(write(tmp_path / "a.iob", content)).records

    assert surface(record) == [("Li Wei", "PER"), ("Omar", "PER")]


def test_conll_bioes_input_is_detected_and_decoded_like_iob2(tmp_path):
    bioes = (
        "Anna\tB-PER\nBerg\tE-PER\nflew\tO\nto\tO\nNew\tB-LOC\nYork\tE-LOC\n.\tO\n"
        "\n"
        "Acme\tB-ORG\nCorp\tE-ORG\nhired\tO\nLi\tB-PER\nWei\tE-PER\nand\tO\nOmar\tS-PER\n\n"
    )
    result = read_conll(write(tmp_path / "a.bioes", bioes))

    assert [surface(r) for r in result.records] == EXPECTED_ENTITIES
    assert any("BIOES" in note for note in result.notes)
    assert not any("ill-formed" in note for note in result.notes)


def test_conll_ill_formed_iob2_is_repaired_the_conlleval_way(tmp_path):
    # The second document opens an entity with I-: conlleval reads it as a new entity.
    content = "Anna\tB-PER\nBerg\tI-PER\nworks\tO\n\nin\tO\nParis\tI-LOC\n\n"
    result = read_conll(write(tmp_path / "r.conll", content))

    assert [surface(r) for r in result.records] == [[("Anna Berg", "PER")], [("Paris", "LOC")]]


def test_conll_ill_formed_iob2_is_noted_with_scheme_and_line(tmp_path):
    # A file that is IOB2 (B- opens entities after O) with one stray I- on line 6:
    # the note should name IOB2 and point at line 6, not flag the well-formed document.
    content = "Anna\tB-PER\nBerg\tI-PER\nworks\tO\n\nin\tO\nParis\tI-LOC\n\n"
    result = read_conll(write(tmp_path / "r.conll", content))

    assert "r.conll: tag scheme IOB2" in result.notes
    repair = [note for note in result.notes if "ill-formed" in note]
    assert len(repair) == 1
    assert "1 documents had ill-formed IOB2" in repair[0]
    assert "line 6" in repair[0]


def test_conll_ill_formed_bioes_is_repaired_and_noted(tmp_path):
    # An entity left open (B-PER then O) in a BIOES file.
    content = "Omar\tS-PER\nslept\tO\n\nAnna\tB-PER\nBerg\tO\n\n"
    result = read_conll(write(tmp_path / "r.bioes", content))

    assert [surface(r) for r in result.records] == [[("Omar", "PER")], [("Anna", "PER")]]
    repair = [note for note in result.notes if "ill-formed" in note]
    assert len(repair) == 1
    assert "BIOES" in repair[0]
    assert "line 5" in repair[0]


def test_conll_untagged_tokens_become_a_new_document(tmp_path):
    content = "Anna\tB-PER\nslept\tO\n\nno\nTags\nhere\n\n"
    first, second = read_conll(write(tmp_path / "u.conll", content)).records

    assert first.status is Status.DONE
    assert second.text == "no Tags here"
    assert second.status is Status.NEW
    assert second.spans == ()


# -- CoNLL: bad input ------------------------------------------------------------------------


def test_conll_non_utf8_file_names_file_and_line(tmp_path):
    path = write(tmp_path / "latin1.conll", b"Anna\tB-PER\n" + b"Z\xfcrich\tB-LOC\n\n")

    with pytest.raises(FormatError) as info:
        read_conll(path)

    assert info.value.line == 2
    assert "latin1.conll" in str(info.value)
    assert "line 2" in str(info.value)
    assert "UTF-8" in str(info.value)


def test_conll_empty_file_is_an_error(tmp_path):
    path = write(tmp_path / "empty.conll", "")

    with pytest.raises(FormatError, match="empty"):
        read_conll(path)


def test_conll_file_of_only_blank_lines_is_an_error(tmp_path):
    with pytest.raises(FormatError, match="no documents"):
        read_conll(write(tmp_path / "blank.conll", "\n\n  \n"))


@pytest.mark.parametrize("bad_tag", ["B-", "X-PER", "PER"])
def test_conll_bad_tag_names_the_line(tmp_path, bad_tag):
    content = f"Anna\tB-PER\nBerg\tI-PER\n\nOmar\t{bad_tag}\nslept\tO\n\n"
    path = write(tmp_path / "bad.conll", content)

    with pytest.raises(FormatError) as info:
        read_conll(path)

    assert info.value.line == 4
    assert str(info.value).startswith(f"{path}: line 4: ")
    assert repr(bad_tag) in str(info.value)


def test_conll_document_mixing_tagged_and_untagged_lines_is_an_error(tmp_path):
    content = "Anna\tB-PER\nBerg\nslept\tO\n\n"

    with pytest.raises(FormatError) as info:
        read_conll(write(tmp_path / "mixed.conll", content))

    assert info.value.line == 1


# -- JSONL: reading --------------------------------------------------------------------------


def jsonl(path: Path, *objects) -> Path:
    return write(path, "".join(json.dumps(obj) + "\n" for obj in objects))


def test_jsonl_doccano_label_lists(tmp_path):
    path = jsonl(
        tmp_path / "doccano.jsonl",
        {"text": "Anna Berg visited Paris.", "label": [[0, 9, "PER"], [18, 23, "LOC"]]},
        {"text": "Nothing to see here.", "label": []},
    )
    first, second = read_jsonl(path).records

    assert surface(first) == [("Anna Berg", "PER"), ("Paris", "LOC")]
    assert first.status is Status.DONE
    assert first.source == "doccano.jsonl:1"
    # A record that carries a (empty) span list has been annotated: it is done.
    assert second.spans == ()
    assert second.status is Status.DONE


def test_jsonl_doccano_entities_with_start_and_end_offset(tmp_path):
    record = {
        "id": 7,
        "text": "Acme Corp hired Li Wei.",
        "entities": [
            {"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 9},
            {"id": 2, "label": "PER", "start_offset": 16, "end_offset": 22},
        ],
        "relations": [],
    }
    (doc,) = read_jsonl(jsonl(tmp_path / "d.jsonl", record)).records

    assert surface(doc) == [("Acme Corp", "ORG"), ("Li Wei", "PER")]


def test_jsonl_prodigy_spans_keep_the_given_tokens(tmp_path):
    text = "Omar moved to New York"
    words = [(0, 4), (5, 10), (11, 13), (14, 22)]  # "New York" is one token here
    record = {
        "text": text,
        "tokens": [
            {"text": text[s:e], "start": s, "end": e, "id": i, "ws": True}
            for i, (s, e) in enumerate(words)
        ],
        "spans": [
            {"start": 0, "end": 4, "label": "PER", "token_start": 0, "token_end": 0},
            {"start": 14, "end": 22, "label": "LOC", "token_start": 3, "token_end": 3},
        ],
        "answer": "accept",
    }
    (doc,) = read_jsonl(jsonl(tmp_path / "prodigy.jsonl", record)).records

    assert doc.tokens == tuple(words)
    assert surface(doc) == [("Omar", "PER"), ("New York", "LOC")]
    assert doc.status is Status.DONE


def test_jsonl_text_only_record_is_new_and_tokenized(tmp_path):
    (doc,) = read_jsonl(jsonl(tmp_path / "t.jsonl", {"text": "Apple's shares rose."})).records

    assert doc.status is Status.NEW
    assert [doc.text[s:e] for s, e in doc.tokens] == ["Apple", "'s", "shares", "rose", "."]


def test_label_studio_json_array_export(tmp_path):
    tasks = [
        {
            "id": 1,
            "data": {"text": "Anna Berg works at Acme Corp."},
            "annotations": [
                {
                    "id": 10,
                    "result": [
                        {
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {"start": 0, "end": 9, "text": "Anna Berg", "labels": ["PER"]},
                        },
                        {
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {
                                "start": 19,
                                "end": 28,
                                "text": "Acme Corp",
                                "labels": ["ORG"],
                            },
                        },
                    ],
                }
            ],
        },
        {"id": 2, "data": {"text": "Not yet annotated."}, "annotations": []},
    ]
    path = write(tmp_path / "export.json", json.dumps(tasks, indent=2))
    first, second = read_jsonl(path).records

    assert first.text == "Anna Berg works at Acme Corp."
    assert surface(first) == [("Anna Berg", "PER"), ("Acme Corp", "ORG")]
    assert first.status is Status.DONE
    assert second.text == "Not yet annotated."
    assert second.status is Status.NEW


def test_jsonl_span_ending_inside_a_token_splits_that_token(tmp_path):
    path = jsonl(tmp_path / "p.jsonl", {"text": "iPhone15 sold out", "label": [[0, 6, "PROD"]]})
    result = read_jsonl(path)
    (doc,) = result.records

    assert [doc.text[s:e] for s, e in doc.tokens] == ["iPhone", "15", "sold", "out"]
    assert surface(doc) == [("iPhone", "PROD")]
    assert any("split" in note for note in result.notes)


def test_jsonl_token_split_survives_import_into_a_project(tmp_path, project):
    path = jsonl(tmp_path / "p.jsonl", {"text": "iPhone15 sold out", "label": [[0, 6, "PROD"]]})

    summary = import_files(project, [path])

    assert summary.documents == 1
    assert summary.labels_added == ("PROD",)
    (doc,) = project.iter_documents()
    assert surface(doc) == [("iPhone", "PROD")]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Anna  Berg", [0, 5]),  # ends in the middle of a double space
        ("Anna Berg", [0, 5]),  # ends on the space before "Berg"
        ("Anna Berg", [4, 9]),  # starts on the space after "Anna"
    ],
    ids=["inside-double-space", "trailing-space", "leading-space"],
)
def test_jsonl_span_boundary_in_whitespace_names_the_line(tmp_path, text, span):
    path = jsonl(
        tmp_path / "ws.jsonl",
        {"text": "Omar slept.", "label": []},
        {"text": text, "label": [[*span, "PER"]]},
    )

    with pytest.raises(FormatError) as info:
        read_jsonl(path)

    assert info.value.line == 2
    assert "ws.jsonl: line 2" in str(info.value)


def test_jsonl_span_on_whitespace_is_refused_by_import(tmp_path, project):
    path = jsonl(
        tmp_path / "ws.jsonl",
        {"text": "Omar slept.", "label": []},
        {"text": "Anna Berg", "label": [[0, 5, "PER"]]},
    )

    with pytest.raises(NerstudioError, match=r"ws\.jsonl"):
        import_files(project, [path])

    assert project.count_documents() == 0


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"text": "Anna Berg", "label": [[0, 40, "PER"]]}, "outside the text"),
        ({"text": "Anna Berg", "label": [[-1, 4, "PER"]]}, "outside the text"),
        ({"text": "Anna Berg", "label": [[0, 9, "PER"], [5, 9, "LOC"]]}, "overlap"),
        ({"text": "Anna Berg", "label": [[0, 4, ""]]}, "no label"),
        ({"text": "Anna Berg", "label": [["a", 4, "PER"]]}, "integer"),
        ({"label": [[0, 4, "PER"]]}, "text"),
    ],
    ids=["end-out-of-range", "negative-start", "overlap", "empty-label", "bad-offset", "no-text"],
)
def test_jsonl_bad_record_names_its_line(tmp_path, record, reason):
    path = jsonl(tmp_path / "bad.jsonl", {"text": "Fine.", "label": []}, record)

    with pytest.raises(FormatError, match=reason) as info:
        read_jsonl(path)

    assert info.value.line == 2


def test_jsonl_line_that_is_not_an_object_names_its_line(tmp_path):
    path = write(tmp_path / "bad.jsonl", '{"text": "Fine."}\n{"text": "Also fine."}\n[1, 2]\n')

    with pytest.raises(FormatError, match="expected a JSON object") as info:
        read_jsonl(path)

    assert info.value.line == 3


def test_jsonl_invalid_json_names_its_line(tmp_path):
    path = write(tmp_path / "bad.jsonl", '{"text": "Fine."}\n\n{"text": "broken\n')

    with pytest.raises(FormatError, match="not valid JSON") as info:
        read_jsonl(path)

    assert info.value.line == 3
    assert "bad.jsonl: line 3" in str(info.value)


def test_jsonl_empty_file_is_an_error(tmp_path):
    with pytest.raises(FormatError, match="empty"):
        read_jsonl(write(tmp_path / "empty.jsonl", "\n\n"))


# -- plain text ------------------------------------------------------------------------------


def test_text_one_document_per_non_empty_line(tmp_path):
    path = write(tmp_path / "notes.txt", "Anna met Omar.\n\n   \nParis is big.  \nLast line")
    result = read_text_documents(path)

    assert [r.text for r in result.records] == ["Anna met Omar.", "Paris is big.", "Last line"]
    assert [r.source for r in result.records] == ["notes.txt:1", "notes.txt:4", "notes.txt:5"]
    assert all(r.status is Status.NEW and r.spans == () for r in result.records)
    assert [result.records[0].text[s:e] for s, e in result.records[0].tokens] == [
        "Anna",
        "met",
        "Omar",
        ".",
    ]


def test_text_paragraphs_split_on_blank_lines(tmp_path):
    content = "First line.\nSame paragraph.\n\n\nSecond one.\n \nThird\nand last.\n"
    result = read_text_documents(write(tmp_path / "p.txt", content), paragraphs=True)

    assert [r.text for r in result.records] == [
        "First line.\nSame paragraph.",
        "Second one.",
        "Third\nand last.",
    ]
    assert [r.source for r in result.records] == ["p.txt:1", "p.txt:5", "p.txt:7"]


def test_text_folder_gives_one_document_per_txt_file(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    write(folder / "b.txt", "Second file.\nTwo lines.\n")
    write(folder / "a.txt", "First file.\n")
    write(folder / "sub" / "c.txt", "Nested file.")
    write(folder / "empty.txt", "\n\n")
    write(folder / "skip.md", "Not a text file.")

    result = read_text_documents(folder)

    assert [r.text for r in result.records] == [
        "First file.",
        "Second file.\nTwo lines.",
        "Nested file.",
    ]
    assert [r.source for r in result.records] == ["a.txt", "b.txt", str(Path("sub", "c.txt"))]


def test_text_empty_file_is_an_error(tmp_path):
    with pytest.raises(FormatError, match="empty"):
        read_text_documents(write(tmp_path / "e.txt", " \n\n"))


# -- Hugging Face datasets -------------------------------------------------------------------

HF_NAMES = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def hf_features(tag_feature=None):
    import datasets

    return datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(tag_feature or datasets.ClassLabel(names=HF_NAMES)),
        }
    )


def hf_dataset(rows, features=None):
    import datasets

    datasets.disable_progress_bars()
    tokens, tags = zip(*rows)
    return datasets.Dataset.from_dict(
        {"tokens": list(tokens), "ner_tags": list(tags)}, features=features or hf_features()
    )


def test_hf_save_to_disk_folder_reads_every_split_validation_becomes_dev(tmp_path):
    import datasets

    folder = tmp_path / "hfdata"
    datasets.DatasetDict(
        {
            "train": hf_dataset(
                [(["Anna", "Berg", "in", "Paris"], [1, 2, 0, 3]), (["Omar", "slept"], [1, 0])]
            ),
            "validation": hf_dataset([(["Li", "Wei", "left", "New", "York"], [1, 2, 0, 3, 4])]),
        }
    ).save_to_disk(str(folder))

    records = read_hf(folder).records

    assert [(r.text, r.split) for r in records] == [
        ("Anna Berg in Paris", "train"),
        ("Omar slept", "train"),
        ("Li Wei left New York", "dev"),
    ]
    assert [surface(r) for r in records] == [
        [("Anna Berg", "PER"), ("Paris", "LOC")],
        [("Omar", "PER")],
        [("Li Wei", "PER"), ("New York", "LOC")],
    ]
    assert all(r.status is Status.DONE for r in records)


def test_hf_parquet_file_with_classlabel_names(tmp_path):
    path = tmp_path / "train.parquet"
    hf_dataset([(["Anna", "Berg", "in", "Paris"], [1, 2, 0, 3])]).to_parquet(str(path))

    (record,) = read_hf(path).records

    assert record.text == "Anna Berg in Paris"
    assert surface(record) == [("Anna Berg", "PER"), ("Paris", "LOC")]


def test_hf_parquet_imports_through_the_project_by_suffix(tmp_path, project):
    path = tmp_path / "train.parquet"
    hf_dataset([(["Anna", "Berg", "in", "Paris"], [1, 2, 0, 3])]).to_parquet(str(path))

    summary = import_files(project, [path])

    assert (summary.documents, summary.spans) == (1, 2)


def test_hf_integer_tags_without_names_is_an_error(tmp_path):
    import datasets

    path = tmp_path / "ids.parquet"
    features = hf_features(datasets.Value("int64"))
    hf_dataset([(["Anna", "Berg"], [1, 2])], features).to_parquet(str(path))

    with pytest.raises(FormatError, match="ClassLabel") as info:
        read_hf(path)

    assert "ids.parquet" in str(info.value)


def test_hf_missing_column_is_an_error(tmp_path):
    import datasets

    datasets.disable_progress_bars()
    path = tmp_path / "text.parquet"
    datasets.Dataset.from_dict({"text": ["Anna Berg"]}).to_parquet(str(path))

    with pytest.raises(FormatError, match="ner_tags"):
        read_hf(path)


# -- round trips through the Project ---------------------------------------------------------


def test_conll_iob2_round_trip_is_byte_identical(tmp_path, project):
    content = (
        "Anna\tB-PER\nBerg\tI-PER\nmet\tO\nLi\tB-PER\nOmar\tB-PER\nin\tO\nZürich\tB-LOC\n.\tO\n"
        "\n"
        "Acme\tB-ORG\nCorp\tI-ORG\nsaid\tO\nno\tO\n\n"
        "Fine\tO\n\n"
    )
    source = write(tmp_path / "in.conll", content)
    import_files(project, [source])
    out = tmp_path / "out.conll"

    summary = export_corpus(project, out)

    assert summary.documents == 3
    assert summary.tokens == 13
    assert out.read_bytes() == source.read_bytes()


def test_conll_iob1_in_exports_as_iob2(tmp_path, project):
    import_files(project, [write(tmp_path / "in.iob", "Li\tI-PER\nWei\tI-PER\nOmar\tB-PER\n\n")])
    out = tmp_path / "out.conll"

    export_corpus(project, out)

    assert out.read_text(encoding="utf-8") == "Li\tB-PER\nWei\tI-PER\nOmar\tB-PER\n\n"


def test_export_with_bioes_scheme(tmp_path, project):
    import_files(project, [write(tmp_path / "in.conll", CONLL_IOB2)])
    out = tmp_path / "out.bioes"

    export_corpus(project, out, fmt="conll", scheme=Scheme.BIOES)

    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[:7] == [
        "Anna\tB-PER",
        "Berg\tE-PER",
        "flew\tO",
        "to\tO",
        "New\tB-LOC",
        "York\tE-LOC",
        ".\tO",
    ]
    assert "Omar\tS-PER" in lines
    # and it reads back to the same entities
    assert [surface(r) for r in read_conll(out).records] == EXPECTED_ENTITIES


def test_jsonl_round_trip_keeps_every_span_offset(tmp_path, project):
    originals = [
        {"text": "Anna Berg visited Paris.", "label": [[0, 9, "PER"], [18, 23, "LOC"]]},
        {"text": "iPhone15 sold out at Acme.", "label": [[0, 6, "PRODUCT"], [21, 25, "ORG"]]},
        {"text": "Café Zürich opened 🎉 today", "label": [[0, 11, "ORG"]]},
    ]
    import_files(project, [jsonl(tmp_path / "in.jsonl", *originals)])
    out = tmp_path / "out.jsonl"

    summary = export_corpus(project, out)

    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary.documents == 3
    assert [o["text"] for o in exported] == [o["text"] for o in originals]
    assert [o["label"] for o in exported] == [o["label"] for o in originals]
    assert all(o["status"] == "done" for o in exported)
    # the export reads back as the same documents, tokens included
    again = read_jsonl(out).records
    assert [(r.text, r.tokens, r.spans) for r in again] == [
        (r.text, r.tokens, r.spans) for r in project.iter_documents()
    ]


def test_hf_export_has_classlabel_names_in_label_order_and_one_split_per_split(tmp_path, project):
    import datasets

    train = write(tmp_path / "train.conll", "Anna\tB-PER\nBerg\tI-PER\nin\tO\nParis\tB-LOC\n\n")
    dev = write(tmp_path / "dev.conll", "Acme\tB-ORG\nhired\tO\nOmar\tB-PER\n\n")
    import_files(project, [train], split="train")
    import_files(project, [dev], split="dev")
    out = tmp_path / "hf_out"

    summary = export_corpus(project, out, fmt="hf")

    assert summary.documents == 2
    loaded = datasets.load_from_disk(str(out))
    assert sorted(loaded.keys()) == ["dev", "train"]
    names = loaded["train"].features["ner_tags"].feature.names
    assert names == ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    row = loaded["train"][0]
    assert row["tokens"] == ["Anna", "Berg", "in", "Paris"]
    assert [names[t] for t in row["ner_tags"]] == ["B-PER", "I-PER", "O", "B-LOC"]
    assert [names[t] for t in loaded["dev"][0]["ner_tags"]] == ["B-ORG", "O", "B-PER"]
    # and the folder imports back as the same documents
    back = read_hf(out).records
    assert sorted((r.split, r.text, surface(r)) for r in back) == [
        ("dev", "Acme hired Omar", [("Acme", "ORG"), ("Omar", "PER")]),
        ("train", "Anna Berg in Paris", [("Anna Berg", "PER"), ("Paris", "LOC")]),
    ]


def test_export_only_done_documents_unless_include_all(tmp_path, project):
    import_files(project, [write(tmp_path / "done.conll", "Anna\tB-PER\nslept\tO\n\n")])
    import_files(project, [write(tmp_path / "new.txt", "Omar woke up\n")])
    done_out, all_out = tmp_path / "done.conll", tmp_path / "all.conll"

    assert export_corpus(project, done_out).documents == 1
    assert export_corpus(project, all_out, include_all=True).documents == 2

    assert done_out.read_text(encoding="utf-8") == "Anna\tB-PER\nslept\tO\n\n"
    assert all_out.read_text(encoding="utf-8") == (
        "Anna\tB-PER\nslept\tO\n\nOmar\tO\nwoke\tO\nup\tO\n\n"
    )


def test_export_of_one_split_only(tmp_path, project):
    import_files(project, [write(tmp_path / "a.conll", "Anna\tB-PER\n\n")], split="train")
    import_files(project, [write(tmp_path / "b.conll", "Omar\tB-PER\n\n")], split="test")
    out = tmp_path / "test.conll"

    assert export_corpus(project, out, split="test").documents == 1
    assert out.read_text(encoding="utf-8") == "Omar\tB-PER\n\n"


def test_export_with_no_matching_documents_is_an_error(tmp_path, project):
    import_files(project, [write(tmp_path / "new.txt", "Omar woke up\n")])
    out = tmp_path / "out.conll"

    with pytest.raises(NerstudioError, match="nothing to export"):
        export_corpus(project, out)
    with pytest.raises(NerstudioError, match="nothing to export"):
        export_corpus(project, out, include_all=True, split="dev")
    assert not out.exists()


def test_export_to_a_missing_folder_is_an_error(tmp_path, project):
    import_files(project, [write(tmp_path / "a.conll", "Anna\tB-PER\n\n")])

    with pytest.raises(NerstudioError, match="does not exist"):
        export_corpus(project, tmp_path / "nope" / "out.conll")


def test_import_is_all_or_nothing_when_a_later_file_has_a_bad_line(tmp_path, project):
    good = write(tmp_path / "good.conll", CONLL_IOB2)
    bad = write(tmp_path / "bad.conll", "Anna\tB-PER\nBerg\tI-PER\n\nOmar\tX-PER\n\n")

    with pytest.raises(FormatError) as info:
        import_files(project, [good, bad])

    assert info.value.path == str(bad)
    assert info.value.line == 4
    assert project.stats().documents == 0
    assert project.count_documents() == 0
    assert [label.name for label in project.labels()] == LABELS


def test_import_split_and_new_labels_are_reported(tmp_path, project):
    path = write(tmp_path / "a.conll", "Anna\tB-PER\nloves\tO\nJazz\tB-GENRE\n\n")

    summary = import_files(project, [path], split="train")

    assert (summary.documents, summary.spans, summary.labels_added) == (1, 2, ("GENRE",))
    assert [label.name for label in project.labels()] == [*LABELS, "GENRE"]
    (doc,) = project.iter_documents()
    assert doc.split == "train"
