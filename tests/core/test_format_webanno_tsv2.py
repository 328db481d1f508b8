"""WebAnno TSV 2 in: real files from webanno/webanno (sources in tests/data/webanno/README.md).

``tsv2_example2.tsv`` is the file WebAnno's own TSV 2 reader test reads: 7 sentences, 11
NamedEntity annotations, three of them stacked on a longer one (``B-ORGpart|B-ORG``).
Before this reader it was taken for CoNLL columns by its ``.tsv`` name and refused over its
header line ("tag 'AttachTo=...' is not O or B-/I-...").
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import FormatError
from nerstudio.core.formats.detect import detect_format
from nerstudio.core.formats.webanno_tsv2 import read_webanno_tsv2
from nerstudio.core.records import Status
from nerstudio.core.transfer.importing import read_file

DATA = Path(__file__).parent.parent / "data" / "webanno"
EXAMPLE = DATA / "tsv2_example2.tsv"
NE = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"


def surface(record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def entities_in_file(path: Path, column: int) -> int:
    """Count annotations independently of the reader: each B- or unprefixed value."""
    count = 0
    for line in path.read_text("utf-8").splitlines():
        fields = line.strip().split("\t")
        if line.startswith("#") or len(fields) <= column:
            continue
        count += sum(
            1
            for v in fields[column].split("|")
            if v.startswith("B-") or (v not in ("O", "_") and not v.startswith("I-"))
        )
    return count


def test_webanno_example_reads_every_entity_and_reports_the_stacked_ones():
    result = read_webanno_tsv2(EXAMPLE)
    assert len(result.records) == 1  # one file, one document, as WebAnno reads it
    record = result.records[0]
    assert record.status is Status.DONE
    assert surface(record) == [
        ("Ms. Haag", "PER"),
        ("Elianti", "OTH"),
        ("Rolls-Royce Motor", "ORGpart"),
        ("U.S.", "LOC"),
        ("U.S.", "LOC"),
        ("BELL INDUSTRIES Inc.", "ORGpart"),
        ("Bell", "ORG"),
        ("Los Angeles", "LOC"),
    ]
    assert entities_in_file(EXAMPLE, 2) == 11
    assert len(record.spans) + result.overlapping == 11
    assert result.dropped == [
        "tsv2_example2.tsv:12: ORG 'Rolls-Royce' overlaps ORGpart 'Rolls-Royce Motor', dropped",
        "tsv2_example2.tsv:50: PER 'BELL' overlaps ORGpart 'BELL INDUSTRIES Inc.', dropped",
        "tsv2_example2.tsv:50: ORG 'BELL INDUSTRIES' overlaps ORGpart 'BELL INDUSTRIES Inc.',"
        " dropped",
    ]
    assert record.text.splitlines()[0] == "Ms. Haag plays Elianti ."
    assert len(record.text.splitlines()) == 7
    for start, end in record.tokens:
        assert record.text[start:end].strip() == record.text[start:end] != ""


def test_other_layers_are_named_in_a_note_with_the_option_that_reads_them():
    (note,) = read_webanno_tsv2(EXAMPLE).notes
    assert "entities from NamedEntity.value" in note
    assert "POS.PosValue" in note and "Dependency.DependencyType (relations)" in note
    assert "--layer" in note
    pos = read_webanno_tsv2(EXAMPLE, layer="POS")
    assert entities_in_file(EXAMPLE, 3) == len(pos.records[0].spans) == 86
    with pytest.raises(FormatError, match="relation layer"):
        read_webanno_tsv2(EXAMPLE, layer="Dependency")
    with pytest.raises(FormatError, match=r"no layer 'Entity'.*NamedEntity, POS, Dependency"):
        read_webanno_tsv2(EXAMPLE, layer="Entity")


def test_identical_stacked_entities_keep_one_and_report_the_repeat():
    result = read_webanno_tsv2(DATA / "tsv2_ne_stacked_same.tsv")
    assert surface(result.records[0]) == [("Champions League", "ORG")]
    assert result.dropped == [
        "tsv2_ne_stacked_same.tsv:11: ORG 40-56 repeats the one on line 11, dropped"
    ]


@pytest.mark.parametrize("name", ["tsv2_example2.tsv", "tsv2_ne_stacked_same.tsv"])
def test_import_detects_tsv2_by_content_not_as_conll_columns(name):
    assert detect_format(DATA / name).name == "webanno-tsv2"
    detected, result = read_file(DATA / name)
    assert detected.name == "webanno-tsv2"
    assert result.records[0].spans


def tsv2(tmp_path: Path, body: str, header: str = f" # {NE} | value\n") -> Path:
    path = tmp_path / "doc.tsv"
    path.write_text(header + body, "utf-8")
    return path


def test_a_file_without_header_is_tsv2_without_entities_and_says_so(tmp_path):
    path = tsv2(tmp_path, "#id=1\n#text=Hi there\n1-1\tHi\n1-2\tthere\n", header="")
    assert detect_format(path).name == "webanno-tsv2"
    result = read_webanno_tsv2(path)
    assert result.records[0].text == "Hi there" and not result.records[0].spans
    assert "no NamedEntity layer" in result.notes[0]


def test_conllu_comments_are_not_taken_for_tsv2(tmp_path):
    path = tmp_path / "a.conllu"
    path.write_text("# sent_id = 1\n# text = Hi\n1\tHi\t_\t_\t_\t_\t0\troot\t_\t_\n", "utf-8")
    assert detect_format(path).name == "conllu"


def test_values_without_prefix_are_one_token_entities_and_empty_values_are_counted(tmp_path):
    body = "#id=1\n#text=a b c d\n1-1\ta\tPER\n1-2\tb\tB-_\n1-3\tc\tI-_\n1-4\td\tB-LOC|O-_\n"
    result = read_webanno_tsv2(tsv2(tmp_path, body))
    assert surface(result.records[0]) == [("a", "PER"), ("d", "LOC")]
    assert result.skipped == {"entities without a value": 1}


def test_entities_end_at_the_sentence_end_and_where_the_stack_place_stops(tmp_path):
    body = (
        "#id=1\n#text=a b\n1-1\ta\tB-PER|B-X\n1-2\tb\tI-PER\n\n"
        "#id=2\n#text=c d\n2-1\tc\tI-PER\n2-2\td\tO|I-X\n"
    )
    record = read_webanno_tsv2(tsv2(tmp_path, body)).records[0]
    assert record.text == "a b\nc d"
    assert surface(record) == [("a b", "PER"), ("c", "PER"), ("d", "X")]


def test_a_row_with_the_wrong_number_of_columns_names_its_line(tmp_path):
    path = tsv2(tmp_path, "#id=1\n#text=a b\n1-1\ta\tO\n1-2\tb\n")
    with pytest.raises(FormatError, match=r"line 5.*3 tab-separated columns"):
        read_webanno_tsv2(path)


def starts(sentences: list[list[str]]) -> int:
    """Entities in generated cells: a B-, a bare value, or an I- that continues nothing."""
    count = 0
    for cells in sentences:
        before: list[str] = []
        for cell in cells:
            values = cell.split("|")
            for place, value in enumerate(values):
                prior = before[place][2:] if place < len(before) else None
                if value.startswith("I-") and prior == value[2:]:
                    continue
                count += value != "O"
            before = values
    return count


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["O", "B-A", "I-A", "B-B", "I-B", "B-A|B-B", "I-A|I-B", "C"]),
            min_size=1,
            max_size=6,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_every_entity_is_kept_or_reported(tmp_path_factory, sentences):
    body = ""
    for number, cells in enumerate(sentences, start=1):
        body += f"#id={number}\n#text=x\n"
        body += "".join(f"{number}-{i}\tw{i}\t{cell}\n" for i, cell in enumerate(cells, 1))
        body += "\n"
    path = tsv2(tmp_path_factory.mktemp("h"), body)
    result = read_webanno_tsv2(path)
    record = result.records[0]
    assert len(record.spans) + len(result.dropped) == starts(sentences)
    ends = [(s.start, s.end) for s in record.spans]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))  # flat: no overlap kept
