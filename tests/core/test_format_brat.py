"""brat standoff in and out: the counts below were worked out by hand from the files.

Data in tests/data/brat/: ``bionlp_epi/PMID-8413307.{txt,ann}`` and
``bionlp_ge/annotation.conf`` are verbatim copies of nlplab/brat's
``example-data/BioNLP-ST_2011/BioNLP-ST_2011_EPI/PMID-8413307.{txt,ann}`` and
``example-data/BioNLP-ST_2011/BioNLP-ST_2011_GE/annotation.conf``; the rest
(``corpus/``, ``bionlp_ge/ge.*``) is written from https://brat.nlplab.org/standoff.html
and https://brat.nlplab.org/configuration.html. Files whose bytes matter (CR LF, a BOM,
bad UTF-8) are written into ``tmp_path`` by the tests, where git cannot convert them.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import FormatError, LabelError
from nerstudio.core.formats.brat import looks_like_brat, read_brat, write_brat
from nerstudio.core.records import DocumentRecord, Status
from nerstudio.core.spans import Span
from nerstudio.core.tokens import tokenize

DATA = Path(__file__).parent.parent / "data" / "brat"


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def brat_pair(folder: Path, name: str, text: str | bytes, ann: str) -> Path:
    """Write ``name.txt`` (these exact bytes) and ``name.ann`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    (folder / f"{name}.txt").write_bytes(data)
    (folder / f"{name}.ann").write_bytes(ann.encode("utf-8"))
    return folder / f"{name}.ann"


# --- real brat data ------------------------------------------------------------------


def test_bionlp_epi_document_keeps_proteins_and_skips_event_triggers():
    # 15 T lines: T1-T6 Protein, T7-T15 Phosphorylation triggers of E1-E9; no conf here.
    result = read_brat(DATA / "bionlp_epi")
    [doc] = result.records
    assert doc.status is Status.DONE
    assert doc.source == "PMID-8413307.txt"
    assert len(doc.text) == 1730
    assert surface(doc) == [
        ("luteinizing hormone/chorionic gonadotropin receptor", "Protein"),
        ("LH/CG receptor", "Protein"),
        ("LH/CG receptor", "Protein"),
        ("LH/CG receptor", "Protein"),
        ("LH/CG receptor", "Protein"),
        ("LH/CG receptor", "Protein"),
    ]
    assert [(s.start, s.end) for s in doc.spans][:2] == [(39, 90), (520, 534)]
    assert result.skipped == {"event lines": 9, "event trigger lines": 9}
    assert result.dropped == []
    assert result.labels == []


def test_bionlp_ge_conf_gives_labels_and_event_types():
    # The real GE annotation.conf: [entities] Protein, Entity; nine [events] types, two
    # separator lines, <EVENT> in arguments. ge.ann: T1 Protein; T2 the trigger of E1;
    # T3 a Positive_regulation no E line uses, skipped because the conf says it is an event.
    result = read_brat(DATA / "bionlp_ge")
    assert result.labels == ["Protein", "Entity"]
    [doc] = result.records
    assert surface(doc) == [("IL10", "Protein")]
    assert result.skipped == {"event lines": 1, "attribute lines": 1, "event trigger lines": 2}


# --- a corpus written from the spec ---------------------------------------------------


def test_corpus_folder_reads_every_kind_of_line():
    result = read_brat(DATA / "corpus")
    a, b, c = result.records
    assert [r.source for r in result.records] == ["a.txt", "sub/b.txt", "sub/c.txt"]
    # a.ann: T1, T2 kept; T3 inside T2 dropped; T4 " Cupertino" trimmed to 28-37; T5
    # "iPhone" splits the token iPhone15; T6 is a Launch ([events]); T7 discontinuous.
    assert surface(a) == [
        ("Tim Cook", "Person"),
        ("Apple Inc.", "Organization"),
        ("Cupertino", "Location"),
        ("iPhone", "Product"),
    ]
    assert a.spans[2] == Span(28, 37, "Location")
    assert [a.text[s:e] for s, e in a.tokens][8:11] == ["The", "iPhone", "15"]
    assert a.status is Status.DONE
    assert result.dropped == [
        "a.ann:7: T7 Person 0-3;4-8 is discontinuous, dropped",
        "a.ann:3: T3 Organization 14-19 overlaps T2 Organization 14-24, dropped",
    ]
    assert result.skipped == {
        "relation lines": 1,
        "attribute lines": 1,
        "normalization lines": 1,
        "note lines": 1,
        "equivalence lines": 1,
        "event trigger lines": 1,
    }
    assert "corpus: 1 tokens split so that spans fit them" in result.notes
    assert "corpus: 1 spans trimmed of whitespace at their ends" in result.notes
    # b has an empty .ann: done with no entity. c has none: new.
    assert (b.status, b.spans) == (Status.DONE, ())
    assert (c.status, c.spans) == (Status.NEW, ())
    # corpus/annotation.conf (!Place abstract, Location and Facility under it, a macro and
    # a separator), then sub/annotation.conf, nearer to b and c.
    assert result.labels == ["Person", "Location", "Facility", "Organization", "Product", "Gene"]


def test_one_ann_or_one_txt_reads_that_document():
    by_ann = read_brat(DATA / "corpus" / "a.ann")
    by_txt = read_brat(DATA / "corpus" / "a.txt")
    assert [r.spans for r in by_ann.records] == [r.spans for r in by_txt.records]
    assert by_ann.records[0].source == "a.txt"
    assert len(by_ann.records[0].spans) == 4
    assert by_ann.labels[0] == "Person"  # the conf beside it


def test_looks_like_brat():
    assert looks_like_brat(DATA / "corpus")
    assert looks_like_brat(DATA / "corpus" / "a.ann")
    assert not looks_like_brat(DATA / "corpus" / "a.txt")


# --- offsets, line ends and encodings ---------------------------------------------------


def test_crlf_text_is_kept_and_offsets_count_every_character(tmp_path):
    text = "Anna met Bob.\r\nBob met Carl.\r\n"
    brat_pair(tmp_path, "d", text, "T1\tPER 0 4\tAnna\nT2\tPER 23 27\tCarl\n")
    [doc] = read_brat(tmp_path).records
    assert doc.text == text
    assert surface(doc) == [("Anna", "PER"), ("Carl", "PER")]


def test_crlf_offsets_counted_the_way_brat_reads_are_mapped(tmp_path):
    # brat reads with universal newlines (nlplab/brat#853): "Carl" is at 22-26 there.
    text = "Anna met Bob.\r\nBob met Carl.\r\n"
    brat_pair(tmp_path, "d", text, "T1\tPER 0 4\tAnna\nT2\tPER 22 26\tCarl\n")
    result = read_brat(tmp_path)
    [doc] = result.records
    assert doc.text == text
    assert doc.spans[1] == Span(23, 27, "PER")
    assert any("CR LF as one character" in note for note in result.notes)


def test_bom_is_no_part_of_the_text_and_either_count_fits(tmp_path):
    bom = "\ufeff".encode()
    brat_pair(tmp_path / "a", "d", bom + b"Anna ran.", "T1\tPER 0 4\tAnna\n")
    brat_pair(tmp_path / "b", "d", bom + b"Anna ran.", "T1\tPER 1 5\tAnna\n")  # brat counts it
    for folder in ("a", "b"):
        [doc] = read_brat(tmp_path / folder).records
        assert doc.text == "Anna ran."
        assert doc.spans == (Span(0, 4, "PER"),)


def test_not_utf8_text_names_file_and_line(tmp_path):
    brat_pair(tmp_path, "d", b"Anna\nJos\xe9 ran.", "T1\tPER 0 4\tAnna\n")
    with pytest.raises(FormatError) as err:
        read_brat(tmp_path)
    assert err.value.path.endswith("d.txt")
    assert err.value.line == 2
    assert "UTF-8" in err.value.reason


def test_text_column_that_does_not_fit_is_an_error(tmp_path):
    # Offsets counted in UTF-8 bytes: "Zoë" is 4 bytes, so "ran" looks one further on.
    ann = brat_pair(tmp_path, "d", "Zoë ran.", "T1\tPER 0 3\tZoë\nT2\tACT 5 8\tran\n")
    with pytest.raises(FormatError) as err:
        read_brat(tmp_path)
    assert err.value.path == str(ann)
    assert err.value.line == 2
    assert "'ran'" in err.value.reason and "'an.'" in err.value.reason


def test_offsets_past_the_end_are_an_error(tmp_path):
    brat_pair(tmp_path, "d", "Anna", "T1\tPER 0 4\tAnna\n\nT2\tPER 5 9\tBob\n")
    with pytest.raises(FormatError) as err:
        read_brat(tmp_path)
    assert err.value.line == 3
    assert "past the end" in err.value.reason


def test_span_that_cuts_a_character_is_refused(tmp_path):
    # "Café" with a combining accent: offset 4 falls between "e" and U+0301.
    brat_pair(tmp_path, "d", "Cafe\u0301 ok", "T1\tORG 0 4\tCafe\n")
    with pytest.raises(FormatError) as err:
        read_brat(tmp_path)
    assert err.value.line == 1
    assert "U+0301" in err.value.reason and "move its end to 3 or 5" in err.value.reason


def test_emoji_and_cjk_offsets_are_code_points(tmp_path):
    text = "👍🏽 東京 and Ada"
    brat_pair(tmp_path, "d", text, "T1\tLOC 3 5\t東京\nT2\tPER 10 13\tAda\n")
    [doc] = read_brat(tmp_path).records
    assert surface(doc) == [("東京", "LOC"), ("Ada", "PER")]


def test_whitespace_empty_and_repeated_spans_are_dropped(tmp_path):
    ann = "T1\tPER 0 4\tAnna\nT2\tPER 4 5\t \nT3\tPER 6 6\t\nT4\tPER 0 4\tAnna\n"
    brat_pair(tmp_path, "d", "Anna ran", ann)
    result = read_brat(tmp_path)
    assert result.records[0].spans == (Span(0, 4, "PER"),)
    assert result.dropped == [
        "d.ann:2: T2 PER 4-5 covers only whitespace, dropped",
        "d.ann:3: T3 PER 6-6 is empty, dropped",
        "d.ann:4: T4 PER 0-4 repeats T1, dropped",
    ]


def test_t_line_without_text_column_is_read_with_a_note(tmp_path):
    brat_pair(tmp_path, "d", "Anna ran", "T1\tPER 0 4\n")
    result = read_brat(tmp_path)
    assert result.records[0].spans == (Span(0, 4, "PER"),)
    assert any("1 T lines have no text column" in n for n in result.notes)


@pytest.mark.parametrize(
    ("ann", "line", "says"),
    [
        ("T1\tPER 0 4\tAnna\nT2 PER 5 8 ran\n", 2, "no tab"),
        ("T1\tPER zero 4\tAnna\n", 1, "not 'START END'"),
        ("T1\tPER 4 0\tAnna\n", 1, "ends before it starts"),
        ("T1\tPER\tAnna\n", 1, "expected 'LABEL START END'"),
        ("T1\tPER 0 4\tAnna\nX1\tthing\n", 2, "unknown kind"),
        ("T1\tPER 0 4\tAnna\nT1\tPER 5 8\tran\n", 2, "used already on line 1"),
        ("T1\tPER 0 4\tAnna\nE1\tRun T1\n", 2, "TYPE:TRIGGER"),
        ("1\tPER 0 4\tAnna\n", 1, "not a brat id"),
    ],
)
def test_bad_lines_name_the_ann_and_line(tmp_path, ann, line, says):
    path = brat_pair(tmp_path, "d", "Anna ran", ann)
    with pytest.raises(FormatError) as err:
        read_brat(tmp_path)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert says in err.value.reason


def test_missing_partner_files_are_errors(tmp_path):
    (tmp_path / "lonely.ann").write_text("T1\tPER 0 4\tAnna\n")
    with pytest.raises(FormatError, match=r"no lonely\.txt beside this \.ann"):
        read_brat(tmp_path)
    with pytest.raises(FormatError, match=r"no lonely\.txt beside it"):
        read_brat(tmp_path / "lonely.ann")
    (tmp_path / "text.txt").write_text("Anna")
    with pytest.raises(FormatError, match=r"no text\.ann beside it"):
        read_brat(tmp_path / "text.txt")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FormatError, match=r"no \.txt documents"):
        read_brat(empty)


# --- writing ----------------------------------------------------------------------------


def record(text: str, spans=(), status=Status.DONE, id=None) -> DocumentRecord:
    return DocumentRecord(text, tuple(tokenize(text)), tuple(spans), status, id=id)


def test_write_brat_files(tmp_path):
    records = [
        record("Anna met Bob\nin Oslo.", [Span(0, 4, "PER"), Span(9, 15, "PER")], id=7),
        record("Nothing yet.", status=Status.NEW, id=12),
    ]
    tokens = write_brat(records, tmp_path, ["PER", "LOC"])
    assert tokens == 6 + 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "annotation.conf",
        "doc-000007.ann",
        "doc-000007.txt",
        "doc-000012.txt",
    ]
    # A span over a line break writes a space for it in the one-line text column.
    assert (tmp_path / "doc-000007.ann").read_text() == (
        "T1\tPER 0 4\tAnna\nT2\tPER 9 15\tBob in\n"
    )
    assert (tmp_path / "annotation.conf").read_text() == (
        "[entities]\nPER\nLOC\n\n[relations]\n\n[events]\n\n[attributes]\n"
    )
    back = read_brat(tmp_path)
    assert [r.status for r in back.records] == [Status.DONE, Status.NEW]
    assert back.records[0].spans == records[0].spans
    assert back.labels == ["PER", "LOC"]


@pytest.mark.parametrize("label", ["Person name", "PER.NAME", "人名", "---"])
def test_labels_brat_cannot_hold_are_refused(tmp_path, label):
    with pytest.raises(LabelError, match="cannot be written to brat"):
        write_brat([record("Anna", [Span(0, 4, label)])], tmp_path, [])


# Pieces of text: CR LF, emoji (one with a skin tone), CJK, a combining accent, a token that
# spans split, and U+FEFF, which at the very start reads like a byte-order mark.
_PIECES = st.sampled_from(
    "Anna|Bob| |  |\n|\r\n|\t|.|😊|👍🏽|東京|e\u0301|iPhone15|\ufeff|Zoë".split("|")
)
# A label that is a token tag (B-PER, I-0) is refused on reading: no span format carries one.
_LABEL = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,7}", fullmatch=True).filter(
    lambda label: re.fullmatch(r"[BIESLU]-.+", label) is None
)


@st.composite
def documents(draw) -> DocumentRecord:
    text = "".join(draw(st.lists(_PIECES, max_size=12)))
    tokens = tokenize(text)
    spans, i = [], 0
    while i < len(tokens):
        width = draw(st.integers(0, 3))
        if width == 0:
            i += 1
            continue
        last = min(i + width, len(tokens)) - 1
        spans.append(Span(tokens[i][0], tokens[last][1], draw(_LABEL)))
        i = last + 1
    status = draw(st.sampled_from([Status.DONE, Status.NEW]))
    return DocumentRecord(text, tuple(tokens), tuple(spans), status if not spans else Status.DONE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=4))
def test_write_then_read_gives_back_texts_offsets_and_labels(records):
    with tempfile.TemporaryDirectory() as folder:
        labels = sorted({s.label for r in records for s in r.spans})
        write_brat(records, folder, labels)
        result = read_brat(folder)
    assert [r.text for r in result.records] == [r.text for r in records]
    assert [r.spans for r in result.records] == [r.spans for r in records]
    assert [r.tokens for r in result.records] == [r.tokens for r in records]
    assert [r.status for r in result.records] == [r.status for r in records]
    assert result.labels == labels
    assert result.dropped == [] and result.skipped == {}


def test_an_entity_label_that_is_a_token_tag_is_refused_with_its_line(tmp_path):
    brat_pair(tmp_path, "d", "Anna Berg left.", "T1\tPER 0 4\tAnna\nT2\tI-PER 5 9\tBerg\n")

    with pytest.raises(FormatError, match="T2 I-PER 5-9: label 'I-PER' carries the tag") as err:
        read_brat(tmp_path)

    assert err.value.line == 2
