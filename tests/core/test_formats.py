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


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u3000", "\u2009"])
def test_conll_non_ascii_space_stays_inside_the_token(tmp_path, space):
    # Columns are split on tabs and ASCII spaces only: "New York" with a no-break space is
    # one token, not "New" with the rest of the line dropped.
    path = write(tmp_path / "nbsp.conll", f"New{space}York\tB-LOC\nis\tO\nbig\tO\n\n")

    (doc,) = read_conll(path).records

    assert [doc.text[s:e] for s, e in doc.tokens] == [f"New{space}York", "is", "big"]
    assert surface(doc) == [(f"New{space}York", "LOC")]


def test_conll_columns_split_on_runs_of_tabs_and_spaces(tmp_path):
    path = write(tmp_path / "cols.conll", "  Anna \t NNP\t\tB-PER  \nslept O\n\n")

    (doc,) = read_conll(path).records

    assert doc.text == "Anna slept"
    assert surface(doc) == [("Anna", "PER")]


def test_conll_no_break_space_after_the_tag_is_not_part_of_the_label(tmp_path):
    (doc,) = read_conll(write(tmp_path / "t.conll", "Anna\tB-PER\u00a0\nBerg\tI-PER\n\n")).records

    assert surface(doc) == [("Anna Berg", "PER")]


def test_conll_tag_joined_to_its_token_by_a_no_break_space_is_an_error(tmp_path):
    path = write(tmp_path / "joined.conll", "Anna\u00a0B-PER\nslept\u00a0O\n\n")

    with pytest.raises(FormatError, match=r"U\+00A0.*tab") as info:
        read_conll(path)

    assert info.value.line == 1


def test_conll_token_of_only_whitespace_is_an_error(tmp_path):
    path = write(tmp_path / "blank.conll", "Anna\tB-PER\n\u00a0\tO\n\n")

    with pytest.raises(FormatError, match="only whitespace") as info:
        read_conll(path)

    assert info.value.line == 2


def test_conll_line_of_only_unicode_whitespace_ends_a_document(tmp_path):
    path = write(tmp_path / "b.conll", "Anna\tB-PER\n\u00a0\u3000\nOmar\tB-PER\n\n")

    assert [r.text for r in read_conll(path).records] == ["Anna", "Omar"]


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_conll_old_mac_and_windows_line_ends(tmp_path, newline):
    content = "Anna\tB-PER\nBerg\tI-PER\nslept\tO\n\nOmar\tB-PER\n\n".replace("\n", newline)

    result = read_conll(write(tmp_path / "mac.conll", content))

    assert [surface(r) for r in result.records] == [[("Anna Berg", "PER")], [("Omar", "PER")]]
    assert [r.source for r in result.records] == ["mac.conll:1", "mac.conll:5"]


def test_conll_non_utf8_line_number_counts_cr_line_ends(tmp_path):
    path = write(tmp_path / "mac.conll", b"Anna\tB-PER\rBerg\tI-PER\r\rOm\xe4r\tB-PER\r")

    with pytest.raises(FormatError, match="not UTF-8 \\(byte 0xe4\\)") as info:
        read_conll(path)

    assert info.value.line == 4


def test_non_utf8_byte_after_a_bom_is_named_correctly(tmp_path):
    path = write(tmp_path / "bom.conll", b"\xef\xbb\xbfAnna\tB-PER\nOm\xe4r\tB-PER\n")

    with pytest.raises(FormatError, match="byte 0xe4") as info:
        read_conll(path)

    assert info.value.line == 2


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
    (doc,) = project.documents.iter()
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

    assert project.documents.count() == 0


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"text": "Anna Berg", "label": [[0, 40, "PER"]]}, "outside the text"),
        ({"text": "Anna Berg", "label": [[-1, 4, "PER"]]}, "outside the text"),
        ({"text": "Anna Berg", "label": [[0, 4, ""]]}, "no label"),
        ({"text": "Anna Berg", "label": [["a", 4, "PER"]]}, "integer"),
        ({"label": [[0, 4, "PER"]]}, "text"),
    ],
    ids=["end-out-of-range", "negative-start", "empty-label", "bad-offset", "no-text"],
)
def test_jsonl_bad_record_names_its_line(tmp_path, record, reason):
    path = jsonl(tmp_path / "bad.jsonl", {"text": "Fine.", "label": []}, record)

    with pytest.raises(FormatError, match=reason) as info:
        read_jsonl(path)

    assert info.value.line == 2


