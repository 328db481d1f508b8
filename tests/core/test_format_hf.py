"""Hugging Face datasets beyond ``tokens`` + ``ner_tags``: other column names, integer tags
named by ``tag_names``, and split names that survive a round trip.

Each dataset is built here with the schema of a real one on the Hub (from its card's
``dataset_info``): WikiANN (unimelb-nlp/wikiann: tokens, ner_tags ClassLabel, langs,
spans; splits validation/test/train), GermEval 2014 (germeval_14: tokens, labels and
nested-labels as strings), a tokens + ints dataset without a ClassLabel
(rkotcher/ner_merger_regulatory_approvals), textminr/ner_tokenized (ner_ids ints beside
ner_tags strings), kodurd/squ-receipts (split "valid"). The examples are our own.
"""

from __future__ import annotations

import pytest

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.hfdatasets import read_hf, split_name, write_hf
from nerstudio.core.records import DocumentRecord, Status

datasets = pytest.importorskip("datasets")
datasets.disable_progress_bars()

WIKIANN_NAMES = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
WIKIANN = datasets.Features(
    {
        "tokens": datasets.Sequence(datasets.Value("string")),
        "ner_tags": datasets.Sequence(datasets.ClassLabel(names=WIKIANN_NAMES)),
        "langs": datasets.Sequence(datasets.Value("string")),
        "spans": datasets.Sequence(datasets.Value("string")),
    }
)


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def wikiann_split(rows) -> datasets.Dataset:
    return datasets.Dataset.from_dict(
        {
            "tokens": [tokens for tokens, _ in rows],
            "ner_tags": [tags for _, tags in rows],
            "langs": [["en"] * len(tokens) for tokens, _ in rows],
            "spans": [[] for _ in rows],
        },
        features=WIKIANN,
    )


@pytest.fixture
def wikiann(tmp_path):
    folder = tmp_path / "wikiann"
    datasets.DatasetDict(
        {
            "validation": wikiann_split([(["Anna", "Berg", "spoke"], [1, 2, 0])]),
            "test": wikiann_split([(["Acme", "Corp", "in", "Oslo"], [3, 4, 0, 5])]),
            "train": wikiann_split(
                [(["Li", "Wei", "left"], [1, 2, 0]), (["New", "York", "."], [5, 6, 0])]
            ),
        }
    ).save_to_disk(str(folder))
    return folder


def test_split_names_are_kept_in_meta_while_validation_becomes_dev(wikiann):
    result = read_hf(wikiann)

    assert [(r.split, r.meta["split"]) for r in result.records] == [
        ("dev", "validation"),
        ("test", "test"),
        ("train", "train"),
        ("train", "train"),
    ]
    assert [surface(r) for r in result.records] == [
        [("Anna Berg", "PER")],
        [("Acme Corp", "ORG"), ("Oslo", "LOC")],
        [("Li Wei", "PER")],
        [("New York", "LOC")],
    ]
    assert result.notes == []  # tokens + ner_tags with ClassLabel names: nothing to say


def test_keep_split_names_round_trips_the_dataset_split_names(wikiann, tmp_path):
    records = read_hf(wikiann).records
    kept, plain = tmp_path / "kept", tmp_path / "plain"

    assert write_hf(records, kept, ["PER", "ORG", "LOC"], keep_split_names=True) == 13
    write_hf(records, plain, ["PER", "ORG", "LOC"])

    assert sorted(datasets.load_from_disk(str(kept)).keys()) == ["test", "train", "validation"]
    assert sorted(datasets.load_from_disk(str(plain)).keys()) == ["dev", "test", "train"]
    again = read_hf(kept).records
    assert [(r.split, r.meta, r.text, r.spans) for r in again] == [
        (r.split, r.meta, r.text, r.spans) for r in records
    ]


