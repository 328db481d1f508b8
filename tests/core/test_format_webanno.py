"""WebAnno / INCEpTION TSV 3 in: the counts below were worked out by hand from the files.

Data in tests/data/webanno/ (sources in its README.md): real files from
inception-project/inception (``inception/inception-io-webanno-tsv/src/test/resources/``:
``tsv3/example2.tsv`` and five ``tsv3-suite/*/reference.tsv``) and from neuged/webanno_tsv
(``test/resources/test_input.tsv``, here ``letters_v3_1.tsv``), and one written from the
user guide's emoji example. Error cases are small files written into ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.webanno import looks_like_webanno, read_webanno
from nerstudio.core.records import Status
from nerstudio.core.spans import Span

DATA = Path(__file__).parent.parent / "data" / "webanno"
NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
HEADER = f"#FORMAT=WebAnno TSV 3.3\n#T_SP={NAMED_ENTITY}|value\n\n\n"


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def tsv(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "doc.tsv"
    path.write_bytes((header + body).encode("utf-8"))
    return path


# --- real files ---------------------------------------------------------------------------


def test_inception_example_named_entities_among_pos_and_dependencies():
    result = read_webanno(DATA / "example2.tsv")
    [doc] = result.records
    assert doc.status is Status.DONE
    assert doc.source == "example2.tsv"
    # Seven sentences joined by line feeds: sentence 2 starts at 25, one after "... ." (24).
    assert doc.text.startswith("Ms. Haag plays Elianti .\nRolls-Royce Motor")
    assert len(doc.text) == 444
    assert len(doc.tokens) == 5 + 20 + 12 + 15 + 9 + 8 + 17
    # PER[2] and ORG[4], ORG[7], LOC[10] span several rows; PER[8] is stacked on BELL.
    assert surface(doc) == [
        ("Ms. Haag", "PER"),
        ("Elianti", "OTH"),
        ("Rolls-Royce Motor", "ORG"),
        ("U.S.", "LOC"),
        ("U.S.", "LOC"),
        ("BELL INDUSTRIES Inc.", "ORG"),
        ("Bell", "ORG"),
        ("Los Angeles", "LOC"),
    ]
    assert result.dropped == ["example2.tsv:51: PER[8] 191-195 overlaps ORG[7] 191-211, dropped"]
    assert result.notes == [
        "example2.tsv: entities from NamedEntity.value; left out the layers POS, Dependency"
        " (use --layer to read one)"
    ]
    assert result.skipped == {}


def test_sub_token_annotations_keep_the_longest_and_skip_zero_width():
    # The twelve annotations of INCEpTION's testSubMultiTokenSpanWithFeatureValue, on
    # "aaaaaa bbbbbb cccccc": 9 (3-17) is the longest; the eight others overlap it; 10, 11
    # and 12 have no width.
    result = read_webanno(DATA / "sub_token_spans.tsv", layer="Span")
    [doc] = result.records
    assert doc.spans == (Span(3, 17, "9"),)
    assert len(result.dropped) == 8
    assert "sub_token_spans.tsv:8: 4[7] 7-11 overlaps 9[4] 3-17, dropped" in result.dropped
    assert "sub_token_spans.tsv:13: 3 9-11 overlaps 9[4] 3-17, dropped" in result.dropped
    assert result.skipped == {"zero-width annotations": 3}
    # Our tokens: the file's three, split at 3 and 17 for the span kept.
    assert [doc.text[s:e] for s, e in doc.tokens] == ["aaa", "aaa", "bbbbbb", "ccc", "ccc"]


def test_sub_token_prefix_splits_the_token():
    result = read_webanno(DATA / "sub_token_prefix.tsv", layer="webanno.custom.Span")
    [doc] = result.records
    assert surface(doc) == [("T", "OTH")]
    assert doc.tokens == ((0, 1), (1, 4))


def test_escaped_value_is_unescaped():
    [doc] = read_webanno(DATA / "special_symbols.tsv", layer="Span").records
    assert len(doc.spans) == 5
    assert {s.label for s in doc.spans} == {"#*'\"`´\t:;{}|[ ]()\\§$%?=&_\n"}


def test_annotation_without_value_is_counted_not_kept():
    # One *[1] annotation over both sentences, with no value.
    result = read_webanno(DATA / "cross_sentence_no_value.tsv", layer="Span")
    assert result.records[0].spans == ()
    assert result.records[0].text == "He loves her .\nShe loves him not ."
    assert result.skipped == {"entities without a value": 1}


def test_file_without_the_layer_is_a_done_document_without_entities():
    result = read_webanno(DATA / "sentence_id_no_layers.tsv")
    [doc] = result.records
    assert (doc.status, doc.spans, len(doc.tokens)) == (Status.DONE, (), 9)
    assert result.notes == ["sentence_id_no_layers.tsv: no NamedEntity layer, so no entities"]


def test_custom_layer_with_two_features_reads_value_in_a_tsv_3_1_file():
    # LetterEntity|entity_id|value: entity_id is * everywhere, value holds the labels.
    # DATEletter[5] and [7] span four and three rows; OBJ[8] six rows, with PERmentioned[9]
    # and [10] stacked inside it.
    result = read_webanno(DATA / "letters_v3_1.tsv", layer="LetterEntity")
    [doc] = result.records
    assert surface(doc) == [
        ("Gerhard", "PERaddressee"),
        ("Braun", "PERauthor"),
        ("Gerhard", "PERaddressee"),
        ("Rom", "PLACEfrom"),
        ("23 . Juli 1835", "DATEletter"),
        ("Roma", "PLACEfrom"),
        ("23 Luglio 1835", "DATEletter"),
        ("Kampf des Herkules mit dem Achelous", "OBJ"),
    ]
    assert result.dropped == [
        "letters_v3_1.tsv:43: PERmentioned[9] 174-182 overlaps OBJ[8] 164-199, dropped",
        "letters_v3_1.tsv:46: PERmentioned[10] 191-199 overlaps OBJ[8] 164-199, dropped",
    ]
    assert "left out the layers POS, Lemma" in result.notes[0]


def test_utf16_offsets_become_code_points():
    # 😊 is two UTF-16 units (10-12) and one code point; the third sentence has two #Text=
    # lines and an escaped tab, and starts at 26, one further than the line feed: a space.
    [doc] = read_webanno(DATA / "emoji_cjk_multiline.tsv").records
    assert doc.text == "I like it 😊 .\n東京 is big\n New\nYork\tCity ."
    assert surface(doc) == [
        ("I", "PER"),
        ("😊", "EMO"),
        ("東京", "LOC"),
        ("New\nYork\tCity", "LOC"),
    ]
    assert doc.spans[1] == Span(10, 11, "EMO")
    assert len(doc.tokens) == 12


def test_looks_like_webanno(tmp_path):
    assert looks_like_webanno(DATA / "example2.tsv")
    assert not looks_like_webanno(tsv(tmp_path, "", header="Anna\tB-PER\n"))


# --- spec corners written by hand ---------------------------------------------------------


def test_layer_without_features_labels_by_its_name(tmp_path):
    body = "#Text=Ada Lovelace wrote .\n1-1\t0-3\tAda\t*[1]\t\n1-2\t4-12\tLovelace\t*[1]\t\n"
    body += "1-3\t13-18\twrote\t_\t\n1-4\t19-20\t.\t_\t\n"
    path = tsv(tmp_path, body, header="#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Person\n\n\n")
    [doc] = read_webanno(path, layer="Person").records
    assert surface(doc) == [("Ada Lovelace", "Person")]


def test_tsv_3_1_text_uses_java_escapes(tmp_path):
    body = "#Text=caf\\u00e9 ok\n1-1\t0-4\tcafé\tORG\t\n1-2\t5-7\tok\t_\t\n"
    path = tsv(tmp_path, body, header=HEADER.replace("3.3", "3.1"))
    [doc] = read_webanno(path).records
    assert surface(doc) == [("café", "ORG")]


def test_chosen_feature_of_a_layer_with_several(tmp_path):
    header = "#FORMAT=WebAnno TSV 3.3\n#T_SP=webanno.custom.Ent|kind|note\n\n\n"
    path = tsv(tmp_path, "#Text=Oslo\n1-1\t0-4\tOslo\tLOC\tcold\t\n", header=header)
    with pytest.raises(FormatError, match="none is called 'value'"):
        read_webanno(path, layer="Ent")
    assert surface(read_webanno(path, layer="Ent", feature="kind").records[0]) == [("Oslo", "LOC")]
    assert surface(read_webanno(path, layer="Ent", feature="note").records[0]) == [("Oslo", "cold")]
    with pytest.raises(FormatError, match="no feature 'colour'"):
        read_webanno(path, layer="Ent", feature="colour")


def test_two_layers_with_the_same_short_name_must_be_named_in_full(tmp_path):
    header = "#FORMAT=WebAnno TSV 3.3\n#T_SP=a.Span|value\n#T_SP=b.Span|value\n\n\n"
    path = tsv(tmp_path, "#Text=Oslo\n1-1\t0-4\tOslo\tLOC\tPLACE\t\n", header=header)
    with pytest.raises(FormatError, match="more than one span layer"):
        read_webanno(path, layer="Span")
    assert surface(read_webanno(path, layer="b.Span").records[0]) == [("Oslo", "PLACE")]


@pytest.mark.parametrize(
    ("body", "line", "says"),
    [
        # Offsets in code points where the file must count UTF-16 units: 😊 is 7-9.
        (
            "#Text=I like 😊 .\n1-1\t0-1\tI\t_\n1-2\t2-6\tlike\t_\n1-3\t7-8\t😊\t_\n",
            8,
            "between the two UTF-16 units",
        ),
        ("#Text=Hello world\n1-1\t0-5\tHallo\t_\n", 6, "'Hallo' but the #Text= lines have 'Hello'"),
        ("#Text=Hello\n1-1\t0-5\tHello\n", 6, "fewer than the 4"),
        ("#Text=Hi\n\n#Text=There\n1-1\t3-8\tThere\t_\n", 5, "no token rows"),
        ("#Text=Ann Bo\n1-1\t0-3\tAnn\tPER[1]\n1-2\t4-6\tBo\tLOC[1]\n", 7, "one id names one"),
        ("#Text=Ann\n1-1\t0-3\tAnn\tPER[x]\n", 6, "not a number"),
        ("#Text=Hello\n1-1\t0-5\tHello\t_\n1-2\t3-5\tlo\t_\n", 7, "overlaps the token before"),
        ("#Text=Hello\n1-1\t5-0\tHello\t_\n", 6, "ends (0) before it starts (5)"),
        ("#Text=Hello\nfoo\tbar\tbaz\t_\n", 6, "expected a token row"),
        ("1-1\t0-5\tHello\t_\n", 5, "before any #Text= line"),
        (
            "#Text=Hello\n1-1\t0-5\tHello\t_\n\n#Text=Yo\n2-1\t2-4\tYo\t_\n",
            9,
            "inside the sentences before it",
        ),
        # "Café" with a combining accent: the sub-token "Cafe" ends inside "é".
        ("#Text=Cafe\u0301 ok\n1-1\t0-5\tCafe\u0301\t_\n1-1.1\t0-4\tCafe\tORG\n", 7, "U+0301"),
    ],
)
def test_bad_rows_name_the_file_and_line(tmp_path, body, line, says):
    path = tsv(tmp_path, body)
    with pytest.raises(FormatError) as err:
        read_webanno(path)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert says in err.value.reason


def test_not_webanno_is_refused_at_line_1(tmp_path):
    path = tsv(tmp_path, "", header="#FORMAT=WebAnno TSV 2\nAnna\tB-PER\n")
    with pytest.raises(FormatError) as err:
        read_webanno(path)
    assert err.value.line == 1 and "not WebAnno TSV 3" in err.value.reason


def test_file_without_sentences_is_refused(tmp_path):
    with pytest.raises(FormatError, match="no sentences"):
        read_webanno(tsv(tmp_path, ""))


def test_an_entity_value_that_is_a_token_tag_is_refused_with_its_line(tmp_path):
    body = "#Text=Anna Berg\n1-1\t0-4\tAnna\tB-PER[1]\n1-2\t5-9\tBerg\tB-PER[1]\n"

    with pytest.raises(FormatError, match="label 'B-PER' carries the tag prefix") as err:
        read_webanno(tsv(tmp_path, body))

    assert err.value.line == 6


# -- a project-defined span layer (INCEpTION's own test file) --------------------------------


def test_a_custom_span_layer_with_annotations_is_named_not_dropped():
    # tsv3-suite/testMultiTokenStackedSpanWithFeatureValue: webanno.custom.Span, two
    # stacked annotations and no NamedEntity layer.
    path = DATA / "custom_span_stacked.tsv"
    with pytest.raises(FormatError, match=r"span layer Span \(webanno.custom.Span\).*--layer Span"):
        read_webanno(path)

    (record,) = read_webanno(path, layer="Span").records
    assert [(record.text[s.start : s.end], s.label) for s in record.spans] == [
        ("This is a test .", "LOCATION")
    ]


def test_a_custom_layer_without_values_is_still_read_as_unannotated(tmp_path):
    text = (DATA / "custom_span_stacked.tsv").read_text("utf-8")
    path = tmp_path / "empty.tsv"
    path.write_text(text.replace("PERSON[1]|LOCATION[2]", "_"), "utf-8")

    (record,) = read_webanno(path).records
    assert record.spans == ()