def test_jsonl_overlapping_spans_are_passed_on_for_the_import_to_settle(tmp_path, project):
    # Readers no longer refuse overlaps: the import keeps the longest and reports the rest.
    record = {"text": "Anna Berg", "label": [[0, 9, "PER"], [5, 9, "LOC"]]}
    path = jsonl(tmp_path / "overlap.jsonl", {"text": "Fine.", "label": []}, record)

    (_, doc) = read_jsonl(path).records
    assert surface(doc) == [("Anna Berg", "PER"), ("Berg", "LOC")]

    summary = import_files(project, [path])
    assert [surface(d) for d in project.documents.iter()] == [[], [("Anna Berg", "PER")]]
    assert summary.dropped == ["overlap.jsonl:2: LOC 5-9 'Berg' overlaps a longer span, dropped"]


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


# -- JSONL: input that used to crash or be misread ------------------------------------------


def jsonl_lines(path: Path, *lines: str) -> Path:
    """A JSONL file of these exact lines (for JSON that ``json.dumps`` would not write)."""
    return write(path, "".join(line + "\n" for line in lines))


@pytest.mark.parametrize(
    "escape", ["\\ud800", "\\udfff", "\\ude00\\ud83d"], ids=["high", "low", "reversed-pair"]
)
def test_jsonl_lone_surrogate_escape_names_the_line(tmp_path, project, escape):
    path = jsonl_lines(tmp_path / "s.jsonl", '{"text": "fine"}', f'{{"text": "a{escape}b"}}')

    with pytest.raises(FormatError, match="lone surrogate") as info:
        import_files(project, [path])

    assert info.value.line == 2
    assert "s.jsonl: line 2: text holds" in str(info.value)
    str(info.value).encode("utf-8")  # the message itself can be printed
    assert project.documents.count() == 0


def test_jsonl_lone_surrogate_anywhere_in_the_record_is_named_by_its_field(tmp_path):
    path = jsonl_lines(
        tmp_path / "m.jsonl", '{"text": "Anna", "meta": {"note": ["ok", "\\ud800"]}}'
    )

    with pytest.raises(FormatError, match=r"meta\.note\[1\] holds the lone surrogate \\ud800"):
        read_jsonl(path)


def test_jsonl_surrogate_pair_escape_is_an_emoji_not_an_error(tmp_path):
    path = jsonl_lines(tmp_path / "e.jsonl", '{"text": "hi \\ud83d\\ude00", "label": []}')

    (doc,) = read_jsonl(path).records

    assert doc.text == "hi 😀"


def test_label_studio_array_with_lone_surrogate_names_the_record(tmp_path):
    path = write(tmp_path / "ls.json", '[{"data": {"text": "ok"}}, {"data": {"text": "\\udc00"}}]')

    with pytest.raises(FormatError, match=r"data\.text holds the lone surrogate") as info:
        read_jsonl(path)

    assert info.value.record == 2


def test_jsonl_number_with_more_digits_than_python_reads_names_the_line(tmp_path):
    path = jsonl_lines(
        tmp_path / "n.jsonl",
        '{"text": "ok"}',
        '{"text": "ab", "label": [[' + "1" * 5000 + ', 2, "X"]]}',
    )

    with pytest.raises(FormatError, match="more than 4,300 digits") as info:
        read_jsonl(path)

    assert info.value.line == 2