def test_a_record_moved_to_another_split_goes_to_that_split():
    moved = DocumentRecord("a", ((0, 1),), split="train", meta={"split": "validation"})
    kept = DocumentRecord("a", ((0, 1),), split="dev", meta={"split": "validation"})
    valid = DocumentRecord("a", ((0, 1),), split="dev", meta={"split": "valid"})
    bare = DocumentRecord("a", ((0, 1),), meta={"split": "validation"})

    assert split_name(moved, keep_split_names=True) == "train"
    assert split_name(kept, keep_split_names=True) == "validation"
    assert split_name(valid, keep_split_names=True) == "valid"
    assert split_name(bare, keep_split_names=True) == "train"
    assert split_name(kept) == "dev"


def test_valid_split_reads_as_dev_and_writes_back_as_valid(tmp_path):
    folder = tmp_path / "receipts"
    features = datasets.Features(
        {
            "id": datasets.Value("int64"),
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_tags": datasets.Sequence(datasets.Value("string")),
        }
    )
    datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict(
                {"id": [0], "tokens": [["TOTAL", "9.99"]], "ner_tags": [["B-KEY", "B-PRICE"]]},
                features=features,
            ),
            "valid": datasets.Dataset.from_dict(
                {"id": [1], "tokens": [["Acme", "Mart"]], "ner_tags": [["B-SHOP", "I-SHOP"]]},
                features=features,
            ),
        }
    ).save_to_disk(str(folder))
    result = read_hf(folder)

    assert [(r.split, r.meta["split"]) for r in result.records] == [
        ("train", "train"),
        ("dev", "valid"),
    ]
    assert result.notes == ["receipts: words from 'tokens', tags from 'ner_tags' (tag strings)"]
    out = tmp_path / "out"
    write_hf(result.records, out, ["KEY", "PRICE", "SHOP"], keep_split_names=True)
    assert sorted(datasets.load_from_disk(str(out)).keys()) == ["train", "valid"]


# -- column names ----------------------------------------------------------------------------


def string_dataset(path, columns: dict[str, list]):
    features = datasets.Features(
        {name: datasets.Sequence(datasets.Value("string")) for name in columns}
    )
    datasets.Dataset.from_dict(columns, features=features).to_parquet(str(path))
    return path


def test_words_and_labels_columns_are_found_and_named_in_a_note(tmp_path):
    path = string_dataset(
        tmp_path / "wl.parquet",
        {"words": [["Omar", "sang"]], "labels": [["B-PER", "O"]]},
    )

    result = read_hf(path)

    assert surface(result.records[0]) == [("Omar", "PER")]
    assert result.records[0].meta == {}  # a parquet file has no split
    assert result.notes == ["wl.parquet: words from 'words', tags from 'labels' (tag strings)"]


def test_germeval_14_labels_are_read_and_nested_labels_on_request(tmp_path):
    path = string_dataset(
        tmp_path / "germeval.parquet",
        {
            "tokens": [["Troia", "-", "Traum"]],
            "labels": [["B-OTH", "I-OTH", "I-OTH"]],
            "nested-labels": [["B-LOC", "O", "O"]],
        },
    )

    assert surface(read_hf(path).records[0]) == [("Troia - Traum", "OTH")]
    nested = read_hf(path, tags_column="nested-labels")
    assert surface(nested.records[0]) == [("Troia", "LOC")]
    assert "tags from 'nested-labels'" in nested.notes[0]


def test_two_candidate_tag_columns_ask_for_tags_column(tmp_path):
    path = string_dataset(
        tmp_path / "two.parquet",
        {"tokens": [["Omar"]], "tags": [["B-PER"]], "ner_tags": [["O"]]},
    )

    with pytest.raises(FormatError, match=r"2 possible tags columns \(ner_tags, tags\); pick"):
        read_hf(path)
    assert read_hf(path, tags_column="tags").records[0].spans
    assert not read_hf(path, tags_column="ner_tags").records[0].spans


def test_given_columns_are_used_and_a_missing_one_is_named(tmp_path):
    path = string_dataset(
        tmp_path / "odd.parquet", {"form": [["Oslo", "rains"]], "bio": [["B-LOC", "O"]]}
    )

    with pytest.raises(FormatError) as info:
        read_hf(path)
    message = str(info.value)
    assert "no words column (tokens or words); name yours with --tokens-column" in message
    assert "no tags column (ner_tags or ner or tags or labels)" in message
    assert "(it has: form, bio)" in message
    record = read_hf(path, tokens_column="form", tags_column="bio").records[0]
    assert surface(record) == [("Oslo", "LOC")]
    with pytest.raises(FormatError, match=r"no column 'word' \(--tokens-column\)"):
        read_hf(path, tokens_column="word", tags_column="bio")


