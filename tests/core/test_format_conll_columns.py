"""CoNLL columns: token-number columns, outer + inner tag columns, columns named by the user,
and the four schemes the writer speaks (round trip as a property).

Real files: tests/data/conll/ (see its README: the GermEval 2014 data page's example, and
five sentences of DaN+'s German news dev file). The rest is written from the formats' specs.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import FormatError, TagError
from nerstudio.core.formats.conll import read_conll, write_conll
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Scheme, Span, detect_scheme, validate_tags
from nerstudio.core.store import Project
from nerstudio.core.tokens import whitespace_tokens
from nerstudio.core.transfer import import_files

DATA = Path(__file__).parent.parent / "data" / "conll"
GERMEVAL = DATA / "germeval2014_sample.tsv"
DANPLUS = DATA / "danplus_de_news_dev_excerpt.tsv"


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


# -- GermEval 2014: token numbers, outer and inner tags ------------------------------------


def test_germeval_number_column_is_skipped_and_both_tag_columns_are_read():
    result = read_conll(GERMEVAL)

    (record,) = result.records
    assert len(record.tokens) == 27
    assert record.text.startswith("Aufgrund seiner Initiative fand 2001/2002 in Stuttgart ,")
    assert record.text.endswith("„ Troia - Traum und Wirklichkeit “ .")
    assert sorted(surface(record)) == sorted(
        [
            ("Stuttgart", "LOC"),
            ("Braunschweig", "LOC"),
            ("Bonn", "LOC"),
            ("Troia-Ausstellung", "LOCpart"),
            ("Troia - Traum und Wirklichkeit", "OTH"),
            ("Troia", "LOC"),  # the inner entity, overlapping the OTH one
        ]
    )
    assert record.source == "germeval2014_sample.tsv:2"  # the # source line is a comment
    assert result.notes == [
        "germeval2014_sample.tsv: tag scheme IOB2",
        "germeval2014_sample.tsv: token from column 2 (column 1 numbers the tokens), outer"
        " tags from column 3, inner (nested) tags from column 4 (1 entity)",
    ]


def test_germeval_import_keeps_the_longest_and_reports_the_inner_entity(tmp_path):
    with Project.create(tmp_path / "g.db", ["LOC"]) as project:
        summary = import_files(project, [GERMEVAL])

        assert (summary.documents, summary.spans) == (1, 5)
        (line,) = summary.dropped
        assert "LOC" in line and "'Troia'" in line and "overlaps a longer span" in line
        assert summary.files[0].dropped == 1
        assert "1 overlapping or unusable spans dropped" in summary.files[0].line()
        (doc,) = project.documents.iter()
        assert ("Troia - Traum und Wirklichkeit", "OTH") in surface(doc)
        assert ("Troia", "LOC") not in surface(doc)


def test_germeval_overlaps_error_policy_refuses_the_file(tmp_path):
    from nerstudio.core.errors import NerstudioError
    from nerstudio.core.transfer.importing import ImportOptions

    with Project.create(tmp_path / "g.db", ["LOC"]) as project:
        with pytest.raises(
            NerstudioError,
            match=r"germeval2014_sample.tsv:2: span 150-155 \(LOC\) overlaps another",
        ):
            import_files(project, [GERMEVAL], options=ImportOptions(overlaps="error"))
        assert project.documents.count() == 0


def test_danplus_token_outer_inner_columns_without_numbers():
    result = read_conll(DANPLUS)

    assert [len(r.tokens) for r in result.records] == [18, 23, 18, 25, 22]
    assert sum(len(r.spans) for r in result.records) == 17  # 11 outer + 6 inner
    third = result.records[2]
    assert third.text.startswith("Der sechste Lauf der ADAC GT Mastersstand")
    assert sorted(surface(third)) == [
        ("ADAC", "ORG"),
        ("ADAC GT", "ORG"),
        ("Eurospeedway Lausitz", "ORG"),
        ("Lausitz", "LOC"),
    ]
    hashed = result.records[1]
    assert hashed.text.split(" ")[2] == "#"  # a token with a tag is not a comment
    assert surface(hashed) == [
        ("Sometime Ago/La Fiesta", "MISC"),
        ("Corea", "PER"),
        ("Sometime Ago", "MISC"),
    ]
    assert result.notes[1] == (
        "danplus_de_news_dev_excerpt.tsv: token from column 1, outer tags from column 2,"
        " inner (nested) tags from column 3 (6 entities)"
    )


def test_danplus_import_keeps_every_outer_entity(tmp_path):
    with Project.create(tmp_path / "d.db", ["PER"]) as project:
        summary = import_files(project, [DANPLUS])

        assert (summary.documents, summary.spans, len(summary.dropped)) == (5, 11, 6)
        labels = sorted(s.label for doc in project.documents.iter() for s in doc.spans)
        assert labels == ["LOC"] * 3 + ["MISC"] * 3 + ["ORG"] * 3 + ["PER"] * 2


# -- layouts that must read as they always did ---------------------------------------------


def test_conll2003_chunk_column_is_not_read_as_outer_entities(tmp_path):
    content = (
        "-DOCSTART- -X- -X- O\n\n"
        "Omar NNP B-NP B-PER\nvisited VBD B-VP O\nthe DT B-NP O\nBank NNP I-NP B-ORG\n"
        "of IN B-PP I-ORG\nEngland NNP B-NP I-ORG\n. . O O\n\n"
    )
    result = read_conll(write(tmp_path / "eng.train", content))

    (record,) = result.records
    assert surface(record) == [("Omar", "PER"), ("Bank of England", "ORG")]
    assert result.notes == [
        "eng.train: tag scheme IOB2",
        "eng.train: ignored column 3, which holds chunk tags (NP, PP, VP): use --tag-column 3"
        " to read it",
    ]


def test_two_columns_of_numbers_and_tags_are_token_and_tag(tmp_path):
    (record,) = read_conll(write(tmp_path / "n.conll", "1\tO\n2\tB-PER\n3\tO\n\n")).records

    assert record.text == "1 2 3"
    assert surface(record) == [("2", "PER")]


def test_numbers_that_do_not_restart_per_sentence_are_tokens(tmp_path):
    content = "1\tx\tO\n2\ty\tO\n\n3\tz\tB-PER\n\n"
    result = read_conll(write(tmp_path / "lines.conll", content))

    assert [r.text for r in result.records] == ["1 2", "3"]
    assert surface(result.records[1]) == [("3", "PER")]
    assert len(result.notes) == 1


def test_dutch_token_pos_tag_columns_read_token_and_last_tag(tmp_path):
    content = "De Art O\nbelg N B-MISC\nwon V O\nin Prep O\nGent N B-LOC\n\n"
    result = read_conll(write(tmp_path / "ned.train", content))

    assert surface(result.records[0]) == [("belg", "MISC"), ("Gent", "LOC")]
    assert len(result.notes) == 1


def test_numbered_untagged_sentence_is_read_whole(tmp_path):
    # Only two columns: the number is read as a token, as before (no tag column to need it).
    content = "1\tAnna\tB-PER\n2\tslept\tO\n\n"
    (record,) = read_conll(write(tmp_path / "g.tsv", content)).records

    assert record.text == "Anna slept"
    assert surface(record) == [("Anna", "PER")]


# -- columns given by the user -------------------------------------------------------------


def test_given_tag_column_reads_only_that_column():
    result = read_conll(GERMEVAL, tag_column="3")

    assert len(result.records[0].spans) == 5
    assert result.notes[1] == (
        "germeval2014_sample.tsv: token from column 2 (column 1 numbers the tokens),"
        " tags from column 3"
    )
    (inner,) = read_conll(GERMEVAL, tag_column="-1").records[0].spans
    assert inner == Span(150, 155, "LOC")  # counted by hand: "Troia", token 21


def test_given_token_and_tag_columns(tmp_path):
    content = "x\tAnna\tNNP\tB-PER\ty\nx\tslept\tVBD\tO\ty\n\n"
    result = read_conll(write(tmp_path / "c.tsv", content), token_column="2", tag_column="-2")

    (record,) = result.records
    assert record.text == "Anna slept"
    assert surface(record) == [("Anna", "PER")]
    assert result.notes[1] == "c.tsv: token from column 2, tags from column 4"


def test_given_token_column_with_untagged_lines(tmp_path):
    result = read_conll(write(tmp_path / "u.conll", "Anna\nslept\n\n"), token_column="1")

    assert result.records[0].status is Status.NEW


@pytest.mark.parametrize("value", ["0", "abc", "1.5", "", "2-3", "--1"])
def test_a_column_that_is_not_a_number_is_a_clear_error(tmp_path, value):
    path = write(tmp_path / "a.conll", "Anna\tB-PER\n\n")

    with pytest.raises(FormatError, match="is not a column number; give 1 for the first"):
        read_conll(path, token_column=value)
    with pytest.raises(FormatError, match=r"--tag-column .* is not a column number"):
        read_conll(path, tag_column=value)


def test_a_column_the_line_does_not_have_names_the_line(tmp_path):
    path = write(tmp_path / "a.conll", "Anna\tX\tB-PER\nslept\tO\n\n")

    with pytest.raises(FormatError, match="2 columns, so no tag in column 3") as info:
        read_conll(path, tag_column="3")

    assert info.value.line == 2
    with pytest.raises(FormatError, match="no token in column 5") as info:
        read_conll(path, token_column="5")
    assert info.value.line == 1


def test_the_same_column_for_token_and_tag_is_an_error(tmp_path):
    with pytest.raises(FormatError, match="is the token column"):
        read_conll(write(tmp_path / "a.conll", "Anna\tB-PER\n\n"), token_column="2", tag_column="2")


# -- writing IOB1, IOB2, BIOES and BILOU ---------------------------------------------------


def record_of(words: list[str], entities: list[tuple[int, int, str]]) -> DocumentRecord:
    text = " ".join(words)
    tokens = tuple(whitespace_tokens(text, words))
    spans = tuple(Span(tokens[a][0], tokens[b][1], label) for a, b, label in entities)
    return DocumentRecord(text, tokens, spans, Status.DONE)


SAMPLE = record_of(
    ["Li", "Wei", "met", "Omar", "Ann", "in", "New", "York"],
    [(0, 1, "PER"), (3, 3, "PER"), (4, 4, "PER"), (6, 7, "LOC")],
)
WRITTEN = {
    Scheme.IOB2: ["B-PER", "I-PER", "O", "B-PER", "B-PER", "O", "B-LOC", "I-LOC"],
    Scheme.IOB1: ["I-PER", "I-PER", "O", "I-PER", "B-PER", "O", "I-LOC", "I-LOC"],
    Scheme.BIOES: ["B-PER", "E-PER", "O", "S-PER", "S-PER", "O", "B-LOC", "E-LOC"],
    Scheme.BILOU: ["B-PER", "L-PER", "O", "U-PER", "U-PER", "O", "B-LOC", "L-LOC"],
}


@pytest.mark.parametrize("scheme", list(WRITTEN))
def test_writer_spells_each_scheme(tmp_path, scheme):
    out = io.StringIO()

    assert write_conll([SAMPLE], out, scheme) == 8

    lines = out.getvalue().split("\n")
    assert [line.split("\t")[1] for line in lines[:8]] == WRITTEN[scheme]
    assert lines[8:] == ["", ""]
    path = write(tmp_path / "out.conll", out.getvalue())
    result = read_conll(path)
    assert f"out.conll: tag scheme {scheme.value.upper()}" in result.notes
    assert result.records[0].spans == SAMPLE.spans


def test_bilou_validation_wants_its_own_letters():
    validate_tags(WRITTEN[Scheme.BILOU], Scheme.BILOU)
    with pytest.raises(TagError, match="token 2: BILOU writes L-/U-, not E-"):
        validate_tags(["B-PER", "E-PER"], Scheme.BILOU)
    with pytest.raises(TagError, match="token 1: BIOES writes E-/S-, not U-"):
        validate_tags(["U-PER"], Scheme.BIOES)
    with pytest.raises(TagError, match="B-PER is not closed by L-PER before O"):
        validate_tags(["B-PER", "O"], Scheme.BILOU)
    with pytest.raises(TagError, match="ends the sequence without L-LOC"):
        validate_tags(["U-PER", "B-LOC", "I-LOC"], Scheme.BILOU)
    with pytest.raises(TagError, match="IOB2 has no L- tags"):
        validate_tags(["B-PER", "L-PER"], Scheme.IOB2)


def test_bilou_file_is_detected_and_read_without_repairs(tmp_path):
    content = "Anna\tB-PER\nBerg\tL-PER\n\nOmar\tU-PER\nand\tO\nLi\tB-PER\nWei\tL-PER\n\n"
    assert detect_scheme([["B-PER", "L-PER"]]) is Scheme.BILOU
    result = read_conll(write(tmp_path / "b.bilou", content))

    assert "b.bilou: tag scheme BILOU" in result.notes
    assert [surface(r) for r in result.records] == [
        [("Anna Berg", "PER")],
        [("Omar", "PER"), ("Li Wei", "PER")],
    ]
    assert not any("ill-formed" in note for note in result.notes)


# Words as a CoNLL line can hold them: no whitespace or control characters; -DOCSTART- is
# the one word that cannot be a token (it is the document separator).
WORDS = st.text(st.characters(categories=["L", "N", "P", "S"]), min_size=1, max_size=6).filter(
    lambda w: w != "-DOCSTART-"
)
LABELS = st.sampled_from(["PER", "LOC", "WORK-OF-ART", "Ort"])


@st.composite
def documents(draw: st.DrawFn) -> DocumentRecord:
    words = draw(st.lists(WORDS, min_size=1, max_size=12))
    entities = []
    i = 0
    while i < len(words):
        if draw(st.booleans()):
            size = draw(st.integers(1, min(3, len(words) - i)))
            entities.append((i, i + size - 1, draw(LABELS)))
            i += size
        else:
            i += draw(st.integers(1, 2))
    return record_of(words, entities)


@pytest.mark.parametrize("scheme", list(Scheme))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=st.lists(documents(), min_size=1, max_size=4))
def test_write_then_read_gives_the_same_documents_in_every_scheme(tmp_path, scheme, records):
    out = io.StringIO()
    write_conll(records, out, scheme)
    path = write(tmp_path / f"rt.{scheme.value}", out.getvalue())

    result = read_conll(path)

    assert [(r.text, r.tokens, r.spans) for r in result.records] == [
        (r.text, r.tokens, r.spans) for r in records
    ]
    assert all(r.status is Status.DONE for r in result.records)
    if any(r.spans for r in records):
        assert f"rt.{scheme.value}: tag scheme {scheme.value.upper()}" in result.notes
    assert not any("ill-formed" in note for note in result.notes)