def test_jsonl_nested_deeper_than_the_parser_goes_names_the_line(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    path = jsonl_lines(tmp_path / "d.jsonl", '{"text": "ok"}', f'{{"text": "ab", "meta": {deep}}}')

    with pytest.raises(FormatError, match="nested too deeply") as info:
        read_jsonl(path)

    assert info.value.line == 2


def label_studio_task(*results, text="Anna went home"):
    return {"data": {"text": text}, "annotations": [{"result": list(results)}]}


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (label_studio_task({"value": "PER"}), r"result\[0\]\.value is 'PER', not an object"),
        (label_studio_task({"value": None}), r"result\[0\]\.value is None"),
        (label_studio_task("PER"), r"result\[0\] is 'PER', not an object"),
        ({"data": {"text": "ab"}, "annotations": [{"result": None}]}, r"result is None"),
        ({"data": {"text": "ab"}, "annotations": [{"result": "x"}]}, r"result is 'x'"),
        ({"data": {"text": "ab"}, "annotations": [None]}, r"annotations\[0\] is None"),
        (
            label_studio_task({"value": {"start": 0, "end": 4, "labels": 5}}),
            r"value\.labels is 5, not a list",
        ),
        (
            label_studio_task({"value": {"start": 0, "end": 4, "labels": {"PER": 1}}}),
            r"value\.labels is \{'PER': 1\}",
        ),
        ({"text": "ab", "status": ["done"]}, None),
        ({"text": "ab", "status": {"done": 1}}, None),
        ({"text": "ab", "label": [[0]]}, r"label\[0\] is \[0\], not a span \[start, end, label\]"),
        ({"text": "ab", "label": [[0, 2, "X", 1]]}, r"label\[0\] is \[0, 2, 'X', 1\]"),
        ({"text": "ab", "entities": ["X"]}, r"entities\[0\] is 'X', not an object"),
        ({"text": "ab", "spans": [None]}, r"spans\[0\] is None, not an object"),
        ({"text": "ab", "tokens": ["ab"]}, r"tokens\[0\] is 'ab', neither"),
        ({"text": ["ab"]}, r"'text' is \['ab'\], not a string"),
    ],
    ids=[
        "ls-value-string",
        "ls-value-null",
        "ls-result-item-string",
        "ls-result-null",
        "ls-result-string",
        "ls-annotation-null",
        "ls-labels-int",
        "ls-labels-object",
        "status-list",
        "status-object",
        "doccano-short-span",
        "doccano-long-span",
        "entity-string",
        "prodigy-span-null",
        "token-string",
        "text-list",
    ],
)
def test_jsonl_field_of_the_wrong_shape_names_the_line(tmp_path, record, reason):
    path = jsonl(tmp_path / "shape.jsonl", {"text": "Fine.", "label": []}, record)

    if reason is None:  # a status that is not one of ours is left out, not a crash
        assert read_jsonl(path).records[1].status is Status.NEW
        return
    with pytest.raises(FormatError, match=reason) as info:
        read_jsonl(path)

    assert info.value.line == 2


def test_label_studio_labels_given_as_a_string_is_that_label(tmp_path):
    task = label_studio_task({"value": {"start": 0, "end": 4, "labels": "PER"}})

    (doc,) = read_jsonl(jsonl(tmp_path / "ls.jsonl", task)).records

    assert surface(doc) == [("Anna", "PER")]  # not "P", the string's first character


def test_label_studio_relations_and_choices_are_left_out_with_a_note(tmp_path):
    task = label_studio_task(
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 4, "labels": ["PER"]}},
        {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right"},
        {"type": "choices", "value": {"choices": ["news"]}},
    )

    result = read_jsonl(jsonl(tmp_path / "ls.jsonl", task))

    assert surface(result.records[0]) == [("Anna", "PER")]
    assert result.skipped == {"Label Studio results that are not spans (relations, choices...)": 2}


@pytest.mark.parametrize(
    "record",
    [
        {"text": "Anna went", "label": [[False, True, "PER"]]},
        {"text": "Anna went", "label": [[0, True, "PER"]]},
        {"text": "Anna went", "entities": [{"start_offset": False, "end_offset": 4, "label": "X"}]},
        {"text": "Anna went", "tokens": [[False, True], [1, 4], [5, 9]]},
        {"text": "Anna went", "tokens": [{"start": 0, "end": True}]},
    ],
    ids=["span-both", "span-end", "entity-start", "token-list", "token-object"],
)
def test_jsonl_true_and_false_are_not_offsets(tmp_path, record):
    with pytest.raises(FormatError, match="integer start and end offsets") as info:
        read_jsonl(jsonl(tmp_path / "bool.jsonl", record))

    assert info.value.line == 1


def test_jsonl_span_that_starts_after_it_ends_says_so(tmp_path):
    path = jsonl(tmp_path / "rev.jsonl", {"text": "Anna went", "label": [[4, 0, "PER"]]})

    with pytest.raises(FormatError, match=r"span 4-0 .* starts after it ends") as info:
        read_jsonl(path)

    assert "outside" not in str(info.value)


@pytest.mark.parametrize(
    "span",
    [[0, 5, "A\nB"], [0, 5, "\u0085X"], [4, 0, "A\rB"]],
    ids=["newline", "next-line", "reversed"],
)
def test_jsonl_label_with_a_line_break_keeps_the_error_on_one_line(tmp_path, span):
    path = jsonl(tmp_path / "nl.jsonl", {"text": "Anna  Berg", "label": [span]})

    with pytest.raises(FormatError) as info:
        read_jsonl(path)

    assert "\n" not in str(info.value) and "\r" not in str(info.value)
    assert "\x85" not in str(info.value)