# -- integer tags without a ClassLabel ---------------------------------------------------


def int_dataset(path, tokens, tags, column="ner_tags"):
    features = datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            column: datasets.Sequence(datasets.Value("int64")),
        }
    )
    datasets.Dataset.from_dict({"tokens": tokens, column: tags}, features=features).to_parquet(
        str(path)
    )
    return path


def test_integer_tags_without_names_ask_for_tag_names(tmp_path):
    path = int_dataset(tmp_path / "ids.parquet", [["Acme", "bought", "Zeta"]], [[1, 0, 1]])

    with pytest.raises(FormatError, match="--tag-names") as info:
        read_hf(path)

    assert "integer ids without ClassLabel names" in str(info.value)
    result = read_hf(path, tag_names=("O", "B-ACQUIRER", "I-ACQUIRER"))
    assert surface(result.records[0]) == [("Acme", "ACQUIRER"), ("Zeta", "ACQUIRER")]
    assert "(names from --tag-names)" in result.notes[0]
    assert read_hf(path, tag_names="O, B-ORG").records[0].spans[0].label == "ORG"


def test_tag_names_that_are_too_few_or_not_tags_are_errors(tmp_path):
    path = int_dataset(tmp_path / "ids.parquet", [["Acme", "rose"]], [[2, 0]], column="tags")

    with pytest.raises(FormatError, match=r"tag 1 is 2, not a --tag-names id 0\.\.1") as info:
        read_hf(path, tag_names=["O", "B-ORG"])
    assert info.value.record == 0
    with pytest.raises(FormatError, match="--tag-names: tag 'ORG' is not O or B-"):
        read_hf(path, tag_names=["O", "ORG"])


def test_ids_column_beside_string_tags_is_not_a_candidate(tmp_path):
    features = datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            "ner_ids": datasets.Sequence(datasets.Value("int64")),
            "ner_tags": datasets.Sequence(datasets.Value("string")),
        }
    )
    path = tmp_path / "tok.parquet"
    datasets.Dataset.from_dict(
        {"tokens": [["Ada", "wrote"]], "ner_ids": [[1, 0]], "ner_tags": [["B-PER", "O"]]},
        features=features,
    ).to_parquet(str(path))

    (record,) = read_hf(path).records
    assert surface(record) == [("Ada", "PER")]
    assert record.status is Status.DONE


def test_a_tags_column_that_is_not_a_list_is_named(tmp_path):
    path = tmp_path / "cls.parquet"
    features = datasets.Features(
        {
            "tokens": datasets.Sequence(datasets.Value("string")),
            "labels": datasets.ClassLabel(names=["neg", "pos"]),
        }
    )
    datasets.Dataset.from_dict({"tokens": [["good"]], "labels": [1]}, features=features).to_parquet(
        str(path)
    )

    with pytest.raises(FormatError, match=r"'labels' is ClassLabel.*not a list of tag strings"):
        read_hf(path)


def test_split_names_survive_a_project_import_and_export(wikiann, tmp_path):
    from nerstudio.core.store import Project
    from nerstudio.core.transfer import import_files

    with Project.create(tmp_path / "w.db", ["PER", "ORG", "LOC"]) as project:
        import_files(project, [wikiann], fmt="hf")
        stored = list(project.documents.iter())
        out = tmp_path / "back"
        write_hf(
            stored, out, [label.name for label in project.labels.list()], keep_split_names=True
        )

    assert sorted((r.split, r.meta["split"]) for r in stored) == [
        ("dev", "validation"),
        ("test", "test"),
        ("train", "train"),
        ("train", "train"),
    ]
    back = datasets.load_from_disk(str(out))
    assert {name: back[name].num_rows for name in back} == {"validation": 1, "test": 1, "train": 2}
    assert back["validation"][0]["tokens"] == ["Anna", "Berg", "spoke"]