def test_jsonl_given_tokens_that_overlap_are_an_error(tmp_path):
    record = {"text": "Anna went", "tokens": [[0, 4], [2, 9]], "spans": []}

    with pytest.raises(FormatError, match="tokens 0-4 and 2-9 overlap"):
        read_jsonl(jsonl(tmp_path / "o.jsonl", record))


@pytest.mark.parametrize(
    ("text", "span", "character"),
    [
        ("hi 👍🏽 there", [3, 4, "E"], "U+1F44D U+1F3FD"),  # skin tone cut off
        ("in 🇫🇷 now", [3, 4, "LOC"], "U+1F1EB U+1F1F7"),  # half a flag
        ("a 👨\u200d👩\u200d👧 b", [2, 3, "PER"], "U+1F468 U+200D"),  # inside a ZWJ sequence
        ("Zu\u0308rich", [0, 2, "LOC"], "U+0075 U+0308"),  # u without its diaeresis
        ("Cafe\u0301 Paris", [0, 4, "ORG"], "U+0065 U+0301"),
        ("x \u0915\u094d\u0937 y", [2, 3, "X"], "U+0915 U+094D U+0937"),  # Devanagari conjunct
    ],
    ids=["skin-tone", "flag", "zwj", "diaeresis", "acute", "conjunct"],
)
def test_jsonl_span_that_cuts_a_character_names_line_span_and_character(
    tmp_path, project, text, span, character
):
    path = jsonl(
        tmp_path / "cut.jsonl", {"text": "Fine.", "label": []}, {"text": text, "label": [span]}
    )

    with pytest.raises(FormatError, match="cuts the character") as info:
        import_files(project, [path])

    message = str(info.value)
    assert info.value.line == 2
    assert f"span {span[0]}-{span[1]} ({span[2]})" in message
    assert character in message
    assert project.documents.count() == 0


def test_jsonl_given_tokens_that_cut_a_character_are_an_error(tmp_path):
    record = {"text": "Cafe\u0301", "tokens": [[0, 4], [4, 5]], "spans": []}

    with pytest.raises(FormatError, match=r"cuts the character 'e\u0301' \(U\+0065 U\+0301\)"):
        read_jsonl(jsonl(tmp_path / "t.jsonl", record))


def test_jsonl_span_on_a_whole_cluster_splits_the_token_around_it(tmp_path):
    path = jsonl(tmp_path / "ok.jsonl", {"text": "x👍🏽y", "label": [[1, 3, "E"]]})

    (doc,) = read_jsonl(path).records

    assert surface(doc) == [("👍🏽", "E")]


def test_jsonl_label_with_surrounding_spaces_joins_the_existing_label(tmp_path, project):
    path = jsonl(
        tmp_path / "l.jsonl",
        {"text": "Anna went", "label": [[0, 4, " PER"]]},
        {"text": "Omar went", "label": [[0, 4, "PER "]]},
    )

    summary = import_files(project, [path])

    assert summary.labels_added == ()
    assert [surface(d) for d in project.documents.iter()] == [[("Anna", "PER")], [("Omar", "PER")]]


@pytest.mark.parametrize(
    ("label", "reason"), [("A B", "contains a space"), ("O", "outside any entity")]
)
def test_unusable_label_on_import_names_the_file_and_line(tmp_path, project, label, reason):
    path = jsonl(
        tmp_path / "bad-label.jsonl",
        {"text": "Fine.", "label": []},
        {"text": "Anna went", "label": [[0, 4, label]]},
    )

    with pytest.raises(NerstudioError, match=reason) as info:
        import_files(project, [path])

    assert "bad-label.jsonl:2" in str(info.value)
    assert project.documents.count() == 0


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


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Anna met Omar.\rParis is big.\r", ["Anna met Omar.", "Paris is big."]),  # old Mac
        ("Anna met Omar.\r\nParis is big.\rLast", ["Anna met Omar.", "Paris is big.", "Last"]),
    ],
    ids=["cr", "mixed"],
)
def test_text_cr_line_ends_separate_documents(tmp_path, content, expected):
    result = read_text_documents(write(tmp_path / "mac.txt", content))

    assert [r.text for r in result.records] == expected
    assert all("\r" not in r.text for r in result.records)


def test_text_paragraphs_with_cr_line_ends(tmp_path):
    content = "First line.\rSame paragraph.\r\rSecond one.\r"

    result = read_text_documents(write(tmp_path / "p.txt", content), paragraphs=True)

    assert [r.text for r in result.records] == ["First line.\nSame paragraph.", "Second one."]
    assert [r.source for r in result.records] == ["p.txt:1", "p.txt:4"]


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


def test_hf_null_token_names_the_record(tmp_path):
    path = tmp_path / "null.parquet"
    hf_dataset([(["Anna", "slept"], [1, 0]), (["Omar", None, "left"], [1, 0, 0])]).to_parquet(
        str(path)
    )

    with pytest.raises(FormatError, match="token 2 is null") as info:
        read_hf(path)

    assert info.value.record == 1
    assert "null.parquet: record 1" in str(info.value)


@pytest.mark.parametrize("word", ["", " ", "\u00a0"], ids=["empty", "space", "nbsp"])
def test_hf_token_without_a_visible_character_names_the_record(tmp_path, word):
    path = tmp_path / "blank.parquet"
    hf_dataset([(["Anna", word, "left"], [1, 0, 0])]).to_parquet(str(path))

    with pytest.raises(FormatError, match=r"token 2 .* no visible character") as info:
        read_hf(path)

    assert info.value.record == 0


def test_hf_tokens_column_of_strings_is_an_error_not_one_token_per_character(tmp_path):
    import datasets

    path = tmp_path / "str.parquet"
    features = datasets.Features(
        {"tokens": datasets.Value("string"), "ner_tags": hf_features()["ner_tags"]}
    )
    datasets.Dataset.from_dict(
        {"tokens": ["Anna Berg"], "ner_tags": [[1, 2]]}, features=features
    ).to_parquet(str(path))

    with pytest.raises(FormatError, match="'tokens' is str, not a list of words") as info:
        read_hf(path)

    assert info.value.record == 0


def test_hf_tag_id_outside_the_class_labels_is_an_error_not_the_last_name(tmp_path):
    import datasets

    # -1 marks an unlabeled token in some datasets; as a Python index it would read as the
    # last ClassLabel name (I-LOC here).
    path = tmp_path / "neg.parquet"
    features = hf_features(datasets.Value("int64"))
    features["ner_tags"] = datasets.Sequence(datasets.Value("int64"))
    data = datasets.Dataset.from_dict(
        {"tokens": [["Anna", "left"]], "ner_tags": [[1, -1]]}, features=features
    ).cast(hf_features())
    data.to_parquet(str(path))

    with pytest.raises(FormatError, match=r"tag 2 is -1, not a ClassLabel id 0\.\.4") as info:
        read_hf(path)

    assert info.value.record == 0


def test_hf_string_tags_with_a_null_tag_names_the_record(tmp_path):
    import datasets

    path = tmp_path / "str.parquet"
    features = hf_features(datasets.Value("string"))
    hf_dataset([(["Anna", "left"], ["B-PER", None])], features).to_parquet(str(path))

    with pytest.raises(FormatError, match="tag None is not a string") as info:
        read_hf(path)

    assert info.value.record == 0


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
        (r.text, r.tokens, r.spans) for r in project.documents.iter()
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
    done_out, all_out = tmp_path / "done-out.conll", tmp_path / "all-out.conll"

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
    assert project.documents.count() == 0
    assert [label.name for label in project.labels.list()] == LABELS


def test_import_split_and_new_labels_are_reported(tmp_path, project):
    path = write(tmp_path / "a.conll", "Anna\tB-PER\nloves\tO\nJazz\tB-GENRE\n\n")

    summary = import_files(project, [path], split="train")

    assert (summary.documents, summary.spans, summary.labels_added) == (1, 2, ("GENRE",))
    assert [label.name for label in project.labels.list()] == [*LABELS, "GENRE"]
    (doc,) = project.documents.iter()
    assert doc.split == "train"


def test_conll_round_trip_keeps_no_break_spaces_inside_tokens(tmp_path, project):
    content = "New\u00a0York\tB-LOC\nis\tO\n10\u202f000\tO\nstrong\tO\n\n"
    source = write(tmp_path / "in.conll", content)
    import_files(project, [source])
    out = tmp_path / "out.conll"

    export_corpus(project, out)

    assert out.read_bytes() == source.read_bytes()


def test_conll_export_drops_only_what_would_break_a_line_from_a_token(tmp_path, project):
    # A JSONL token may hold a space or a tab, which CoNLL cannot; every other character, a
    # no-break space included, is written as it is.
    text = "New York\u00a0City is\tbig"
    tokens = [{"start": 0, "end": 13}, {"start": 14, "end": 20}]
    record = {"text": text, "tokens": tokens, "spans": []}
    import_files(project, [jsonl(tmp_path / "in.jsonl", record)])
    out = tmp_path / "out.conll"

    export_corpus(project, out)

    assert out.read_text(encoding="utf-8") == "NewYork\u00a0City\tO\nisbig\tO\n\n"
